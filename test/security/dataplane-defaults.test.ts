// Issue 9, data-plane defaults: more than 100 request header fields answer 431 (Envoy's max_headers_count),
// configurable; an extension's local answer with a status outside 200–599 answers 500 (a 1xx would go out as
// an interim answer followed by a body; Node throws on codes outside 100–999).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { ExtensionChainIR, Snapshot } from '../../src/ir/snapshot.js';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { compileChains } from '../../src/extensions/chain.js';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { immediateReply } from '../../src/sdk/index.js';
import {
  backend,
  echoBackend,
  get,
  listener,
  port,
  rule,
  snapshot,
  startGateway,
  type EchoBackend,
} from '../dataplane/fixtures.js';
import { calloutIR, startCallout, type RunningCallout } from '../callout/support.js';
import { buildPlugins, extensionIR, fixturePath, pluginIR } from '../wasm/helpers.js';

let store: EchoBackend;
const gateways: DataPlane[] = [];
after(async () => {
  for (const gw of gateways) await gw.close(100);
  await store?.close();
});
before(async () => {
  store = await echoBackend('store');
});

async function plainGateway(limits: { maxHeaderCount?: number } = {}): Promise<number> {
  const { gw, port: p } = await startGateway(
    snapshot([port([listener([rule({ backends: [backend('default/store:80', store.port)] })])])]),
    { limits },
  );
  gateways.push(gw);
  return p;
}

/** Raw HTTP/1.1 request with `fields` header fields in all (Host included); the status line's code. */
function statusWithFields(gwPort: number, fields: number): Promise<number> {
  let head = 'GET / HTTP/1.1\r\nHost: store\r\n';
  for (let i = 1; i < fields; i++) head += `x-field-${i}: ${i}\r\n`;
  return new Promise((resolve, reject) => {
    const s = net.connect(gwPort, '127.0.0.1', () => s.write(`${head}\r\n`));
    let text = '';
    s.on('data', (c) => {
      text += c.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
  });
}

describe('request header field count', () => {
  it('100 fields pass, 101 answer 431 (Envoy default)', async () => {
    const p = await plainGateway();
    assert.equal(await statusWithFields(p, 100), 200);
    assert.equal(await statusWithFields(p, 101), 431);
    assert.equal(await statusWithFields(p, 3000), 431, 'not silently truncated past Node’s 2000 either');
  });

  it('the limit is configurable (DataPlaneLimits.maxHeaderCount)', async () => {
    const p = await plainGateway({ maxHeaderCount: 10 });
    assert.equal(await statusWithFields(p, 10), 200);
    assert.equal(await statusWithFields(p, 11), 431);
  });

  it('HTTP/2 (h2c): pseudo-headers are not counted, 101 fields answer 431', async () => {
    const p = await plainGateway();
    const session = http2.connect(`http://127.0.0.1:${p}`);
    try {
      const status = (n: number): Promise<number> =>
        new Promise((resolve, reject) => {
          const h: http2.OutgoingHttpHeaders = { ':path': '/' };
          for (let i = 0; i < n; i++) h[`x-field-${i}`] = String(i);
          const req = session.request(h);
          req.on('response', (r) => resolve(Number(r[':status'])));
          req.on('error', reject);
          req.resume();
          req.end();
        });
      assert.equal(await status(100), 200);
      assert.equal(await status(101), 431);
    } finally {
      session.close();
    }
  });
});

describe('an extension answering with a status outside 200–599', () => {
  const callouts = new CalloutClient();
  const wasm = new WasmRuntime({ logSink: () => {} });
  let callout: RunningCallout;
  let p: number;
  before(async () => {
    buildPlugins();
    callout = await startCallout({
      onRequestHeaders: (h) => {
        const asked = h.get('x-status');
        if (asked === undefined) return undefined;
        return immediateReply(Number(asked), { body: 'answered by the callout' });
      },
    });
    const chain = (
      name: string,
      ext: ExtensionChainIR['extensions'][number],
      header: string,
    ): ExtensionChainIR => ({
      id: `GCPTrafficExtension/default/${name}/chain1`,
      name: 'chain1',
      resource: `default/${name}`,
      resourceKind: 'GCPTrafficExtension',
      match: [{ celMatcher: `request.headers['${header}'] != ''` }],
      extensions: [ext],
    });
    const l = listener([rule({ backends: [backend('default/store:80', store.port)] })], {
      trafficChains: [
        chain('callout', calloutIR({ port: callout.plaintext, events: ['RequestHeaders'] }), 'x-status'),
        chain('plugin', extensionIR('default/hostile', { events: ['RequestHeaders'] }), 'x-hostile-local'),
      ],
    });
    const snap: Snapshot = {
      ...snapshot([port([l])]),
      wasmPlugins: { 'default/hostile': pluginIR('default/hostile', fixturePath('hostile')) },
    };
    const started = await startGateway(snap, {
      compileChains: (chains, s) =>
        compileChains(chains, { callout: (ir) => callouts.extension(ir), wasm: wasm.forSnapshot(s) }),
    });
    gateways.push(started.gw);
    p = started.port;
  });
  after(async () => {
    callouts.close();
    await callout.stop();
  });

  it('callout immediate_response: 1xx and 600+ answer 500, 200–599 as asked', async () => {
    for (const [asked, expected] of [
      [100, 500],
      [199, 500],
      [600, 500],
      [999, 500],
      [200, 200],
      [404, 404],
      [599, 599],
    ] as const) {
      const r = await get(p, '/', { 'x-status': String(asked) });
      assert.equal(r.status, expected, `status ${asked}`);
    }
  });

  it('plugin send_local_response: 99, 150 and 700 answer 500', async () => {
    for (const asked of [99, 150, 700]) {
      const r = await get(p, '/', { 'x-hostile-local': String(asked) });
      assert.equal(r.status, 500, `status ${asked}`);
    }
    assert.equal((await get(p, '/', { 'x-hostile-local': '418' })).status, 418);
  });
});
