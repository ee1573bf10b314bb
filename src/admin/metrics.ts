// The Prometheus metrics of the gateway, in one Registry that the admin port's /metrics serves.
//
// Request, upstream and extension metrics are derived from finished traces (`observe`, a TraceRecorder
// listener), so the data plane reports each fact once. Plugin runtime figures (CPU, memory) are not in the
// trace: the Wasm runtime reports them with `pluginInvocation` / `pluginMemory`, or registers collectors of
// its own with `register`. Snapshot programming is reported by whoever swaps snapshots in.
//
// The per-request families are FastCounter/FastHistogram (metric-series.ts): same Registry, same exposition,
// a fraction of prom-client's per-call cost. Label values are ids from the snapshot (route rule, chain, extension, plugin version), never request data,
// so cardinality is bounded by the configuration.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { TraceRecord } from './trace.js';
import { FastCounter, FastHistogram } from './metric-series.js';

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
  private readonly requests = new FastCounter(
    'extgate_requests_total',
    'Requests answered, by Gateway listener, route rule (namespace/route/rule, "none" when no route matched) and status code.',
    ['listener', 'route', 'status'],
  );
  private readonly requestDuration = new FastHistogram(
    'extgate_request_duration_seconds',
    'Time from request arrival to the last response byte, by route rule.',
    ['route'],
    LATENCY_BUCKETS,
  );
  private readonly upstreamLatency = new FastHistogram(
    'extgate_upstream_latency_seconds',
    'Time from sending the request upstream to its response headers, by route rule and upstream status.',
    ['route', 'status'],
    LATENCY_BUCKETS,
  );
  private readonly upstreamErrors = new FastCounter(
    'extgate_upstream_errors_total',
    'Upstream attempts that failed without a response (connection refused, reset, timeout), by route rule.',
    ['route'],
  );
  private readonly extensionLatency = new FastHistogram(
    'extgate_extension_latency_seconds',
    'Time one extension took for one event (callout round trip or plugin callback), by chain, extension and event.',
    ['chain', 'extension', 'event'],
    LATENCY_BUCKETS,
  );
  private readonly extensionEvents = new FastCounter(
    'extgate_extension_events_total',
    'Events processed by an extension, by effect (CONTENT_MODIFIED, NONE, IMMEDIATE_RESPONSE, FAILED_OPEN, ERROR).',
    ['chain', 'extension', 'event', 'effect'],
  );
  private readonly extensionErrors = new FastCounter(
    'extgate_extension_errors_total',
    'Extension events that failed (fail-open or fail-closed), by gRPC status ("none" for plugins and transport errors).',
    ['chain', 'extension', 'event', 'grpc_status'],
  );
  private readonly chainSelections = new FastCounter(
    'extgate_chain_selected_total',
    'Requests for which an extension chain matched, by kind (routing, traffic) and chain ("none" when none matched).',
    ['kind', 'chain'],
  );
  private readonly pluginInvocations = new FastCounter(
    'extgate_plugin_invocations_total',
    'Proxy-Wasm callbacks run, by plugin, version and callback (GKE: wasm_plugin/invocation_count).',
    ['plugin', 'version', 'callback'],
  );
  private readonly pluginErrors = new FastCounter(
    'extgate_plugin_errors_total',
    'Proxy-Wasm callbacks that trapped or exceeded a limit, by plugin, version and callback.',
    ['plugin', 'version', 'callback'],
  );
  private readonly pluginCpu = new FastHistogram(
    'extgate_plugin_cpu_seconds',
    'CPU time of one Proxy-Wasm callback (GKE: wasm_plugin/cpu/usage_times; limit 1 ms per invocation).',
    ['plugin', 'version', 'callback'],
    PLUGIN_CPU_BUCKETS,
  );
  private readonly pluginMemoryBytes: Gauge<'plugin' | 'version'>;
  private readonly snapshotVersion: Gauge;
  private readonly snapshotsTotal: Counter;
  private readonly snapshotProgramming: Histogram;

  constructor(options: GatewayMetricsOptions = {}) {
    const registers = [(this.registry = options.registry ?? new Registry())];
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'extgate_' });
    for (const family of [
      this.requests,
      this.requestDuration,
      this.upstreamLatency,
      this.upstreamErrors,
      this.extensionLatency,
      this.extensionEvents,
      this.extensionErrors,
      this.chainSelections,
      this.pluginInvocations,
      this.pluginErrors,
      this.pluginCpu,
    ]) {
      this.registry.registerMetric(family.asMetric());
    }
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
    this.requests.series(
      trace.listener ?? 'none',
      route,
      trace.status === undefined ? '0' : String(trace.status),
    ).value++;
    if (trace.durationMs !== undefined) this.requestDuration.series(route).observe(trace.durationMs / 1000);
    const up = trace.upstream;
    if (up) {
      if (up.status > 0) this.upstreamLatency.series(route, String(up.status)).observe(up.latencyMs / 1000);
      else this.upstreamErrors.series(route).value++;
    }
    for (const chain of trace.chains) this.chainSelections.series(chain.kind, chain.id ?? 'none').value++;
    for (const step of trace.steps) {
      this.extensionLatency.series(step.chain, step.extension, step.event).observe(step.latencyMs / 1000);
      this.extensionEvents.series(step.chain, step.extension, step.event, step.effect).value++;
      if (step.effect === 'ERROR' || step.effect === 'FAILED_OPEN') {
        this.extensionErrors.series(
          step.chain,
          step.extension,
          step.event,
          step.grpcStatus === undefined ? 'none' : String(step.grpcStatus),
        ).value++;
      }
    }
  }

  /** The Wasm runtime calls this after each callback. */
  pluginInvocation(inv: PluginInvocation): void {
    this.pluginInvocations.series(inv.plugin, inv.version, inv.callback).value++;
    this.pluginCpu.series(inv.plugin, inv.version, inv.callback).observe(inv.cpuMicros / 1e6);
    if (inv.failed) this.pluginErrors.series(inv.plugin, inv.version, inv.callback).value++;
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
