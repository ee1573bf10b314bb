// The registry of benchmark scenarios. A scenario starts something that answers HTTP on loopback in front
// of the shared backend and says how to stop it. Proxy scenarios live here; extension benchmarks (callouts,
// Wasm plugins) add a file under bench/scenarios/ that calls registerScenario(), and run.ts picks it up.

export interface BenchEnv {
  /** Port of the shared loopback backend. */
  readonly backendPort: number;
}

export interface BenchTarget {
  readonly url: string;
  /** Host header to send (routes may select on it). */
  readonly host?: string;
  /** Process to sample for RSS, when the target is a process. */
  readonly pid?: number;
  /** An extension server the target calls (a callout): its CPU is reported per message it answers. */
  readonly extensionServer?: { readonly pid: number; readonly messagesPerRequest: number };
  /** A line about the target printed after its runs (e.g. RSS per worker). */
  describe?(): string;
  stop(): Promise<void>;
}

export interface Scenario {
  /** Row label, e.g. `extgate` or `extgate+callout`. */
  readonly name: string;
  /** Which scenario this one is compared with in the ratio columns (e.g. `nginx`), if any. */
  readonly compareWith?: string;
  /** More scenarios to compare with, printed below the table (req/s and p99 ratios). */
  readonly compareAlso?: readonly string[];
  /** Processes/threads it uses, printed so 1-process rows are compared with 1-process rows. */
  readonly processes: number;
  start(env: BenchEnv): Promise<BenchTarget>;
}

const registry = new Map<string, Scenario>();

export function registerScenario(s: Scenario): void {
  if (registry.has(s.name)) throw new Error(`bench scenario ${s.name} registered twice`);
  registry.set(s.name, s);
}

export function allScenarios(): Scenario[] {
  return [...registry.values()];
}
