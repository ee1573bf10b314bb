// The rest of the ABI, through a hand-written ABI 0.2.1 reactor module (test/wasm/fixtures/abi021.wat):
// `_initialize` and WASI, log level, frozen time from both clocks, properties, buffer hostcalls, what GKE
// does not support (an error status, not a crash) and the on_log → on_done → on_delete order.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { ListHeaderMap } from '../../src/extensions/wasm/header-map.js';
import { ExtensionError } from '../../src/extensions/extension.js';
import type { PluginLogEntry } from '../../src/extensions/wasm/plugin-log.js';
import { buildPlugins, extensionIR, fixturePath, pluginIR, requestInfo } from './helpers.js';

before(() => buildPlugins());

const LOG_ALL = { enabled: true, sampleRate: 1, minLogLevel: 'INFO' } as const;

test('ABI 0.2.1 reactor: init, WASI, log level, time, properties, unsupported features', async () => {
  const logs: PluginLogEntry[] = [];
  const rt = new WasmRuntime({ logSink: (e) => logs.push(e) });
  const plugin = pluginIR('default/abi', fixturePath('abi021.wat'), { config: 'cfg', log: LOG_ALL });
  assert.equal(rt.pool(plugin).opts.module.abi, '0.2.1');
  const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
  const s = ext.open(requestInfo());
  const h = new ListHeaderMap([
    [':method', 'GET'],
    [':path', '/p?q=1'],
    [':authority', 'a'],
  ]);
  const r = await s.requestHeaders(h, false);
  assert.equal(r.effect, 'CONTENT_MODIFIED');
  assert.equal(h.get('x-initialized'), '1');
  assert.equal(h.get('x-log-level'), '2'); // INFO
  assert.equal(h.get('x-time-frozen'), 'yes');
  assert.equal(h.get('x-path'), '/p?q=1');
  assert.equal(h.get('x-tick-status'), '12'); // UNIMPLEMENTED: GKE has no timers
  assert.equal(h.get('x-http-call-status'), '12');
  assert.equal(h.get('x-metric-status'), '12');
  assert.equal(h.get('x-config'), 'cfg');

  const body = await s.requestBody(Buffer.from('abc'), true);
  assert.deepEqual(
    body.chunks.map((c) => Buffer.from(c).toString()),
    ['<abc>'],
  );
  assert.equal(body.effect, 'CONTENT_MODIFIED');
  await s.responseHeaders(new ListHeaderMap([[':status', '200']]), false);
  const resp = await s.responseBody(Buffer.from('secret'), true);
  assert.deepEqual(
    resp.chunks.map((c) => Buffer.from(c).toString()),
    ['REPLACED'],
  );
  s.close();

  assert.deepEqual(
    logs.map((l) => `${l.callback}:${l.message}`),
    ['start:init', 'on_log:on_log', 'on_done:on_done', 'on_delete:on_delete'],
  );
  assert.equal(logs[1]!.requestId, logs[2]!.requestId);
  assert.equal(logs[1]!.plugin, 'default/abi');
});

test('the frozen clock is per stream', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const plugin = pluginIR('default/abi', fixturePath('abi021.wat'));
  const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
  const a = ext.open(requestInfo());
  const ha = new ListHeaderMap([[':path', '/']]);
  await a.requestHeaders(ha, true);
  assert.equal(ha.get('x-time-frozen'), 'yes');
  a.close();
});

test('a configuration the plugin rejects fails its requests with a clear error', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const plugin = pluginIR('default/abi', fixturePath('abi021.wat'), { config: 'reject me' });
  const s = rt.extensionFactory(extensionIR(plugin.key), plugin).open(requestInfo());
  await assert.rejects(s.requestHeaders(new ListHeaderMap([[':path', '/']]), true), (err: unknown) => {
    assert.ok(err instanceof ExtensionError);
    assert.equal(err.failure, 'error');
    assert.match(err.message, /rejected its configuration \(proxy_on_configure returned false\)/);
    return true;
  });
});

test('ABI 0.1.0 modules are refused with the reason', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  assert.throws(
    () => rt.pool(pluginIR('default/old', fixturePath('old-abi.wat'))),
    /missing or unknown Proxy-Wasm ABI version/,
  );
  const plugin = pluginIR('default/old', fixturePath('old-abi.wat'));
  const s = rt.extensionFactory(extensionIR(plugin.key), plugin).open(requestInfo());
  await assert.rejects(
    s.requestHeaders(new ListHeaderMap(), true),
    /plugin unavailable: missing or unknown Proxy-Wasm ABI version/,
  );
});

