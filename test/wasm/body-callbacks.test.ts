// Proxy-Wasm body callbacks as Envoy's Wasm filter makes them: once per codec chunk, with end_of_stream as
// the codec reports it. HTTP/1.1 (Envoy's http1 codec, onMessageCompleteBase) ends a body with a separate
// empty end-of-stream call; HTTP/2 puts END_STREAM on the last DATA frame, so the last chunk carries it.
// The fixture replaces each chunk by a letter naming the call: D data, E data + end_of_stream, e empty + end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ExtensionChainIR, Snapshot } from '../../src/ir/snapshot.js';
import { compileChains } from '../../src/extensions/chain.js';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  bodyEcho,
  listener,
  port,
  postH1,
  postH2c,
  rule,
  startGateway,
} from '../dataplane/fixtures.js';
import { buildPlugins, extensionIR, fixturePath, pluginIR } from './helpers.js';

const closers: Array<() => unknown> = [];
before(() => buildPlugins());
after(async () => {
  for (const c of closers) await c();
});

async function gateway(protocol: 'http1' | 'h2c'): Promise<number> {
  const echo = await bodyEcho(protocol);
  closers.push(() => echo.close());
  const plugin = pluginIR('default/marks', fixturePath('body-marks.wat'));
  const chain: ExtensionChainIR = {
    id: 'GCPTrafficExtension/default/ext/chain1',
    name: 'chain1',
    resource: 'default/ext',
    resourceKind: 'GCPTrafficExtension',
    match: [],
    extensions: [extensionIR(plugin.key, { failOpen: false, events: ['RequestBody', 'ResponseBody'] })],
  };
  const snap: Snapshot = {
    version: 1,
    ports: [
      port([
        listener([rule({ backends: [backend('default/echo:8080', echo.port, protocol)] })], {
          gatewayClass: 'gke-l7-global-external-managed',
          trafficChains: [chain],
        }),
      ]),
    ],
    wasmPlugins: { [plugin.key]: plugin },
  };
  const rt = new WasmRuntime({ logSink: () => {} });
  const { gw, port: p }: { gw: DataPlane; port: number } = await startGateway(snap, {
    compileChains: (chains, s) =>
      compileChains(chains, {
        callout: () => {
          throw new Error('no callouts in this test');
        },
        wasm: rt.forSnapshot(s),
      }),
  });
  closers.push(() => gw.close());
  return p;
}

test('HTTP/1.1 content-length: one data call, then an empty end-of-stream call, in both directions', async () => {
  const p = await gateway('http1');
  const a = await postH1(p, 'hello');
  assert.equal(a.status, 200);
  assert.equal(a.headers['x-backend-got'], 'De', 'request body callbacks as the backend received them');
  assert.equal(a.body, 'De', 'response body callbacks as the client received them');
});

test('h2c: the DATA frame with END_STREAM is one call with end_of_stream, in both directions', async () => {
  const p = await gateway('h2c');
  const a = await postH2c(p, 'hello');
  assert.equal(a.status, 200);
  assert.equal(a.headers['x-backend-got'], 'E');
  assert.equal(a.body, 'E');
});
