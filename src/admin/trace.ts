// Per-request traces: what the data plane and the extension chains did to one request, step by step.
//
// When a trace is kept (ring buffer, dashboard) follows `recordWhen`: `always`, or `asked` — only while
// someone looks (a dashboard client watches, a capture matches, a `sample` fraction), which is how the
// product runs: with nobody looking no content is captured and nothing is kept (trace-demand.ts).
// Requests not kept still get a light trace (no content) when an `onEnd` listener (metrics, access log)
// wants every request.
//
// The data plane calls `recorder.begin()` once per request and the returned RequestTrace's methods as the
// request moves on (listener, route, chain, one `step` per extension event, upstream, end). Finished traces go
// to listeners (access log, metrics, the dashboard's live feed) and into a bounded ring buffer the dashboard
// reads. When nothing listens and the buffer is off, `begin` hands out one shared no-op trace, so a disabled
// recorder allocates nothing per request. Header and body snapshots (`capture`) are the expensive part; they
// are only taken when the ring buffer is on, and the hot path asks `trace.capturing` before building them.
//
// Traces hold what users would not want leaked, so values of credential headers are replaced at capture time
// (never stored) and bodies are cut at `maxBodyBytes`.

import type { HttpEvent } from '../ir/snapshot.js';
import {
  NO_TRACE,
  type CapturedMessage,
  type ChainKind,
  type HeaderSource,
  type RequestTrace,
  type TraceBegin,
  type TraceEffect,
  type TraceSource,
  type TraceStepInput,
  type TraceUpstream,
} from '../dataplane/trace.js';
import { TRACE_DEFAULTS } from './limits.js';
import { MessageCapture } from './trace-capture.js';
import { TraceDemand } from './trace-demand.js';
import { BoundedMemo } from '../support/bounded-memo.js';

export interface TraceStep {
  readonly chain: string;
  readonly extension: string;
  readonly event: HttpEvent;
  /** Milliseconds from the start of the request. */
  readonly atMs: number;
  readonly latencyMs: number;
  readonly effect: TraceEffect;
  readonly error?: string;
  readonly grpcStatus?: number;
  readonly plugin?: { readonly key: string; readonly version: string };
  readonly before?: CapturedMessage;
  readonly after?: CapturedMessage;
  readonly details?: string;
}

export interface TraceChain {
  readonly kind: ChainKind;
  /** null: no chain of this kind ran; `why` says why not. */
  readonly id: string | null;
  /** Which match condition held, e.g. `match[0]: request.path.startsWith("/cart")`. */
  readonly why: string;
  readonly atMs: number;
}

/** One request as the dashboard and the access log see it. Plain JSON. */
export interface TraceRecord {
  /** Sequence number within this process: the dashboard's handle (request ids come from clients). */
  readonly id: number;
  readonly requestId: string;
  /** Epoch milliseconds when the request arrived. */
  readonly time: number;
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  readonly scheme: 'http' | 'https';
  readonly source?: string;
  readonly request?: CapturedMessage;
  readonly listener?: string;
  readonly route?: { readonly id: string | null; readonly why: string };
  readonly chains: readonly TraceChain[];
  readonly steps: readonly TraceStep[];
  readonly upstream?: TraceUpstream;
  readonly status?: number;
  readonly bytes?: number;
  readonly durationMs?: number;
  /** Why the request ended without a normal response (client abort, stream reset, ...). */
  readonly error?: string;
  /** Steps past TRACE_DEFAULTS.maxSteps, counted but not kept. */
  readonly stepsDropped?: number;
  /** Content capture stopped at TRACE_DEFAULTS.maxCapturedBytes; later steps have no before/after. */
  readonly contentTruncated?: boolean;
  /** The data-plane worker that served the request (1..N; absent in single-process mode). */
  readonly worker?: number;
  /** The capture (trace-demand.ts) this trace was kept for; absent when kept for a watcher or a sample. */
  readonly capture?: number;
  readonly done: boolean;
}

export interface TraceRecorderOptions {
  /** Finished traces kept for the dashboard; 0 turns the ring buffer off. */
  capacity?: number | undefined;
  /**
   * `always` (default): every trace captures content and is kept (when `capacity` > 0).
   * `asked`: only while `demand` asks (watchers, captures, sample); the product's mode.
   */
  recordWhen?: 'always' | 'asked' | undefined;
  /** Set on every trace (`TraceRecord.worker`). */
  worker?: number | undefined;
  /** Body bytes kept per captured chunk. */
  maxBodyBytes?: number | undefined;
  /** Header names whose values are replaced by `[redacted]` (case-insensitive). */
  redactHeaders?: readonly string[] | undefined;
}

