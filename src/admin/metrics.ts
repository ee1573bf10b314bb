// The Prometheus metrics of the gateway, in one Registry that the admin port's /metrics serves.
//
// Request, upstream and extension metrics are derived from finished traces (`observe`, a TraceRecorder
// listener), so the data plane reports each fact once. Plugin runtime figures (CPU, memory) are not in the
// trace: the Wasm runtime reports them with `pluginInvocation` / `pluginMemory`, or registers collectors of
// its own with `register`. Snapshot programming is reported by whoever swaps snapshots in.
//
// Label values are ids from the snapshot (route rule, chain, extension, plugin version), never request data,
// so cardinality is bounded by the configuration.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { TraceRecord } from './trace.js';

/** Latency buckets in seconds: extension and upstream calls are sub-millisecond to seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Plugin CPU per invocation in seconds; GKE's limit is 1 ms per invocation (service-extensions quotas). */
const PLUGIN_CPU_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005];

export interface GatewayMetricsOptions {
  /** Use an existing registry (e.g. the one the admin server already serves). */
  registry?: Registry;
  /** Node process metrics (heap, event loop lag, CPU); on by default. */
  processMetrics?: boolean;
}

export interface PluginInvocation {
  /** `namespace/name` of the GCPWasmPlugin. */
  plugin: string;
  version: string;
  /** The Proxy-Wasm callback, e.g. `on_http_request_headers`. */
  callback: string;
  cpuMicros: number;
  failed?: boolean;
}

export class GatewayMetrics {
  readonly registry: Registry;
  private readonly requests: Counter<'listener' | 'route' | 'status'>;
  private readonly requestDuration: Histogram<'route'>;
  private readonly upstreamLatency: Histogram<'route' | 'status'>;
  private readonly upstreamErrors: Counter<'route'>;
  private readonly extensionLatency: Histogram<'chain' | 'extension' | 'event'>;
  private readonly extensionEvents: Counter<'chain' | 'extension' | 'event' | 'effect'>;
  private readonly extensionErrors: Counter<'chain' | 'extension' | 'event' | 'grpc_status'>;
  private readonly chainSelections: Counter<'kind' | 'chain'>;
  private readonly pluginInvocations: Counter<'plugin' | 'version' | 'callback'>;
  private readonly pluginErrors: Counter<'plugin' | 'version' | 'callback'>;
  private readonly pluginCpu: Histogram<'plugin' | 'version' | 'callback'>;
  private readonly pluginMemoryBytes: Gauge<'plugin' | 'version'>;
  private readonly snapshotVersion: Gauge;
  private readonly snapshotsTotal: Counter;
  private readonly snapshotProgramming: Histogram;

