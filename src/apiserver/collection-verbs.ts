// The verbs on a collection (`.../<resource>`): list or watch, create, delete the matching objects.
import { deleteOptionsFromQuery } from './delete-options.js';
import type { KubeObject } from '../api/types.js';
import type { ResourceCall } from './context.js';
import { paginate } from './paginate.js';
import { parseListOptions, type ListOptions } from './query.js';
import { gvOf, send, BASE_HEADERS, tableContentType } from './reply.js';
import { decodeBody, mediaType, readBody, warningHeaders, writeContext } from './request.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { errors } from './status.js';
import { tableAccept, toTable } from './table/table.js';
import { serveWatch } from './watch-stream.js';

/** The label and field selectors of a list as one predicate (everything matches when neither is set). */
function matcher(call: ResourceCall, q: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>) {
  const labels = parseLabelSelector(q.labelSelector);
  const fields = parseFieldSelector(call.kind.kind, q.fieldSelector);
  return (o: KubeObject) => (!labels || labels(o)) && (!fields || fields(o));
}

/** GET on a collection: a page of the list, or a watch stream with `?watch=true`. */
export const listObjects = (call: ResourceCall): void => listOrWatch(call, parseListOptions(call.query));

/** Legacy `/api/v1/watch/...` (deprecated, still served): an item is watched through its collection. */
export function legacyWatch(call: ResourceCall, name: string | undefined): void {
  const opts = parseListOptions(call.query, true);
  if (name !== undefined) opts.fieldSelector = joinSelector(opts.fieldSelector, `metadata.name=${name}`);
  listOrWatch(call, opts);
}

function joinSelector(a: string | null, b: string): string {
  return a ? `${a},${b}` : b;
}

function listOrWatch(call: ResourceCall, opts: ListOptions): void {
  if (opts.watch) return watch(call, opts);
  const { h, res, kind: k, version } = call;
  const matches = matcher(call, opts);
  const table = tableAccept(call.req.headers.accept, call.query.get('includeObject'));
  const all = h.resources.list(k, call.namespace).filter(matches);
  const page = paginate(all, opts.limit, opts.continue, h.store.resourceVersion);
  const items = page.items.map(call.show);
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue) Object.assign(metadata, { continue: page.continue, remainingItemCount: page.remaining });
  if (table) {
    const t = toTable(k, items, page.resourceVersion, table);
    return send(res, 200, { ...t, metadata }, tableContentType(table.apiVersion));
  }
  send(res, 200, { kind: `${k.kind}List`, apiVersion: gvOf(k, version), metadata, items });
}

/** Streams events until the client leaves or the timeout ends it; close() of the server stops it too. */
function watch(call: ResourceCall, opts: ListOptions): void {
  const { h, res } = call;
  let stop: (() => void) | undefined;
  stop = serveWatch(
    h.store,
    h.hub,
    {
      kind: call.kind,
      show: call.show,
      namespace: call.namespace,
      labels: parseLabelSelector(opts.labelSelector),
      fields: parseFieldSelector(call.kind.kind, opts.fieldSelector),
      resourceVersion: opts.resourceVersion,
      timeoutSeconds: opts.timeoutSeconds ?? h.maxWatchSeconds,
      bookmarks: opts.allowWatchBookmarks,
      sendInitialEvents: opts.sendInitialEvents,
      table: tableAccept(call.req.headers.accept, call.query.get('includeObject')),
      headers: BASE_HEADERS,
    },
    res,
    h.bookmarkIntervalMs,
  );
  h.watches.add(stop);
  res.on('close', () => {
    if (stop) h.watches.delete(stop);
    stop = undefined;
  });
}

/** POST on a collection; a namespaced kind is created only through its namespace's path. */
export async function createObject(call: ResourceCall): Promise<void> {
  const { h, req, kind: k } = call;
  if (k.namespaced && call.namespace === undefined) throw errors.methodNotAllowed();
  const ctx = writeContext(call.query, false, 'CreateOptions', req.headers['user-agent']);
  const body = decodeBody(k, mediaType(req.headers['content-type']), await readBody(req));
  const obj = h.resources.create(k, call.namespace, body, ctx);
  send(call.res, 201, call.show(obj), 'application/json', warningHeaders(ctx));
}

/** DELETE on a collection: deletes every object the selectors match and lists them. */
export function deleteCollection(call: ResourceCall): void {
  const { h, kind: k } = call;
  const matches = matcher(call, parseListOptions(call.query));
  const ctx = writeContext(call.query, false, 'DeleteOptions');
  const options = deleteOptionsFromQuery(call.query);
  const deleted: KubeObject[] = [];
  for (const o of h.resources.list(k, call.namespace))
    if (matches(o))
      deleted.push(
        call.show(h.resources.delete(k, o.metadata.namespace, o.metadata.name ?? '', options, ctx)),
      );
  send(call.res, 200, {
    kind: `${k.kind}List`,
    apiVersion: gvOf(k, call.version),
    metadata: { resourceVersion: String(h.store.resourceVersion) },
    items: deleted,
  });
}