export type TraceListener = (trace: TraceRecord) => void;

export { REDACTED } from './trace-capture.js';

export class TraceRecorder implements TraceSource {
  readonly capacity: number;
  readonly maxBodyBytes: number;
  /** @internal used by LiveTrace */
  readonly messages: MessageCapture;
  /** Who asks for traces now; the recorder keeps a trace only when this wants it (recordWhen `asked`). */
  readonly demand: TraceDemand;
  /** @internal used by LiveTrace */
  readonly worker: number | undefined;
  private readonly ring: Array<TraceRecord | undefined>;
  private readonly listeners = new Set<TraceListener>();
  private readonly keptListeners = new Set<TraceListener>();
  private nextId = 1;

  constructor(options: TraceRecorderOptions = {}) {
    this.capacity = nonNegativeInt('capacity', options.capacity ?? TRACE_DEFAULTS.capacity);
    // Without a ring nothing would keep an always-on trace: then only a watcher or a capture asks.
    this.demand = new TraceDemand(options.recordWhen !== 'asked' && this.capacity > 0 ? 'always' : 'asked');
    this.worker = options.worker;
    this.maxBodyBytes = nonNegativeInt('maxBodyBytes', options.maxBodyBytes ?? TRACE_DEFAULTS.maxBodyBytes);
    this.messages = new MessageCapture(
      options.redactHeaders ?? TRACE_DEFAULTS.redactHeaders,
      this.maxBodyBytes,
    );
    this.ring = new Array<TraceRecord | undefined>(this.capacity);
  }

  /** True when a `begin` may record anything. */
  get enabled(): boolean {
    return this.listeners.size > 0 || this.keptListeners.size > 0 || this.capacity > 0;
  }

  begin(info: TraceBegin): RequestTrace {
    // Idle (the common case): one comparison, then either no trace or a light one for onEnd listeners.
    const capture = this.demand.idle ? 0 : this.demand.wants(info);
    if (capture === 0) {
      if (this.listeners.size === 0) return NO_TRACE;
      return new LiveTrace(this, this.nextId++, info, false, undefined);
    }
    return new LiveTrace(this, this.nextId++, info, true, capture > 0 ? capture : undefined);
  }

  /** Called with every finished trace, kept or not; returns the unsubscribe function. Must not throw. */
  onEnd(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called with every kept trace (after it entered the ring); returns the unsubscribe function. */
  onKept(listener: TraceListener): () => void {
    this.keptListeners.add(listener);
    return () => this.keptListeners.delete(listener);
  }

  /**
   * Keeps a trace another process recorded (a data-plane worker): renumbered in this recorder, counted
   * against its capture. One past the capture's limit (each worker counts locally), or for a capture that
   * ended, is dropped, unless a dashboard watches: then it is kept like any request, without the capture id.
   */
  keep(trace: TraceRecord): void {
    if (trace.capture !== undefined && !this.demand.admit(trace.capture)) {
      if (!this.demand.watched) return;
      const { capture: _notCaptured, ...watched } = trace;
      this.store({ ...watched, id: this.nextId++ });
      return;
    }
    if (trace.capture === undefined && this.demand.idle) return;
    this.store({ ...trace, id: this.nextId++ });
  }

  /** A finished trace by id, while it is still in the ring. */
  get(id: number): TraceRecord | undefined {
    if (this.capacity === 0 || !Number.isInteger(id) || id < 1) return undefined;
    const trace = this.ring[id % this.capacity];
    return trace?.id === id ? trace : undefined;
  }

  /** Finished traces with `id > after`, oldest first, at most `limit`. */
  list(after = 0, limit = this.capacity): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (const trace of this.ring) if (trace && trace.id > after) out.push(trace);
    out.sort((a, b) => a.id - b.id);
    return out.length > limit ? out.slice(out.length - limit) : out;
  }

  /** @internal called by LiveTrace.end */
  finish(trace: TraceRecord, kept: boolean): void {
    for (const listener of this.listeners) notify(listener, trace);
    if (kept) this.store(trace);
  }

  private store(trace: TraceRecord): void {
    if (this.capacity > 0) this.ring[trace.id % this.capacity] = trace;
    for (const listener of this.keptListeners) notify(listener, trace);
  }
}

