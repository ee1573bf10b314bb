// The limits Google's load balancer enforces on Wasm plugins, in one place, each with its GKE value and source.
// Source for all: cloud.google.com/service-extensions/docs/plugins-overview ("Limitations") and the quotas page,
// as summarised in docs/spec/gke-service-extensions.md §0 and §4.2.

export interface WasmLimits {
  /**
   * CPU per request, summed over all of the plugin's callbacks for that request. GKE: "≤ 1 ms normalized vCPU
   * per invocation"; over the limit the plugin is terminated and the request gets HTTP 500.
   */
  readonly cpuBudgetMs: number;
  /**
   * Fuel units (instrumented Wasm instructions, see instrument.ts; a hostcall costs 2,500) one millisecond
   * buys. `node dist/bench/wasm-plugins.js` measures 11–16M units/ms for a tight loop on this project's 2-core
   * x86-64 VM; 5M leaves room for heavier instructions and slower machines, since Google normalises to a
   * ~4 GHz reference core. Counting instructions makes the budget deterministic: the same plugin and request
   * pass or fail the same way everywhere.
   */
  readonly fuelPerMs: number;
  /**
   * Enforce cpuBudgetMs with fuel checks compiled into the module (instrument.ts). Always on in serving; off
   * only to measure the checks' cost — without them a plugin that loops forever hangs the process.
   */
  readonly meterCpu: boolean;
  /** Budget for VM start-up (start section / `_initialize`, on_vm_start, on_configure). Not a GKE number. */
  readonly startupBudgetMs: number;
  /** Linear memory per VM instance. GKE: 16 MiB ("must handle up to 1,000 concurrent requests"). */
  readonly memoryBytes: number;
  /** Largest single mutation (one header set, one body chunk, a local reply body). GKE: 128 KiB. */
  readonly mutationBytes: number;
  /** Compiled module plus plugin configuration. GKE quotas page: 5 MiB (an older page said 2 MiB). */
  readonly moduleAndConfigBytes: number;
  /** Streams one VM instance serves at once before another instance is started. GKE: 1,000. */
  readonly streamsPerVm: number;
  /** After a VM fails to start, wait this long before trying again (proxy-wasm spec: rate-limit restarts). */
  readonly restartBackoffMs: number;
}

export const GKE_WASM_LIMITS: WasmLimits = Object.freeze({
  cpuBudgetMs: 1,
  fuelPerMs: 5_000_000,
  meterCpu: true,
  startupBudgetMs: 100,
  memoryBytes: 16 * 1024 * 1024,
  mutationBytes: 128 * 1024,
  moduleAndConfigBytes: 5 * 1024 * 1024,
  streamsPerVm: 1000,
  restartBackoffMs: 1000,
});

export const WASM_PAGE_BYTES = 65536;

export function withLimits(overrides: Partial<WasmLimits> | undefined): WasmLimits {
  return Object.freeze({ ...GKE_WASM_LIMITS, ...(overrides ?? {}) });
}
