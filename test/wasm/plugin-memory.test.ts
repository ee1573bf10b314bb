// The example plugins keep a bounded linear memory under interleaved streams: every stream context the
// SDK creates is freed again at on_delete (examples/plugins/lib/proxy-exports.ts; docs/plugins.md, "Plugin
// memory"). Before that fix the add-header example grew ~64 bytes per request (4 MiB after 64k requests,
// then 8, then the 16 MiB cap failed the VM and its requests).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import type { ExtensionStream } from '../../src/extensions/extension.js';
import { buildPlugins, examplePath, extensionIR, pluginIR, requestInfo } from './helpers.js';

before(() => buildPlugins());

const STREAMS = 32;
const REQUESTS = 64 * 1024;

test('add-header: 64k requests on 32 interleaved streams keep the VM under 1 MiB, on one VM', async () => {
  let peak = 0;
  let failed = 0;
  const rt = new WasmRuntime({
    logSink: () => {},
    onInvocation: (inv) => {
      peak = Math.max(peak, inv.memoryBytes);
      if (inv.failed) failed++;
    },
  });
  const plugin = pluginIR('default/add-header', examplePath('add-header'));
  const ext = rt.extensionFactory(
    extensionIR(plugin.key, { events: ['RequestHeaders', 'ResponseHeaders'] }),
    plugin,
  );
  let tagged = 0;
  for (let done = 0; done < REQUESTS; done += STREAMS) {
    // All streams open and past their request headers before the first one ends, as under wrk -c32.
    const open: Array<[ExtensionStream, HeaderList]> = [];
    for (let i = 0; i < STREAMS; i++) {
      const s = ext.open(requestInfo());
      const request = new HeaderList([
        [':method', 'GET'],
        [':path', '/'],
        [':authority', 'a'],
        ['x-plugin', 'spoofed'],
      ]);
      await s.requestHeaders(request, true);
      open.push([s, request]);
    }
    for (const [s, request] of open) {
      const response = new HeaderList([[':status', '200']]);
      await s.responseHeaders(response, false);
      s.close();
      // The plugin's own callbacks ran (not the SDK's defaults): both headers are there on every stream.
      if (request.get('x-plugin') === 'add-header' && response.get('hello') === 'world') tagged++;
    }
  }
  assert.equal(failed, 0, 'no callback failed');
  assert.equal(tagged, REQUESTS, 'every request and response was tagged by the plugin');
  assert.equal(rt.pool(plugin).vmCount, 1, 'one VM served them all');
  assert.ok(
    peak <= 1024 * 1024,
    `linear memory peaked at ${peak / 1024} KiB (a leak grows it ~64 bytes per request)`,
  );
});

test('add-header: what a stream logs (and so builds) does not grow with the streams open on the VM', async () => {
  // TRACE: every proxy_log reaches the sink, so its bytes measure the strings the plugin built.
  let logged = 0;
  const rt = new WasmRuntime({ logSink: (entry) => (logged += entry.message.length) });
  const plugin = pluginIR('default/add-header', examplePath('add-header'), {
    log: { enabled: true, sampleRate: 1, minLogLevel: 'TRACE' },
  });
  const ext = rt.extensionFactory(extensionIR(plugin.key, { events: ['RequestHeaders'] }), plugin);
  /** Bytes logged for one stream created and ended while `others` streams stay open. */
  async function bytesPerStream(others: number): Promise<number> {
    const open = [];
    for (let i = 0; i < others; i++) {
      const s = ext.open(requestInfo());
      await s.requestHeaders(new HeaderList([[':path', '/']]), true);
      open.push(s);
    }
    logged = 0;
    const s = ext.open(requestInfo());
    await s.requestHeaders(new HeaderList([[':path', '/']]), true);
    s.close();
    const bytes = logged;
    for (const o of open) o.close();
    return bytes;
  }
  const alone = await bytesPerStream(0);
  const crowded = await bytesPerStream(500);
  // The SDK's context create joined every live context id into three debug strings (~10 KiB here).
  assert.ok(crowded <= alone + 16, `a stream logged ${alone} bytes alone, ${crowded} beside 500 others`);
});
