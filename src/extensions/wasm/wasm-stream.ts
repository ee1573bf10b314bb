// One HTTP request through one Proxy-Wasm plugin: the ExtensionStream the chain drives.
//
// Lifecycle as Envoy runs it: the stream context is created lazily at the first event, then
// on_request_headers → on_request_body* → on_response_headers → on_response_body*, and at the end
// on_log → on_done → on_delete. GKE ignores pause results (a plugin cannot StopIteration and resume), does not
// deliver trailers, and counts the CPU of all callbacks of a request against one budget.
import type {
  BodyStepResult,
  Direction,
  ExtensionStream,
  HeaderMap,
  LocalResponse,
  RequestInfo,
  StepResult,
} from '../extension.js';
import { performance } from 'node:perf_hooks';
import { ExtensionError } from '../extension.js';
import type { WasmLogConfigIR } from '../../ir/snapshot.js';
import type { PluginPool, SampledStream } from './plugin-pool.js';
import { VmFailure, type PluginVm } from './plugin-vm.js';
import { StreamCallback, type Phase } from './stream-state.js';
import { sampleRequest } from './plugin-log.js';

export interface WasmStreamOptions {
  /** Answers for get_property by dotted path (the plugin tester's `properties`). */
  readonly propertyOverrides?: ReadonlyMap<string, Uint8Array>;
  /** The stream's frozen clock, ns since the epoch (the plugin tester's `time_secs`); default: now. */
  readonly startNs?: bigint;
  /** get_property answers only `propertyOverrides`, NotFound otherwise (Google's tester). */
  readonly onlyListedProperties?: boolean;
}

const PASS: StepResult = Object.freeze({ effect: 'NONE' });
const MODIFIED: StepResult = Object.freeze({ effect: 'CONTENT_MODIFIED' });

/**
 * One stream context's state. What most requests never use is made on first use: the frozen clock (a clock
 * read and a BigInt), the map of properties the plugin set, the log-sampling decision.
 */
class MutableState implements SampledStream {
  phase: Phase = 'start';
  requestHeaders?: HeaderMap;
  responseHeaders?: HeaderMap;
  body?: Uint8Array | undefined;
  headersChanged = false;
  bodyChanged = false;
  local?: LocalResponse | undefined;
  violation?: { readonly failure: 'limit' | 'protocol'; readonly message: string };
  resetRequested?: boolean;
  /** performance.now() when the first callback of the stream started; -1 before. The frozen clock's instant. */
  clockAt = -1;
  private frozenNs: bigint | undefined;
  private properties: Map<string, Uint8Array> | undefined;
  private sampledOnce: boolean | undefined;

  constructor(
    readonly contextId: number,
    readonly request: RequestInfo,
    public fuel: number,
    private readonly options: WasmStreamOptions,
    private readonly logConfig: WasmLogConfigIR,
  ) {}

  get startNs(): bigint {
    if (this.frozenNs === undefined) {
      // The wall clock when the stream's first callback started (a plugin asks only from inside a callback,
      // so clockAt is set by then), at the millisecond resolution Date.now() has.
      const ms = this.clockAt < 0 ? Date.now() : Date.now() - (performance.now() - this.clockAt);
      this.frozenNs = this.options.startNs ?? BigInt(Math.round(ms)) * 1_000_000n;
    }
    return this.frozenNs;
  }

  get setProperties(): Map<string, Uint8Array> {
    return (this.properties ??= new Map());
  }

  get propertyOverrides(): ReadonlyMap<string, Uint8Array> | undefined {
    return this.options.propertyOverrides;
  }

  get onlyListedProperties(): boolean {
    return this.options.onlyListedProperties === true;
  }

  /** Decided at the stream's first log line that passes the level, once, so a sampled request has all of them. */
  get sampled(): boolean {
    return (this.sampledOnce ??= sampleRequest(this.logConfig));
  }
}

