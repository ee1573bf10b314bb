// One instance of a plugin module: a Proxy-Wasm VM with its root context, serving many stream contexts.
//
// Calls into the instance are synchronous and never nested, so "the current context" is simply the CallFrame
// set around each call. Every call refills the fuel global from the stream's remaining budget and reads it
// back afterwards; a trap (own `unreachable`, out of fuel, out of memory, proc_exit) marks the whole VM failed,
// like cpp-host does, and the owner (PluginPool) stops giving it new streams.
import type { HeaderMap, LocalResponse, RequestInfo } from '../extension.js';
import { BufferType, deserializePairs, MapType, serializePairs, Status } from './abi.js';
import { FUEL_EXPORT, GROW_FAILED_EXPORT } from './instrument.js';
import { WASM_PAGE_BYTES, type WasmLimits } from './limits.js';
import type { PluginModule } from './plugin-module.js';
import { getProperty, propertySegments } from './properties.js';
import { ProcExit, wasiImports } from './wasi.js';

export type Phase = 'start' | 'request_headers' | 'request_body' | 'response_headers' | 'response_body' | 'done';

/** Per-request state of one stream context, read and written by the hostcalls. */
export interface StreamState {
  readonly contextId: number;
  readonly request?: RequestInfo;
  requestHeaders?: HeaderMap;
  responseHeaders?: HeaderMap;
  phase: Phase;
  /** The body chunk of the current body callback (replaced by proxy_set_buffer_bytes). */
  body?: Uint8Array;
  headersChanged: boolean;
  bodyChanged: boolean;
  local?: LocalResponse;
  /** A GKE limit the plugin broke in this callback (mutation size). */
  violation?: string;
  resetRequested?: boolean;
  /** Frozen clock for the whole stream (GKE freezes plugin time per request). */
  readonly startNs: bigint;
  fuel: number;
  readonly setProperties: Map<string, Uint8Array>;
  readonly propertyOverrides?: ReadonlyMap<string, Uint8Array>;
}

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

const NO_DATA = new Uint8Array(0);
/** Fuel one hostcall costs: about 0.5 µs at the default fuelPerMs of 5e6 (limits.ts). */
const HOSTCALL_FUEL = 2500;

export class PluginVm {
  private instance!: WebAssembly.Instance;
  private memory?: WebAssembly.Memory;
  private fuel!: WebAssembly.Global;
  private growFailed?: WebAssembly.Global;
  private alloc!: (size: number) => number;
  private view?: DataView;
  private bytes?: Uint8Array;
  private callback = 'start';
  private stream: StreamState | undefined;
  private lastCritical = '';
  private nextContextId = 2;
  readonly rootContextId = 1;
  failure?: VmFailure;
  /** Streams currently open on this VM. */
  live = 0;
  /** Fuel the current call started with, and what its hostcalls have spent (kept in JS: cheaper than the global). */
  private callFuel = 0;
  private hostSpent = 0;
  private nodeBuf?: Buffer;

