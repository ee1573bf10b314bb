// Issue 9, "framing belongs to the proxy", performed as the attacks were written: an HTTPRoute
// RequestHeaderModifier (or a callout, or a plugin) that sets `Content-Length: 0` must not make the proxy write
// the real body after a `Content-Length: 0` head on a pooled upstream connection, where the backend would read
// it as the next request of another client; a wrong response `content-length` from a callout must not desync
// the client's keep-alive connection; an extension's `:path` must be origin-form. Every backend and callout is
// a real server on 127.0.0.1; the plugin is a real Wasm module (test/wasm/fixtures/hostile).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { ExtensionChainIR, GatewayListenerIR, HttpFilterIR, Snapshot } from '../../src/ir/snapshot.js';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { compileChains } from '../../src/extensions/chain.js';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { headersReply, type Callout } from '../../src/sdk/index.js';
import { backend, get, listener, port, rule, snapshot, startGateway } from '../dataplane/fixtures.js';
import { calloutIR, startCallout, type RunningCallout } from '../callout/support.js';
import { buildPlugins, extensionIR, fixturePath, pluginIR } from '../wasm/helpers.js';
import { ledgerBackend, onOneConnection, type LedgerBackend } from './dataplane-support.js';

/** A whole second request, sent as the body of the first. */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nhost: backend\r\ncontent-length: 0\r\n\r\n';

const callouts = new CalloutClient();
const wasm = new WasmRuntime({ logSink: () => {} });
const running: Array<{ close(): Promise<unknown> }> = [];

before(() => buildPlugins());
after(async () => {
  for (const r of running.reverse()) await r.close();
  callouts.close();
});

/** A fresh ledger backend and a gateway whose only route sends everything to it. */
async function gateway(
  o: { filters?: HttpFilterIR[]; chain?: (backendPort: number) => ExtensionChainIR; plugins?: boolean } = {},
): Promise<{ port: number; ledger: LedgerBackend }> {
  const ledger = await ledgerBackend();
  running.push(ledger);
  const l: GatewayListenerIR = listener(
    [rule({ filters: o.filters ?? [], backends: [backend('default/store:8080', ledger.port)] })],
    o.chain ? { trafficChains: [o.chain(ledger.port)] } : {},
  );
  const snap: Snapshot = o.plugins
    ? {
        ...snapshot([port([l])]),
        wasmPlugins: { 'default/hostile': pluginIR('default/hostile', fixturePath('hostile')) },
      }
    : snapshot([port([l])]);
  const { gw, port: p } = await startGateway(snap, {
    compileChains: (chains, s) =>
      compileChains(chains, { callout: (ir) => callouts.extension(ir), wasm: wasm.forSnapshot(s) }),
  });
  running.push({ close: () => (gw as DataPlane).close(100) });
  return { port: p, ledger };
}

/** Client A posts a body that is a whole request; then client B, on another connection, asks for /victim. */
async function smuggle(gwPort: number, headers: Record<string, string> = {}): Promise<string> {
  const a = await get(gwPort, '/upload', { ...headers, 'content-type': 'text/plain' }, 'POST', SMUGGLED);
  assert.equal(a.status, 200, a.body);
  const b = await get(gwPort, '/victim', headers);
  assert.equal(b.status, 200, b.body);
  return b.body;
}

function assertNotSmuggled(ledger: LedgerBackend, victimBody: string): void {
  assert.deepEqual(
    ledger.seen.map((e) => `${e.method} ${e.url}`),
    ['POST /upload', 'GET /victim'],
    'the backend parsed exactly the two requests the clients sent',
  );
  const [post, victim] = ledger.seen;
  assert.equal(post!.body, SMUGGLED, 'the body arrived whole, as a body');
  assert.equal(post!.headers['content-length'], String(SMUGGLED.length), 'framed by the body actually sent');
  assert.equal(victim!.conn, post!.conn, 'the pooled connection was reused, and was still in step');
  assert.equal(JSON.parse(victimBody).url, '/victim', 'the victim got its own answer');
}

/** Two requests on one client connection: each answer must be whole and its own. */
async function assertClientInStep(gwPort: number, headers: Record<string, string> = {}): Promise<void> {
  const { replies, sockets } = await onOneConnection(gwPort, [
    { path: '/one', headers },
    { path: '/two', headers },
  ]);
  assert.equal(sockets, 1, 'both answers came on the one kept-alive connection');
  for (const [i, path] of ['/one', '/two'].entries()) {
    const r = replies[i]!;
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).url, path, `the answer to ${path} is its own and whole`);
    assert.equal(r.headers['content-length'], String(Buffer.byteLength(r.body)));
  }
}

