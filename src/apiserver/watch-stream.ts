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
  const { kind } = req;
  const matches = (o: KubeObject | undefined): boolean =>
    o !== undefined &&
    (req.namespace === undefined || !kind.namespaced || o.metadata.namespace === req.namespace) &&
    (!req.labels || req.labels(o)) &&
    (!req.fields || req.fields(o));

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

  let lastRv = store.resourceVersion;
  const write = (type: string, object: unknown) => {
    if (done) return;
    res.write(JSON.stringify({ type, object }) + '\n');
    // A client that stopped reading is cut off (as kube-apiserver does) instead of buffering without bound;
    // it re-watches from the last resourceVersion it processed. Destroyed, not ended: an orderly end would
    // keep the unread bytes in memory until the client reads them, which it may never do.
    if (res.writableLength > MAX_UNREAD_WATCH_BYTES) {
      stop();
      res.destroy();
    }
  };
  const send = (type: EventType, stored: KubeObject) => {
    const obj = req.show(stored);
    lastRv = Number(obj.metadata.resourceVersion ?? lastRv);
    write(type, req.table ? toTable(kind, [obj], obj.metadata.resourceVersion ?? '', req.table) : obj);
  };
  const onChange = (c: Change) => {
    const now = matches(c.object);
    const before = c.type === 'MODIFIED' ? matches(c.previous) : now;
    if (c.type === 'MODIFIED' && now !== before) send(now ? 'ADDED' : 'DELETED', c.object);
    else if (now) send(c.type, c.object);
  };

  let sub: Subscription | undefined;
  let done = false;
  const timers: NodeJS.Timeout[] = [];
  const stop = () => {
    if (done) return;
    done = true;
    sub?.unsubscribe();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  res.on('close', stop);

  const rv = req.resourceVersion;
  const fromNow = rv === null || rv === '' || rv === '0';
  if (req.sendInitialEvents === true || (fromNow && req.sendInitialEvents === undefined)) {
    // Current state as synthetic ADDED events (for watch-list: state "not older than" rv, which the current
    // state always is), then changes.
    for (const obj of store.list(kind, req.namespace)) if (matches(obj)) send('ADDED', obj);
    if (req.sendInitialEvents && req.bookmarks)
      write('BOOKMARK', bookmark(req, store.resourceVersion, { 'k8s.io/initial-events-end': 'true' }));
    sub = hub.live(kind, onChange);
  } else if (fromNow) {
    sub = hub.live(kind, onChange);
  } else {
    const from = Number(rv);
    const resumed = Number.isInteger(from) ? hub.resume(kind, from, onChange) : 'expired';
    if (resumed === 'expired') {
      write('ERROR', errors.expired(rv, hub.oldestResumable).toStatus());
      stop();
      return stop;
    }
    sub = resumed;
  }

  const seconds =
    req.timeoutSeconds ??
    DEFAULT_TIMEOUT_S[0] + Math.random() * (DEFAULT_TIMEOUT_S[1] - DEFAULT_TIMEOUT_S[0]);
  timers.push(setTimeout(stop, seconds * 1000));
  if (req.bookmarks) {
    const tick = () => {
      if (done) return;
      write('BOOKMARK', bookmark(req, Math.max(lastRv, store.resourceVersion)));
      timers.push(setTimeout(tick, bookmarkMs));
    };
    timers.push(setTimeout(tick, bookmarkMs));
  }
  return stop;
}

function bookmark(req: WatchRequest, rv: number, annotations?: Record<string, string>): unknown {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (annotations) metadata.annotations = annotations;
  const shown = req.show({ apiVersion: apiVersionOf(req.kind), kind: req.kind.kind, metadata: {} });
  return { kind: req.kind.kind, apiVersion: shown.apiVersion, metadata };
}
