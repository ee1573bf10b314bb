// The local-reply example answers through examples/plugins/lib/local-response.ts and log-line.ts, which encode
// its response and log line once, instead of the SDK's send_local_response and log, which encode, serialize
// and free them on every request: 70,591 fuel per request with the SDK's, 9,662 with these (one request at
// INFO, context create to delete). Fuel (instructions executed plus a fixed charge per hostcall) is
// deterministic for a given module, so a bound on it is a stable test; the bound leaves room for a compiler or
// SDK update while failing the SDK's path by far. The answer itself must stay what the SDK sent.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { WasmStream } from '../../src/extensions/wasm/wasm-stream.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import type { PluginLogEntry } from '../../src/extensions/wasm/plugin-log.js';
import { buildPlugins, examplePath, pluginIR, requestInfo } from './helpers.js';

before(() => buildPlugins());

/** About twice what a request costs now (9,662), a seventh of what it cost through the SDK (70,591). */
const FUEL_BOUND = 20_000;

test('local-reply: the same answer and log line on every request, for far less fuel than the SDK path', async () => {
  const entries: PluginLogEntry[] = [];
  const rt = new WasmRuntime({ logSink: (e) => entries.push(e) });
  const plugin = pluginIR('default/local-reply', examplePath('local-reply'), {
    log: { enabled: true, sampleRate: 1, minLogLevel: 'INFO' },
  });
  const pool = rt.pool(plugin);
  const fuel: number[] = [];
  // Enough requests on one VM to see that the prepared buffers are neither freed nor corrupted by later ones.
  for (let i = 0; i < 50; i++) {
    const info = requestInfo();
    const s = new WasmStream(pool, info);
    const r = await s.requestHeaders(
      new HeaderList([
        [':method', 'GET'],
        [':path', `/r${i}`],
      ]),
      true,
    );
    s.close();
    fuel.push(s.fuelUsed);
    assert.deepEqual(r.immediate, {
      status: 200,
      headers: [['content-type', 'text/plain']],
      body: new Uint8Array(Buffer.from('Hello World')),
      details: 'send_local_response: local_reply',
    });
    assert.deepEqual(
      entries.filter((e) => e.requestId === info.requestId).map((e) => [e.level, e.message]),
      [['INFO', 'local-reply: answering Hello World']],
    );
  }
  const most = Math.max(...fuel);
  assert.ok(most < FUEL_BOUND, `fuel per request: ${fuel.join(', ')} (bound ${FUEL_BOUND})`);
});
