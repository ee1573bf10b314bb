// Both ends speak standard gRPC: the SDK server answers grpc-js clients (as Envoy's Google gRPC client would),
// over TLS and h2c, including error statuses. (The other direction, extgate's client against grpc-js servers,
// is exercised by failures.test.ts and chain.test.ts.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import {
  PROCESS_PATH,
  processMethod,
  type ProcessingRequest,
  type ProcessingResponse,
} from '../../src/extensions/callout/protos.js';
import { CalloutError, GrpcStatus, headersReply } from '../../src/sdk/index.js';
import { startCallout, type RunningCallout } from './support.js';

function exchange(
  client: grpc.Client,
  req: ProcessingRequest,
): Promise<ProcessingResponse[] | grpc.ServiceError> {
  const m = processMethod();
  const call = client.makeBidiStreamRequest<ProcessingRequest, ProcessingResponse>(
    PROCESS_PATH,
    m.requestSerialize,
    m.responseDeserialize,
  );
  const got: ProcessingResponse[] = [];
  return new Promise((resolve) => {
    call.on('data', (r: ProcessingResponse) => {
      got.push(r);
      call.end();
    });
    call.on('error', (e: grpc.ServiceError) => resolve(e));
    call.on('end', () => resolve(got));
    call.write(req);
  });
}

describe('SDK server with a grpc-js client', () => {
  let callout: RunningCallout;
  before(async () => {
    callout = await startCallout({
      onRequestHeaders(h) {
        if (h.get('x-deny')) throw new CalloutError(GrpcStatus.PERMISSION_DENIED, 'denied: ünïcode');
        return headersReply({ set: { 'x-from': 'sdk' } });
      },
    });
  });
  after(() => callout.stop());

  const headers = (extra: Array<[string, string]> = []): ProcessingRequest => ({
    request_headers: {
      headers: {
        headers: [[':path', '/'], ...extra].map(([key, v]) => ({ key: key!, raw_value: Buffer.from(v!) })),
      },
      end_of_stream: true,
    },
  });

  for (const tls of [false, true]) {
    it(`answers and reports statuses (${tls ? 'TLS' : 'h2c'})`, async () => {
      const creds = tls
        ? grpc.credentials.createSsl(null, null, null, {
            rejectUnauthorized: false,
            checkServerIdentity: () => undefined,
          })
        : grpc.credentials.createInsecure();
      const client = new grpc.Client(`127.0.0.1:${tls ? callout.secure : callout.plaintext}`, creds);
      try {
        const ok = await exchange(client, headers());
        assert.ok(Array.isArray(ok));
        const set = ok[0]!.request_headers!.response!.header_mutation!.set_headers![0]!;
        assert.equal(set.header!.key, 'x-from');
        assert.equal(Buffer.from(set.header!.raw_value!).toString(), 'sdk');
        const err = await exchange(client, headers([['x-deny', '1']]));
        assert.ok(!Array.isArray(err));
        assert.equal(err.code, grpc.status.PERMISSION_DENIED);
        assert.equal(err.details, 'denied: ünïcode');
      } finally {
        client.close();
      }
    });
  }
});
