// A local response's headers reach the client as the plugin sent them, through a real gateway over real
// sockets (HTTP/1.1 and h2c): a `__proto__` name is a header like any other (a plain object assignment made it
// the headers object's prototype and the lines vanished), repeated names arrive as repeated lines, as an
// edited response's do. The plugin is test/wasm/fixtures/local-reply-headers.wat, which answers every request
// with `__proto__: a`, `x-a: 1`, `__proto__: b`, `x-a: 2`, `set-cookie: s=1`, `set-cookie: t=2`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { Snapshot } from '../../src/ir/snapshot.js';
import { compileChains } from '../../src/extensions/chain.js';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  echoBackend,
  listener,
  port,
  rule,
  startGateway,
  type EchoBackend,
} from '../dataplane/fixtures.js';
import { buildPlugins, extensionIR, fixturePath, pluginIR } from './helpers.js';

let store: EchoBackend;
let gw: DataPlane;
let gwPort: number;

/** The plugin's header lines in the order the client got them (names lowercased, framing and date left out). */
const EXPECTED = [
  ['__proto__', 'a'],
  ['__proto__', 'b'],
  ['x-a', '1'],
  ['x-a', '2'],
  ['set-cookie', 's=1'],
  ['set-cookie', 't=2'],
];
const PLUGIN_NAMES = new Set(['__proto__', 'x-a', 'set-cookie']);

function pluginLines(raw: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (PLUGIN_NAMES.has(name)) out.push([name, raw[i + 1]!]);
  }
  return out;
}

before(async () => {
  buildPlugins();
  store = await echoBackend('store-v1');
  const plugin = pluginIR('default/local-reply-headers', fixturePath('local-reply-headers.wat'));
  const rt = new WasmRuntime({ logSink: () => {} });
  const snap: Snapshot = {
    version: 1,
    ports: [
      port([
        listener([rule({ backends: [backend('default/store-v1:8080', store.port)] })], {
          trafficChains: [
            {
              id: 'GCPTrafficExtension/default/ext/chain1',
              name: 'chain1',
              resource: 'default/ext',
              resourceKind: 'GCPTrafficExtension',
              match: [],
              extensions: [extensionIR(plugin.key, { events: ['RequestHeaders'] })],
            },
          ],
        }),
      ]),
    ],
    wasmPlugins: { [plugin.key]: plugin },
  };
  ({ gw, port: gwPort } = await startGateway(snap, {
    compileChains: (chains, s) =>
      compileChains(chains, {
        callout: () => {
          throw new Error('no callouts in this test');
        },
        wasm: rt.forSnapshot(s),
      }),
  }));
});
after(async () => {
  await gw?.close();
  await store?.close();
});

test('HTTP/1.1: __proto__ and repeated names of a local response arrive as sent', async () => {
  const { status, raw, body } = await new Promise<{ status: number; raw: string[]; body: string }>(
    (resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: gwPort, path: '/', agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            raw: res.rawHeaders,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
    },
  );
  assert.equal(status, 200);
  assert.equal(body, 'ok');
  assert.deepEqual(pluginLines(raw), EXPECTED);
  assert.equal(store.requests, 0);
});

test('h2c: __proto__ and repeated names of a local response arrive as sent', async () => {
  const session = http2.connect(`http://127.0.0.1:${gwPort}`);
  try {
    const { status, raw, body } = await new Promise<{ status: number; raw: string[]; body: string }>(
      (resolve, reject) => {
        session.on('error', reject);
        const req = session.request({ ':path': '/', ':authority': 'store.example.com' });
        let status = 0;
        let raw: string[] = [];
        req.on('response', (h, _flags, rawHeaders: string[]) => {
          status = Number(h[':status']);
          raw = rawHeaders;
        });
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => resolve({ status, raw, body: Buffer.concat(chunks).toString() }));
        req.on('error', reject);
        req.end();
      },
    );
    assert.equal(status, 200);
    assert.equal(body, 'ok');
    assert.deepEqual(pluginLines(raw), EXPECTED);
  } finally {
    session.close();
  }
});
