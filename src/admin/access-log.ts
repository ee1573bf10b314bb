// Access log: one JSON line per request, written from the finished trace.
//
// The line is built as one string, not through a logger: ids from the configuration (listener, route, chain)
// are JSON-encoded once and reused, the timestamp once per batch, and only what the client sent (request id,
// authority, path) is escaped per request. The line has pino's shape (`level`, `time`, `log`, ..., `msg`) so
// it sits with the plugin log lines, and goes to an asynchronous batched writer (log-destination.ts) that
// never blocks the loop.
//
// Requests that end in one turn of the event loop are formatted together after it (setImmediate) and handed
// to the writer as one string: under load a data-plane worker ends several requests per turn, and the
// writer's per-call work (encoding, bookkeeping) is then paid per turn instead of per request.
//
// Field names follow the Application Load Balancer's request log where one exists (`httpRequest`-like
// fields, and a `service_extension_info` list with one entry per extension that ran: its chain, resource,
// each event's latency and effect, whether it failed open, and the callout's gRPC status), so queries written
// for GKE's logs translate directly.

import type { DestinationStream } from 'pino';
import type { HttpEvent } from '../ir/snapshot.js';
import type { TraceRecord, TraceStep } from './trace.js';
import type { TraceEffect } from '../dataplane/trace.js';
import { logDestination } from './log-destination.js';
import { BoundedMemo } from '../support/bounded-memo.js';

export interface ServiceExtensionInfo {
  /** `Kind/namespace/name` of the GCPRoutingExtension / GCPTrafficExtension. */
  resource: string;
  chain: string;
  extension: string;
  /** `callout` or the GCPWasmPlugin `namespace/name@version`. */
  backend_target: string;
  per_processing_request_info: Array<{ event_type: HttpEvent; latency_ms: number; effect: TraceEffect }>;
  failed_open: boolean;
  grpc_status?: number;
  error?: string;
}

export interface AccessLogRecord {
  request_id: string;
  method: string;
  authority: string;
  path: string;
  scheme: string;
  remote_ip?: string;
  status: number;
  response_bytes: number;
  latency_ms: number;
  listener?: string;
  route?: string | null;
  routing_chain?: string | null;
  traffic_chain?: string | null;
  upstream?: {
    endpoint: string;
    status: number;
    latency_ms: number;
    error?: string;
    /** Dynamic forwarding target ignored: not an endpoint of the backend the route chose. */
    ignored_override_host?: string;
  };
  service_extension_info?: ServiceExtensionInfo[];
  error?: string;
}

export interface AccessLogOptions {
  /** Where lines go; default stdout, written asynchronously and in batches (log-destination.ts). */
  destination?: DestinationStream;
}

/** JSON of strings that come from the configuration: few distinct values, encoded once. */
const MAX_CACHED_FRAGMENTS = 10_000;

export class AccessLog {
  private readonly destination: DestinationStream;
  private readonly fragments = new BoundedMemo<string, string>(MAX_CACHED_FRAGMENTS);
  /** Per extension id: the JSON its `service_extension_info` entry starts with, for one plugin version. */
  private readonly heads = new BoundedMemo<string, ExtensionHead>(MAX_CACHED_FRAGMENTS);
  private lastMs = 0;
  private lastTime = '';
  /** Finished this turn of the event loop, formatted and written after it. */
  private pending: TraceRecord[] = [];
  private readonly writePending = (): void => {
    const batch = this.pending;
    if (batch.length === 0) return; // flushed meanwhile
    this.pending = [];
    try {
      const time = this.time();
      let text = '';
      for (const trace of batch) text += this.line(trace, time);
      this.destination.write(text);
    } catch {
      // A broken sink (a full disk, a closed stream) must never fail the requests it logs.
    }
  };

  constructor(options: AccessLogOptions = {}) {
    this.destination = options.destination ?? logDestination();
  }

  /**
   * Pass as a TraceRecorder listener: `recorder.onEnd((t) => accessLog.write(t))`. The line is written after
   * this turn of the event loop (or by `flush`), with the other requests that ended in it.
   */
  write(trace: TraceRecord): void {
    if (this.pending.push(trace) === 1) setImmediate(this.writePending);
  }

  /** Writes the lines still waiting for the end of this turn, then asks the destination to flush. */
  flush(): void {
    if (this.pending.length > 0) this.writePending();
    (this.destination as DestinationStream & { flush?: () => void }).flush?.();
  }

