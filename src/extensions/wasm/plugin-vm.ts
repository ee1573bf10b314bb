// One instance of a plugin module: a Proxy-Wasm VM with its root context, serving many stream contexts.
//
// Calls into the instance are synchronous and never nested, so "the current context" is simply the CallFrame
// set around each call. Every call refills the fuel global from the stream's remaining budget and reads it
// back afterwards (through the instrumenter's swap export: a call into Wasm costs a few ns, the Global API
// tens); a trap (own `unreachable`, out of fuel, out of memory, proc_exit) marks the whole VM failed,
// like cpp-host does, and the owner (PluginPool) stops giving it new streams.
import { STREAM_CALLBACK_EXPORTS, type StreamCallback, type StreamState } from './stream-state.js';
import { proxyHostcalls, type HostcallHost, type ImportTable } from './hostcalls.js';
import { VmMemory } from './vm-memory.js';
import { FUEL_EXPORT, FUEL_SWAP_EXPORT, GROW_FAILED_EXPORT } from './instrument.js';
import { WASM_PAGE_BYTES, type WasmLimits } from './limits.js';
import type { PluginModule } from './plugin-module.js';
import { ProcExit, wasiImports } from './wasi.js';

export interface VmLogSink {
  (level: number, message: string, callback: string, stream: StreamState | undefined): void;
}

export interface PluginVmOptions {
  readonly pluginName: string;
  readonly rootId: string;
  readonly vmId: string;
  readonly config: Uint8Array;
  readonly limits: WasmLimits;
  readonly log: VmLogSink;
  /** What proxy_get_log_level reports (0..5). */
  readonly logLevel: number;
}

/** How a call into the VM failed. `limit` = CPU budget or memory cap; `error` = trap, abort, bad answer. */
export class VmFailure extends Error {
  override name = 'VmFailure';
  constructor(
    readonly kind: 'limit' | 'error',
    message: string,
  ) {
    super(message);
  }
}

type Callback = (a: number, b: number, c: number) => number | undefined;

/** Fuel one hostcall costs: about 0.5 µs at the default fuelPerMs of 5e6 (limits.ts). */
const HOSTCALL_FUEL = 2500;

export class PluginVm implements HostcallHost {
  private instance!: WebAssembly.Instance;
  readonly mem = new VmMemory();
  private fuel!: WebAssembly.Global;
  /** Sets the fuel global and returns what it held (instrument.ts). */
  private swapFuel!: (fuel: number) => number;
  private growFailed?: WebAssembly.Global;
  private callback = 'start';
  /** The stream of the callback running now (hostcalls act on it). */
  stream: StreamState | undefined;
  private lastCritical = '';
  private nextContextId = 2;
  readonly rootContextId = 1;
  failure?: VmFailure;
  /** Streams currently open on this VM. */
  live = 0;
  /** Fuel the current call started with, and what its hostcalls have spent (kept in JS: cheaper than the global). */
  private callFuel = 0;
  private hostSpent = 0;
  /** The stream callbacks, indexed by StreamCallback; null: not exported. Resolved once at start. */
  private streamCallbacks: ReadonlyArray<Callback | null> = [];

  constructor(
    readonly plugin: PluginModule,
    private readonly opts: PluginVmOptions,
  ) {}

