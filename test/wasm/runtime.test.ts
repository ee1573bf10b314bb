// WasmRuntime bookkeeping: modules compiled once per digest, pools per version, prepare/retain around a
// snapshot swap, start failures backed off instead of retried per request.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { ListHeaderMap } from '../../src/extensions/wasm/header-map.js';
import { buildPlugins, examplePath, extensionIR, fixturePath, pluginIR, requestInfo } from './helpers.js';

before(() => buildPlugins());

test('prepare compiles ahead and reports broken plugins by key; retain forgets old versions', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const dir = mkdtempSync(join(tmpdir(), 'extgate-rt-'));
  const junk = join(dir, 'junk.wasm');
  writeFileSync(junk, 'not wasm');
  const good = pluginIR('default/add-header', examplePath('add-header'));
  const bad = pluginIR('default/junk', junk);
  const errors = rt.prepare({ [good.key]: good, [bad.key]: bad });
  assert.deepEqual(Object.keys(errors), ['default/junk']);
  assert.match(errors['default/junk']!, /not a valid WebAssembly module/);

  // Same digest under another path and version: one compiled module, two pools.
  const copy = join(dir, 'copy.wasm');
  copyFileSync(examplePath('add-header'), copy);
  const v2 = pluginIR('default/add-header', copy, { version: 'v2' });
  assert.equal(rt.pool(v2).opts.module, rt.pool(good).opts.module);
  assert.notEqual(rt.pool(v2), rt.pool(good));

  // A stream on v1 keeps working after the snapshot moved to v2 and v1's pool was forgotten.
  const ext1 = rt.extensionFactory(extensionIR(good.key), good);
  const s = ext1.open(requestInfo());
  await s.requestHeaders(new ListHeaderMap([[':path', '/']]), true);
  const oldPool = rt.pool(good);
  rt.retain({ [v2.key]: v2 });
  assert.notEqual(rt.pool(good), oldPool, 'v1 pool was dropped from the runtime');
  const rh = new ListHeaderMap([[':status', '200']]);
  await s.responseHeaders(rh, false);
  assert.equal(rh.get('hello'), 'world');
  s.close();
  assert.equal(oldPool.liveStreams, 0);
});

test('a VM that cannot start is not restarted for every request', async () => {
  const rt = new WasmRuntime({ logSink: () => {}, limits: { restartBackoffMs: 60_000 } });
  const plugin = pluginIR('default/abi', fixturePath('abi021.wat'), { config: 'reject' });
  const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
  for (let i = 0; i < 5; i++) {
    const s = ext.open(requestInfo());
    await assert.rejects(
      s.requestHeaders(new ListHeaderMap([[':path', '/']]), true),
      /rejected its configuration/,
    );
    s.close();
  }
  const starts = await rt.metrics.registry.getSingleMetricAsString('extgate_wasm_plugin_vm_starts_total');
  assert.match(starts, /result="error"} 1\n?/);
});
