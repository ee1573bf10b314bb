// The data plane in N worker processes. Each worker runs its own DataPlane (and extension runtimes) and binds
// every listener port itself with SO_REUSEPORT (Node's `reusePort`, Node ≥ 22.12), so the kernel spreads
// connections over the workers and no process hops a connection to another. The process that owns the pool
// (the controller's) sends each snapshot to every worker; each worker swaps it atomically on its own, and
// apply() resolves once all have, with the ports any worker could not bind.
//
// A worker that dies is forked again with the same id, gets the current snapshot before it counts as live,
// and the others keep serving meanwhile. close() asks every worker to drain, then waits for them to exit.
//
// What a worker runs is its `entry` module, which calls serveWorker() (worker-channel.ts) with its node; the
// pool knows nothing of extensions or observability: those talk over `call` (request/response to every
// worker), `broadcast` (one-way) and `onEvent` (worker → pool).

import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Snapshot } from '../ir/snapshot.js';
import type { ApplyReport, BoundPort } from './gateway.js';
import type { PoolMessage, WorkerMessage } from './worker-channel.js';

export interface WorkerPoolOptions {
  /** Number of worker processes (≥ 1). */
  readonly workers: number;
  /** Absolute path of the module each worker runs (it calls serveWorker). */
  readonly entry: string;
  /** Plain JSON handed to every worker (`workerInit()` in the worker). */
  readonly init?: unknown;
  /** A worker posted `payload` (postToPool). */
  readonly onEvent?: (workerId: number, payload: unknown) => void;
  /** A worker (first start or replacement) is live: send it state it must have, e.g. who watches traces. */
  readonly onWorkerStart?: (workerId: number) => void;
  readonly log?: (line: string) => void;
  /** Extra `execArgv` for the workers (default: the primary's). */
  readonly execArgv?: readonly string[];
}

interface Slot {
  readonly id: number;
  process: ChildProcess | undefined;
  /** Set once the worker serves the current snapshot. */
  live: boolean;
  restarts: number;
  startedAt: number;
}

type Done = Extract<WorkerMessage, { type: 'done' }>;

