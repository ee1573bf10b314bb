// gRPC (HTTP/2 with trailers) through the gateway: h2c downstream, h2c upstream, grpc-status trailers and
// `te: trailers` carried end to end, an error status passed through.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import { backend, listener, port, rule, snapshot, startGateway } from './fixtures.js';

const identity = {
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
};
const service: grpc.ServiceDefinition = {
  Chat: {
    path: '/test.Echo/Chat',
    requestStream: true,
    responseStream: true,
    originalName: 'Chat',
    ...identity,
  },
  Echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    originalName: 'Echo',
    ...identity,
  },
};

let server: grpc.Server;
let gw: DataPlane;
let gwPort: number;

before(async () => {
  server = new grpc.Server();
  server.addService(service, {
    Chat: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (m: Buffer) => call.write(Buffer.from(`re:${m.toString()}`)));
      call.on('end', () => call.end());
    },
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      if (call.request.toString() === 'fail')
        return cb({ code: grpc.status.PERMISSION_DENIED, details: 'no' });
      cb(
        null,
        Buffer.from(`echo:${call.request.toString()}:${String(call.metadata.get('x-forwarded-proto')[0])}`),
      );
    },
  });
  const bp = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  ({ gw, port: gwPort } = await startGateway(
    snapshot([port([listener([rule({ backends: [backend('default/grpc:50051', bp, 'h2c')] })])])]),
  ));
});

after(async () => {
  await gw?.close(100);
  server.forceShutdown();
});

test('unary gRPC call and error status through h2c both ways', async () => {
  const Client = grpc.makeGenericClientConstructor(service, 'Echo');
  const client = new Client(
    `127.0.0.1:${gwPort}`,
    grpc.credentials.createInsecure(),
  ) as unknown as grpc.Client & {
    Echo(req: Buffer, cb: (err: grpc.ServiceError | null, res?: Buffer) => void): void;
  };
  try {
    const ok = await new Promise<string>((resolve, reject) =>
      client.Echo(Buffer.from('hi'), (err, res) => (err ? reject(err) : resolve(res!.toString()))),
    );
    assert.equal(ok, 'echo:hi:http');
    const failed = await new Promise<grpc.ServiceError>((resolve) =>
      client.Echo(Buffer.from('fail'), (err) => resolve(err!)),
    );
    assert.equal(failed.code, grpc.status.PERMISSION_DENIED);
    assert.equal(failed.details, 'no');
  } finally {
    client.close();
  }
});

test('bidirectional gRPC stream: answers flow before the request ends', async () => {
  const Client = grpc.makeGenericClientConstructor(service, 'Echo');
  const client = new Client(
    `127.0.0.1:${gwPort}`,
    grpc.credentials.createInsecure(),
  ) as unknown as grpc.Client & {
    Chat(): grpc.ClientDuplexStream<Buffer, Buffer>;
  };
  try {
    const call = client.Chat();
    const got: string[] = [];
    const next = (): Promise<string> =>
      new Promise((resolve) => call.once('data', (m: Buffer) => resolve(m.toString())));
    for (const word of ['one', 'two', 'three']) {
      const answer = next();
      call.write(Buffer.from(word));
      got.push(await answer); // the answer arrives while the request stream is still open
    }
    const ended = new Promise<void>((resolve) => call.on('status', () => resolve()));
    call.end();
    await ended;
    assert.deepEqual(got, ['re:one', 're:two', 're:three']);
  } finally {
    client.close();
  }
});
