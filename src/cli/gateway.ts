// The gateway as `extgate up` and `extgate serve` run it: N data-plane workers (`--workers`, default one per
// CPU) each running a GatewayNode (gateway-worker.ts) on the same ports, or with `--workers 0` one
// GatewayNode in this process. Either way the controller's process keeps the observability the admin port
// serves: the trace store and demand (who watches), plugin logs, and /metrics merged from every process.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { ApplyReport, BoundPort } from '../dataplane/gateway.js';
import type { DataPlaneLimits } from '../dataplane/limits.js';
import { WorkerPool } from '../dataplane/workers.js';
import type { Snapshot } from '../ir/snapshot.js';
import {
  createObservability,
  type Observability,
  type ObservabilityOptions,
} from '../admin/observability.js';
import type { PluginLogEntry } from '../extensions/wasm/plugin-log.js';
import type { TraceRecord } from '../admin/trace.js';
import type { DemandState } from '../admin/trace-demand.js';
import type { CalloutProblems } from '../extensions/callout/health.js';
import { startGatewayNode } from './gateway-node.js';

export interface GatewayOptions {
  /** Data-plane worker processes; 0 = the data plane runs in this process. Default: one per CPU. */
  workers?: number;
  /** This process's registry: the controller's and snapshot metrics; /metrics adds every worker's. */
  metrics: Registry;
  log: (line: string) => void;
  /** Access log, traces; in workers the access log is stdout or off (a stream cannot cross processes). */
  observability?: Omit<ObservabilityOptions, 'registry' | 'worker'>;
  limits?: Partial<DataPlaneLimits>;
  /** Extensions whose callout cannot be connected to, from every worker (merged), each time that changes. */
  onCalloutProblems?: (problems: CalloutProblems) => void;
}

export interface Gateway {
  /** Worker processes (0 = single process). */
  readonly workers: number;
  /** This process's observability: the dashboard's trace store and demand, plugin logs, metrics. */
  readonly observability: Observability;
  /** The snapshot being served (undefined before the first apply). */
  readonly snapshot: Snapshot | undefined;
  /**
   * Serves `snapshot` (in every worker); resolves with the ports that could not be bound. A snapshot refused
   * whole is logged and leaves the previous one serving. Never rejects.
   */
  apply(snapshot: Snapshot): Promise<ApplyReport>;
  ports(): BoundPort[];
  /** Worker process ids by worker id; empty with `--workers 0`. */
  workerPids(): Map<number, number>;
  /** `/metrics`: this process's registry plus every worker's, summed (prom-client's cluster aggregation). */
  readonly metrics: { readonly contentType: string; metrics(): Promise<string> };
  /** Stops accepting, drains in-flight requests for up to `graceMs`, then stops. */
  close(graceMs?: number): Promise<void>;
}

/** What the pool hands each worker (plain JSON). */
export interface WorkerInit {
  readonly observability: Omit<ObservabilityOptions, 'registry' | 'worker' | 'accessLog'> & {
    /** stdout (true), a file each worker appends to, or off. */
    readonly accessLog: boolean | string;
  };
  readonly limits?: Partial<DataPlaneLimits>;
}

/**
 * A worker's observability: the access log and metrics of its requests; traces only while the primary's demand
 * asks for them (the primary keeps them for the dashboard). Also what bench/product-path-cost.ts runs.
 */
export function workerObservability(
  init: WorkerInit,
  worker: number,
  registry: Registry,
): ObservabilityOptions {
  return {
    ...init.observability,
    traceBuffer: 0,
    recordWhen: 'asked',
    traceSample: 0,
    worker,
    registry,
  };
}

/** Worker → primary events. */
export type WorkerEvent =
  | { readonly type: 'trace'; readonly trace: TraceRecord }
  | { readonly type: 'plugin-log'; readonly entry: PluginLogEntry }
  | { readonly type: 'callout-problems'; readonly problems: ReadonlyArray<readonly [string, string]> };

/** Primary → worker events. */
export type PrimaryEvent = { readonly type: 'trace-demand'; readonly state: DemandState };

/** The `call` the primary makes to collect metrics. */
export const METRICS_CALL = 'metrics';

export function defaultWorkers(): number {
  return availableParallelism();
}

/** `--workers`, shared by `up` and `serve`. */
export const WORKERS_FLAG = {
  flags: '--workers <n>',
  description:
    'data-plane worker processes, each accepting on every listener port (default: one per CPU; 0 = run the data plane in this process)',
  parse(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 1024)
      throw new Error(`--workers "${value}": expected an integer 0-1024 (0 = no workers)`);
    return n;
  },
};

