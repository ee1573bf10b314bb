// Load-time instrumentation that makes untrusted plugins interruptible and bounded, on V8's main thread.
//
// JavaScript cannot stop a running Wasm call, so the module stops itself: this rewriter adds one mutable i32
// global (`__extgate_fuel`, exported so the host can refill it before each callback) and, at every function
// entry and every loop header, code that subtracts the static instruction count of that function/loop body
// and traps (`unreachable`) once the global goes negative. Every path that runs for long either loops or
// calls, so a plugin that spins or recurses runs out of fuel after a bounded amount of work. The host tells a
// budget trap from a plugin's own trap by reading the global afterwards (negative = out of fuel).
//
// It also caps linear memory: the module's memory limits (defined or imported) get a maximum of at most the
// per-VM limit, so `memory.grow` beyond it returns -1 and the plugin's allocator fails inside the VM; each
// `memory.grow` also sets the exported `__extgate_grow_failed` global when it fails, so the host can report
// the trap that usually follows as the memory limit.
//
// Last, it appends one exported function, `__extgate_fuel_swap(i32) -> i32`, that sets the fuel global and
// returns its previous value. The host refills and reads the fuel around every callback; through the
// WebAssembly.Global API that is two C++ API calls per callback, a call into Wasm is a few ns. It goes after
// every other function, so existing function indices (calls, tables, start, exports, names) stay valid.
//
// Only the sections that change are re-encoded (global, export, memory/import, code); everything else is
// copied byte for byte. The decoder knows every MVP opcode plus the bulk-memory, reference-types, sign-ext,
// saturating-conversion, SIMD, threads, tail-call and legacy exception-handling immediates; anything else is
// rejected with the opcode and offset, so a module is never run half-instrumented.

import { InstrumentError, Reader, skipImmediates, Writer, type Section } from './wasm-binary.js';

export { InstrumentError };

export const FUEL_EXPORT = '__extgate_fuel';
/** Set to 1 when a `memory.grow` returned -1: the plugin hit the memory cap (tells OOM from other traps). */
export const GROW_FAILED_EXPORT = '__extgate_grow_failed';
/** `(i32) -> i32`: sets the fuel global, returns what it held (the host's per-callback refill and read). */
export const FUEL_SWAP_EXPORT = '__extgate_fuel_swap';
const I32_MAX = 0x7fffffff;

export interface InstrumentOptions {
  /** Initial value of the fuel global: what the start section / `_initialize` may spend. */
  readonly initialFuel: number;
  /** Upper bound for the module's linear memory, in 64 KiB pages. */
  readonly maxMemoryPages: number;
  /** Insert the fuel checks (default true). Off only to measure what they cost (bench/wasm-plugins.ts). */
  readonly meterCpu?: boolean;
}

export interface InstrumentResult {
  readonly bytes: Uint8Array;
  /** Functions rewritten and fuel checks inserted (function entries + loop headers). */
  readonly functions: number;
  readonly checks: number;
  /** When the module imports its memory: what the host must create (limits already capped). */
  readonly importedMemory?: ImportedMemory;
}

export interface ImportedMemory {
  readonly module: string;
  readonly name: string;
  /** Pages. */
  readonly initial: number;
  readonly maximum: number;
}

function writeCharge(w: Writer, fuelGlobal: number, cost: number): void {
  w.byte(0x23).u32(fuelGlobal); // global.get
  w.byte(0x41).i32(cost); // i32.const
  w.byte(0x6b); // i32.sub
  w.byte(0x24).u32(fuelGlobal); // global.set
  w.byte(0x23).u32(fuelGlobal);
  w.byte(0x41).i32(0);
  w.byte(0x48); // i32.lt_s
  w.byte(0x04).byte(0x40); // if (void)
  w.byte(0x00); // unreachable
  w.byte(0x0b); // end
}

