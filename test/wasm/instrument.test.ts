// The load-time instrumenter: fuel at function entries and loop headers, memory capped, unknown code refused,
// and every instrumented module still validates.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { instrumentModule, FUEL_EXPORT, GROW_FAILED_EXPORT } from '../../src/extensions/wasm/instrument.js';
import { buildPlugins, examplePath, fixturePath } from './helpers.js';

before(() => buildPlugins());

type Fn = (...a: number[]) => number;

function load(maxMemoryPages = 4, initialFuel = 1000) {
  const out = instrumentModule(readFileSync(fixturePath('loops.wat')), { initialFuel, maxMemoryPages });
  const mod = new WebAssembly.Module(out.bytes as BufferSource);
  const inst = new WebAssembly.Instance(mod, { env: { base: 5 } });
  const ex = inst.exports as Record<string, unknown>;
  return {
    ex,
    fuel: ex[FUEL_EXPORT] as WebAssembly.Global,
    growFailed: ex[GROW_FAILED_EXPORT] as WebAssembly.Global,
    out,
  };
}

test('an endless loop runs out of fuel and traps', () => {
  const { ex, fuel } = load();
  fuel.value = 1_000_000;
  assert.throws(() => (ex.spin as Fn)(), WebAssembly.RuntimeError);
  assert.ok((fuel.value as number) < 0);
});

test('fuel spent grows with the work done; imported globals and start functions still work', () => {
  const { ex, fuel, out } = load();
  assert.equal((ex.started as Fn)(), 1, 'start function ran');
  assert.ok(out.checks >= 5);
  const spend = (n: number) => {
    fuel.value = 1e9;
    assert.equal((ex.count as Fn)(n), n + 5);
    return 1e9 - (fuel.value as number);
  };
  const small = spend(10);
  const big = spend(10_000);
  assert.ok(big > small * 500, `count(10000) used ${big}, count(10) used ${small}`);
  fuel.value = 1e9;
  assert.equal((ex.recurse as Fn)(1000), 0);
  assert.ok(1e9 - (fuel.value as number) >= 1000, 'each call pays at its entry');
});

test('memory is capped and a failed grow is recorded', () => {
  const { ex, growFailed } = load(4);
  assert.equal((ex.grow as Fn)(2), 1);
  assert.equal(growFailed.value, 0);
  assert.equal((ex.grow as Fn)(5), -1, 'the module said max 100 pages; the cap of 4 wins');
  assert.equal(growFailed.value, 1);
  assert.throws(
    () => instrumentModule(readFileSync(fixturePath('loops.wat')), { initialFuel: 0, maxMemoryPages: 0 }),
    /starts at 1 pages .* over the per-VM memory limit of 0 pages/,
  );
});

test('unknown opcodes are refused, never run half-instrumented', () => {
  // (module (func)) with a body holding 0xff.
  const bytes = Uint8Array.from([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0xff, 0x0b,
  ]);
  assert.throws(
    () => instrumentModule(bytes, { initialFuel: 1, maxMemoryPages: 1 }),
    /unknown opcode 0xff at module offset 23/,
  );
  assert.throws(
    () => instrumentModule(Uint8Array.from([1, 2, 3]), { initialFuel: 1, maxMemoryPages: 1 }),
    /not a WebAssembly module/,
  );
});

test('every example plugin and fixture still validates after instrumentation', () => {
  for (const p of ['local-reply', 'add-header', 'redirect', 'block-request']
    .map(examplePath)
    .concat([fixturePath('misbehave'), fixturePath('abi021.wat')])) {
    const out = instrumentModule(readFileSync(p), { initialFuel: 1e6, maxMemoryPages: 256 });
    assert.ok(WebAssembly.validate(out.bytes as BufferSource), p);
    assert.ok(out.functions > 0);
  }
});
