// What the host caches about a plugin's memory must never outlive what memory holds (vm-memory.ts): views of
// linear memory, which growth in the middle of a callback detaches (test/wasm/fixtures/grow-mid-callback.wat),
// and decoded header names and values (with the rules' verdicts on them), which a plugin may overwrite in place
// between requests (test/wasm/fixtures/rewrites-headers.wat), or put elsewhere.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { ExtensionError } from '../../src/extensions/extension.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import { VmMemory } from '../../src/extensions/wasm/vm-memory.js';
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

test('header names and values rewritten in place are read afresh, and the rules judge the new bytes', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const plugin = pluginIR('default/rewrites', fixturePath('rewrites-headers.wat'));
  const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
  const run = (): Promise<HeaderList> => {
    const s = ext.open(requestInfo());
    const h = new HeaderList([[':path', '/']]);
    return s.requestHeaders(h, true).then(
      () => {
        s.close();
        return h;
      },
      (err: unknown) => {
        s.close();
        throw err;
      },
    );
  };
  const first = await run();
  assert.equal(first.get('x-a'), 'v0');
  assert.equal(first.get('x-n'), 'v0');
  const second = await run();
  assert.equal(second.get('x-b'), 'v1', 'same address, new name bytes');
  assert.equal(second.get('x-a'), undefined);
  assert.equal(second.get('x-n'), 'v1', 'same address, new value bytes');
  await assert.rejects(run(), (err: unknown) => {
    assert.ok(err instanceof ExtensionError);
    assert.equal(err.failure, 'protocol');
    assert.match(err.message, /header "x-c" has an invalid value/);
    return true;
  });
});

test('decoded header strings are always the bytes memory holds now, whatever the cache holds', () => {
  const mem = new VmMemory();
  mem.memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = new Uint8Array(mem.memory.buffer);
  // 300 distinct strings of one length through a cache of a few dozen slots: many share a slot.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 300; i++) {
      const text = `X-${String(i).padStart(3, '0')}-\xe9`;
      const at = round === 0 ? 0x100 : 0x100 + i * 8; // one address, then a different one each time
      bytes.set(Buffer.from(text, 'latin1'), at);
      assert.equal(mem.readHeader(at, text.length), text);
      assert.equal(mem.readHeaderName(at, text.length), text.toLowerCase());
    }
  }
  assert.equal(mem.readHeader(65536 - 2, 4), undefined, 'past the end');
  assert.equal(mem.readHeader(-1, 2), undefined);
});
