// The load-time instrumenter: fuel at function entries and loop headers, memory capped, unknown code refused,
// and every instrumented module still validates.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  instrumentModule,
  FUEL_EXPORT,
  FUEL_SWAP_EXPORT,
  GROW_FAILED_EXPORT,
} from '../../src/extensions/wasm/instrument.js';
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

test('the fuel swap export: sets the fuel and returns what it held; every function index still points where it did', () => {
  buildPlugins();
  const bytes = readFileSync(fixturePath('indices.wat'));
  const run = (module: Uint8Array) => {
    const notes: number[] = [];
    const env = { twice: (x: number) => x * 2, note: (x: number) => void notes.push(x) };
    const inst = new WebAssembly.Instance(new WebAssembly.Module(module as BufferSource), { env });
    const ex = inst.exports as Record<string, unknown>;
    const results = [
      (ex.started as Fn)(),
      (ex.direct as Fn)(4),
      (ex.indirect as Fn)(0, 10),
      (ex.indirect as Fn)(1, 10),
      (ex.indirect as Fn)(2, 10),
    ];
    return { ex, results, notes };
  };
  const plain = run(bytes);
  assert.deepEqual(plain.results, [41, 25, 11, 100, 20]);
  const out = instrumentModule(bytes, { initialFuel: 12_345, maxMemoryPages: 4 });
  const fuel = () => (inst.ex[FUEL_EXPORT] as WebAssembly.Global).value as number;
  const inst = run(out.bytes);
  assert.deepEqual(
    inst.results,
    plain.results,
    'calls, call_indirect, the start function and imports unchanged',
  );
  assert.deepEqual(inst.notes, [7], 'the start function ran once and called the right import');
  const swap = inst.ex[FUEL_SWAP_EXPORT] as Fn;
  assert.equal(typeof swap, 'function');
  const left = fuel();
  assert.ok(left > 0 && left < 12_345, 'the calls above were charged');
  assert.equal(swap(1_000_000), left, 'returns the fuel it replaces');
  assert.equal(fuel(), 1_000_000, 'and sets the new value');
  (inst.ex.direct as Fn)(3);
  const after = swap(0);
  assert.ok(after < 1_000_000 && after > 1_000_000 - 100, `a call spends from the swapped-in fuel: ${after}`);
  assert.equal(swap(-5), 0, 'negative values round-trip (out of fuel)');
  assert.equal(fuel(), -5);
  assert.equal(swap(0x7fffffff), -5);
  assert.equal(swap(0), 0x7fffffff, 'the whole i32 range');
});

test('the swap function is added to a module with no functions, and GC type sections are refused', () => {
  const empty = instrumentModule(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), {
    initialFuel: 9,
    maxMemoryPages: 1,
  });
  const ex = new WebAssembly.Instance(new WebAssembly.Module(empty.bytes as BufferSource)).exports;
  assert.equal((ex[FUEL_SWAP_EXPORT] as Fn)(3), 9);
  assert.equal((ex[FUEL_EXPORT] as WebAssembly.Global).value, 3);
  // (module (rec (type (func)))): a rec group is one type-section entry that may define several types.
  const rec = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x4e, 1, 0x60, 0, 0]);
  assert.throws(
    () => instrumentModule(rec, { initialFuel: 1, maxMemoryPages: 1 }),
    /type 0 is not a plain function type \(form 0x4e/,
  );
});
