// Header mutations in a callout's body answer, as Envoy's ext_proc applies them (`processor_state.cc`,
// handleBodyResponse): in the buffered-body state — a body complete when the headers answer came goes as one
// message and the headers wait for its answer — the answer's header_mutation applies to the held headers
// (request headers before they go upstream, response headers before they go to the client); once the
// headers went on (the body streams after them), such mutations are ignored. With a real grpc-js callout.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { chainCompiler } from '../../src/extensions/chain.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { ExtensionChainIR, HttpEvent } from '../../src/ir/snapshot.js';
import { bodyReply, headersReply } from '../../src/sdk/index.js';
import {
  backend,
  echoBackend,
  listener,
  port,
  postH1,
  postH1With,
  postH2c,
  rule,
  snapshot,
  startGateway,
  type Echo,
  type Reply,
} from './fixtures.js';
import { calloutIR, startCallout, type RunningCallout } from '../callout/support.js';

describe('header mutations in a body answer while the headers are held', () => {
  const client = new CalloutClient();
  const closers: Array<() => unknown> = [];
  let callout: RunningCallout;

  before(async () => {
    callout = await startCallout({
      onRequestHeaders: () => headersReply({ set: { 'x-from-headers-answer': 'yes' } }),
      onRequestBody: () =>
        bodyReply({
          body: 'replaced request',
          set: { 'x-from-body-answer': 'request', ':path': '/rewritten-by-body-answer' },
          remove: ['x-drop-me'],
        }),
      onResponseHeaders: () => headersReply({ set: { 'x-response-headers-answer': 'yes' } }),
      onResponseBody: () =>
        bodyReply({ body: 'replaced response', set: { 'x-from-body-answer': 'response', ':status': '201' } }),
    });
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    client.close();
    await callout.stop();
  });

  async function gateway(protocol: 'http1' | 'h2c', events: HttpEvent[]): Promise<number> {
    const echo = await echoBackend('store', protocol);
    closers.push(() => echo.close());
    const chain: ExtensionChainIR = {
      id: 'GCPTrafficExtension/default/ext/chain1',
      name: 'chain1',
      resource: 'default/ext',
      resourceKind: 'GCPTrafficExtension',
      match: [],
      extensions: [calloutIR({ port: callout.plaintext, events })],
    };
    const { gw, port: p }: { gw: DataPlane; port: number } = await startGateway(
      snapshot([
        port([
          listener([rule({ backends: [backend('default/store:8080', echo.port, protocol)] })], {
            trafficChains: [chain],
          }),
        ]),
      ]),
      { compileChains: chainCompiler(client) },
    );
    closers.push(() => gw.close());
    return p;
  }

  for (const protocol of ['http1', 'h2c'] as const) {
    const post = (p: number, body: string): Promise<Reply> =>
      protocol === 'h2c' ? postH2c(p, body) : postH1(p, body);

    it(`${protocol}: request body complete at the headers answer → its header mutations reach the backend`, async () => {
      const p = await gateway(protocol, ['RequestHeaders', 'RequestBody']);
      const a = await post(p, 'original body');
      assert.equal(a.status, 200);
      const echo = JSON.parse(a.body) as Echo;
      assert.equal(echo.bodyBytes, 'replaced request'.length);
      assert.equal(echo.headers['x-from-headers-answer'], 'yes');
      assert.equal(echo.headers['x-from-body-answer'], 'request', 'set_headers of the body answer');
      assert.equal(echo.path, '/rewritten-by-body-answer', ':path set by the body answer');
    });

    it(`${protocol}: response body complete at the headers answer → its header mutations reach the client`, async () => {
      const p = await gateway(protocol, ['ResponseHeaders', 'ResponseBody']);
      const a = await post(p, 'original body');
      assert.equal(a.status, 201, ':status set by the body answer');
      assert.equal(a.body, 'replaced response');
      assert.equal(a.headers['x-response-headers-answer'], 'yes');
      assert.equal(a.headers['x-from-body-answer'], 'response');
    });
  }

  it('http1: a body that streams after the headers went on → header mutations in its answers are ignored', async () => {
    const p = await gateway('http1', ['RequestHeaders', 'RequestBody']);
    const a = await postH1With(p, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, (req) => {
      req.flushHeaders();
      // The headers answer comes (and the headers go upstream) before any body data.
      void sleep(150).then(() => req.end('late body'));
    });
    assert.equal(a.status, 200);
    const echo = JSON.parse(a.body) as Echo;
    assert.equal(echo.headers['x-from-headers-answer'], 'yes');
    assert.equal(echo.headers['x-from-body-answer'], undefined);
    assert.equal(echo.path, '/serviceextensions');
  });
});