  constructor(options: GatewayMetricsOptions = {}) {
    const registers = [(this.registry = options.registry ?? new Registry())];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'extgate_' });

    this.requests = new Counter({
      name: 'extgate_requests_total',
      help: 'Requests answered, by Gateway listener, route rule (namespace/route/rule, "none" when no route matched) and status code.',
      labelNames: ['listener', 'route', 'status'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'extgate_request_duration_seconds',
      help: 'Time from request arrival to the last response byte, by route rule.',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamLatency = new Histogram({
      name: 'extgate_upstream_latency_seconds',
      help: 'Time from sending the request upstream to its response headers, by route rule and upstream status.',
      labelNames: ['route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'extgate_upstream_errors_total',
      help: 'Upstream attempts that failed without a response (connection refused, reset, timeout), by route rule.',
      labelNames: ['route'],
      registers,
    });
    this.extensionLatency = new Histogram({
      name: 'extgate_extension_latency_seconds',
      help: 'Time one extension took for one event (callout round trip or plugin callback), by chain, extension and event.',
      labelNames: ['chain', 'extension', 'event'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.extensionEvents = new Counter({
      name: 'extgate_extension_events_total',
      help: 'Events processed by an extension, by effect (CONTENT_MODIFIED, NONE, IMMEDIATE_RESPONSE, FAILED_OPEN, ERROR).',
      labelNames: ['chain', 'extension', 'event', 'effect'],
      registers,
    });
    this.extensionErrors = new Counter({
      name: 'extgate_extension_errors_total',
      help: 'Extension events that failed (fail-open or fail-closed), by gRPC status ("none" for plugins and transport errors).',
      labelNames: ['chain', 'extension', 'event', 'grpc_status'],
      registers,
    });
    this.chainSelections = new Counter({
      name: 'extgate_chain_selected_total',
      help: 'Requests for which an extension chain matched, by kind (routing, traffic) and chain ("none" when none matched).',
      labelNames: ['kind', 'chain'],
      registers,
    });
    this.pluginInvocations = new Counter({
      name: 'extgate_plugin_invocations_total',
      help: 'Proxy-Wasm callbacks run, by plugin, version and callback (GKE: wasm_plugin/invocation_count).',
      labelNames: ['plugin', 'version', 'callback'],
      registers,
    });
    this.pluginErrors = new Counter({
      name: 'extgate_plugin_errors_total',
      help: 'Proxy-Wasm callbacks that trapped or exceeded a limit, by plugin, version and callback.',
      labelNames: ['plugin', 'version', 'callback'],
      registers,
    });
    this.pluginCpu = new Histogram({
      name: 'extgate_plugin_cpu_seconds',
      help: 'CPU time of one Proxy-Wasm callback (GKE: wasm_plugin/cpu/usage_times; limit 1 ms per invocation).',
      labelNames: ['plugin', 'version', 'callback'],
      buckets: PLUGIN_CPU_BUCKETS,
      registers,
    });
    this.pluginMemoryBytes = new Gauge({
      name: 'extgate_plugin_memory_max_bytes',
      help: 'Peak linear memory of a plugin VM since it started, by plugin and version (GKE: wasm_plugin/memory/max_bytes_used; limit 16 MiB).',
      labelNames: ['plugin', 'version'],
      registers,
    });
    this.snapshotVersion = new Gauge({
      name: 'extgate_snapshot_version',
      help: 'Version of the snapshot the data plane serves.',
      registers,
    });
    this.snapshotsTotal = new Counter({
      name: 'extgate_snapshots_programmed_total',
      help: 'Snapshots generated by the controller and swapped into the data plane.',
      registers,
    });
    this.snapshotProgramming = new Histogram({
      name: 'extgate_snapshot_programming_seconds',
      help: 'Time from the resource change that triggered a snapshot to the data plane serving it.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  /** Record one finished request. Pass as a TraceRecorder listener: `recorder.onEnd((t) => metrics.observe(t))`. */
  observe(trace: TraceRecord): void {
    const route = trace.route?.id ? ruleOf(trace.route.id) : 'none';
    const status = trace.status === undefined ? '0' : String(trace.status);
    this.requests.inc({ listener: trace.listener ?? 'none', route, status });
    if (trace.durationMs !== undefined) this.requestDuration.observe({ route }, trace.durationMs / 1000);
    const up = trace.upstream;
    if (up) {
      if (up.status > 0) this.upstreamLatency.observe({ route, status: String(up.status) }, up.latencyMs / 1000);
      else this.upstreamErrors.inc({ route });
    }
    for (const chain of trace.chains) this.chainSelections.inc({ kind: chain.kind, chain: chain.id ?? 'none' });
    for (const step of trace.steps) {
      const labels = { chain: step.chain, extension: step.extension, event: step.event };
      this.extensionLatency.observe(labels, step.latencyMs / 1000);
      this.extensionEvents.inc({ ...labels, effect: step.effect });
      if (step.effect === 'ERROR' || step.effect === 'FAILED_OPEN') {
        this.extensionErrors.inc({ ...labels, grpc_status: step.grpcStatus === undefined ? 'none' : String(step.grpcStatus) });
      }
    }
  }

  /** The Wasm runtime calls this after each callback. */
  pluginInvocation(inv: PluginInvocation): void {
    const labels = { plugin: inv.plugin, version: inv.version, callback: inv.callback };
    this.pluginInvocations.inc(labels);
    this.pluginCpu.observe(labels, inv.cpuMicros / 1e6);
    if (inv.failed) this.pluginErrors.inc(labels);
  }

  /** The Wasm runtime reports a VM's peak memory (only rises; a new VM of the same version starts over). */
  pluginMemory(plugin: string, version: string, maxBytes: number): void {
    this.pluginMemoryBytes.set({ plugin, version }, maxBytes);
  }

  /** Whoever swaps snapshots into the data plane calls this; `latencyMs` from the triggering change. */
  snapshotProgrammed(version: number, latencyMs: number): void {
    this.snapshotVersion.set(version);
    this.snapshotsTotal.inc();
    this.snapshotProgramming.observe(latencyMs / 1000);
  }

  /** Accept collectors made elsewhere (e.g. the Wasm runtime's own metrics). Names must be unique. */
  register(metric: Metric): void {
    this.registry.registerMetric(metric);
  }
}

/** Route ids are `ns/route/rule/match`; metrics count per rule (`ns/route/rule`). */
function ruleOf(routeId: string): string {
  const slash = routeId.lastIndexOf('/');
  const parts = routeId.split('/').length;
  return parts === 4 && slash > 0 ? routeId.slice(0, slash) : routeId;
}
