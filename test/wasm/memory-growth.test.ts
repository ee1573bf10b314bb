// Linear memory that grows in the middle of a callback: the host caches its views of memory (vm-memory.ts) and
// growth detaches them, so each hostcall after a growth must re-derive them, read the right bytes from the old
// and the new pages, and still refuse a pointer past the new end (test/wasm/fixtures/grow-mid-callback.wat).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import type { PluginInvocationReport } from '../../src/extensions/wasm/invocation-report.js';
import { buildPlugins, extensionIR, fixturePath, pluginIR, requestInfo } from './helpers.js';

before(() => buildPlugins());

test('a plugin whose memory grows mid-callback still reads headers right, before and after each growth', async () => {
  const reports: PluginInvocationReport[] = [];
  const rt = new WasmRuntime({ logSink: () => {}, onInvocation: (r) => reports.push(r) });
  const plugin = pluginIR('default/grow', fixturePath('grow-mid-callback.wat'));
  const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
  for (let i = 0; i < 3; i++) {
    const s = ext.open(requestInfo());
    const h = new HeaderList([
      [':method', 'GET'],
      [':path', '/'],
    ]);
    const r = await s.requestHeaders(h, true);
    assert.equal(r.effect, 'CONTENT_MODIFIED', `request ${i}`);
    assert.equal(h.get('x-before'), '1');
    assert.equal(h.get('x-after-grow'), 'new-page');
    assert.equal(h.get('x-old-page'), 'still-read');
    s.close();
  }
  // Each request grew the same VM by two pages; the memory reported after a callback is the grown size.
  const sizes = reports.filter((r) => r.callback === 'on_request_headers').map((r) => r.memoryBytes);
  assert.deepEqual(
    sizes,
    [3, 5, 7].map((pages) => pages * 65536),
  );
  assert.ok(reports.every((r) => !r.failed));
});
