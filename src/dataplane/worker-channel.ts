// The worker side of a WorkerPool (workers.ts): the messages both sides exchange, and serveWorker(), which a
// worker's entry module calls with the node it runs.

import type { Snapshot } from '../ir/snapshot.js';
import type { ApplyReport, BoundPort } from './gateway.js';

/** Pool → worker. `seq` pairs a request with its `done`. */
export type PoolMessage =
  | { readonly type: 'apply'; readonly seq: number; readonly snapshot: Snapshot }
  | { readonly type: 'close'; readonly seq: number; readonly graceMs: number }
  | { readonly type: 'call'; readonly seq: number; readonly payload: unknown }
  | { readonly type: 'event'; readonly payload: unknown };

/** Worker → pool. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | {
      readonly type: 'done';
      readonly seq: number;
      readonly report?: ApplyReport;
      readonly ports?: BoundPort[];
      readonly value?: unknown;
      readonly error?: string;
    }
  | { readonly type: 'event'; readonly payload: unknown };

/** What a worker runs: a data plane with whatever it needs around it. */
export interface WorkerNode {
  apply(snapshot: Snapshot): Promise<ApplyReport>;
  ports(): BoundPort[];
  close(graceMs: number): Promise<void>;
  /** Answers the pool's `call(payload)`. */
  call?(payload: unknown): unknown;
  /** The pool's `broadcast(payload)`. */
  event?(payload: unknown): void;
}

/** This worker's id in its pool (1..N), 0 outside a pool. */
export function workerId(): number {
  return Number(process.env.EXTGATE_WORKER_ID ?? 0);
}

/** The pool's `init`, as JSON. */
export function workerInit<T>(): T {
  return JSON.parse(process.env.EXTGATE_WORKER_INIT ?? 'null') as T;
}

/** Posts `payload` to the pool's `onEvent`. Dropped when the pool is gone. */
export function postToPool(payload: unknown): void {
  if (process.connected) process.send?.({ type: 'event', payload } satisfies WorkerMessage);
}

/** Serves the pool's messages with `node`; the worker exits once closed or when the pool goes away. */
export function serveWorker(node: WorkerNode): void {
  const reply = (m: WorkerMessage): void => {
    if (process.connected) process.send?.(m);
  };
  let closing: Promise<void> | undefined;
  const close = (graceMs: number): Promise<void> => (closing ??= node.close(graceMs).catch(() => undefined));
  process.on('message', (m: PoolMessage) => {
    if (m.type === 'apply') {
      node.apply(m.snapshot).then(
        (report) => reply({ type: 'done', seq: m.seq, report, ports: node.ports() }),
        (err: unknown) => reply({ type: 'done', seq: m.seq, error: (err as Error).message }),
      );
    } else if (m.type === 'call') {
      Promise.resolve()
        .then(() => node.call?.(m.payload))
        .then(
          (value) => reply({ type: 'done', seq: m.seq, value }),
          (err: unknown) => reply({ type: 'done', seq: m.seq, error: (err as Error).message }),
        );
    } else if (m.type === 'event') {
      node.event?.(m.payload);
    } else if (m.type === 'close') {
      void close(m.graceMs).then(() => reply({ type: 'done', seq: m.seq }));
    }
  });
  // The pool is gone (it exited, or it disconnected after close): drain briefly and exit, never linger
  // holding the listener ports or the pool's stdout. It may have gone while this worker was still loading.
  const orphaned = (): void => void close(1_000).then(() => process.exit(0));
  if (!process.connected) return orphaned();
  process.on('disconnect', orphaned);
  // Ctrl-C reaches the whole process group: the pool drains the workers itself (close), so a worker does not
  // drop its connections on the signal.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  reply({ type: 'ready' });
}