/** How long to wait for a worker that was asked to stop before killing it. */
const EXIT_GRACE_MS = 3_000;
/** Replacement back-off: doubles per crash that came soon after start, capped. */
const RESTART_DELAY_MS = { first: 100, max: 5_000, stableAfterMs: 10_000 };

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, { slot: Slot; resolve: (m: Done | undefined) => void }>();
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private current: Snapshot | undefined;
  /** Snapshot port 0 (tests, benches) → the one concrete port every worker binds. */
  private readonly ephemeral = new Map<string, number>();
  private lastPorts: BoundPort[] = [];
  private closing = false;
  private readonly started: Promise<void>;

  constructor(private readonly options: WorkerPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1)
      throw new Error(`workers: expected an integer ≥ 1, got ${String(options.workers)}`);
    const starts: Array<Promise<void>> = [];
    for (let id = 1; id <= options.workers; id++) {
      const slot: Slot = { id, process: undefined, live: false, restarts: 0, startedAt: 0 };
      this.slots.push(slot);
      starts.push(this.spawn(slot));
    }
    // A worker that fails to start is replaced like one that dies later (onExit); the pool starts anyway.
    this.started = Promise.all(starts.map((p) => p.catch((err: Error) => this.log(err.message)))).then(
      () => undefined,
    );
  }

  /** Resolves once every worker has started (before any snapshot). */
  ready(): Promise<void> {
    return this.started;
  }

  get snapshot(): Snapshot | undefined {
    return this.current;
  }

  /** Ports as the workers bound them (the first live worker's view; all bind the same ports). */
  ports(): BoundPort[] {
    return this.lastPorts;
  }

  /** Process ids of the live workers by worker id (tests kill one). */
  pids(): Map<number, number> {
    const out = new Map<number, number>();
    for (const s of this.slots) if (s.live && s.process?.pid !== undefined) out.set(s.id, s.process.pid);
    return out;
  }

  /**
   * Sends `snapshot` to every worker; resolves when each live one serves it. A port any worker could not bind
   * is in the report (the controller reports it on the listener and retries). A snapshot refused whole by the
   * workers rejects (the previous one keeps serving). Applies are serialized.
   */
  apply(snapshot: Snapshot): Promise<ApplyReport> {
    // Wait for the first starts outside the queue: their admission is queued too.
    const run = this.started.then(() => this.enqueue(() => this.applyNow(snapshot)));
    return run;
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async applyNow(snapshot: Snapshot): Promise<ApplyReport> {
    const concrete = await this.withConcretePorts(snapshot);
    this.current = concrete;
    const replies = await Promise.all(
      this.slots
        .filter((s) => s.live)
        .map((s) => this.request(s, { type: 'apply', seq: 0, snapshot: concrete })),
    );
    const answered = replies.filter((r): r is Done => r !== undefined);
    const refused = answered.find((r) => r.error !== undefined);
    if (refused !== undefined) throw new Error(refused.error);
    const portErrors: Record<number, string> = {};
    const listenerErrors: Record<string, string> = {};
    for (const r of answered) {
      for (const [port, why] of Object.entries(r.report?.portErrors ?? {}))
        portErrors[this.snapshotPort(snapshot, Number(port))] ??= why;
      for (const [id, why] of Object.entries(r.report?.listenerErrors ?? {})) listenerErrors[id] ??= why;
    }
    const first = answered.find((r) => r.ports !== undefined);
    if (first?.ports)
      this.lastPorts = first.ports.map((p) => ({ ...p, port: this.snapshotPort(snapshot, p.port) }));
    return { portErrors, listenerErrors };
  }

  /** Sends `payload` to every live worker and collects their answers (a worker that dies answers nothing). */
  async call(payload: unknown): Promise<unknown[]> {
    await this.started;
    const replies = await Promise.all(
      this.slots.filter((s) => s.live).map((s) => this.request(s, { type: 'call', seq: 0, payload })),
    );
    return replies.filter((r): r is Done => r !== undefined && r.error === undefined).map((r) => r.value);
  }

  /** One-way message to every live worker (or to one, by id). */
  broadcast(payload: unknown, workerId?: number): void {
    for (const s of this.slots) {
      if (!s.live || (workerId !== undefined && s.id !== workerId)) continue;
      send(s, { type: 'event', payload });
    }
  }

  /** Asks every worker to stop accepting and drain for up to `graceMs`, then waits for them to exit. */
  async close(graceMs: number): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.started.catch(() => undefined);
    await this.queue;
    await Promise.all(
      this.slots.map(async (s) => {
        const child = s.process;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        await this.request(s, { type: 'close', seq: 0, graceMs });
        const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
        // A worker that died meanwhile is already disconnected (disconnect() would then throw).
        if (child.connected) child.disconnect();
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private spawn(slot: Slot): Promise<void> {
    const child = fork(this.options.entry, [], {
      env: {
        ...process.env,
        EXTGATE_WORKER_ID: String(slot.id),
        EXTGATE_WORKER_INIT: JSON.stringify(this.options.init ?? null),
      },
      execArgv: [...(this.options.execArgv ?? process.execArgv)],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    slot.process = child;
    slot.live = false;
    slot.startedAt = Date.now();
    const started = new Promise<void>((resolve, reject) => {
      const onMessage = (m: WorkerMessage): void => {
        if (m.type === 'ready') {
          child.off('exit', onEarlyExit);
          void this.admit(slot).then(resolve, reject);
        } else if (m.type === 'done') {
          const waiting = this.pending.get(m.seq);
          if (waiting !== undefined) {
            this.pending.delete(m.seq);
            waiting.resolve(m);
          }
        } else if (m.type === 'event') {
          this.options.onEvent?.(slot.id, m.payload);
        }
      };
      const onEarlyExit = (code: number | null, signal: string | null): void =>
        reject(new Error(`worker ${slot.id} exited (${signal ?? `code ${code}`}) before it was ready`));
      child.on('message', onMessage);
      child.once('exit', onEarlyExit);
    });
    child.once('exit', (code, signal) => this.onExit(slot, child, code, signal));
    return started;
  }

  /** A started worker gets the current snapshot (queued behind any apply in flight) before it is live. */
  private admit(slot: Slot): Promise<void> {
    return this.enqueue(async () => {
      if (this.current !== undefined) {
        const done = await this.request(slot, { type: 'apply', seq: 0, snapshot: this.current });
        if (done?.error !== undefined) this.log(`worker ${slot.id}: snapshot refused: ${done.error}`);
      }
      slot.live = true;
      this.options.onWorkerStart?.(slot.id);
    });
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: string | null): void {
    if (slot.process !== child) return;
    slot.live = false;
    for (const [seq, waiting] of this.pending)
      if (waiting.slot === slot) {
        this.pending.delete(seq);
        waiting.resolve(undefined);
      }
    if (this.closing) return;
    const stable = Date.now() - slot.startedAt > RESTART_DELAY_MS.stableAfterMs;
    slot.restarts = stable ? 0 : slot.restarts + 1;
    const delay = Math.min(
      RESTART_DELAY_MS.max,
      RESTART_DELAY_MS.first * 2 ** Math.max(0, slot.restarts - 1),
    );
    this.log(`worker ${slot.id} exited (${signal ?? `code ${code}`}); starting a new one in ${delay} ms`);
    setTimeout(() => {
      if (this.closing) return;
      this.spawn(slot).catch((err: unknown) => this.log(String((err as Error).message)));
    }, delay).unref();
  }

  private request(slot: Slot, message: Exclude<PoolMessage, { type: 'event' }>): Promise<Done | undefined> {
    const child = slot.process;
    if (child === undefined || !child.connected) return Promise.resolve(undefined);
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(seq, { slot, resolve });
      if (!send(slot, { ...message, seq })) {
        this.pending.delete(seq);
        resolve(undefined);
      }
    });
  }

  /**
   * Port 0 asks for any free port; every worker must bind the same one, so the pool picks it once (kept for
   * as long as the snapshot asks for port 0 on that address) and the workers see a concrete port.
   */
  private async withConcretePorts(snapshot: Snapshot): Promise<Snapshot> {
    if (!snapshot.ports.some((p) => p.port === 0)) return snapshot;
    const ports = [];
    for (const p of snapshot.ports) {
      if (p.port !== 0) {
        ports.push(p);
        continue;
      }
      const key = `${p.address}|${p.protocol}`;
      let chosen = this.ephemeral.get(key);
      if (chosen === undefined) this.ephemeral.set(key, (chosen = await freePort(p.address)));
      ports.push({ ...p, port: chosen });
    }
    return { ...snapshot, ports };
  }

  /** The port as the snapshot named it (0 for a port the pool chose). */
  private snapshotPort(snapshot: Snapshot, bound: number): number {
    for (const p of snapshot.ports)
      if (p.port === 0 && this.ephemeral.get(`${p.address}|${p.protocol}`) === bound) return 0;
    return bound;
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(`gateway: ${line}`);
  }
}

function send(slot: Slot, message: PoolMessage): boolean {
  const child = slot.process;
  if (child === undefined || !child.connected) return false;
  try {
    child.send(message);
    return true;
  } catch {
    return false;
  }
}

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const a = server.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      server.close(() => resolve(port));
    });
  });
}