export function startGateway(opts: GatewayOptions): Gateway {
  const workers = opts.workers ?? defaultWorkers();
  return workers === 0 ? inProcess(opts) : inWorkers(opts, workers);
}

function inProcess(opts: GatewayOptions): Gateway {
  const observability = createObservability({ ...opts.observability, registry: opts.metrics });
  const node = startGatewayNode({
    metrics: opts.metrics,
    log: opts.log,
    recorder: observability.recorder,
    pluginLogSink: observability.pluginLogs.sink,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.onCalloutProblems ? { onCalloutProblems: opts.onCalloutProblems } : {}),
  });
  return {
    workers: 0,
    observability,
    get snapshot() {
      return node.dataPlane.snapshot;
    },
    apply: (snapshot) => keepServingOnRefusal(node.apply(snapshot), snapshot, opts.log),
    ports: () => node.dataPlane.ports(),
    workerPids: () => new Map(),
    metrics: opts.metrics,
    async close(graceMs) {
      await node.close(graceMs);
      observability.flush();
    },
  };
}

function inWorkers(opts: GatewayOptions, workers: number): Gateway {
  const { accessLog, ...traceOptions } = opts.observability ?? {};
  // The access log is written by the workers; this process keeps traces for the dashboard and plugin logs.
  const observability = createObservability({ ...traceOptions, accessLog: false, registry: opts.metrics });
  const demand = observability.recorder.demand;
  const init: WorkerInit = {
    // A stream cannot cross processes: a test's stream means stdout in the workers.
    observability: {
      ...traceOptions,
      accessLog: typeof accessLog === 'string' ? accessLog : accessLog !== false,
    },
    ...(opts.limits ? { limits: opts.limits } : {}),
  };
  const pool = new WorkerPool({
    workers,
    entry: fileURLToPath(new URL('./gateway-worker.js', import.meta.url)),
    init,
    log: opts.log,
    onEvent: (id, payload) => {
      const event = payload as WorkerEvent;
      if (event.type === 'trace') observability.recorder.keep(event.trace);
      else if (event.type === 'plugin-log') observability.pluginLogs.sink(event.entry);
      else if (event.type === 'callout-problems') calloutProblems.set(id, new Map(event.problems));
    },
    // A new or replacement worker learns who is watching before it serves; a replaced worker's callout
    // problems go with it.
    onWorkerStart: (id) => {
      pool.broadcast(demandEvent(demand.state()), id);
      calloutProblems.set(id, new Map());
    },
  });
  demand.onChange((state) => pool.broadcast(demandEvent(state)));
  // Each worker has its own callout channels: an extension is reported while any worker cannot reach it.
  const calloutProblems = new WorkerProblems(opts.onCalloutProblems);
  const metrics = {
    contentType: opts.metrics.contentType,
    async metrics(): Promise<string> {
      const own = await opts.metrics.getMetricsAsJSON();
      const theirs = (await pool.call(METRICS_CALL)) as Array<typeof own>;
      return AggregatorRegistry.aggregate([own, ...theirs]).metrics();
    },
  };
  return {
    workers,
    observability,
    get snapshot() {
      return pool.snapshot;
    },
    apply: (snapshot) => keepServingOnRefusal(pool.apply(snapshot), snapshot, opts.log),
    ports: () => pool.ports(),
    workerPids: () => pool.pids(),
    metrics,
    async close(graceMs = 5_000) {
      await pool.close(graceMs);
      observability.flush();
    },
  };
}

class WorkerProblems {
  private readonly byWorker = new Map<number, CalloutProblems>();
  private last = '';
  constructor(private readonly report: ((problems: CalloutProblems) => void) | undefined) {}

  set(worker: number, problems: CalloutProblems): void {
    this.byWorker.set(worker, problems);
    const merged = new Map<string, string>();
    for (const map of this.byWorker.values())
      for (const [ext, why] of map) if (!merged.has(ext)) merged.set(ext, why);
    const key = JSON.stringify([...merged].sort());
    if (key === this.last) return;
    this.last = key;
    this.report?.(merged);
  }
}

function demandEvent(state: DemandState): PrimaryEvent {
  return { type: 'trace-demand', state };
}

function keepServingOnRefusal(
  applied: Promise<ApplyReport>,
  snapshot: Snapshot,
  log: (line: string) => void,
): Promise<ApplyReport> {
  return applied.catch((err: unknown) => {
    log(`gateway: snapshot ${snapshot.version} not applied, previous one keeps serving: ${String(err)}`);
    return { portErrors: {}, listenerErrors: {} };
  });
}