export class WasmStream implements ExtensionStream {
  private vm?: PluginVm;
  private state?: MutableState;
  private failed = false;
  private closed = false;
  /** What the last headers callback returned: 0 Continue, 1 StopIteration (the plugin tester checks it). */
  lastHeadersAction = 0;
  /**
   * performance.now() when the last timed callback ended, -1 when unknown. A callback that runs right after
   * another in one step (on_context_create, then the first event's) takes it as its start: one clock read
   * instead of two, and the time between them is a few ns of the host's.
   */
  private endedAt = -1;

  constructor(
    private readonly pool: PluginPool,
    private readonly request: RequestInfo,
    private readonly options: WasmStreamOptions = {},
  ) {}

  /** Creates the stream context now instead of at the first event (the plugin tester's `stream_init`). */
  begin(): void {
    try {
      this.open();
    } catch (err) {
      throw this.toExtensionError(err);
    }
  }

  requestHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    return this.settled('request', headers, endOfStream);
  }

  responseHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    return this.settled('response', headers, endOfStream);
  }

  /** A plugin runs synchronously: the chain takes its headers answers in the same turn (no promise). */
  headersNow(direction: Direction, headers: HeaderMap, endOfStream: boolean): StepResult {
    try {
      return direction === 'request'
        ? this.headers('request_headers', StreamCallback.RequestHeaders, headers, endOfStream)
        : this.headers('response_headers', StreamCallback.ResponseHeaders, headers, endOfStream);
    } catch (err) {
      throw this.toExtensionError(err);
    }
  }

  private settled(direction: Direction, headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    try {
      return Promise.resolve(this.headersNow(direction, headers, endOfStream));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  requestBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    return this.body('request_body', StreamCallback.RequestBody, chunk, endOfStream);
  }

  responseBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    return this.body('response_body', StreamCallback.ResponseBody, chunk, endOfStream);
  }

  requestTrailers(): Promise<StepResult> {
    return Promise.resolve(PASS);
  }

  responseTrailers(): Promise<StepResult> {
    return Promise.resolve(PASS);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const { vm, state } = this;
    if (!vm || !state) return;
    if (!this.failed) {
      state.phase = 'done';
      try {
        vm.call(StreamCallback.Log, state, state.contextId);
        vm.call(StreamCallback.Done, state, state.contextId);
        vm.call(StreamCallback.Delete, state, state.contextId);
      } catch (err) {
        this.recordFailure(err);
      }
    }
    this.pool.release(vm);
  }

  private headers(phase: Phase, cb: StreamCallback, headers: HeaderMap, eos: boolean): StepResult {
    const opening = this.state === undefined;
    const state = this.open();
    if (phase === 'request_headers') state.requestHeaders = headers;
    else state.responseHeaders = headers;
    state.headersChanged = false;
    this.lastHeadersAction = this.invoke(phase, cb, state.contextId, headers.size, eos ? 1 : 0, opening);
    if (state.local) {
      const immediate = state.local;
      state.local = undefined;
      return { immediate, effect: 'IMMEDIATE_RESPONSE' };
    }
    return state.headersChanged ? MODIFIED : PASS;
  }

  private body(phase: Phase, cb: StreamCallback, chunk: Uint8Array, eos: boolean): Promise<BodyStepResult> {
    try {
      const opening = this.state === undefined;
      const state = this.open();
      state.body = chunk;
      state.bodyChanged = false;
      this.invoke(phase, cb, state.contextId, chunk.length, eos ? 1 : 0, opening);
      const out = state.body ?? chunk;
      state.body = undefined;
      if (state.local) {
        const immediate = state.local;
        state.local = undefined;
        if (phase === 'response_body') {
          throw new ExtensionError(
            'error',
            'plugin called send_local_response after the response headers were sent',
          );
        }
        return Promise.resolve({ immediate, chunks: [], effect: 'IMMEDIATE_RESPONSE' });
      }
      return Promise.resolve({ chunks: [out], effect: state.bodyChanged ? 'CONTENT_MODIFIED' : 'NONE' });
    } catch (err) {
      return Promise.reject(this.toExtensionError(err));
    }
  }

  private open(): MutableState {
    if (this.failed) throw new ExtensionError('error', 'plugin already failed for this request');
    if (this.state) return this.state;
    const vm = this.pool.acquire();
    const { limits, log } = this.pool.opts;
    const fuel = Math.floor(limits.cpuBudgetMs * limits.fuelPerMs);
    const state = new MutableState(vm.newContextId(), this.request, fuel, this.options, log);
    this.vm = vm;
    this.state = state;
    this.endedAt = -1;
    this.invoke('start', StreamCallback.ContextCreate, state.contextId, vm.rootContextId, 0, false);
    return state;
  }

  /** Fuel the request's callbacks have used so far (instrument.ts units; limits.fuelPerMs per ms of CPU). */
  get fuelUsed(): number {
    const limits = this.pool.opts.limits;
    return this.state ? Math.floor(limits.cpuBudgetMs * limits.fuelPerMs) - this.state.fuel : 0;
  }

  /**
   * Runs one callback, timed and counted. `chained`: it runs right after the previous one in the same step,
   * so its start is that one's end (when known).
   */
  private invoke(
    phase: Phase,
    cb: StreamCallback,
    a: number,
    b: number,
    c: number,
    chained: boolean,
  ): number {
    const vm = this.vm!;
    const state = this.state!;
    const pool = this.pool;
    state.phase = phase;
    // Envoy calls only the callbacks a module exports: one it does not export is neither called nor counted.
    if (!vm.has(cb)) return 0;
    const t0 = chained && this.endedAt >= 0 ? this.endedAt : performance.now();
    if (state.clockAt < 0) state.clockAt = t0;
    let ok = false;
    let result = 0;
    try {
      result = vm.call(cb, state, a, b, c);
      ok = true;
    } catch (err) {
      // A refused mutation often makes the SDK abort; the refusal is the cause worth reporting.
      if (!state.violation) throw err;
      this.recordFailure(err);
    } finally {
      this.observe(cb, vm, t0, ok && !state.violation);
    }
    const violation = state.violation;
    if (violation) {
      const { pluginKey, version } = pool.opts;
      this.failed = true;
      pool.opts.metrics.failed(pluginKey, version.name, violation.failure);
      throw new ExtensionError(
        violation.failure,
        `plugin ${pluginKey} (${version.name}): ${violation.message}`,
      );
    }
    if (state.resetRequested) {
      this.failed = true;
      throw new ExtensionError(
        'error',
        `plugin ${pool.opts.pluginKey} (${pool.versionName}) closed the stream`,
      );
    }
    return result;
  }

  /** The metrics of one callback that started at `t0`; the invocation report only when someone listens. */
  private observe(cb: StreamCallback, vm: PluginVm, t0: number, success: boolean): void {
    const pool = this.pool;
    const t1 = performance.now();
    this.endedAt = t1;
    const seconds = (t1 - t0) / 1000;
    const metrics = pool.callback(cb);
    metrics.metrics.observe(seconds, success);
    const memoryBytes = vm.memoryBytesUsed();
    pool.memoryUsed(memoryBytes);
    const report = pool.opts.onInvocation;
    if (report)
      report({
        plugin: pool.opts.pluginKey,
        version: pool.versionName,
        callback: metrics.name,
        cpuMicros: seconds * 1e6,
        failed: !success,
        memoryBytes,
      });
  }

  private recordFailure(err: unknown): void {
    this.failed = true;
    if (err instanceof VmFailure)
      this.pool.opts.metrics.failed(this.pool.opts.pluginKey, this.pool.versionName, err.kind);
  }

  private toExtensionError(err: unknown): ExtensionError {
    if (err instanceof ExtensionError) return err;
    this.recordFailure(err);
    const { pluginKey, version } = this.pool.opts;
    if (err instanceof VmFailure)
      return new ExtensionError(err.kind, `plugin ${pluginKey} (${version.name}): ${err.message}`);
    return new ExtensionError(
      'error',
      `plugin ${pluginKey} (${version.name}): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
