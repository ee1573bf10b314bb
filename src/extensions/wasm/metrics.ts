// Per plugin version metrics, named after GKE's (spec/gke-service-extensions.md §4.5:
// networkactions.googleapis.com/wasm_plugin/{invocation_count, invocation_latencies, cpu/usage_times,
// memory/max_bytes_used}). The admin server merges `registry` into /metrics.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface CallbackMetrics {
  observe(seconds: number, ok: boolean): void;
}

export class WasmMetrics {
  readonly registry: Registry;
  private readonly invocations: Counter<'plugin' | 'version' | 'callback' | 'result'>;
  private readonly latency: Histogram<'plugin' | 'version' | 'callback'>;
  private readonly cpu: Counter<'plugin' | 'version'>;
  private readonly memory: Gauge<'plugin' | 'version'>;
  private readonly vmStarts: Counter<'plugin' | 'version' | 'result'>;
  private readonly failures: Counter<'plugin' | 'version' | 'kind'>;
  private readonly cache = new Map<string, CallbackMetrics>();

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.invocations = new Counter({
      name: 'extgate_wasm_plugin_invocations_total',
      help: 'Plugin callback invocations (GKE wasm_plugin/invocation_count)',
      labelNames: ['plugin', 'version', 'callback', 'result'],
      registers,
    });
    this.latency = new Histogram({
      name: 'extgate_wasm_plugin_invocation_latency_seconds',
      help: 'Plugin callback latency (GKE wasm_plugin/invocation_latencies)',
      labelNames: ['plugin', 'version', 'callback'],
      buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01],
      registers,
    });
    this.cpu = new Counter({
      name: 'extgate_wasm_plugin_cpu_seconds_total',
      help: 'CPU time spent inside the plugin (GKE wasm_plugin/cpu/usage_times)',
      labelNames: ['plugin', 'version'],
      registers,
    });
    this.memory = new Gauge({
      name: 'extgate_wasm_plugin_memory_max_bytes',
      help: 'Largest linear memory of any VM of this version (GKE wasm_plugin/memory/max_bytes_used)',
      labelNames: ['plugin', 'version'],
      registers,
    });
    this.vmStarts = new Counter({
      name: 'extgate_wasm_plugin_vm_starts_total',
      help: 'Plugin VM instances started (result=error when start-up failed)',
      labelNames: ['plugin', 'version', 'result'],
      registers,
    });
    this.failures = new Counter({
      name: 'extgate_wasm_plugin_failures_total',
      help: 'Requests failed by the plugin (kind=limit: CPU, memory or mutation limit; error: trap or abort)',
      labelNames: ['plugin', 'version', 'kind'],
      registers,
    });
  }

  callback(plugin: string, version: string, callback: string): CallbackMetrics {
    const key = `${plugin}\0${version}\0${callback}`;
    let m = this.cache.get(key);
    if (!m) {
      const ok = this.invocations.labels(plugin, version, callback, 'ok');
      const err = this.invocations.labels(plugin, version, callback, 'error');
      const lat = this.latency.labels(plugin, version, callback);
      const cpu = this.cpu.labels(plugin, version);
      m = {
        observe(seconds, success) {
          (success ? ok : err).inc();
          lat.observe(seconds);
          cpu.inc(seconds);
        },
      };
      this.cache.set(key, m);
    }
    return m;
  }

  memoryUsed(plugin: string, version: string, bytes: number): void {
    const g = this.memory.labels(plugin, version);
    // prom-client gauges have no max(); keep the peak ourselves.
    const key = `${plugin}\0${version}`;
    const peak = this.peaks.get(key) ?? 0;
    if (bytes > peak) {
      this.peaks.set(key, bytes);
      g.set(bytes);
    }
  }
  private readonly peaks = new Map<string, number>();

  vmStarted(plugin: string, version: string, ok: boolean): void {
    this.vmStarts.labels(plugin, version, ok ? 'ok' : 'error').inc();
  }

  failed(plugin: string, version: string, kind: string): void {
    this.failures.labels(plugin, version, kind).inc();
  }
}
