// Kubernetes Events from `sc-gateway-controller`, as `kubectl describe` shows them under the object.
// A repeat of the same (object, type, reason, message) bumps `count` and `lastTimestamp` of the existing
// Event instead of creating another one, which is what `(x4 over 11m)` in the seed's output (docs/spec/README.md) is.

import { randomBytes } from 'node:crypto';
import { EVENT_SOURCE } from './config.js';
import { KubeApiError, type KubeRest } from './kube/rest.js';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export type EventType = 'Normal' | 'Warning';

/** Events remembered for de-duplication (kube-apiserver keeps Events 1 h by default; this bounds memory). */
const MAX_REMEMBERED_EVENTS = 10_000;

interface Recorded {
  name: string;
  namespace: string;
  count: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Recorded>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rest: KubeRest,
    private readonly instance: string,
    private readonly onError: (msg: string) => void,
  ) {}

  record(object: InvolvedObject, type: EventType, reason: string, message: string): void {
    // Serialized so that a repeat never races the create of its first occurrence.
    this.queue = this.queue
      .then(() => this.write(object, type, reason, message))
      .catch((err: unknown) => {
        this.onError(
          `event ${reason} on ${object.kind} ${object.namespace ?? ''}/${object.name}: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
  }

  /** Resolves when every recorded event was written (tests, close()). */
  flush(): Promise<void> {
    return this.queue;
  }

  private async write(
    object: InvolvedObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const namespace = object.namespace ?? 'default';
    const key = `${object.uid ?? `${namespace}/${object.kind}/${object.name}`}|${type}|${reason}|${message}`;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const prior = this.seen.get(key);
    if (prior) {
      try {
        await this.rest.patch(`/api/v1/namespaces/${prior.namespace}/events/${prior.name}`, {
          count: prior.count + 1,
          lastTimestamp: now,
        });
        prior.count++;
        return;
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 404)) throw err;
        this.seen.delete(key); // expired or deleted: write a fresh one
      }
    }
    const name = `${object.name}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`;
    await this.rest.create(`/api/v1/namespaces/${namespace}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
        ...(object.uid ? { uid: object.uid } : {}),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      reportingInstance: this.instance,
    });
    // Bounded: forgetting an entry only means its next repeat starts a new Event instead of counting.
    if (this.seen.size >= MAX_REMEMBERED_EVENTS) this.seen.delete(this.seen.keys().next().value ?? '');
    this.seen.set(key, { name, namespace, count: 1 });
  }
}
