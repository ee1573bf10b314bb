// The per-request CPU budget as fuel (plugin-vm.ts): hostcalls are charged a fixed price, what a request spends
// is summed over its callbacks, and a budget above the i32 range of the fuel counter is charged exactly, not cut
// down to it (test/wasm/fixtures/hostcall-loop.wat: 100 hostcalls per headers callback).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import type { WasmStream } from '../../src/extensions/wasm/wasm-stream.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import { ExtensionError } from '../../src/extensions/extension.js';
import type { WasmLimits } from '../../src/extensions/wasm/limits.js';
import { buildPlugins, extensionIR, fixturePath, pluginIR, requestInfo } from './helpers.js';

before(() => buildPlugins());

/** What the hostcall-loop plugin's headers callbacks cost: 100 hostcalls at 2,500 each, plus its loop. */
const HOSTCALLS = 100 * 2500;

function open(limits: Partial<WasmLimits>): WasmStream {
  const rt = new WasmRuntime({ logSink: () => {}, limits });
  const plugin = pluginIR('default/hostcall-loop', fixturePath('hostcall-loop.wat'));
  return rt.extensionFactory(extensionIR(plugin.key), plugin).open(requestInfo()) as WasmStream;
}

async function request(s: WasmStream): Promise<[number, number]> {
  await s.requestHeaders(new HeaderList([[':path', '/']]), true);
  const afterRequest = s.fuelUsed;
  await s.responseHeaders(new HeaderList([[':status', '200']]), true);
  const afterResponse = s.fuelUsed;
  s.close();
  return [afterRequest, afterResponse];
}

test('hostcalls are charged, and a request pays for all of its callbacks', async () => {
  const [req, total] = await request(open({ cpuBudgetMs: 1 }));
  assert.ok(req >= HOSTCALLS && req < HOSTCALLS + 10_000, `one callback: ${req}`);
  assert.equal(total, 2 * req, 'the response callback costs the same again');
});

test('a budget above the i32 range is charged exactly', async () => {
  const small = await request(open({ cpuBudgetMs: 1 }));
  // 1,000 ms at 5M units per ms: 5e9 units, more than the i32 fuel counter holds.
  const big = await request(open({ cpuBudgetMs: 1000 }));
  assert.deepEqual(big, small);
});

test('a plugin spending its budget on hostcalls runs out', async () => {
  // 0.02 ms = 100,000 units: the loop's own instructions fit many times over, 100 hostcalls do not.
  await assert.rejects(request(open({ cpuBudgetMs: 0.02 })), (err: unknown) => {
    assert.ok(err instanceof ExtensionError);
    assert.equal(err.failure, 'limit');
    assert.match(err.message, /CPU budget of 0.02 ms in on_request_headers/);
    return true;
  });
});