  /** The line of one request: the JSON of `accessLogRecord(trace)` between pino's fields, and a newline. */
  line(t: TraceRecord, time = this.time()): string {
    let s =
      `{"level":30,"time":"${time}","log":"access","request_id":${jsonString(t.requestId)}` +
      `,"method":${this.fragment(t.method)},"authority":${jsonString(t.authority)}` +
      `,"path":${jsonString(t.path)},"scheme":"${t.scheme}"`;
    if (t.source !== undefined) s += `,"remote_ip":${jsonString(t.source)}`;
    s += `,"status":${t.status ?? 0},"response_bytes":${t.bytes ?? 0},"latency_ms":${jsonMs(t.durationMs ?? 0)}`;
    if (t.listener !== undefined) s += `,"listener":${this.fragment(t.listener)}`;
    if (t.route !== undefined) s += `,"route":${this.fragment(t.route.id)}`;
    let routing: string | null | undefined;
    let traffic: string | null | undefined;
    for (const chain of t.chains) {
      if (chain.kind === 'routing') routing = chain.id;
      else traffic = chain.id;
    }
    if (routing !== undefined) s += `,"routing_chain":${this.fragment(routing)}`;
    if (traffic !== undefined) s += `,"traffic_chain":${this.fragment(traffic)}`;
    const u = t.upstream;
    if (u !== undefined) {
      s += `,"upstream":{"endpoint":${this.fragment(u.endpoint)},"status":${u.status},"latency_ms":${jsonMs(u.latencyMs)}`;
      s += u.error !== undefined ? `,"error":${JSON.stringify(u.error)}}` : '}';
    }
    if (t.steps.length > 0) s += `,"service_extension_info":${this.extensionInfoJson(t)}`;
    if (t.error !== undefined) s += `,"error":${JSON.stringify(t.error)}`;
    return s + ',"msg":"request"}\n';
  }

  /**
   * `JSON.stringify(extensionInfo(t))` from the same grouping, without building its objects: each extension's
   * fixed part (resource, chain, extension, plugin) is one cached fragment. Every request through a chain has
   * steps, so this runs per request. Same text, key order included (test/admin/logs.test.ts compares the two).
   */
  private extensionInfoJson(t: TraceRecord): string {
    let out = '[';
    for (const steps of stepsByExtension(t.steps)) {
      if (out.length > 1) out += ',';
      out += this.extensionHead(steps[0]!);
      for (let k = 0; k < steps.length; k++) {
        const step = steps[k]!;
        if (k > 0) out += ',';
        out += `{"event_type":"${step.event}","latency_ms":${jsonMs(step.latencyMs)},"effect":"${step.effect}"}`;
      }
      const outcome = outcomeOf(steps);
      out += `],"failed_open":${outcome.failedOpen}`;
      if (outcome.grpcStatus !== undefined) out += `,"grpc_status":${jsonNumber(outcome.grpcStatus)}`;
      if (outcome.error !== undefined) out += `,"error":${JSON.stringify(outcome.error)}`;
      out += '}';
    }
    return out + ']';
  }

  /** `{"resource":…,"chain":…,"extension":…,"backend_target":…,"per_processing_request_info":[` of a step's extension. */
  private extensionHead(step: TraceStep): string {
    const cached = this.heads.get(step.extension, () => extensionHead(step));
    // A plugin's serving version can change between requests: the fragment is for one version.
    if (cached.plugin === step.plugin) return cached.json;
    const fresh = extensionHead(step);
    this.heads.set(step.extension, fresh);
    return fresh.json;
  }

  private fragment(value: string | null): string {
    // Bounded even if a value turns out to be per request (BoundedMemo).
    return value === null ? 'null' : this.fragments.get(value, JSON.stringify);
  }

  private time(): string {
    const now = Date.now();
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.lastTime = new Date(now).toISOString();
    }
    return this.lastTime;
  }
}

/** The access-log fields of one request; pure, so tests and other sinks can use it. */
export function accessLogRecord(trace: TraceRecord): AccessLogRecord {
  const record: AccessLogRecord = {
    request_id: trace.requestId,
    method: trace.method,
    authority: trace.authority,
    path: trace.path,
    scheme: trace.scheme,
    status: trace.status ?? 0,
    response_bytes: trace.bytes ?? 0,
    latency_ms: trace.durationMs ?? 0,
  };
  if (trace.source !== undefined) record.remote_ip = trace.source;
  if (trace.listener !== undefined) record.listener = trace.listener;
  if (trace.route !== undefined) record.route = trace.route.id;
  for (const chain of trace.chains) {
    if (chain.kind === 'routing') record.routing_chain = chain.id;
    else record.traffic_chain = chain.id;
  }
  if (trace.upstream) {
    const u = trace.upstream;
    record.upstream = { endpoint: u.endpoint, status: u.status, latency_ms: u.latencyMs };
    if (u.error !== undefined) record.upstream.error = u.error;
    if (u.ignoredOverride !== undefined) record.upstream.ignored_override_host = u.ignoredOverride;
  }
  if (trace.steps.length > 0) record.service_extension_info = extensionInfo(trace);
  if (trace.error !== undefined) record.error = trace.error;
  return record;
}

