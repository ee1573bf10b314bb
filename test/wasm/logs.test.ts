// logConfig governs plugin logs: enabled, minLogLevel, sampleRate; entries carry plugin, version, callback
// and request id.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import type { PluginLogEntry } from '../../src/extensions/wasm/plugin-log.js';
import type { WasmLogConfigIR } from '../../src/ir/snapshot.js';
import { buildPlugins, examplePath, extensionIR, pluginIR, requestInfo } from './helpers.js';

before(() => buildPlugins());

async function run(log: WasmLogConfigIR, requests: number): Promise<PluginLogEntry[]> {
  const entries: PluginLogEntry[] = [];
  const rt = new WasmRuntime({ logSink: (e) => entries.push(e) });
  const plugin = pluginIR('default/block-request', examplePath('block-request'), { version: 'v7', log });
  const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
  for (let i = 0; i < requests; i++) {
    const s = ext.open(requestInfo());
    await s.requestHeaders(new HeaderList([[':path', i % 2 ? '/admin' : '/shop']]), true);
    s.close();
  }
  return entries;
}

test('enabled at INFO: every request logs, with plugin, version, callback and request id', async () => {
  const entries = await run({ enabled: true, sampleRate: 1, minLogLevel: 'INFO' }, 4);
  assert.deepEqual(
    entries.map((e) => e.message),
    ['allowed /shop', 'blocked /admin', 'allowed /shop', 'blocked /admin'],
  );
  for (const e of entries) {
    assert.equal(e.plugin, 'default/block-request');
    assert.equal(e.version, 'v7');
    assert.equal(e.callback, 'on_request_headers');
    assert.equal(e.level, 'INFO');
    assert.match(e.requestId ?? '', /^req-\d+$/);
  }
  assert.equal(new Set(entries.map((e) => e.requestId)).size, 4);
});

test("DEBUG shows the SDK's own lines; WARN hides INFO; disabled or 0% logs nothing", async () => {
  const debug = await run({ enabled: true, sampleRate: 1, minLogLevel: 'DEBUG' }, 1);
  assert.ok(debug.some((e) => e.level === 'DEBUG'));
  assert.deepEqual(await run({ enabled: true, sampleRate: 1, minLogLevel: 'WARN' }, 4), []);
  assert.deepEqual(await run({ enabled: false, sampleRate: 1, minLogLevel: 'TRACE' }, 4), []);
  // VM-level lines (no request) are kept whenever logging is on; request lines follow the sample rate.
  const none = await run({ enabled: true, sampleRate: 0, minLogLevel: 'TRACE' }, 4);
  assert.deepEqual(
    none.filter((e) => e.requestId !== undefined),
    [],
  );
  assert.ok(
    none.every((e) => ['on_context_create', 'on_vm_start', 'on_configure'].includes(e.callback)),
    none.map((e) => e.callback).join(),
  );
});

test('sampling is per request: a sampled request keeps all its lines', async () => {
  const entries = await run({ enabled: true, sampleRate: 0.5, minLogLevel: 'DEBUG' }, 60);
  const perRequest = new Map<string, number>();
  for (const e of entries)
    if (e.requestId) perRequest.set(e.requestId, (perRequest.get(e.requestId) ?? 0) + 1);
  const counts = new Set(perRequest.values());
  assert.equal(
    counts.size,
    1,
    `every sampled request has the same number of lines: ${[...counts].join(', ')}`,
  );
  assert.ok(perRequest.size > 5 && perRequest.size < 55, `${perRequest.size} of 60 requests sampled`);
});