  get config(): Uint8Array {
    return this.opts.config;
  }
  get limits(): WasmLimits {
    return this.opts.limits;
  }
  get logLevel(): number {
    return this.opts.logLevel;
  }
  get pluginName(): string {
    return this.opts.pluginName;
  }
  get rootId(): string {
    return this.opts.rootId;
  }
  get vmId(): string {
    return this.opts.vmId;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  memoryBytesUsed(): number {
    return this.mem.size();
  }

  /** Instantiate, run the module's init, create the root context, on_vm_start, on_configure. Throws VmFailure. */
  start(): void {
    const env = this.charged(proxyHostcalls(this));
    const wasi = wasiImports({
      memoryView: () => this.mem.dataView(),
      memoryBytes: () => this.mem.u8(),
      log: (level, msg) => this.log(level, msg),
      now: () => this.now(),
    });
    const imports: WebAssembly.Imports = { env, wasi_snapshot_preview1: wasi, wasi_unstable: wasi };
    const im = this.plugin.importedMemory;
    if (im) {
      this.mem.memory = new WebAssembly.Memory({ initial: im.initial, maximum: im.maximum });
      imports[im.module] = { ...(imports[im.module] ?? {}), [im.name]: this.mem.memory };
    }
    const missing = WebAssembly.Module.imports(this.plugin.module).filter(
      (i) => i.kind === 'function' && !(i.name in ((imports[i.module] as object | undefined) ?? {})),
    );
    if (missing.length > 0) {
      throw new VmFailure(
        'error',
        `the module imports functions this host does not provide: ${missing.map((m) => `${m.module}.${m.name}`).join(', ')}`,
      );
    }
    this.guard(() => {
      this.instance = new WebAssembly.Instance(this.plugin.module, imports);
    });
    const ex = this.instance.exports;
    this.fuel = ex[FUEL_EXPORT] as WebAssembly.Global;
    this.swapFuel = ex[FUEL_SWAP_EXPORT] as (fuel: number) => number;
    this.streamCallbacks = STREAM_CALLBACK_EXPORTS.map((name) => {
      const e = ex[name];
      return typeof e === 'function' ? (e as Callback) : null;
    });
    this.growFailed = ex[GROW_FAILED_EXPORT] as WebAssembly.Global;
    this.mem.memory ??= Object.values(ex).find(
      (v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory,
    );
    if (!this.mem.memory) throw new VmFailure('error', 'the module neither exports nor imports a memory');
    this.mem.alloc = ex[this.plugin.allocator] as (size: number) => number;
    this.fuel.value = this.opts.limits.startupBudgetMs * this.opts.limits.fuelPerMs;
    this.callFuel = this.fuel.value as number;
    this.hostSpent = 0;
    const fn = (name: string) => ex[name] as ((...a: number[]) => number) | undefined;
    this.guard(() => {
      try {
        if (fn('_initialize')) {
          fn('_initialize')!();
          if (fn('main')) fn('main')!(0, 0);
          else if (fn('__main_void')) fn('__main_void')!();
        } else if (fn('_start')) fn('_start')!();
      } catch (err) {
        // A WASI command may end its `_start` with proc_exit(0): that is a finished init, not a failure.
        if (!(err instanceof ProcExit && err.code === 0)) throw err;
      }
    });
    this.callback = 'on_context_create';
    this.guard(() => fn('proxy_on_context_create')?.(this.rootContextId, 0));
    this.callback = 'on_vm_start';
    const started = this.guard(() => fn('proxy_on_vm_start')?.(this.rootContextId, 0) ?? 1);
    if (!started)
      throw new VmFailure('error', 'the plugin refused to start (proxy_on_vm_start returned false)');
    this.callback = 'on_configure';
    const configured = this.guard(
      () => fn('proxy_on_configure')?.(this.rootContextId, this.opts.config.length) ?? 1,
    );
    if (!configured)
      throw new VmFailure(
        'error',
        'the plugin rejected its configuration (proxy_on_configure returned false)',
      );
  }

  private callbackName(): string {
    return this.callback.startsWith('proxy_') ? this.callback.slice(6) : this.callback;
  }

  newContextId(): number {
    return this.nextContextId++;
  }

  /** Whether the module exports this callback (Envoy calls only those, and so counts only those). */
  has(cb: StreamCallback): boolean {
    return this.streamCallbacks[cb] != null;
  }

  /**
   * Calls a stream callback with up to three i32 arguments (every stream callback of the ABI takes at most
   * three). Returns its result, 0 when the module does not export it (as Envoy, which only calls the
   * proxy_on_* functions a module exports), or throws VmFailure (and marks the VM failed) on a trap. The
   * stream's fuel is the request's remaining CPU budget.
   */
  call(cb: StreamCallback, stream: StreamState, a: number, b = 0, c = 0): number {
    const f = this.streamCallbacks[cb];
    if (!f) return 0;
    this.callback = STREAM_CALLBACK_EXPORTS[cb]!;
    this.stream = stream;
    const budget = stream.fuel;
    const fuel = budget > 0x7fffffff ? 0x7fffffff : budget > 0 ? budget : 0; // the counter is an i32
    this.swapFuel(fuel);
    this.callFuel = fuel;
    this.hostSpent = 0;
    try {
      return f(a, b, c) ?? 0;
    } catch (err) {
      this.failure = this.classify(err);
      throw this.failure;
    } finally {
      // Charge what this call used, so a budget above the i32 range is not cut down to it. An idle VM holds
      // no fuel.
      stream.fuel = budget - (fuel - (this.swapFuel(0) - this.hostSpent));
      this.stream = undefined;
    }
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      this.failure = this.classify(err);
      throw this.failure;
    }
  }

  private classify(err: unknown): VmFailure {
    if (err instanceof VmFailure) return err;
    const where = `in ${this.callbackName()}`;
    if ((this.fuel && (this.fuel.value as number) < 0) || this.hostSpent > this.callFuel) {
      return new VmFailure(
        'limit',
        `plugin exceeded its CPU budget of ${this.opts.limits.cpuBudgetMs} ms ${where}`,
      );
    }
    const maxBytes = Math.floor(this.opts.limits.memoryBytes / WASM_PAGE_BYTES) * WASM_PAGE_BYTES;
    const memory = this.mem.memory;
    const atCap =
      this.growFailed?.value === 1 || (memory !== undefined && memory.buffer.byteLength >= maxBytes);
    const detail = this.lastCritical ? ` (plugin said: ${this.lastCritical})` : '';
    if (atCap)
      return new VmFailure(
        'limit',
        `plugin ran out of memory at the ${maxBytes / 1024 / 1024} MiB per-VM limit ${where}${detail}`,
      );
    if (err instanceof ProcExit)
      return new VmFailure('error', `plugin aborted ${where}: ${err.message}${detail}`);
    if (err instanceof RangeError) return new VmFailure('error', `plugin overflowed its stack ${where}`);
    if (err instanceof WebAssembly.RuntimeError)
      return new VmFailure('error', `plugin trapped ${where}: ${err.message}${detail}`);
    return new VmFailure(
      'error',
      `plugin failed ${where}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  now(): bigint {
    return this.stream?.startNs ?? BigInt(Date.now()) * 1_000_000n;
  }

  log(level: number, message: string): void {
    if (level >= 5) this.lastCritical = message;
    this.opts.log(level, message, this.callbackName(), this.stream);
  }

  /**
   * Hostcalls run outside the instrumented code, so each one costs a fixed amount of fuel (about what a
   * hostcall costs in wall time relative to plain Wasm); a plugin spinning on hostcalls runs out too.
   */
  private charged(table: ImportTable): ImportTable {
    // Bounded by the fuel the call started with (the Wasm side is bounded separately by the global), so a
    // plugin spinning on hostcalls stops within about twice its budget without touching the global here.
    const charge = (): void => {
      if ((this.hostSpent += HOSTCALL_FUEL) > this.callFuel && this.opts.limits.meterCpu) this.overBudget();
    };
    const out: ImportTable = {};
    for (const [name, fn] of Object.entries(table)) out[name] = chargedCall(fn as Hostcall, charge);
    return out;
  }

  private overBudget(): never {
    throw new VmFailure(
      'limit',
      `plugin exceeded its CPU budget of ${this.opts.limits.cpuBudgetMs} ms in ${this.callbackName()}`,
    );
  }
}

type Hostcall = (...a: number[]) => unknown;

/**
 * `f` behind the fuel charge, taking as many parameters as `f` does: V8 calls a JS import from Wasm, and one
 * function from another, fastest when the arguments match the parameters (no arity adaptation), and a fixed
 * parameter list allocates nothing per hostcall (a rest array would). Wasm passes the imported signature's
 * arguments; the longest hostcall GCP offers takes eight.
 */
function chargedCall(f: Hostcall, charge: () => void): Hostcall {
  switch (f.length) {
    case 0:
      return () => {
        charge();
        return f();
      };
    case 1:
      return (a: number) => {
        charge();
        return f(a);
      };
    case 2:
      return (a: number, b: number) => {
        charge();
        return f(a, b);
      };
    case 3:
      return (a: number, b: number, c: number) => {
        charge();
        return f(a, b, c);
      };
    case 4:
      return (a: number, b: number, c: number, d: number) => {
        charge();
        return f(a, b, c, d);
      };
    case 5:
      return (a: number, b: number, c: number, d: number, e: number) => {
        charge();
        return f(a, b, c, d, e);
      };
    default:
      return (a: number, b: number, c: number, d: number, e: number, g: number, h: number, i: number) => {
        charge();
        return f(a, b, c, d, e, g, h, i);
      };
  }
}
