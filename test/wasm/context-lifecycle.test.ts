// Every stream context the host creates is deleted, also when the client goes away mid-request: Envoy calls
// proxy_on_done and proxy_on_delete for every stream context when the stream ends, reset included
// (proxy-wasm-cpp-host src/context.cc). A plugin whose contexts were never deleted would keep them forever.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileChains } from '../../src/extensions/chain.js';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { backend, listener, port, rule, startGateway } from '../dataplane/fixtures.js';
import { buildPlugins, examplePath, extensionIR, pluginIR } from './helpers.js';

before(() => buildPlugins());

const STREAMS = 32;

test('32 clients that abort while the backend holds their requests: every stream context is done and deleted', async () => {
  const held: http.ServerResponse[] = [];
  let arrived!: () => void;
  const allArrived = new Promise<void>((resolve) => (arrived = resolve));
  const hanging = http.createServer((_req, res) => {
    held.push(res);
    if (held.length === STREAMS) arrived();
  });
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  const backendPort = (hanging.address() as AddressInfo).port;

  const messages: string[] = [];
  const rt = new WasmRuntime({ logSink: (e) => messages.push(e.message) });
  // DEBUG: the SDK's default onDone/onDelete log "context id: N: onDone()" / "...: onDelete()".
  const plugin = pluginIR('default/add-header', examplePath('add-header'), {
    log: { enabled: true, sampleRate: 1, minLogLevel: 'DEBUG' },
  });
  const l = listener([rule({ backends: [backend('default/hang:8080', backendPort)] })], {
    gatewayClass: 'gke-l7-global-external-managed',
    trafficChains: [
      {
        id: 'GCPTrafficExtension/default/ext/chain1',
        name: 'chain1',
        resource: 'default/ext',
        resourceKind: 'GCPTrafficExtension',
        match: [],
        extensions: [extensionIR(plugin.key, { events: ['RequestHeaders', 'ResponseHeaders'] })],
      },
    ],
  });
  const { gw, port: p } = await startGateway(
    { version: 1, ports: [port([l])], wasmPlugins: { [plugin.key]: plugin } },
    {
      compileChains: (chains, s) =>
        compileChains(chains, {
          callout: () => {
            throw new Error('no callouts in this test');
          },
          wasm: rt.forSnapshot(s),
        }),
    },
  );
  try {
    const requests = Array.from({ length: STREAMS }, () => {
      const req = http.request({ host: '127.0.0.1', port: p, path: '/', agent: false });
      req.on('error', () => {}); // aborted below
      req.end();
      return req;
    });
    await allArrived; // every request went through on_request_headers and is held upstream
    const pool = rt.pool(plugin);
    assert.equal(pool.liveStreams, STREAMS);
    for (const req of requests) req.destroy();
    const deadline = Date.now() + 5000;
    while (pool.liveStreams > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(pool.liveStreams, 0, 'every aborted stream was closed');
    const ids = (what: string) =>
      new Set(messages.filter((m) => m.endsWith(`: ${what}()`)).map((m) => m.split(': ')[1]));
    assert.equal(ids('onDone').size, STREAMS, 'proxy_on_done for every stream context');
    assert.equal(ids('onDelete').size, STREAMS, 'proxy_on_delete for every stream context');
    assert.deepEqual(ids('onDone'), ids('onDelete'));
  } finally {
    for (const res of held) res.destroy();
    await gw.close();
    await new Promise<void>((r) => hanging.close(() => r()));
  }
});