test('a snapshot without the plugin fails the extension, naming the plugin', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const ext = rt.forSnapshot({ wasmPlugins: {} })(extensionIR('default/ghost'));
  await assert.rejects(
    ext.open(requestInfo()).requestHeaders(new ListHeaderMap(), true),
    /GCPWasmPlugin default\/ghost is not in the snapshot/,
  );
});

test('a C plugin on wasi-libc (clang, wasm32-wasi reactor): constructors, stdio logs, time(), malloc', async () => {
  const logs: PluginLogEntry[] = [];
  const rt = new WasmRuntime({ logSink: (e) => logs.push(e) });
  const plugin = pluginIR('default/c', fixturePath('c-plugin.c'), { log: LOG_ALL });
  const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
  const before = Math.floor(Date.now() / 1000);
  const counters: string[] = [];
  for (let i = 0; i < 3; i++) {
    const s = ext.open(requestInfo());
    const h = new ListHeaderMap([
      [':method', 'GET'],
      [':path', '/'],
      ['accept', '*/*'],
    ]);
    await s.requestHeaders(h, true);
    counters.push(h.get('x-c-counter') ?? '');
    assert.equal(h.get('x-c-pairs'), '3');
    s.close();
  }
  assert.deepEqual(counters, ['101', '102', '103'], 'the constructor ran once, in _initialize');
  assert.deepEqual(logs[0], {
    ...logs[0],
    level: 'INFO',
    message: 'c plugin constructed',
    callback: 'start',
  });
  const stamps = logs
    .filter((l) => l.level === 'ERROR')
    .map((l) => Number(/request at (\d+)/.exec(l.message)?.[1]));
  assert.equal(stamps.length, 3);
  for (const t of stamps) assert.ok(t >= before && t <= Math.ceil(Date.now() / 1000), `time() ${t}`);

  const s = ext.open(requestInfo());
  const r = await s.requestHeaders(new ListHeaderMap([['x-c-reply', 'teapot']]), true);
  s.close();
  assert.equal(r.immediate?.status, 418);
  assert.equal(Buffer.from(r.immediate!.body).toString(), 'hello from C, teapot');

  // Response: header map size (Envoy's: sum of key and value lengths), remove, set_property/get_property,
  // set_header_map_pairs replacing the whole map.
  const t = ext.open(requestInfo());
  await t.requestHeaders(new ListHeaderMap([[':path', '/']]), true);
  const rh = new ListHeaderMap([
    [':status', '200'],
    ['server', 'x'],
    ['content-length', '5'],
  ]);
  const rr = await t.responseHeaders(rh, false);
  t.close();
  assert.equal(rr.effect, 'CONTENT_MODIFIED');
  assert.deepEqual(rh.entries(), [
    [':status', '201'],
    ['x-c-size', '32'],
    ['x-c-prop', 'stored'],
  ]);

  // proxy_close_stream resets the request.
  const u = ext.open(requestInfo());
  await u.requestHeaders(new ListHeaderMap([[':path', '/']]), true);
  await assert.rejects(
    u.responseHeaders(
      new ListHeaderMap([
        [':status', '200'],
        ['x-c-close', '1'],
      ]),
      false,
    ),
    /closed the stream/,
  );
  u.close();
});

test('ABI 0.2.0 with an imported memory and proxy_on_memory_allocate (Go-SDK style)', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const plugin = pluginIR('default/imported', fixturePath('imported-memory.wat'));
  const pool = rt.pool(plugin);
  assert.equal(pool.opts.module.abi, '0.2.0');
  assert.equal(pool.opts.module.allocator, 'proxy_on_memory_allocate');
  assert.deepEqual(pool.opts.module.importedMemory, {
    module: 'env',
    name: 'memory',
    initial: 1,
    maximum: 256,
  });
  const s = rt.extensionFactory(extensionIR(plugin.key), plugin).open(requestInfo());
  const h = new ListHeaderMap([[':path', '/']]);
  await s.requestHeaders(h, true); // traps if memory.grow past the 16 MiB cap succeeded
  assert.equal(h.get('x-imported-memory'), 'yes');
  s.close();
});
