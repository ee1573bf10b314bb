// Body events as Envoy's ext_proc filter sends them, through the gateway, with a callout that answers every
// body message literally (as Google's samples are written: `basic` replaces each request body message).
// A small body that is complete when the headers answer arrives must reach the callout as ONE message with
// end_of_stream true, so the replacement reaches the backend (or client) exactly once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { chainCompiler } from '../../src/extensions/chain.js';
import { CALLOUT_MAX_BODY_MESSAGE_BYTES } from '../../src/extensions/callout/limits.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { ExtensionChainIR, HttpEvent } from '../../src/ir/snapshot.js';
import {
  backend,
  bodyEcho,
  listener,
  port,
  postH1,
  postH2c,
  rule,
  snapshot,
  startGateway,
  postH1With,
  type Reply,
} from '../dataplane/fixtures.js';
import { calloutIR, startCallout, type RunningCallout } from './support.js';
import { bodyReply, headersReply, streamedBody, type Callout } from '../../src/sdk/index.js';

interface Seen {
  readonly event: 'request_body' | 'response_body';
  readonly bytes: number;
  readonly endOfStream: boolean;
}

/** Answers every body message with a fixed replacement, like Google's `basic` sample. */
function literal(seen: Seen[]): Callout {
  return {
    onRequestHeaders: () => headersReply({ set: { 'x-request-headers': 'seen' } }),
    onRequestBody(b) {
      seen.push({ event: 'request_body', bytes: b.body.length, endOfStream: b.endOfStream });
      return bodyReply({ body: 'replaced-body' });
    },
    onResponseHeaders: () => headersReply({ set: { 'x-response-headers': 'seen' } }),
    onResponseBody(b) {
      seen.push({ event: 'response_body', bytes: b.body.length, endOfStream: b.endOfStream });
      return bodyReply({ body: 'replaced-response' });
    },
  };
}