  constructor(
    readonly plugin: PluginModule,
    private readonly opts: PluginVmOptions,
  ) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  memoryBytesUsed(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  /** Instantiate, run the module's init, create the root context, on_vm_start, on_configure. Throws VmFailure. */
  start(): void {
    const env = this.charged(this.envImports());
    const wasi = wasiImports({
      memoryView: () => this.dataView(),
      memoryBytes: () => this.u8(),
      log: (level, msg) => this.emitLog(level, msg),
      now: () => this.now(),
    });
    const imports: WebAssembly.Imports = { env, wasi_snapshot_preview1: wasi, wasi_unstable: wasi };
    const missing = WebAssembly.Module.imports(this.plugin.module).filter(
      (i) => i.kind === 'function' && !(i.name in ((imports[i.module] as object | undefined) ?? {})),
    );
    if (missing.length > 0) {
      throw new VmFailure('error', `the module imports functions this host does not provide: ${missing.map((m) => `${m.module}.${m.name}`).join(', ')}`);
    }
    this.guard(() => {
      this.instance = new WebAssembly.Instance(this.plugin.module, imports);
    });
    const ex = this.instance.exports;
    this.fuel = ex[FUEL_EXPORT] as WebAssembly.Global;
    this.growFailed = ex[GROW_FAILED_EXPORT] as WebAssembly.Global;
    this.memory = Object.values(ex).find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
    if (!this.memory) throw new VmFailure('error', 'the module exports no memory');
    this.alloc = ex[this.plugin.allocator] as (size: number) => number;
    this.fuel.value = this.opts.limits.startupBudgetMs * this.opts.limits.fuelPerMs;
    this.callFuel = this.fuel.value as number;
    this.hostSpent = 0;
    const fn = (name: string) => ex[name] as ((...a: number[]) => number) | undefined;
    this.guard(() => {
      if (fn('_initialize')) {
        fn('_initialize')!();
        if (fn('main')) fn('main')!(0, 0);
        else if (fn('__main_void')) fn('__main_void')!();
      } else if (fn('_start')) fn('_start')!();
    });
    this.callback = 'on_context_create';
    this.guard(() => fn('proxy_on_context_create')?.(this.rootContextId, 0));
    this.callback = 'on_vm_start';
    const started = this.guard(() => fn('proxy_on_vm_start')?.(this.rootContextId, 0) ?? 1);
    if (!started) throw new VmFailure('error', 'the plugin refused to start (proxy_on_vm_start returned false)');
    this.callback = 'on_configure';
    const configured = this.guard(() => fn('proxy_on_configure')?.(this.rootContextId, this.opts.config.length) ?? 1);
    if (!configured) throw new VmFailure('error', 'the plugin rejected its configuration (proxy_on_configure returned false)');
  }

  private callbackName(): string {
    return this.callback.startsWith('proxy_') ? this.callback.slice(6) : this.callback;
  }

  newContextId(): number {
    return this.nextContextId++;
  }

  has(name: string): boolean {
    return typeof this.instance.exports[name] === 'function';
  }

  /**
   * Calls an export for a stream. Returns its result, or throws VmFailure (and marks the VM failed) on a trap.
   * The stream's fuel is the request's remaining CPU budget.
   */
  call(name: string, stream: StreamState, args: number[]): number {
    const f = this.instance.exports[name] as ((...a: number[]) => number) | undefined;
    if (!f) return 0;
    this.callback = name;
    this.stream = stream;
    const fuel = Math.min(0x7fffffff, Math.max(0, stream.fuel));
    this.fuel.value = fuel;
    this.callFuel = fuel;
    this.hostSpent = 0;
    try {
      return this.guard(() => f(...args) ?? 0);
    } finally {
      stream.fuel = (this.fuel.value as number) - this.hostSpent;
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
      return new VmFailure('limit', `plugin exceeded its CPU budget of ${this.opts.limits.cpuBudgetMs} ms ${where}`);
    }
    const maxBytes = Math.floor(this.opts.limits.memoryBytes / WASM_PAGE_BYTES) * WASM_PAGE_BYTES;
    const atCap = this.growFailed?.value === 1 || (this.memory !== undefined && this.memory.buffer.byteLength >= maxBytes);
    const detail = this.lastCritical ? ` (plugin said: ${this.lastCritical})` : '';
    if (atCap) return new VmFailure('limit', `plugin ran out of memory at the ${maxBytes / 1024 / 1024} MiB per-VM limit ${where}${detail}`);
    if (err instanceof ProcExit) return new VmFailure('error', `plugin aborted ${where}: ${err.message}${detail}`);
    if (err instanceof RangeError) return new VmFailure('error', `plugin overflowed its stack ${where}`);
    if (err instanceof WebAssembly.RuntimeError) return new VmFailure('error', `plugin trapped ${where}: ${err.message}${detail}`);
    return new VmFailure('error', `plugin failed ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }

  // ---- memory helpers (views re-derived after growth, which detaches the old buffer) ----

  private u8(): Uint8Array | undefined {
    if (!this.memory) return undefined;
    if (!this.bytes || this.bytes.buffer !== this.memory.buffer) {
      this.bytes = new Uint8Array(this.memory.buffer);
      this.view = new DataView(this.memory.buffer);
    }
    return this.bytes;
  }

  private dataView(): DataView | undefined {
    this.u8();
    return this.view;
  }

  private inBounds(ptr: number, len: number): boolean {
    const b = this.u8();
    return b !== undefined && ptr >= 0 && len >= 0 && ptr + len <= b.length;
  }

  private read(ptr: number, len: number): Uint8Array | undefined {
    if (!this.inBounds(ptr, len)) return undefined;
    return this.bytes!.slice(ptr, ptr + len);
  }

  private readString(ptr: number, len: number): string | undefined {
    if (!this.inBounds(ptr, len)) return undefined;
    if (!this.nodeBuf || this.nodeBuf.buffer !== this.bytes!.buffer) this.nodeBuf = Buffer.from(this.bytes!.buffer);
    return this.nodeBuf.toString('utf8', ptr, ptr + len);
  }

  private writeU32(ptr: number, v: number): boolean {
    if (!this.inBounds(ptr, 4)) return false;
    this.view!.setUint32(ptr, v >>> 0, true);
    return true;
  }

  /** Copies data into module memory through its allocator and writes (ptr, size) to the out-params. */
  private give(data: Uint8Array, retPtr: number, retSize: number): Status {
    if (data.length === 0) return this.writeU32(retPtr, 0) && this.writeU32(retSize, 0) ? Status.Ok : Status.InvalidMemoryAccess;
    const ptr = this.alloc(data.length);
    if (!ptr || !this.inBounds(ptr, data.length)) return Status.InvalidMemoryAccess;
    this.bytes!.set(data, ptr);
    return this.writeU32(retPtr, ptr) && this.writeU32(retSize, data.length) ? Status.Ok : Status.InvalidMemoryAccess;
  }

  private now(): bigint {
    return this.stream?.startNs ?? BigInt(Date.now()) * 1_000_000n;
  }

  private emitLog(level: number, message: string): void {
    if (level >= 5) this.lastCritical = message;
    this.opts.log(level, message, this.callbackName(), this.stream);
  }

  private headerMap(type: number, write: boolean): HeaderMap | undefined | null {
    const s = this.stream;
    if (!s) return null;
    if (type === MapType.RequestHeaders) {
      if (write && s.phase !== 'request_headers') return null;
      return s.requestHeaders ?? null;
    }
    if (type === MapType.ResponseHeaders) {
      if (write && s.phase !== 'response_headers') return null;
      return s.responseHeaders ?? null;
    }
    return null; // trailers: not supported by GCP
  }

  private checkMutation(size: number, what: string): boolean {
    if (size <= this.opts.limits.mutationBytes) return true;
    if (this.stream) this.stream.violation = `${what} of ${size} bytes exceeds the ${this.opts.limits.mutationBytes / 1024} KiB mutation limit`;
    return false;
  }

  // ---- hostcalls ----

  /**
   * Hostcalls run outside the instrumented code, so each one costs a fixed amount of fuel (about what a
   * hostcall costs in wall time relative to plain Wasm); a plugin spinning on hostcalls runs out too.
   */
  private charged(table: Record<string, (...args: never[]) => unknown>): Record<string, (...args: never[]) => unknown> {
    const out: Record<string, (...args: never[]) => unknown> = {};
    for (const [name, fn] of Object.entries(table)) {
      out[name] = (...args: never[]) => {
        // Bounded by the fuel the call started with (the Wasm side is bounded separately by the global), so
        // a plugin spinning on hostcalls stops within about twice its budget without touching the global here.
        if ((this.hostSpent += HOSTCALL_FUEL) > this.callFuel && this.opts.limits.meterCpu) {
          throw new VmFailure('limit', `plugin exceeded its CPU budget of ${this.opts.limits.cpuBudgetMs} ms in ${this.callbackName()}`);
        }
        return fn(...args);
      };
    }
    return out;
  }

  private envImports(): Record<string, (...args: never[]) => unknown> {
    const unimplemented = () => Status.Unimplemented;
    return {
      proxy_log: (level: number, ptr: number, len: number) => {
        if (level > 5) return Status.BadArgument;
        if (level < this.opts.logLevel) return Status.Ok; // below minLogLevel: don't even decode it
        const msg = this.readString(ptr, len);
        if (msg === undefined) return Status.InvalidMemoryAccess;
        this.emitLog(level, msg);
        return Status.Ok;
      },
      proxy_get_log_level: (ret: number) => (this.writeU32(ret, this.opts.logLevel) ? Status.Ok : Status.InvalidMemoryAccess),
      proxy_get_current_time_nanoseconds: (ret: number) => {
        const v = this.dataView();
        if (!v || !this.inBounds(ret, 8)) return Status.InvalidMemoryAccess;
        v.setBigUint64(ret, this.now(), true);
        return Status.Ok;
      },
      proxy_get_buffer_bytes: (type: number, start: number, max: number, retPtr: number, retSize: number) => {
        let data: Uint8Array | undefined;
        if (type === BufferType.PluginConfiguration) data = this.opts.config;
        else if (type === BufferType.VmConfiguration) data = NO_DATA;
        else if ((type === BufferType.RequestBody && this.stream?.phase === 'request_body') || (type === BufferType.ResponseBody && this.stream?.phase === 'response_body')) {
          data = this.stream.body ?? NO_DATA;
        } else if (type > 8) return Status.BadArgument;
        else return Status.NotFound;
        if (start + max > 0xffffffff) return Status.BadArgument;
        const slice = data.subarray(Math.min(start, data.length), Math.min(start + max, data.length));
        // AssemblyScript SDK 0.1.8 quirk: onConfigure passes the configuration size where the return-size
        // pointer belongs. Writing there would scribble over low memory; its real size slot follows the
        // pointer slot (ArrayBufferReference { buffer, size }).
        if (type === BufferType.PluginConfiguration && retSize === max && max === data.length && max < 1024) retSize = retPtr + 4;
        return this.give(slice, retPtr, retSize);
      },
      proxy_get_buffer_status: (type: number, retSize: number, retFlags: number) => {
        let len: number | undefined;
        if (type === BufferType.PluginConfiguration) len = this.opts.config.length;
        else if ((type === BufferType.RequestBody && this.stream?.phase === 'request_body') || (type === BufferType.ResponseBody && this.stream?.phase === 'response_body')) len = this.stream.body?.length ?? 0;
        if (len === undefined) return Status.NotFound;
        return this.writeU32(retSize, len) && this.writeU32(retFlags, 0) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_set_buffer_bytes: (type: number, start: number, size: number, ptr: number, len: number) => {
        const s = this.stream;
        const ok = s && ((type === BufferType.RequestBody && s.phase === 'request_body') || (type === BufferType.ResponseBody && s.phase === 'response_body'));
        if (!ok) return type === BufferType.PluginConfiguration ? Status.BadArgument : Status.NotFound;
        const data = this.read(ptr, len);
        if (!data) return Status.InvalidMemoryAccess;
        const cur = s.body ?? NO_DATA;
        let next: Uint8Array;
        if (start === 0) next = Buffer.concat([data, cur.subarray(Math.min(size, cur.length))]);
        else if (start >= cur.length) next = Buffer.concat([cur, data]);
        else return Status.BadArgument;
        if (!this.checkMutation(next.length, 'body chunk')) return Status.BadArgument;
        s.body = next;
        s.bodyChanged = true;
        return Status.Ok;
      },
      proxy_get_header_map_pairs: (type: number, retPtr: number, retSize: number) => {
        const h = this.headerMap(type, false);
        if (!h || h.size === 0) return this.give(NO_DATA, retPtr, retSize);
        return this.give(serializePairs(h.entries()), retPtr, retSize);
      },
      proxy_set_header_map_pairs: (type: number, ptr: number, len: number) => {
        const h = this.headerMap(type, true);
        if (!h) return Status.BadArgument;
        const data = this.read(ptr, len);
        if (!data) return Status.InvalidMemoryAccess;
        if (!this.checkMutation(len, 'header map')) return Status.BadArgument;
        for (const [k] of h.entries()) h.remove(k);
        for (const [k, v] of deserializePairs(data)) h.append(k.toLowerCase(), v);
        this.stream!.headersChanged = true;
        return Status.Ok;
      },
      proxy_get_header_map_size: (type: number, ret: number) => {
        const h = this.headerMap(type, false);
        let size = 0;
        if (h) for (const [k, v] of h.entries()) size += k.length + v.length;
        return this.writeU32(ret, size) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_get_header_map_value: (type: number, kp: number, kl: number, retPtr: number, retSize: number) => {
        const h = this.headerMap(type, false);
        if (!h) return Status.BadArgument;
        const key = this.readString(kp, kl);
        if (key === undefined) return Status.InvalidMemoryAccess;
        const v = h.get(key.toLowerCase());
        if (v === undefined) return Status.NotFound;
        return this.give(Buffer.from(v, 'utf8'), retPtr, retSize);
      },
      proxy_add_header_map_value: (type: number, kp: number, kl: number, vp: number, vl: number) =>
        this.editHeader(type, kp, kl, vp, vl, (h, k, v) => h.append(k, v)),
      proxy_replace_header_map_value: (type: number, kp: number, kl: number, vp: number, vl: number) =>
        this.editHeader(type, kp, kl, vp, vl, (h, k, v) => h.set(k, v)),
      proxy_remove_header_map_value: (type: number, kp: number, kl: number) => {
        const h = this.headerMap(type, true);
        if (!h) return Status.BadArgument;
        const key = this.readString(kp, kl);
        if (key === undefined) return Status.InvalidMemoryAccess;
        if (h.has(key.toLowerCase())) {
          h.remove(key.toLowerCase());
          this.stream!.headersChanged = true;
        }
        return Status.Ok;
      },
      proxy_get_property: (pp: number, pl: number, retPtr: number, retSize: number) => {
        const path = this.readString(pp, pl);
        if (path === undefined) return Status.InvalidMemoryAccess;
        const s = this.stream;
        const value = getProperty(
          {
            pluginName: this.opts.pluginName,
            rootId: this.opts.rootId,
            vmId: this.opts.vmId,
            request: s?.request,
            requestHeaders: s?.requestHeaders,
            responseHeaders: s?.responseHeaders,
            startNs: s?.startNs ?? this.now(),
            setByPlugin: s?.setProperties,
            overrides: s?.propertyOverrides,
          },
          propertySegments(path),
        );
        if (value === undefined) return Status.NotFound;
        return this.give(value, retPtr, retSize);
      },
      proxy_set_property: (pp: number, pl: number, vp: number, vl: number) => {
        const s = this.stream;
        if (!s) return Status.NotFound;
        const path = this.readString(pp, pl);
        const value = this.read(vp, vl);
        if (path === undefined || !value) return Status.InvalidMemoryAccess;
        s.setProperties.set(propertySegments(path).join('.'), value);
        return Status.Ok;
      },
      proxy_send_local_response: (status: number, dp: number, dl: number, bp: number, bl: number, hp: number, hl: number, grpc: number) => {
        const s = this.stream;
        if (!s) return Status.BadArgument;
        const details = this.readString(dp, dl);
        const body = this.read(bp, bl);
        const hdrs = this.read(hp, hl);
        if (details === undefined || !body || !hdrs) return Status.InvalidMemoryAccess;
        if (!this.checkMutation(bl, 'local response body')) return Status.BadArgument;
        const headers: Array<[string, string]> = deserializePairs(hdrs).map(([k, v]) => [k.toLowerCase(), v]);
        if (grpc >= 0 && grpc <= 16) headers.push(['grpc-status', String(grpc)]);
        s.local = { status, headers, body, details: `send_local_response${details ? `: ${details}` : ''}` };
        return Status.Ok;
      },
      proxy_continue_stream: (type: number) => (type > 3 ? Status.BadArgument : Status.Ok),
      proxy_close_stream: (type: number) => {
        if (type > 3) return Status.BadArgument;
        if (this.stream) this.stream.resetRequested = true;
        return Status.Ok;
      },
      proxy_set_effective_context: (id: number) => (id === this.rootContextId || (this.stream && id === this.stream.contextId) ? Status.Ok : Status.BadArgument),
      proxy_done: () => Status.NotFound,
      proxy_call_foreign_function: () => Status.NotFound,
      proxy_get_status: unimplemented,
      // Not offered by GCP's plugin runtime (spec/gke-service-extensions.md §4.3): an error status, never a crash.
      proxy_set_tick_period_milliseconds: unimplemented,
      proxy_http_call: unimplemented,
      proxy_grpc_call: unimplemented,
      proxy_grpc_stream: unimplemented,
      proxy_grpc_send: unimplemented,
      proxy_grpc_cancel: unimplemented,
      proxy_grpc_close: unimplemented,
      proxy_get_shared_data: unimplemented,
      proxy_set_shared_data: unimplemented,
      proxy_register_shared_queue: unimplemented,
      proxy_resolve_shared_queue: unimplemented,
      proxy_enqueue_shared_queue: unimplemented,
      proxy_dequeue_shared_queue: unimplemented,
      proxy_define_metric: unimplemented,
      proxy_increment_metric: unimplemented,
      proxy_record_metric: unimplemented,
      proxy_get_metric: unimplemented,
      // ABI 0.1.0 leftovers some SDKs still declare.
      proxy_clear_route_cache: unimplemented,
      proxy_continue_request: () => Status.Ok,
      proxy_continue_response: () => Status.Ok,
      proxy_get_configuration: (retPtr: number, retSize: number) => this.give(this.opts.config, retPtr, retSize),
      emscripten_notify_memory_growth: () => undefined,
      pthread_equal: (a: number, b: number) => (a === b ? 1 : 0),
      // AssemblyScript modules built without `--use abort=...`.
      abort: () => {
        throw new ProcExit(255);
      },
      trace: () => undefined,
      seed: () => Math.random() * 2 ** 52,
    };
  }

  private editHeader(type: number, kp: number, kl: number, vp: number, vl: number, op: (h: HeaderMap, k: string, v: string) => void): Status {
    const h = this.headerMap(type, true);
    if (!h) return Status.BadArgument;
    const key = this.readString(kp, kl);
    const value = this.readString(vp, vl);
    if (key === undefined || value === undefined) return Status.InvalidMemoryAccess;
    if (!this.checkMutation(kl + vl, `header ${key}`)) return Status.BadArgument;
    op(h, key.toLowerCase(), value);
    this.stream!.headersChanged = true;
    return Status.Ok;
  }
}
