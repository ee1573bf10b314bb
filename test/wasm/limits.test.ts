// A plugin that loops, traps, runs out of memory or makes an oversized mutation fails only its own request;
// requests already on the same VM and new requests (on a fresh VM) keep working.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import { ExtensionError, type ExtensionStream } from '../../src/extensions/extension.js';
import { buildPlugins, extensionIR, fixturePath, pluginIR, requestInfo, examplePath } from './helpers.js';

before(() => buildPlugins());

function headers(extra: Array<[string, string]> = []): HeaderList {
  return new HeaderList([[':method', 'GET'], [':path', '/'], [':authority', 'example.com'], ...extra]);
}

async function expectFailure(p: Promise<unknown>, failure: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ExtensionError, `expected ExtensionError, got ${String(err)}`);
    assert.equal(err.failure, failure, err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

for (const [mode, failure, pattern] of [
  ['loop', 'limit', /CPU budget/],
  ['recurse', 'error', /stack/],
  ['trap', 'error', /trapped|unreachable/],
  ['oom', 'limit', /memory/],
  ['big', 'limit', /128 KiB mutation limit/],
] as const) {
  test(`misbehaving plugin (${mode}) fails only its own request`, { timeout: 60_000 }, async () => {
    // Filling 16 MiB (AssemblyScript zeroes what it allocates) takes longer than 1 ms: give the memory and
    // mutation cases CPU room, so what they hit is the limit under test.
    const cpuBudgetMs = mode === 'oom' || mode === 'big' ? 2000 : 1;
    const rt = new WasmRuntime({ logSink: () => {}, limits: { cpuBudgetMs } });
    const plugin = pluginIR('default/misbehave', fixturePath('misbehave'));
    const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
    const other = pluginIR('default/add-header', examplePath('add-header'));
    const otherExt = rt.extensionFactory(extensionIR(other.key), other);
    const pool = rt.pool(plugin);

    // Requests already in flight on the VM that is about to fail.
    const before: ExtensionStream[] = [];
    for (let i = 0; i < 5; i++) {
      const s = ext.open(requestInfo());
      const h = headers();
      await s.requestHeaders(h, true);
      assert.equal(h.get('x-misbehave-ok'), '1');
      before.push(s);
    }
    const otherStream = otherExt.open(requestInfo());
    await otherStream.requestHeaders(headers(), true);

    const bad = ext.open(requestInfo());
    const badHeaders = headers([['x-misbehave', mode]]);
    const started = process.hrtime.bigint();
    await expectFailure(bad.requestHeaders(badHeaders, true), failure, pattern);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    bad.close();
    // Its later events fail too (the request is answered 500 by the chain), without touching the VM.
    await expectFailure(bad.responseHeaders(headers([[':status', '200']]), false), 'error', /already failed/);

    // In-flight requests on the old VM finish; the other plugin never noticed.
    for (const s of before) {
      const rh = new HeaderList([[':status', '200']]);
      const r = await s.responseHeaders(rh, false);
      assert.notEqual(r.immediate?.status, 500);
      s.close();
    }
    const orh = new HeaderList([[':status', '200']]);
    await otherStream.responseHeaders(orh, false);
    assert.equal(orh.get('hello'), 'world');
    otherStream.close();

    // New requests go to a fresh VM and succeed, concurrently.
    const fresh = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const s = ext.open(requestInfo());
        const h = headers();
        await s.requestHeaders(h, true);
        s.close();
        return h.get('x-misbehave-ok');
      }),
    );
    assert.deepEqual(new Set(fresh), new Set(['1']));
    const expectNewVm = mode !== 'big'; // a refused mutation is not a VM failure
    assert.equal(pool.vmCount, 1, 'the failed VM is dropped once its streams are done');
    const metrics = await rt.metrics.registry.getSingleMetricAsString('extgate_wasm_plugin_vm_starts_total');
    assert.match(metrics, new RegExp(`result="ok"} ${expectNewVm ? 2 : 1}`));
    console.log(`${mode}: failed after ${elapsedMs.toFixed(2)} ms`);
  });
}

test("failOpen is the chain's decision: the extension reports it and still throws", async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const plugin = pluginIR('default/misbehave', fixturePath('misbehave'));
  const ext = rt.extensionFactory(extensionIR(plugin.key, { failOpen: true }), plugin);
  assert.equal(ext.failOpen, true);
  const s = ext.open(requestInfo());
  await expectFailure(s.requestHeaders(headers([['x-misbehave', 'trap']]), true), 'error', /trapped/);
  s.close();
});

test('a module over the size limit is refused with a clear message', async () => {
  const rt = new WasmRuntime({ logSink: () => {}, limits: { moduleAndConfigBytes: 1000 } });
  const plugin = pluginIR('default/add-header', examplePath('add-header'));
  const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
  const s = ext.open(requestInfo());
  await expectFailure(s.requestHeaders(headers(), true), 'error', /exceed the .* MiB limit/);
});