describe('an HTTPRoute header modifier cannot set framing', () => {
  it('RequestHeaderModifier `Content-Length: 0` does not poison the pool', async () => {
    const { port: p, ledger } = await gateway({
      filters: [
        {
          type: 'RequestHeaderModifier',
          modifier: { set: [{ name: 'Content-Length', value: '0' }], add: [], remove: [] },
        },
      ],
    });
    assertNotSmuggled(ledger, await smuggle(p));
  });

  it('the other framing and connection fields are not settable either', async () => {
    const fields = [
      ['Transfer-Encoding', 'identity'],
      ['Connection', 'close'],
      ['Upgrade', 'h2c'],
      ['TE', 'gzip'],
      ['Keep-Alive', 'timeout=1'],
      ['Proxy-Connection', 'keep-alive'],
    ];
    const { port: p, ledger } = await gateway({
      filters: [
        {
          type: 'RequestHeaderModifier',
          modifier: {
            set: fields.slice(0, 3).map(([name, value]) => ({ name: name!, value: value! })),
            add: fields.slice(3).map(([name, value]) => ({ name: name!, value: value! })),
            remove: [],
          },
        },
      ],
    });
    assertNotSmuggled(ledger, await smuggle(p));
    for (const [name] of fields) assert.equal(ledger.seen[0]!.headers[name!.toLowerCase()], undefined, name);
  });

  it('ResponseHeaderModifier `Content-Length: 3` does not desync the client connection', async () => {
    const { port: p } = await gateway({
      filters: [
        {
          type: 'ResponseHeaderModifier',
          modifier: {
            set: [{ name: 'content-length', value: '3' }],
            add: [{ name: 'transfer-encoding', value: 'chunked' }],
            remove: [],
          },
        },
      ],
    });
    await assertClientInStep(p);
  });
});

describe('a callout cannot set framing', () => {
  let hostile: RunningCallout;
  before(async () => {
    const callout: Callout = {
      onRequestHeaders: (h) => {
        const path = h.get('x-set-path');
        if (path !== undefined) return headersReply({ set: { ':path': path } });
        return headersReply({
          set: { 'content-length': '0', 'transfer-encoding': 'identity', connection: 'close' },
        });
      },
      onResponseHeaders: () =>
        headersReply({ set: { 'content-length': '3', 'transfer-encoding': 'chunked' } }),
    };
    hostile = await startCallout(callout);
    running.push({ close: () => hostile.stop() });
  });
  const chainOn = (event: 'RequestHeaders' | 'ResponseHeaders') => (): ExtensionChainIR => ({
    id: 'GCPTrafficExtension/default/hostile/chain1',
    name: 'chain1',
    resource: 'default/hostile',
    resourceKind: 'GCPTrafficExtension',
    match: [],
    extensions: [calloutIR({ port: hostile.plaintext, events: [event] })],
  });

  it('`content-length: 0` in request header_mutation does not poison the pool', async () => {
    const { port: p, ledger } = await gateway({ chain: chainOn('RequestHeaders') });
    assertNotSmuggled(ledger, await smuggle(p));
  });

  it('a wrong response `content-length` does not desync the client keep-alive connection', async () => {
    const { port: p } = await gateway({ chain: chainOn('ResponseHeaders') });
    await assertClientInStep(p);
  });

  it('a `:path` that is not origin-form fails the answer (500) and reaches no backend', async () => {
    const { port: p, ledger } = await gateway({ chain: chainOn('RequestHeaders') });
    for (const bad of ['http://evil.example/x', 'evil', '*', '/a b', '/a#fragment', '/a\tb']) {
      const r = await get(p, '/', { 'x-set-path': bad });
      assert.equal(r.status, 500, `${bad}: ${r.body}`);
      assert.match(r.body, /INTERNAL/);
    }
    assert.equal(ledger.seen.length, 0);
    const ok = await get(p, '/', { 'x-set-path': '/fine?q=1' });
    assert.equal(ok.status, 200);
    assert.equal(ledger.seen[0]!.url, '/fine?q=1');
  });
});

describe('a Proxy-Wasm plugin cannot set framing', () => {
  const chain = (): ExtensionChainIR => ({
    id: 'GCPTrafficExtension/default/ext/chain1',
    name: 'chain1',
    resource: 'default/ext',
    resourceKind: 'GCPTrafficExtension',
    match: [],
    extensions: [extensionIR('default/hostile', { events: ['RequestHeaders', 'ResponseHeaders'] })],
  });

  it('replacing `content-length` with 0 does not poison the pool', async () => {
    const { port: p, ledger } = await gateway({ chain, plugins: true });
    assertNotSmuggled(ledger, await smuggle(p, { 'x-hostile-request': 'content-length=0' }));
  });

  it('a wrong response `content-length`, or one on a local reply, does not desync the client', async () => {
    const { port: p } = await gateway({ chain, plugins: true });
    await assertClientInStep(p, { 'x-hostile-response': 'content-length=3' });
    const { replies } = await onOneConnection(p, [
      { path: '/local', headers: { 'x-hostile-local': '200' } },
      { path: '/after' },
    ]);
    assert.equal(replies[0]!.body, 'hello');
    assert.equal(replies[0]!.headers['content-length'], '5');
    assert.equal(JSON.parse(replies[1]!.body).url, '/after');
  });

  it('a `:path` that is not origin-form fails the stream (500) and reaches no backend', async () => {
    const { port: p, ledger } = await gateway({ chain, plugins: true });
    const r = await get(p, '/', { 'x-hostile-request': ':path=http://evil.example/x' });
    assert.equal(r.status, 500);
    assert.equal(ledger.seen.length, 0);
  });
});
