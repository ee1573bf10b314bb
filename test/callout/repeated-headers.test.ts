// Repeated request headers as a real gRPC callout (a grpc-js ext_proc server, not the SDK) receives them: one
// HeaderValue per line the client sent, where it sent it, as Envoy's ext_proc filter builds the HeaderMap
// (MutationUtils::headersToProto, one HeaderValue per header map entry); Envoy's inline headers folded into one
// `,`-joined value (docs/dataplane.md, "Repeated request headers").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { chainCompiler } from '../../src/extensions/chain.js';
import {
  externalProcessorService,
  type ProcessingRequest,
  type ProcessingResponse,
} from '../../src/extensions/callout/protos.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  echoBackend,
  listener,
  port,
  rule,
  snapshot,
  startGateway,
  type EchoBackend,
} from '../dataplane/fixtures.js';
import { calloutIR, chainIR } from './support.js';

const INTERESTING = new Set([':authority', 'host', 'x-a', 'authorization', 'cookie', 'user-agent']);

describe('repeated request headers at a gRPC callout', () => {
  const client = new CalloutClient();
  const server = new grpc.Server();
  const received: Array<[string, string]>[] = [];
  let store: EchoBackend;
  let gw: DataPlane;
  let gwPort: number;

  before(async () => {
    server.addService(externalProcessorService(), {
      Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => {
        call.on('data', (req: ProcessingRequest) => {
          if (req.request_headers === undefined) return;
          received.push(
            (req.request_headers.headers?.headers ?? []).map((h) => [
              h.key ?? '',
              h.raw_value !== undefined ? Buffer.from(h.raw_value).toString('latin1') : (h.value ?? ''),
            ]),
          );
          call.write({ request_headers: { response: {} } });
        });
        call.on('end', () => call.end());
      },
    });
    const calloutPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    store = await echoBackend('store');
    const chain = chainIR('c', undefined, [calloutIR({ port: calloutPort, events: ['RequestHeaders'] })]);
    ({ gw, port: gwPort } = await startGateway(
      snapshot([
        port([
          listener([rule({ backends: [backend('default/store:8080', store.port)] })], {
            trafficChains: [chain],
          }),
        ]),
      ]),
      { compileChains: chainCompiler(client) },
    ));
  });
  after(async () => {
    await gw?.close(100);
    client.close();
    server.forceShutdown();
    await store?.close();
  });

  it('one HeaderValue per line, in the client order; inline headers folded with ","', async () => {
    const request = [
      'GET /p HTTP/1.1',
      'Host: store.example.com',
      'X-A: 1',
      'Authorization: Bearer first',
      'User-Agent: one',
      'Cookie: c=1',
      'X-A: 2',
      'Authorization: Bearer second',
      'Cookie: d=2',
      'User-Agent: two',
      'X-A: 3',
      'Connection: close',
      '',
      '',
    ].join('\r\n');
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(gwPort, '127.0.0.1', () => socket.write(request));
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    });
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.equal(received.length, 1);
    assert.deepEqual(
      received[0]!.filter(([k]) => INTERESTING.has(k)),
      [
        [':authority', 'store.example.com'],
        ['x-a', '1'],
        ['authorization', 'Bearer first,Bearer second'],
        ['user-agent', 'one,two'],
        ['cookie', 'c=1'],
        ['x-a', '2'],
        ['cookie', 'd=2'],
        ['x-a', '3'],
      ],
    );
  });
});