function notify(listener: TraceListener, trace: TraceRecord): void {
  try {
    listener(trace);
  } catch {
    // A broken sink (a closed SSE socket, a full log disk) must never fail the request it observes.
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MutableRecord = Mutable<TraceRecord>;

class LiveTrace implements RequestTrace {
  readonly recording = true;
  private readonly t0 = performance.now();
  private readonly record: MutableRecord;
  private readonly steps: TraceStep[] = [];
  private readonly chains: TraceChain[] = [];
  private lastCapture: CapturedMessage | undefined;
  private capturedBytes = 0;

  constructor(
    private readonly recorder: TraceRecorder,
    id: number,
    info: TraceBegin,
    /** Kept (ring, dashboard) and capturing content; false = a light trace for onEnd listeners only. */
    readonly capturing: boolean,
    capture: number | undefined,
  ) {
    this.record = {
      id,
      requestId: info.requestId,
      time: Date.now(),
      method: info.method,
      authority: info.authority,
      path: info.path,
      scheme: info.scheme,
      chains: this.chains,
      steps: this.steps,
      done: false,
    };
    if (info.source !== undefined) this.record.source = info.source;
    if (recorder.worker !== undefined) this.record.worker = recorder.worker;
    if (capture !== undefined) this.record.capture = capture;
    if (capturing && info.headers)
      this.record.request = this.lastCapture = recorder.messages.message(info.headers, undefined, undefined);
  }

  listener(id: string): void {
    this.record.listener = id;
  }

  route(id: string | null, why: string): void {
    this.record.route = { id, why };
  }

  chain(kind: ChainKind, chainId: string | null, why: string): void {
    this.chains.push({ kind, id: chainId, why, atMs: round(performance.now() - this.t0) });
  }

  step(s: TraceStepInput): void {
    if (this.record.done) return;
    if (this.steps.length >= TRACE_DEFAULTS.maxSteps) {
      this.record.stepsDropped = (this.record.stepsDropped ?? 0) + 1;
      return;
    }
    const step: Mutable<TraceStep> = {
      chain: chainOf(s.extension),
      extension: s.extension,
      event: s.event,
      atMs: round(s.startedAt - this.t0),
      latencyMs: round(s.latencyMs),
      effect: s.effect,
    };
    if (s.error !== undefined) step.error = s.error;
    if (s.grpcStatus !== undefined) step.grpcStatus = s.grpcStatus;
    if (s.plugin !== undefined) step.plugin = s.plugin;
    if (s.details !== undefined) step.details = s.details;
    if (this.capturing) {
      if (s.before !== undefined) step.before = s.before;
      if (s.after !== undefined) step.after = s.after;
    }
    this.steps.push(step);
  }

  upstream(u: TraceUpstream): void {
    // Rounded to the microsecond like every other duration here: the access log writes such a value from its
    // integer microseconds, where a double's shortest decimal form costs a runtime call per request.
    const upstream: Mutable<TraceUpstream> = { ...u, latencyMs: round(u.latencyMs) };
    if (!this.capturing) upstream.response = undefined;
    this.record.upstream = upstream;
  }

  end(result: { status: number; bytes: number; error?: string }): void {
    if (this.record.done) return;
    this.record.status = result.status;
    this.record.bytes = result.bytes;
    if (result.error !== undefined) this.record.error = result.error;
    this.record.durationMs = round(performance.now() - this.t0);
    this.record.done = true;
    this.recorder.finish(this.record, this.capturing);
  }

  capture(headers: HeaderSource, body?: Uint8Array | readonly Uint8Array[]): CapturedMessage | undefined {
    if (!this.capturing) return undefined;
    if (this.capturedBytes > TRACE_DEFAULTS.maxCapturedBytes) {
      this.record.contentTruncated = true;
      return undefined;
    }
    const previous = this.lastCapture;
    const message = this.recorder.messages.message(headers, body, previous);
    if (message !== previous) this.capturedBytes += sizeOf(message);
    return (this.lastCapture = message);
  }
}

/** Approximate bytes a captured message holds (string lengths; shared strings counted anyway). */
function sizeOf(m: CapturedMessage): number {
  let n = m.body ? (m.body.text?.length ?? m.body.base64?.length ?? 0) : 0;
  for (const part of m.headers) n += part.length;
  return n;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function nonNegativeInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`trace recorder: ${field} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/**
 * The chain id of an extension id (everything before the last `/`), one string per extension: a fresh slice
 * per step would be hashed again by every Map the step's chain is looked up in (metrics, access log).
 */
function chainOf(extension: string): string {
  return CHAIN_OF.get(extension, deriveChain);
}

function deriveChain(extension: string): string {
  const slash = extension.lastIndexOf('/');
  return slash > 0 ? extension.slice(0, slash) : '';
}

/** Extension ids come from the configuration; bounded all the same. */
const CHAIN_OF = new BoundedMemo<string, string>(10_000);
