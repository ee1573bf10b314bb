// GKE's deployment limits in the plugin tester. Google's tester enforces none of them (they are limits of the
// load balancer, not of Proxy-Wasm), so by default `extgate wasm test` runs without them too and only measures:
// each limit a plugin goes over is reported on one warning line. `--gke-limits` enforces them as the gateway
// does, so a test fails with the name of the limit it would break on GKE.
import { GKE_WASM_LIMITS, type WasmLimits } from '../limits.js';

/**
 * Limits for a default run: generous enough not to trip, still finite so a plugin that spins ends. The fuel
 * counter is an i32, so one callback can get at most 2^31 units (~400 ms at limits.fuelPerMs).
 */
export const TESTER_LIMITS: Partial<WasmLimits> = Object.freeze({
  cpuBudgetMs: 60_000,
  startupBudgetMs: 400,
  memoryBytes: 1024 * 1024 * 1024,
  moduleAndConfigBytes: Number.MAX_SAFE_INTEGER,
});

/** What one test used, measured during its functional run. */
export interface Usage {
  readonly test: string;
  /** CPU of the request's callbacks, in GKE's normalized ms (instrumented fuel / fuelPerMs). */
  readonly cpuMs: number;
  /** Linear memory of the VM after the test. */
  readonly memoryBytes: number;
}

const MiB = 1024 * 1024;

/**
 * One line per GKE limit the plugin exceeds (module + config size, CPU per request, memory per VM), naming the
 * worst test; empty when it fits.
 */
export function limitWarnings(moduleAndConfigBytes: number, usage: readonly Usage[]): string[] {
  const gke = GKE_WASM_LIMITS;
  const out: string[] = [];
  const hint = 'on GKE; run with --gke-limits to enforce it';
  if (moduleAndConfigBytes > gke.moduleAndConfigBytes)
    out.push(
      `WARNING: module + configuration is ${(moduleAndConfigBytes / MiB).toFixed(2)} MiB, over the ` +
        `${gke.moduleAndConfigBytes / MiB} MiB limit: the plugin would not load ${hint}`,
    );
  const cpu = worst(usage, (u) => u.cpuMs);
  if (cpu && cpu.cpuMs > gke.cpuBudgetMs)
    out.push(
      `WARNING: test ${cpu.test} used ${cpu.cpuMs.toFixed(2)} ms of CPU in one request, over the ` +
        `${gke.cpuBudgetMs} ms limit: the request would get HTTP 500 ${hint}`,
    );
  const mem = worst(usage, (u) => u.memoryBytes);
  if (mem && mem.memoryBytes > gke.memoryBytes)
    out.push(
      `WARNING: test ${mem.test} grew the VM's memory to ${(mem.memoryBytes / MiB).toFixed(1)} MiB, over the ` +
        `${gke.memoryBytes / MiB} MiB limit: the plugin would run out of memory ${hint}`,
    );
  return out;
}

function worst(usage: readonly Usage[], by: (u: Usage) => number): Usage | undefined {
  let best: Usage | undefined;
  for (const u of usage) if (best === undefined || by(u) > by(best)) best = u;
  return best;
}