describe('body events as Envoy sends them', () => {
  const client = new CalloutClient();
  const seen: Seen[] = [];
  let callout: RunningCallout;
  let upper: RunningCallout;
  const gateways: DataPlane[] = [];
  const backends: Array<{ close(): void }> = [];
  let largest = 0;

  before(async () => {
    callout = await startCallout(literal(seen));
    // FullDuplexStreamed, chunk by chunk: each body message answered at once with the same bytes upper-cased.
    upper = await startCallout({
      onRequestBody(b) {
        largest = Math.max(largest, b.body.length);
        return [streamedBody(b.body.toString('latin1').toUpperCase(), b.endOfStream)];
      },
    });
  });
  after(async () => {
    for (const gw of gateways) await gw.close();
    for (const b of backends) b.close();
    client.close();
    await Promise.all([callout.stop(), upper.stop()]);
  });

  async function gateway(
    protocol: 'http1' | 'h2c',
    calloutPort: number,
    events: HttpEvent[],
    extra: Partial<Parameters<typeof calloutIR>[0]> = {},
  ): Promise<number> {
    const echo = await bodyEcho(protocol);
    backends.push(echo);
    const chain: ExtensionChainIR = {
      id: 'GCPTrafficExtension/default/ext/chain1',
      name: 'chain1',
      resource: 'default/ext',
      resourceKind: 'GCPTrafficExtension',
      match: [],
      extensions: [calloutIR({ port: calloutPort, events, ...extra })],
    };
    const { gw, port: p } = await startGateway(
      snapshot([
        port([
          listener([rule({ backends: [backend('default/echo:8080', echo.port, protocol)] })], {
            trafficChains: [chain],
          }),
        ]),
      ]),
      { compileChains: chainCompiler(client) },
    );
    gateways.push(gw);
    return p;
  }

  const post = (protocol: 'http1' | 'h2c', p: number, body: string | Buffer): Promise<Reply> =>
    protocol === 'h2c' ? postH2c(p, body) : postH1(p, body);

  for (const protocol of ['http1', 'h2c'] as const) {
    it(`${protocol}: RequestHeaders + RequestBody, small body → one message with end_of_stream, replaced once`, async () => {
      const p = await gateway(protocol, callout.plaintext, ['RequestHeaders', 'RequestBody']);
      seen.length = 0;
      const a = await post(protocol, p, 'original body');
      assert.equal(a.status, 200);
      assert.equal(a.headers['x-backend-got'], 'replaced-body');
      assert.equal(a.body, 'replaced-body');
      assert.deepEqual(seen, [{ event: 'request_body', bytes: 13, endOfStream: true }]);
    });

    it(`${protocol}: ResponseHeaders + ResponseBody, small body → one message with end_of_stream, replaced once`, async () => {
      const p = await gateway(protocol, callout.plaintext, ['ResponseHeaders', 'ResponseBody']);
      seen.length = 0;
      const a = await post(protocol, p, 'original body');
      assert.equal(a.status, 200);
      assert.equal(a.headers['x-response-headers'], 'seen');
      assert.equal(a.headers['x-backend-got'], 'original body');
      assert.equal(a.body, 'replaced-response');
      assert.deepEqual(seen, [{ event: 'response_body', bytes: 13, endOfStream: true }]);
    });

    it(`${protocol}: all four events → one body message per direction, each replacement once`, async () => {
      const p = await gateway(protocol, callout.plaintext, [
        'RequestHeaders',
        'RequestBody',
        'ResponseHeaders',
        'ResponseBody',
      ]);
      seen.length = 0;
      const a = await post(protocol, p, 'original body');
      assert.equal(a.status, 200);
      assert.equal(a.headers['x-backend-got'], 'replaced-body');
      assert.equal(a.headers['x-response-headers'], 'seen');
      assert.equal(a.body, 'replaced-response');
      assert.deepEqual(seen, [
        { event: 'request_body', bytes: 13, endOfStream: true },
        { event: 'response_body', bytes: 13, endOfStream: true },
      ]);
    });

    it(`${protocol}: FullDuplexStreamed 256 KiB upper-cased chunk by chunk arrives whole`, async () => {
      const p = await gateway(protocol, upper.plaintext, ['RequestHeaders', 'RequestBody'], {
        requestBodySendMode: 'FullDuplexStreamed',
      });
      largest = 0;
      const body = Buffer.alloc(256 * 1024);
      for (let i = 0; i < body.length; i++) body[i] = 97 + (i % 26);
      const a = await post(protocol, p, body);
      assert.equal(a.status, 200);
      assert.equal(a.body.length, body.length);
      assert.equal(a.body, body.toString('latin1').toUpperCase());
      assert.ok(largest > 0 && largest <= CALLOUT_MAX_BODY_MESSAGE_BYTES, `largest message ${largest}`);
    });
  }

  it('RequestBody without a headers event: h2c END_STREAM rides on the last chunk; HTTP/1.1 ends with an empty message', async () => {
    // As Envoy's codecs report the end: HTTP/2 on the DATA frame with END_STREAM, HTTP/1.1 as a separate
    // empty end-of-message call (http1/codec_impl.cc onMessageCompleteBase).
    const h2 = await gateway('h2c', callout.plaintext, ['RequestBody']);
    seen.length = 0;
    assert.equal((await postH2c(h2, 'original body')).body, 'replaced-body');
    assert.deepEqual(seen, [{ event: 'request_body', bytes: 13, endOfStream: true }]);

    const h1 = await gateway('http1', callout.plaintext, ['RequestBody']);
    seen.length = 0;
    assert.equal((await postH1(h1, 'original body')).body, 'replaced-body'.repeat(2));
    assert.deepEqual(seen, [
      { event: 'request_body', bytes: 13, endOfStream: false },
      { event: 'request_body', bytes: 0, endOfStream: true },
    ]);
  });

  it('http1 chunked body arriving after the headers answer: chunk by chunk, then an empty end_of_stream', async () => {
    const p = await gateway('http1', callout.plaintext, ['RequestHeaders', 'RequestBody']);
    seen.length = 0;
    const a = await postH1With(p, { 'transfer-encoding': 'chunked' }, (req) => {
      req.flushHeaders();
      setTimeout(() => req.write('first'), 150);
      setTimeout(() => req.write('second'), 300);
      setTimeout(() => req.end(), 450);
    });
    assert.equal(a.status, 200);
    assert.deepEqual(seen, [
      { event: 'request_body', bytes: 5, endOfStream: false },
      { event: 'request_body', bytes: 6, endOfStream: false },
      { event: 'request_body', bytes: 0, endOfStream: true },
    ]);
    // Each message is answered with a replacement, as Envoy would pass them on.
    assert.equal(a.body, 'replaced-body'.repeat(3));
  });

  it('a 1 MiB body through RequestHeaders + RequestBody: every message within the cap, the body intact', async () => {
    const sizes: number[] = [];
    const pass = await startCallout({
      onRequestBody(b) {
        sizes.push(b.body.length);
        return bodyReply({ body: b.body });
      },
    });
    try {
      const p = await gateway('http1', pass.plaintext, ['RequestHeaders', 'RequestBody']);
      const body = Buffer.alloc(1024 * 1024, 'x');
      const a = await postH1(p, body);
      assert.equal(a.status, 200);
      assert.equal(a.headers['x-backend-got'], `${body.length} bytes`);
      assert.equal(a.body.length, body.length);
      assert.ok(Math.max(...sizes) <= CALLOUT_MAX_BODY_MESSAGE_BYTES, `largest ${Math.max(...sizes)}`);
      assert.equal(
        sizes.reduce((n, s) => n + s, 0),
        body.length,
      );
    } finally {
      await pass.stop();
    }
  });
});