/** `memory.grow` that also records a failure: result kept in a scratch global, flag set when it is -1. */
function writeGrow(w: Writer, memidx: Uint8Array, fuelGlobal: number): void {
  const scratch = fuelGlobal + 1;
  const failed = fuelGlobal + 2;
  w.byte(0x40).bytes(memidx);
  w.byte(0x24).u32(scratch);
  w.byte(0x23).u32(scratch);
  w.byte(0x41).i32(-1);
  w.byte(0x46); // i32.eq
  w.byte(0x04).byte(0x40);
  w.byte(0x41).i32(1);
  w.byte(0x24).u32(failed);
  w.byte(0x0b);
  w.byte(0x23).u32(scratch);
}

/** Rewrites one function body (without its size prefix); returns the new body and the number of checks. */
function instrumentBody(
  buf: Uint8Array,
  start: number,
  end: number,
  fuelGlobal: number,
  base: number,
  meterCpu: boolean,
): { body: Uint8Array; checks: number } {
  const r = new Reader(buf, start, end);
  const groups = r.u32();
  for (let i = 0; i < groups; i++) {
    r.u32();
    r.skipLeb(); // valtype (single byte for numeric/ref types; LEB covers typed refs)
  }
  const exprStart = r.pos;
  // Counters: [0] is the function body; each loop gets its own. `frames` tracks nesting so `end` pops the
  // right thing; a block/if/try charges to the nearest enclosing loop or the function.
  const counters: number[] = [0];
  const insertAt: Array<{ pos: number; counter: number }> = [{ pos: exprStart, counter: 0 }];
  const grows: Array<{ pos: number; end: number }> = [];
  const frames: Array<number> = [0]; // counter index per frame; -1 for non-loop frames
  const counterStack: number[] = [0];
  while (r.pos < end) {
    const at = r.pos;
    const op = r.byte();
    counters[counterStack[counterStack.length - 1]!]!++;
    if (!skipImmediates(op, r)) {
      throw new InstrumentError(
        `cannot instrument: unknown opcode 0x${op.toString(16)} at module offset ${base + at}`,
      );
    }
    if (op === 0x40) {
      grows.push({ pos: at, end: r.pos });
    } else if (op === 0x03) {
      counters.push(0);
      const c = counters.length - 1;
      insertAt.push({ pos: r.pos, counter: c });
      frames.push(c);
      counterStack.push(c);
    } else if (op === 0x02 || op === 0x04 || op === 0x06) {
      frames.push(-1);
    } else if (op === 0x0b) {
      const f = frames.pop();
      if (f === undefined) throw new InstrumentError(`unbalanced 'end' at module offset ${base + at}`);
      if (f > 0) counterStack.pop();
    }
  }
  if (frames.length !== 0) throw new InstrumentError(`function body at offset ${start} does not end cleanly`);
  const w = new Writer();
  w.bytes(buf.subarray(start, exprStart));
  let copied = exprStart;
  if (!meterCpu) insertAt.length = 0;
  const edits = [
    ...insertAt.map((ins) => ({
      pos: ins.pos,
      end: ins.pos,
      emit: () => writeCharge(w, fuelGlobal, Math.max(1, counters[ins.counter]!)),
    })),
    ...grows.map((g) => ({
      pos: g.pos,
      end: g.end,
      emit: () => writeGrow(w, buf.subarray(g.pos + 1, g.end), fuelGlobal),
    })),
  ].sort((a, b) => a.pos - b.pos);
  for (const e of edits) {
    w.bytes(buf.subarray(copied, e.pos));
    e.emit();
    copied = e.end;
  }
  w.bytes(buf.subarray(copied, end));
  return { body: w.finish(), checks: insertAt.length };
}

/**
 * Appends `count` encoded entries to the vector a section holds (type, function, global, export), creating the
 * section when the module has none; returns how many entries it held before (the first new entry's index among
 * them).
 */
function appendEntries(sections: Section[], id: number, count: number, entries: Uint8Array): number {
  let section = sections.find((x) => x.id === id);
  if (!section) sections.push((section = { id, body: Uint8Array.of(0) }));
  const r = new Reader(section.body);
  const held = r.u32();
  section.body = new Writer()
    .u32(held + count)
    .bytes(section.body.subarray(r.pos))
    .bytes(entries)
    .finish();
  return held;
}

