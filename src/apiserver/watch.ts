// Watch fan-out with a bounded change history, so a client can resume from the resourceVersion it last saw
// (docs/spec/kubernetes-api.md §4.3). History is in memory only: after a restart, older resourceVersions get 410 Expired.
import type { ResourceKind } from '../api/kinds.js';
import type { Change, ObjectStore } from './store.js';

/** kube-apiserver keeps ~5 min / a watch cache per resource; 10 000 changes covers the spec's minimum. */
export const WATCH_HISTORY = 10_000;

export interface Subscription {
  unsubscribe(): void;
}

export class WatchHub {
  private history: Change[] = [];
  /** A watch from resourceVersion R can resume iff oldest <= R <= current. */
  private oldest: number;
  private readonly subscribers = new Set<{ kind: ResourceKind; send: (c: Change) => void }>();
  private readonly detach: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly capacity: number = WATCH_HISTORY,
  ) {
    this.oldest = store.resourceVersion;
    this.detach = store.onChange((c) => this.record(c));
  }

  get oldestResumable(): number {
    return this.oldest;
  }

  private record(c: Change): void {
    this.history.push(c);
    if (this.history.length > this.capacity * 2) {
      const drop = this.history.length - this.capacity;
      const lastDropped = this.history[drop - 1];
      if (lastDropped) this.oldest = lastDropped.rv;
      this.history = this.history.slice(drop);
    }
    for (const s of this.subscribers) if (sameResource(s.kind, c.kind)) s.send(c);
  }

  /**
   * Replays the changes of `kind` after `fromRv` and then delivers live ones, or returns 'expired' when that
   * resourceVersion is no longer (or not yet) in the history.
   */
  resume(kind: ResourceKind, fromRv: number, send: (c: Change) => void): Subscription | 'expired' {
    if (fromRv < this.oldest || fromRv > this.store.resourceVersion) return 'expired';
    for (const c of this.history) if (c.rv > fromRv && sameResource(c.kind, kind)) send(c);
    return this.live(kind, send);
  }

  live(kind: ResourceKind, send: (c: Change) => void): Subscription {
    const entry = { kind, send };
    this.subscribers.add(entry);
    return { unsubscribe: () => this.subscribers.delete(entry) };
  }

  close(): void {
    this.detach();
    this.subscribers.clear();
  }
}

/** A CRD-defined kind is redefined (a new object) when its CRD changes; watches follow the resource. */
function sameResource(a: ResourceKind, b: ResourceKind): boolean {
  return a === b || (a.group === b.group && a.plural === b.plural);
}