function extensionInfo(trace: TraceRecord): ServiceExtensionInfo[] {
  return stepsByExtension(trace.steps).map((steps) => {
    const first = steps[0]!;
    const outcome = outcomeOf(steps);
    const info: ServiceExtensionInfo = {
      resource: resourceOf(first.chain),
      chain: chainNameOf(first.chain),
      extension: extensionNameOf(first),
      backend_target: backendTargetOf(first),
      per_processing_request_info: steps.map((step) => ({
        event_type: step.event,
        latency_ms: step.latencyMs,
        effect: step.effect,
      })),
      failed_open: outcome.failedOpen,
    };
    if (outcome.grpcStatus !== undefined) info.grpc_status = outcome.grpcStatus;
    if (outcome.error !== undefined) info.error = outcome.error;
    return info;
  });
}

/**
 * Each extension's steps, in the order the extensions first ran: steps arrive interleaved by event (request
 * path, then response path in reverse). A request runs a few extensions, so a scan beats a Map.
 */
function stepsByExtension(steps: readonly TraceStep[]): TraceStep[][] {
  const groups: TraceStep[][] = [];
  for (const step of steps) {
    const group = groups.find((g) => g[0]!.extension === step.extension);
    if (group === undefined) groups.push([step]);
    else group.push(step);
  }
  return groups;
}

/** What one extension's steps add up to: failed open on any event, the last gRPC status and error seen. */
function outcomeOf(steps: readonly TraceStep[]): {
  failedOpen: boolean;
  grpcStatus: number | undefined;
  error: string | undefined;
} {
  const outcome = {
    failedOpen: false,
    grpcStatus: undefined as number | undefined,
    error: undefined as string | undefined,
  };
  for (const step of steps) {
    if (step.effect === 'FAILED_OPEN') outcome.failedOpen = true;
    if (step.grpcStatus !== undefined) outcome.grpcStatus = step.grpcStatus;
    if (step.error !== undefined) outcome.error = step.error;
  }
  return outcome;
}

interface ExtensionHead {
  readonly plugin: TraceStep['plugin'];
  readonly json: string;
}

function extensionHead(step: TraceStep): ExtensionHead {
  return {
    plugin: step.plugin,
    json:
      `{"resource":${JSON.stringify(resourceOf(step.chain))},"chain":${JSON.stringify(chainNameOf(step.chain))}` +
      `,"extension":${JSON.stringify(extensionNameOf(step))},"backend_target":${JSON.stringify(backendTargetOf(step))}` +
      `,"per_processing_request_info":[`,
  };
}

/** Chain ids are `Kind/namespace/resource/chainName`. */
function resourceOf(chainId: string): string {
  const slash = chainId.lastIndexOf('/');
  return slash > 0 ? chainId.slice(0, slash) : chainId;
}

function chainNameOf(chainId: string): string {
  return chainId.slice(chainId.lastIndexOf('/') + 1);
}

function extensionNameOf(step: TraceStep): string {
  return step.extension.slice(step.chain.length + 1);
}

function backendTargetOf(step: TraceStep): string {
  return step.plugin ? `${step.plugin.key}@${step.plugin.version}` : 'callout';
}

/** `.001` … `.999` without trailing zeros (`.5`, `.25`), and '' for 0: the fraction of a whole microsecond count. */
const MS_FRACTIONS = Array.from({ length: 1000 }, (_, i) =>
  i === 0 ? '' : `.${String(i).padStart(3, '0')}`.replace(/0+$/, ''),
);

/**
 * A duration in milliseconds as JSON.stringify writes it. The recorder rounds durations to the microsecond
 * (trace.ts), and such a value is written from its integer microseconds: a double's shortest decimal form
 * (what String(n) computes) costs ~0.3 µs, a few per request. Any other value takes the general path.
 */
export function jsonMs(ms: number): string {
  if (ms >= 0 && ms < 1e9) {
    const us = Math.round(ms * 1000);
    if (us / 1000 === ms) {
      const whole = Math.floor(us / 1000);
      return String(whole) + MS_FRACTIONS[us - whole * 1000]!;
    }
  }
  return jsonNumber(ms);
}

/**
 * A string as JSON.stringify writes it. What clients send (request id, authority, path) rarely needs escaping,
 * and JSON.stringify is a call into the runtime that costs more than the scan that proves it (four per line).
 */
export function jsonString(s: string): string {
  if (s.length > 512) return JSON.stringify(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Control characters, `"` and `\` are escaped; a lone surrogate is written as \uXXXX.
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** A number as JSON.stringify writes it (NaN and infinities are null). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