/**
 * Adds the type `(i32) -> i32` and a function of that type to the type and function sections (creating them,
 * and an empty code section, when the module has none); returns the new function's index among the defined
 * functions. Its body is added with the code section. Type indices count entries, so a type section holding
 * anything but plain function types (GC rec groups, subtypes) is refused rather than mis-indexed.
 */
function appendFunction(sections: Section[]): number {
  const typeSection = sections.find((x) => x.id === 1);
  if (typeSection) {
    const tr = new Reader(typeSection.body);
    const types = tr.u32();
    for (let i = 0; i < types; i++) {
      const form = tr.byte();
      if (form !== 0x60) {
        throw new InstrumentError(
          `cannot instrument: type ${i} is not a plain function type (form 0x${form.toString(16)}; GC types are not supported)`,
        );
      }
      for (let side = 0; side < 2; side++) {
        const count = tr.u32();
        for (let j = 0; j < count; j++) skipValType(tr);
      }
    }
  }
  // (i32) -> i32
  const type = appendEntries(
    sections,
    1,
    1,
    new Writer().byte(0x60).u32(1).byte(0x7f).u32(1).byte(0x7f).finish(),
  );
  const defined = appendEntries(sections, 3, 1, new Writer().u32(type).finish());
  if (!sections.some((x) => x.id === 10)) sections.push({ id: 10, body: Uint8Array.of(0) });
  return defined;
}

/** A value type: one byte, or a typed reference (0x63/0x64) followed by its heap type (s33 LEB128). */
function skipValType(r: Reader): void {
  const t = r.byte();
  if (t === 0x63 || t === 0x64) r.skipLeb();
}

function capLimits(
  r: Reader,
  w: Writer,
  maxPages: number,
  what: string,
): { initial: number; maximum: number } {
  const flags = r.byte();
  if (flags !== 0 && flags !== 1) {
    throw new InstrumentError(
      `${what}: shared or 64-bit memories are not supported (limits flags 0x${flags.toString(16)})`,
    );
  }
  const min = r.u32();
  const max = flags === 1 ? r.u32() : Infinity;
  if (min > maxPages) {
    throw new InstrumentError(
      `${what} starts at ${min} pages (${(min * 64) / 1024} MiB), over the per-VM memory limit of ${maxPages} pages`,
    );
  }
  const maximum = Math.min(max, maxPages);
  w.byte(1).u32(min).u32(maximum);
  return { initial: min, maximum };
}

