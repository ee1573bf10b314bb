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
  RequestInfo,
  StepResult,
} from '../extension.js';
import { ExtensionError } from '../extension.js';
import type { PluginPool, SampledStream } from './plugin-pool.js';
import { VmFailure, type PluginVm } from './plugin-vm.js';
import type { Phase } from './stream-state.js';
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

interface MutableState extends SampledStream {
  fuel: number;
}

export class WasmStream implements ExtensionStream {
  private vm?: PluginVm;
  private state?: MutableState;
  private failed = false;
  private closed = false;
  /** What the last headers callback returned: 0 Continue, 1 StopIteration (the plugin tester checks it). */
  lastHeadersAction = 0;

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
        ? this.headers('request_headers', 'proxy_on_request_headers', headers, endOfStream)
        : this.headers('response_headers', 'proxy_on_response_headers', headers, endOfStream);
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
    return this.body('request_body', 'proxy_on_request_body', chunk, endOfStream);
  }

  responseBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    return this.body('response_body', 'proxy_on_response_body', chunk, endOfStream);
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
        vm.call('proxy_on_log', state, state.contextId);
        vm.call('proxy_on_done', state, state.contextId);
        vm.call('proxy_on_delete', state, state.contextId);
      } catch (err) {
        this.recordFailure(err);
      }
    }
    this.pool.release(vm);
  }

  private headers(phase: Phase, fn: string, headers: HeaderMap, eos: boolean): StepResult {
    const state = this.open();
    if (phase === 'request_headers') state.requestHeaders = headers;
    else state.responseHeaders = headers;
    state.headersChanged = false;
    this.lastHeadersAction = this.invoke(phase, fn, state.contextId, headers.size, eos ? 1 : 0);
    if (state.local) {
      const immediate = state.local;
      state.local = undefined;
      return { immediate, effect: 'IMMEDIATE_RESPONSE' };
    }
    return state.headersChanged ? MODIFIED : PASS;
  }

  private body(phase: Phase, fn: string, chunk: Uint8Array, eos: boolean): Promise<BodyStepResult> {
    try {
      const state = this.open();
      state.body = chunk;
      state.bodyChanged = false;
      this.invoke(phase, fn, state.contextId, chunk.length, eos ? 1 : 0);
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
    const limits = this.pool.opts.limits;
    const state: MutableState = {
      contextId: vm.newContextId(),
      request: this.request,
      phase: 'start',
      headersChanged: false,
      bodyChanged: false,
      startNs: this.options.startNs ?? BigInt(Date.now()) * 1_000_000n,
      fuel: Math.floor(limits.cpuBudgetMs * limits.fuelPerMs),
      setProperties: new Map(),
      propertyOverrides: this.options.propertyOverrides,
      onlyListedProperties: this.options.onlyListedProperties === true,
      sampled: sampleRequest(this.pool.opts.log),
    };
    this.vm = vm;
    this.state = state;
    this.invoke('start', 'proxy_on_context_create', state.contextId, vm.rootContextId, 0);
    return state;
  }

  /** Fuel the request's callbacks have used so far (instrument.ts units; limits.fuelPerMs per ms of CPU). */
  get fuelUsed(): number {
    const limits = this.pool.opts.limits;
    return this.state ? Math.floor(limits.cpuBudgetMs * limits.fuelPerMs) - this.state.fuel : 0;
  }

  private invoke(phase: Phase, fn: string, a: number, b: number, c: number): number {
    const vm = this.vm!;
    const state = this.state!;
    state.phase = phase;
    // Envoy calls only the callbacks a module exports: one it does not export is neither called nor counted.
    if (!vm.has(fn)) return 0;
    const { pluginKey, version } = this.pool.opts;
    const t0 = performance.now();
    let ok = false;
    let result = 0;
    try {
      result = vm.call(fn, state, a, b, c);
      ok = true;
    } catch (err) {
      // A refused mutation often makes the SDK abort; the refusal is the cause worth reporting.
      if (!state.violation) throw err;
      this.recordFailure(err);
    } finally {
      const seconds = (performance.now() - t0) / 1000;
      const success = ok && !state.violation;
      const cb = this.pool.callback(fn);
      cb.metrics.observe(seconds, success);
      const memoryBytes = vm.memoryBytesUsed();
      this.pool.memoryUsed(memoryBytes);
      const report = this.pool.opts.onInvocation;
      if (report)
        report({
          plugin: pluginKey,
          version: version.name,
          callback: cb.name,
          cpuMicros: seconds * 1e6,
          failed: !success,
          memoryBytes,
        });
    }
    const violation = state.violation;
    if (violation) {
      this.failed = true;
      this.pool.opts.metrics.failed(pluginKey, version.name, violation.failure);
      throw new ExtensionError(
        violation.failure,
        `plugin ${pluginKey} (${version.name}): ${violation.message}`,
      );
    }
    if (state.resetRequested) {
      this.failed = true;
      throw new ExtensionError('error', `plugin ${pluginKey} (${version.name}) closed the stream`);
    }
    return result;
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
