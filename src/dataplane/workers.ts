// A DataPlane per CPU core with node:cluster. Node 20 has no SO_REUSEPORT in net.Server, so the primary
// accepts and hands connections to workers round-robin (cluster's default on Linux); workers bind the same
// address:port through the primary. Snapshots are plain JSON, so apply() posts them to every worker and
// resolves when all have swapped. Extension chains are compiled inside each worker by `chainsModule`.

import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Snapshot } from '../ir/snapshot.js';
import type { DataPlaneLimits } from './limits.js';
import type { BoundPort } from './gateway.js';
import type { CompileChains } from './runtime.js';

export interface WorkerGatewayOptions {
  /** Number of worker processes; default: one per core. */
  readonly workers?: number;
  /**
   * Module (absolute path or file URL) loaded by each worker, exporting either `compileChains` or
   * `createWorkerExtensions(): WorkerExtensions` (to build per-process extension runtimes, e.g. callout
   * clients and Wasm VMs, and to prepare each snapshot before it is applied).
   */
  readonly chainsModule?: string;
  readonly limits?: Partial<DataPlaneLimits>;
  /**
   * `round-robin` (default): the primary accepts and hands each connection to the next worker.
   * `os`: workers accept on the shared socket themselves (less work in the primary, but Linux may give one
   * worker most connections). Applies to the whole process (node:cluster has one policy).
   */
  readonly scheduling?: 'round-robin' | 'os';
}

/** What a `chainsModule` may build in each worker. */
export interface WorkerExtensions {
  readonly compileChains: CompileChains;
  /** Runs before each apply (e.g. compile new Wasm plugin versions). */
  prepare?(snapshot: Snapshot): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** Messages between the primary and a worker. */
export type WorkerMessage =
  | { readonly type: 'apply'; readonly seq: number; readonly snapshot: Snapshot }
  | { readonly type: 'close'; readonly seq: number; readonly graceMs: number }
  | { readonly type: 'done'; readonly seq: number; readonly ports?: BoundPort[]; readonly error?: string }
  | { readonly type: 'ready' };

export class WorkerGateway {
  private readonly workers: Worker[] = [];
  private readonly started: Promise<void>;
  private seq = 0;
  private lastPorts: BoundPort[] = [];

  constructor(options: WorkerGatewayOptions = {}) {
    if (!cluster.isPrimary) throw new Error('WorkerGateway must be created in the primary process');
    cluster.schedulingPolicy = options.scheduling === 'os' ? cluster.SCHED_NONE : cluster.SCHED_RR;
    cluster.setupPrimary({
      exec: fileURLToPath(new URL('./worker-main.js', import.meta.url)),
      silent: false,
    });
    const n = options.workers ?? availableParallelism();
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < n; i++) {
      const worker = cluster.fork({
        EXTGATE_WORKER_OPTIONS: JSON.stringify({
          chainsModule: options.chainsModule,
          limits: options.limits,
        }),
      });
      this.workers.push(worker);
      ready.push(
        new Promise((resolve, reject) => {
          worker.once('message', (m: WorkerMessage) =>
            m.type === 'ready' ? resolve() : reject(new Error('worker did not start')),
          );
          worker.once('exit', (code) =>
            reject(new Error(`worker exited with code ${code} before it was ready`)),
          );
        }),
      );
    }
    this.started = Promise.all(ready).then(() => {});
  }

  ports(): BoundPort[] {
    return this.lastPorts;
  }

  async apply(snapshot: Snapshot): Promise<void> {
    await this.started;
    const replies = await this.broadcast({ type: 'apply', seq: ++this.seq, snapshot });
    const failed = replies.find((r) => r.error !== undefined);
    if (failed !== undefined) throw new Error(failed.error);
    this.lastPorts = replies[0]?.ports ?? [];
  }

  async close(graceMs: number): Promise<void> {
    await this.started.catch(() => {});
    await this.broadcast({ type: 'close', seq: ++this.seq, graceMs }).catch(() => []);
    for (const w of this.workers) w.kill();
  }

  private broadcast(
    message: WorkerMessage & { seq: number },
  ): Promise<Array<Extract<WorkerMessage, { type: 'done' }>>> {
    return Promise.all(
      this.workers.map(
        (w) =>
          new Promise<Extract<WorkerMessage, { type: 'done' }>>((resolve, reject) => {
            const onMessage = (m: WorkerMessage): void => {
              if (m.type !== 'done' || m.seq !== message.seq) return;
              w.removeListener('message', onMessage);
              resolve(m);
            };
            w.on('message', onMessage);
            w.once('exit', () => reject(new Error(`worker ${w.id} exited`)));
            w.send(message);
          }),
      ),
    );
  }
}
