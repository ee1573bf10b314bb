// Per plugin version metrics, named after GKE's (docs/spec/gke-service-extensions.md §4.5:
// networkactions.googleapis.com/wasm_plugin/{invocation_count, invocation_latencies, cpu/usage_times,
// memory/max_bytes_used}). The admin server merges `registry` into /metrics.
//
// Plugin callbacks are the hot path (several per request), so observations go into plain numbers and are
// rendered only when scraped; prom-client's labelled observe() hashes the label set on every call, which
// cost more than the plugin call itself (bench/wasm-plugins.ts).
import { Registry } from 'prom-client';
import { lazyMetric, type MetricValue } from '../lazy-metric.js';

export interface CallbackMetrics {
  observe(seconds: number, ok: boolean): void;
}

const LATENCY_BUCKETS = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01];

class CallbackStats implements CallbackMetrics {
  ok = 0;
  errors = 0;
  sum = 0;
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  constructor(
    readonly version: VersionStats,
    readonly callback: string,
  ) {}
  observe(seconds: number, ok: boolean): void {
    if (ok) this.ok++;
    else this.errors++;
    this.sum += seconds;
    this.version.cpuSeconds += seconds;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.buckets[i]!++;
  }
}

class VersionStats {
  cpuSeconds = 0;
  maxMemory = 0;
  vmStartsOk = 0;
  vmStartsError = 0;
  readonly failures = new Map<string, number>();
  readonly callbacks = new Map<string, CallbackStats>();
  constructor(
    readonly plugin: string,
    readonly version: string,
  ) {}
}

export class WasmMetrics {
  readonly registry: Registry;
  private readonly versions = new Map<string, VersionStats>();

  constructor(registry = new Registry()) {
    this.registry = registry;
    const each = <T>(fn: (v: VersionStats) => T[]): T[] => [...this.versions.values()].flatMap(fn);
    const lv = (v: VersionStats) => ({ plugin: v.plugin, version: v.version });
    registry.registerMetric(
      lazyMetric(
        'extgate_wasm_plugin_invocations_total',
        'Plugin callback invocations (GKE wasm_plugin/invocation_count)',
        'counter',
        () =>
          each((v) =>
            [...v.callbacks.values()].flatMap((c) => [
              { labels: { ...lv(v), callback: c.callback, result: 'ok' }, value: c.ok },
              ...(c.errors > 0
                ? [{ labels: { ...lv(v), callback: c.callback, result: 'error' }, value: c.errors }]
                : []),
            ]),
          ),
      ),
    );
    registry.registerMetric(
      lazyMetric(
        'extgate_wasm_plugin_invocation_latency_seconds',
        'Plugin callback latency (GKE wasm_plugin/invocation_latencies)',
        'histogram',
        () =>
          each((v) =>
            [...v.callbacks.values()].flatMap((c) => {
              const labels = { ...lv(v), callback: c.callback };
              const out: MetricValue[] = [];
              let cum = 0;
              LATENCY_BUCKETS.forEach((le, i) => {
                cum += c.buckets[i]!;
                out.push({
                  metricName: 'extgate_wasm_plugin_invocation_latency_seconds_bucket',
                  labels: { ...labels, le },
                  value: cum,
                });
              });
              cum += c.buckets[LATENCY_BUCKETS.length]!;
              out.push({
                metricName: 'extgate_wasm_plugin_invocation_latency_seconds_bucket',
                labels: { ...labels, le: '+Inf' },
                value: cum,
              });
              out.push({
                metricName: 'extgate_wasm_plugin_invocation_latency_seconds_sum',
                labels,
                value: c.sum,
              });
              out.push({
                metricName: 'extgate_wasm_plugin_invocation_latency_seconds_count',
                labels,
                value: cum,
              });
              return out;
            }),
          ),
      ),
    );
    registry.registerMetric(
      lazyMetric(
        'extgate_wasm_plugin_cpu_seconds_total',
        'CPU time spent inside the plugin (GKE wasm_plugin/cpu/usage_times)',
        'counter',
        () => each((v) => [{ labels: lv(v), value: v.cpuSeconds }]),
      ),
    );
    registry.registerMetric(
      lazyMetric(
        'extgate_wasm_plugin_memory_max_bytes',
        'Largest linear memory of any VM of this version (GKE wasm_plugin/memory/max_bytes_used)',
        'gauge',
        () => each((v) => [{ labels: lv(v), value: v.maxMemory }]),
      ),
    );
    registry.registerMetric(
      lazyMetric(
        'extgate_wasm_plugin_vm_starts_total',
        'Plugin VM instances started (result=error when start-up failed)',
        'counter',
        () =>
          each((v) => [
            { labels: { ...lv(v), result: 'ok' }, value: v.vmStartsOk },
            { labels: { ...lv(v), result: 'error' }, value: v.vmStartsError },
          ]),
      ),
    );
    registry.registerMetric(
      lazyMetric(
        'extgate_wasm_plugin_failures_total',
        'Requests failed by the plugin (kind=limit: CPU, memory or mutation limit; error: trap or abort)',
        'counter',
        () =>
          each((v) =>
            [...v.failures.entries()].map(([kind, value]) => ({ labels: { ...lv(v), kind }, value })),
          ),
      ),
    );
  }

  private version(plugin: string, version: string): VersionStats {
    const key = `${plugin}\0${version}`;
    let v = this.versions.get(key);
    if (!v) this.versions.set(key, (v = new VersionStats(plugin, version)));
    return v;
  }

  /** Look this up once per (version, callback) and keep it: observe() is then a few additions. */
  callback(plugin: string, version: string, callback: string): CallbackMetrics {
    const v = this.version(plugin, version);
    let c = v.callbacks.get(callback);
    if (!c) v.callbacks.set(callback, (c = new CallbackStats(v, callback)));
    return c;
  }

  memoryUsed(plugin: string, version: string, bytes: number): void {
    const v = this.version(plugin, version);
    if (bytes > v.maxMemory) v.maxMemory = bytes;
  }

  vmStarted(plugin: string, version: string, ok: boolean): void {
    const v = this.version(plugin, version);
    if (ok) v.vmStartsOk++;
    else v.vmStartsError++;
  }

  failed(plugin: string, version: string, kind: string): void {
    const v = this.version(plugin, version);
    v.failures.set(kind, (v.failures.get(kind) ?? 0) + 1);
  }
}
