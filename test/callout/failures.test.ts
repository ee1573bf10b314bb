// Each failure mode of a callout, over real sockets: what ExtensionError the data plane sees.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import {
  externalProcessorService,
  type ProcessingRequest,
  type ProcessingResponse,
} from '../../src/extensions/callout/protos.js';
import { CalloutError, headersReply } from '../../src/sdk/index.js';
import { calloutIR, requestHeaders, requestInfo, startCallout, type RunningCallout } from './support.js';

type Handler = (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => void;

/** A raw ext_proc server (not the SDK) so a test can break the protocol on purpose. */
async function rawServer(handler: Handler): Promise<{ port: number; stop(): void }> {
  const server = new grpc.Server();
  server.addService(externalProcessorService(), { Process: handler });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { port, stop: () => server.forceShutdown() };
}

describe('callout failures', () => {
  const client = new CalloutClient();
  let slowAndFailing: RunningCallout;
  let slowAnswered = false;
  before(async () => {
    slowAndFailing = await startCallout({
      async onRequestHeaders(h) {
        const mode = h.get('x-test');
        if (mode === 'slow') {
          await new Promise((r) => setTimeout(r, 300));
          slowAnswered = true;
        }
        if (mode === 'deny') throw new CalloutError(grpc.status.PERMISSION_DENIED, 'not today');
        if (mode === 'crash') throw new Error('handler bug');
        return headersReply({ set: { 'x-ok': '1' } });
      },
    });
  });
  after(async () => {
    client.close();
    await slowAndFailing.stop();
  });

  it('server down → unreachable', async () => {
    const gone = await rawServer(() => undefined);
    gone.stop();
    const s = client.extension(calloutIR({ port: gone.port })).open(requestInfo());
    try {
      await assert.rejects(s.requestHeaders(requestHeaders(), true), {
        name: 'ExtensionError',
        failure: 'unreachable',
      });
    } finally {
      s.close();
    }
  });

  it('a callout that comes back is reached again after the reconnect backoff', async () => {
    const srv = await rawServer(() => undefined);
    const port = srv.port;
    srv.stop();
    const ext = client.extension(calloutIR({ port }));
    for (let i = 0; i < 3; i++) {
      const s = ext.open(requestInfo());
      await assert.rejects(s.requestHeaders(requestHeaders(), true), { failure: 'unreachable' });
      s.close();
    }
    const back = await startCallout(
      { onRequestHeaders: () => headersReply({ set: { 'x-back': '1' } }) },
      port,
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      const s = ext.open(requestInfo());
      const h = requestHeaders();
      await s.requestHeaders(h, true);
      s.close();
      assert.equal(h.get('x-back'), '1');
    } finally {
      await back.stop();
    }
  });

  it('no endpoints → unreachable', async () => {
    const ir = calloutIR({ port: 1 });
    const s = client.extension({ ...ir, target: { ...ir.target, endpoints: [] } }).open(requestInfo());
    await assert.rejects(s.requestHeaders(requestHeaders(), true), {
      name: 'ExtensionError',
      failure: 'unreachable',
    });
    s.close();
  });

  it('slow callout → timeout after the per-message timeout', async () => {
    const s = client
      .extension(calloutIR({ port: slowAndFailing.plaintext, timeoutMs: 50 }))
      .open(requestInfo());
    try {
      await assert.rejects(s.requestHeaders(requestHeaders('/', [['x-test', 'slow']]), true), {
        name: 'ExtensionError',
        failure: 'timeout',
      });
      assert.equal(slowAnswered, false, 'fails at the timeout, not when the callout finally answers');
    } finally {
      s.close();
    }
  });

  it('gRPC error status → error with the status code', async () => {
    const s = client.extension(calloutIR({ port: slowAndFailing.secure, tls: true })).open(requestInfo());
    try {
      await assert.rejects(s.requestHeaders(requestHeaders('/', [['x-test', 'deny']]), true), {
        name: 'ExtensionError',
        failure: 'error',
        grpcStatus: grpc.status.PERMISSION_DENIED,
      });
    } finally {
      s.close();
    }
    const s2 = client.extension(calloutIR({ port: slowAndFailing.plaintext })).open(requestInfo());
    try {
      await assert.rejects(s2.requestHeaders(requestHeaders('/', [['x-test', 'crash']]), true), {
        failure: 'error',
        grpcStatus: grpc.status.INTERNAL,
      });
    } finally {
      s2.close();
    }
  });

  it('answer of the wrong kind → protocol', async () => {
    const srv = await rawServer((call) => {
      call.on('data', () => call.write({ response_headers: { response: {} } }));
      call.on('end', () => call.end());
    });
    const s = client.extension(calloutIR({ port: srv.port })).open(requestInfo());
    try {
      await assert.rejects(s.requestHeaders(requestHeaders(), true), {
        name: 'ExtensionError',
        failure: 'protocol',
      });
    } finally {
      s.close();
      srv.stop();
    }
  });

  it('empty ProcessingResponse (no response set) → protocol, as Envoy marks it spurious', async () => {
    const srv = await rawServer((call) => {
      call.on('data', () => call.write({}));
      call.on('end', () => call.end());
    });
    const s = client.extension(calloutIR({ port: srv.port })).open(requestInfo());
    try {
      await assert.rejects(s.requestHeaders(requestHeaders(), true), {
        name: 'ExtensionError',
        failure: 'protocol',
      });
    } finally {
      s.close();
      srv.stop();
    }
  });

  it('streamed_response outside FullDuplexStreamed → protocol', async () => {
    const srv = await rawServer((call) => {
      call.on('data', (req: ProcessingRequest) => {
        if (req.request === 'request_headers') call.write({ request_headers: { response: {} } });
        else
          call.write({
            request_body: {
              response: {
                body_mutation: { streamed_response: { body: Buffer.from('x'), end_of_stream: true } },
              },
            },
          });
      });
      call.on('end', () => call.end());
    });
    const s = client
      .extension(calloutIR({ port: srv.port, events: ['RequestHeaders', 'RequestBody'] }))
      .open(requestInfo());
    try {
      await s.requestHeaders(requestHeaders(), false);
      await assert.rejects(s.requestBody(Buffer.from('b'), true), {
        name: 'ExtensionError',
        failure: 'protocol',
      });
    } finally {
      s.close();
      srv.stop();
    }
  });

  it('answer larger than 128 KB → error (RESOURCE_EXHAUSTED)', async () => {
    const srv = await rawServer((call) => {
      call.on('data', () =>
        call.write({
          request_headers: {
            response: {
              header_mutation: {
                set_headers: [{ header: { key: 'x-big', raw_value: Buffer.alloc(200_000, 97) } }],
              },
            },
          },
        }),
      );
      call.on('end', () => call.end());
    });
    const s = client.extension(calloutIR({ port: srv.port })).open(requestInfo());
    try {
      await assert.rejects(s.requestHeaders(requestHeaders(), true), {
        failure: 'error',
        grpcStatus: grpc.status.RESOURCE_EXHAUSTED,
      });
    } finally {
      s.close();
      srv.stop();
    }
  });

  it('server closes the stream with OK → the request continues unprocessed', async () => {
    const srv = await rawServer((call) => {
      call.on('data', () => call.end());
    });
    const s = client.extension(calloutIR({ port: srv.port })).open(requestInfo());
    try {
      const h = requestHeaders();
      const r = await s.requestHeaders(h, true);
      assert.equal(r.effect, 'NONE');
      assert.equal(h.get(':path'), '/serviceextensions');
    } finally {
      s.close();
      srv.stop();
    }
  });

  it('observabilityMode never fails the request, even with the callout down', async () => {
    const gone = await rawServer(() => undefined);
    gone.stop();
    const s = client.extension(calloutIR({ port: gone.port, observabilityMode: true })).open(requestInfo());
    assert.equal((await s.requestHeaders(requestHeaders(), true)).effect, 'NONE');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await s.responseHeaders(requestHeaders(), true)).effect, 'NONE');
    s.close();
  });
});
