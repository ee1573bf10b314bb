// Who asks for request traces right now. Traces cost CPU (header copies, body snapshots, a record per step),
// so in the product they are recorded only while someone looks:
//   - a dashboard client watches the live log (`watch()`, while its event stream is open);
//   - a capture is running (`startCapture`: the next N requests, optionally only those whose path starts
//     with a prefix or that carry a header value, until a time limit);
//   - a sampled fraction of all requests (`--trace-sample`).
// With none of these the demand is `idle` and the recorder's per-request cost is one property read.
//
// The state is plain data (`state()` / `setState()`), so the process that serves the dashboard can hand it
// to data-plane workers; each worker counts its captures down locally (it never records more than asked)
// and the dashboard's process counts them again as traces arrive (`admit`), so "the next 5" stays 5 in total.

import type { HeaderSource, TraceBegin } from '../dataplane/trace.js';
import { forEachRawHeader } from '../extensions/header-codec.js';

export interface CaptureRequest {
  /** How many requests to record (1..TRACE_DEMAND_LIMITS.maxCount). */
  readonly count: number;
  /** Only requests whose path (before `?`) starts with this. */
  readonly pathPrefix?: string;
  /** Only requests carrying this header with exactly this value (name case-insensitive). */
  readonly header?: { readonly name: string; readonly value: string };
  /** Stops after this many seconds even when fewer requests came (1..TRACE_DEMAND_LIMITS.maxSeconds). */
  readonly seconds: number;
}

export interface Capture extends CaptureRequest {
  readonly id: number;
  /** Epoch milliseconds when it stops. */
  readonly untilMs: number;
  /** Requests still to record. */
  readonly remaining: number;
}

/** The demand as plain data, for another process (a data-plane worker). */
export interface DemandState {
  readonly watchers: number;
  readonly sample: number;
  readonly captures: readonly Capture[];
}

export const TRACE_DEMAND_LIMITS = { maxCount: 10_000, maxSeconds: 3_600, maxCaptures: 16 } as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class TraceDemand {
  /** True when no trace is wanted: the recorder's fast path. */
  idle: boolean;
  private watchers = 0;
  private sample = 0;
  private captures: Array<Mutable<Capture>> = [];
  private nextCapture = 1;
  private readonly listeners = new Set<(state: DemandState) => void>();
  private readonly timers = new Map<number, NodeJS.Timeout>();

  /** `always`: every request is wanted (a library user's recorder); `asked`: only on demand. */
  constructor(private readonly mode: 'always' | 'asked') {
    this.idle = mode === 'asked';
  }

  /** True while every request is wanted anyway: a dashboard client watches, or `always`. */
  get watched(): boolean {
    return this.mode === 'always' || this.watchers > 0;
  }

  /** A dashboard client started watching; call the result when it stops. */
  watch(): () => void {
    this.watchers++;
    this.changed();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.watchers--;
      this.changed();
    };
  }

  /** Records this fraction (0..1) of all requests. */
  setSample(fraction: number): void {
    if (!(fraction >= 0 && fraction <= 1)) throw new Error(`trace sample: expected 0..1, got ${fraction}`);
    this.sample = fraction;
    this.changed();
  }

  startCapture(request: CaptureRequest): Capture {
    if (this.captures.length >= TRACE_DEMAND_LIMITS.maxCaptures)
      throw new Error(
        `at most ${TRACE_DEMAND_LIMITS.maxCaptures} captures run at once: stop one (DELETE /api/capture/<id>)`,
      );
    const capture: Mutable<Capture> = {
      ...request,
      id: this.nextCapture++,
      untilMs: Date.now() + request.seconds * 1000,
      remaining: request.count,
    };
    this.captures.push(capture);
    const timer = setTimeout(() => this.stopCapture(capture.id), request.seconds * 1000);
    timer.unref();
    this.timers.set(capture.id, timer);
    this.changed();
    return { ...capture };
  }

  stopCapture(id: number): boolean {
    const before = this.captures.length;
    this.captures = this.captures.filter((c) => c.id !== id);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    if (this.captures.length === before) return false;
    this.changed();
    return true;
  }

  /** Captures still running, with what is left of each. */
  list(): Capture[] {
    return this.captures.map((c) => ({ ...c }));
  }

  state(): DemandState {
    return { watchers: this.watchers, sample: this.sample, captures: this.list() };
  }

  /** Takes the demand of the process that serves the dashboard (in a data-plane worker). */
  setState(state: DemandState): void {
    this.watchers = state.watchers;
    this.sample = state.sample;
    // A capture already running here keeps its local count (it may have recorded some already).
    const local = new Map(this.captures.map((c) => [c.id, c.remaining]));
    this.captures = state.captures.map((c) => ({
      ...c,
      remaining: Math.min(c.remaining, local.get(c.id) ?? c.remaining),
    }));
    this.idle =
      this.mode === 'asked' && this.watchers === 0 && this.sample === 0 && this.captures.length === 0;
  }

  /** Called with the new state after every change made here (not after setState). */
  onChange(listener: (state: DemandState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Whether to record this request: 0 = no, -1 = yes (watched, sampled, always), else the id of the capture
   * it counts against (that capture's count goes down).
   */
  wants(info: TraceBegin): number {
    // Captures first, even while a dashboard watches: "the next 5 requests to /x" counts those 5 whoever
    // else looks, and its traces carry its id, which is how the dashboard shows what the capture caught.
    if (this.captures.length > 0) {
      const now = Date.now();
      for (const c of this.captures) {
        if (c.untilMs <= now || c.remaining <= 0) continue;
        if (c.pathPrefix !== undefined && !pathOf(info.path).startsWith(c.pathPrefix)) continue;
        if (c.header !== undefined && !hasHeader(info.headers, c.header.name, c.header.value)) continue;
        this.count(c);
        return c.id;
      }
    }
    if (this.mode === 'always' || this.watchers > 0) return -1;
    return this.sample > 0 && Math.random() < this.sample ? -1 : 0;
  }

  /** A trace recorded elsewhere for capture `id` arrived: true if the capture still wants it. */
  admit(id: number): boolean {
    const c = this.captures.find((x) => x.id === id);
    if (c === undefined || c.remaining <= 0) return false;
    this.count(c);
    return true;
  }

  private count(c: Mutable<Capture>): void {
    c.remaining--;
    if (c.remaining <= 0) this.stopCapture(c.id);
  }

  private changed(): void {
    this.idle =
      this.mode === 'asked' && this.watchers === 0 && this.sample === 0 && this.captures.length === 0;
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

function hasHeader(headers: HeaderSource | undefined, name: string, value: string): boolean {
  if (headers === undefined) return false;
  const wanted = name.toLowerCase();
  if (Array.isArray(headers) && (headers.length === 0 || typeof headers[0] === 'string')) {
    const flat = headers as readonly string[];
    let found = false;
    forEachRawHeader(flat, (n, v) => (found ||= n.toLowerCase() === wanted && v === value));
    return found;
  }
  const pairs = Array.isArray(headers)
    ? (headers as ReadonlyArray<readonly [string, string]>)
    : (headers as Exclude<HeaderSource, readonly unknown[]>).entries();
  return pairs.some(([n, v]) => n.toLowerCase() === wanted && v === value);
}