export function instrumentModule(input: Uint8Array, opts: InstrumentOptions): InstrumentResult {
  const bytes =
    input instanceof Buffer ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < 8 || bytes.readUInt32LE(0) !== 0x6d736100)
    throw new InstrumentError('not a WebAssembly module (bad magic)');
  if (bytes.readUInt32LE(4) !== 1)
    throw new InstrumentError(`unsupported WebAssembly binary version ${bytes.readUInt32LE(4)}`);
  const sections: Section[] = [];
  const r = new Reader(bytes, 8);
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    sections.push({ id, body: bytes.subarray(r.pos, r.pos + size) });
    r.skip(size);
  }

  // Imports: count imported globals (our global's index follows them) and cap an imported memory.
  let importedGlobals = 0;
  let importedFunctions = 0;
  let importedMemory: ImportedMemory | undefined;
  for (const s of sections.filter((x) => x.id === 2)) {
    const ir = new Reader(s.body);
    const w = new Writer();
    const n = ir.u32();
    w.u32(n);
    for (let i = 0; i < n; i++) {
      const mod = ir.name();
      const field = ir.name();
      w.name(mod).name(field);
      const kind = ir.byte();
      w.byte(kind);
      const from = ir.pos;
      if (kind === 0) {
        ir.u32();
        importedFunctions++;
      } else if (kind === 1) {
        ir.skipLeb();
        const flags = ir.byte();
        ir.u32();
        if (flags & 1) ir.u32();
      } else if (kind === 2) {
        importedMemory = {
          module: mod,
          name: field,
          ...capLimits(ir, w, opts.maxMemoryPages, `imported memory ${mod}.${field}`),
        };
        continue;
      } else if (kind === 3) {
        ir.skipLeb();
        ir.byte();
        importedGlobals++;
      } else if (kind === 4) {
        ir.byte();
        ir.u32();
      } else throw new InstrumentError(`unknown import kind ${kind}`);
      w.bytes(s.body.subarray(from, ir.pos));
    }
    s.body = w.finish();
  }

  for (const s of sections.filter((x) => x.id === 5)) {
    const mr = new Reader(s.body);
    const w = new Writer();
    const n = mr.u32();
    w.u32(n);
    for (let i = 0; i < n; i++) capLimits(mr, w, opts.maxMemoryPages, 'memory');
    s.body = w.finish();
  }

  // Global section: append the fuel global, then memory.grow's scratch and failed flag.
  const initial = Math.max(0, Math.min(I32_MAX, Math.floor(opts.initialFuel)));
  const globals = new Writer();
  for (const value of [initial, 0, 0]) globals.byte(0x7f).byte(1).byte(0x41).i32(value).byte(0x0b); // mut i32 = value
  const definedGlobals = appendEntries(sections, 6, 3, globals.finish());
  const fuelGlobal = importedGlobals + definedGlobals;

  const swapFunction = importedFunctions + appendFunction(sections);

  appendEntries(
    sections,
    7,
    3,
    new Writer()
      .name(FUEL_EXPORT)
      .byte(3)
      .u32(fuelGlobal)
      .name(GROW_FAILED_EXPORT)
      .byte(3)
      .u32(fuelGlobal + 2)
      .name(FUEL_SWAP_EXPORT)
      .byte(0)
      .u32(swapFunction)
      .finish(),
  );

  let functions = 0;
  let checks = 0;
  for (const s of sections.filter((x) => x.id === 10)) {
    const cr = new Reader(s.body);
    const w = new Writer();
    const n = cr.u32();
    w.u32(n + 1);
    for (let i = 0; i < n; i++) {
      const size = cr.u32();
      const start = cr.pos;
      cr.skip(size);
      const out = instrumentBody(
        s.body,
        start,
        start + size,
        fuelGlobal,
        s.body.byteOffset - bytes.byteOffset,
        opts.meterCpu !== false,
      );
      w.u32(out.body.length).bytes(out.body);
      functions++;
      checks += out.checks;
    }
    // The swap function, uninstrumented (it must not charge the fuel it is setting): no locals;
    // global.get $fuel, local.get 0, global.set $fuel, end.
    const swap = new Writer().u32(0).byte(0x23).u32(fuelGlobal).byte(0x20).u32(0).byte(0x24).u32(fuelGlobal);
    const body = swap.byte(0x0b).finish();
    w.u32(body.length).bytes(body);
    s.body = w.finish();
  }

  // Re-emit; new sections go in their canonical position (non-custom sections are ordered by id, except
  // datacount (12), which sits between element (9) and code (10)).
  const order = (id: number): number => (id === 12 ? 9.5 : id);
  const known = sections.filter((s) => s.id !== 0);
  known.sort((a, b) => order(a.id) - order(b.id));
  // Keep custom sections where they were relative to the section before them.
  const out = new Writer();
  out.bytes(bytes.subarray(0, 8));
  const customsAfter = new Map<Section | null, Section[]>();
  let prev: Section | null = null;
  for (const s of sections) {
    if (s.id === 0) {
      const list = customsAfter.get(prev) ?? [];
      list.push(s);
      customsAfter.set(prev, list);
    } else prev = s;
  }
  const emit = (s: Section): void => void out.byte(s.id).u32(s.body.length).bytes(s.body);
  for (const c of customsAfter.get(null) ?? []) emit(c);
  for (const s of known) {
    emit(s);
    for (const c of customsAfter.get(s) ?? []) emit(c);
  }
  return { bytes: out.finish(), functions, checks, ...(importedMemory ? { importedMemory } : {}) };
}
