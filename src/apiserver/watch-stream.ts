// One watch response: chunked JSON lines, synthetic ADDED from resourceVersion 0, resume from a resourceVersion,
// 410 Expired as an ERROR event, bookmarks on request, clean close after timeoutSeconds (docs/spec/kubernetes-api.md §4.3).
import type { ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import type { Selector } from './selectors.js';
import { errors } from './status.js';
import type { Change, ObjectStore } from './store.js';
import { toTable, type TableRequest } from './table/table.js';
import type { Subscription, WatchHub } from './watch.js';

/** kube-apiserver: watches without timeoutSeconds end after --min-request-timeout (1800 s) × [1, 2). */
const DEFAULT_TIMEOUT_S = [1800, 3600] as const;
/** Unread watch output a client may have before the server drops its watch (docs/security.md). */
export const MAX_UNREAD_WATCH_BYTES = 16 * 1024 * 1024;
/** Real apiserver sends a bookmark about once a minute. */
export const BOOKMARK_INTERVAL_MS = 60_000;

export interface WatchRequest {
  kind: ResourceKind;
  /** Shows a stored object at the requested version. */
  show: (o: KubeObject) => KubeObject;
  /** Undefined: every namespace. */
  namespace: string | undefined;
  /** Undefined: no selector, everything matches. */
  labels: Selector | undefined;
  fields: Selector | undefined;
  resourceVersion: string | null;
  timeoutSeconds: number | undefined;
  bookmarks: boolean;
  /** Watch-list (`sendInitialEvents` set either way); `undefined` keeps the classic start points. */
  sendInitialEvents: boolean | undefined;
  /** Set when the client asked for Table rows. */
  table: TableRequest | undefined;
  headers: Record<string, string>;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Streams events to `res` until timeout, client disconnect or `stop()`; returns a stop function. */
export function serveWatch(
  store: ObjectStore,
  hub: WatchHub,
  req: WatchRequest,
  res: ServerResponse,
  bookmarkMs = BOOKMARK_INTERVAL_MS,
): () => void {
  const session = new WatchSession(store, req, res);
  session.writeHeaders();
  if (!session.subscribe(hub)) return session.stop;
  session.armTimers(bookmarkMs);
  return session.stop;
}

/** One watch response: which changes it shows, how it writes them, and how it ends. */
class WatchSession {
  private lastRv: number;
  private sub: Subscription | undefined;
  private done = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly req: WatchRequest,
    private readonly res: ServerResponse,
  ) {
    this.lastRv = store.resourceVersion;
    res.on('close', this.stop);
  }

  writeHeaders(): void {
    const { req, res } = this;
    res.writeHead(200, {
      ...req.headers,
      'Content-Type': req.table
        ? `application/json;as=Table;v=${req.table.apiVersion.split('/')[1]};g=meta.k8s.io`
        : 'application/json',
      'Transfer-Encoding': 'chunked',
    });
    res.socket?.setNoDelay(true);
    // Headers go out now: a client waiting for the response must not wait for the first event.
    res.flushHeaders();
  }

  /** Starts from the current state, from now, or from `resourceVersion`; false when that is too old. */
  subscribe(hub: WatchHub): boolean {
    const { req, store } = this;
    const rv = req.resourceVersion;
    const fromNow = rv === null || rv === '' || rv === '0';
    if (req.sendInitialEvents === true || (fromNow && req.sendInitialEvents === undefined)) {
      // Current state as synthetic ADDED events (for watch-list: state "not older than" rv, which the current
      // state always is), then changes.
      for (const obj of store.list(req.kind, req.namespace)) if (this.matches(obj)) this.send('ADDED', obj);
      if (req.sendInitialEvents && req.bookmarks)
        this.write('BOOKMARK', bookmark(req, store.resourceVersion, { 'k8s.io/initial-events-end': 'true' }));
      this.sub = hub.live(req.kind, this.onChange);
      return true;
    }
    if (fromNow) {
      this.sub = hub.live(req.kind, this.onChange);
      return true;
    }
    const from = Number(rv);
    const resumed = Number.isInteger(from) ? hub.resume(req.kind, from, this.onChange) : 'expired';
    if (resumed === 'expired') {
      this.write('ERROR', errors.expired(rv, hub.oldestResumable).toStatus());
      this.stop();
      return false;
    }
    this.sub = resumed;
    return true;
  }

  /** The timeout that ends the watch, and bookmarks when the client asked for them. */
  armTimers(bookmarkMs: number): void {
    const { req, store } = this;
    const seconds =
      req.timeoutSeconds ??
      DEFAULT_TIMEOUT_S[0] + Math.random() * (DEFAULT_TIMEOUT_S[1] - DEFAULT_TIMEOUT_S[0]);
    this.timers.push(setTimeout(this.stop, seconds * 1000));
    if (!req.bookmarks) return;
    const tick = () => {
      if (this.done) return;
      this.write('BOOKMARK', bookmark(req, Math.max(this.lastRv, store.resourceVersion)));
      this.timers.push(setTimeout(tick, bookmarkMs));
    };
    this.timers.push(setTimeout(tick, bookmarkMs));
  }

  readonly stop = (): void => {
    if (this.done) return;
    this.done = true;
    this.sub?.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.res.end();
  };

  private matches(o: KubeObject | undefined): boolean {
    const { req } = this;
    return (
      o !== undefined &&
      (req.namespace === undefined || !req.kind.namespaced || o.metadata.namespace === req.namespace) &&
      (!req.labels || req.labels(o)) &&
      (!req.fields || req.fields(o))
    );
  }

  private readonly onChange = (c: Change): void => {
    const now = this.matches(c.object);
    const before = c.type === 'MODIFIED' ? this.matches(c.previous) : now;
    if (c.type === 'MODIFIED' && now !== before) this.send(now ? 'ADDED' : 'DELETED', c.object);
    else if (now) this.send(c.type, c.object);
  };

  private send(type: EventType, stored: KubeObject): void {
    const obj = this.req.show(stored);
    this.lastRv = Number(obj.metadata.resourceVersion ?? this.lastRv);
    const table = this.req.table;
    this.write(type, table ? toTable(this.req.kind, [obj], obj.metadata.resourceVersion ?? '', table) : obj);
  }

  private write(type: string, object: unknown): void {
    if (this.done) return;
    this.res.write(JSON.stringify({ type, object }) + '\n');
    // A client that stopped reading is cut off (as kube-apiserver does) instead of buffering without bound;
    // it re-watches from the last resourceVersion it processed. Destroyed, not ended: an orderly end would
    // keep the unread bytes in memory until the client reads them, which it may never do.
    if (this.res.writableLength > MAX_UNREAD_WATCH_BYTES) {
      this.stop();
      this.res.destroy();
    }
  }
}

function bookmark(req: WatchRequest, rv: number, annotations?: Record<string, string>): unknown {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (annotations) metadata.annotations = annotations;
  const shown = req.show({ apiVersion: apiVersionOf(req.kind), kind: req.kind.kind, metadata: {} });
  return { kind: req.kind.kind, apiVersion: shown.apiVersion, metadata };
}
