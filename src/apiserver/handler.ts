// HTTP → API verbs: routes requests, negotiates JSON vs Table, streams watches, renders Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import {
  AGGREGATED_V2,
  AGGREGATED_V2BETA1,
  aggregatedAccept,
  aggregatedDiscovery,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  OPENAPI_V2_CONTENT_TYPE,
  OPENAPI_V2_PROTOBUF,
  openApiV3Doc,
  openApiV3Index,
  type OpenApiSchemaSource,
} from './discovery.js';
import { acceptable, decodeBody, mediaType, readBody, warningHeaders, writeContext } from './request.js';
import type { DeleteOptions, Resources } from './resources.js';
import { parseListOptions, type ListOptions } from './query.js';
import { answerReview } from './reviews.js';
import { parseRoute } from './routes.js';
import { toScale, writeScale } from './scale.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError, errors } from './status.js';
import type { ObjectStore } from './store.js';
import { tableAccept, toTable } from './table/table.js';
import { serveWatch } from './watch-stream.js';
import { checkedRequestPath } from './request-path.js';
import type { WatchHub } from './watch.js';

export interface Handler {
  store: ObjectStore;
  hub: WatchHub;
  resources: Resources;
  /** Stop functions of open watches, so close() can end them cleanly. */
  watches: Set<() => void>;
  bookmarkIntervalMs?: number;
  maxWatchSeconds?: number;
  openApiSchema?: OpenApiSchemaSource;
  serverAddress: string;
}

const BASE_HEADERS = { 'Cache-Control': 'no-cache, private' };

/** What `GET /version` reports: minor 32 makes the machine's kubectl dispatcher run kubectl 1.32. */
const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function send(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
  extra: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    ...BASE_HEADERS,
    ...extra,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: ApiError): void {
  send(res, err.code, err.toStatus());
}

export async function handleRequest(h: Handler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await dispatch(h, req, res);
  } catch (err) {
    if (err instanceof ApiError) {
      if (!res.headersSent) sendError(res, err);
      else res.end();
      return;
    }
    throw err;
  }
}

async function dispatch(h: Handler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  checkedRequestPath(req.url ?? '/'); // before URL parsing can fold `..` into another resource's path
  const url = new URL(req.url ?? '/', 'https://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const accept = req.headers.accept;

  if (method === 'GET') {
    switch (path) {
      case '/healthz':
      case '/readyz':
      case '/livez':
        res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      case '/version':
        return send(res, 200, VERSION);
      case '/openapi/v2':
      case '/swagger-2.0.0.pb-v1':
        if (accept && accept.includes('protobuf')) {
          res.writeHead(200, {
            ...BASE_HEADERS,
            'Content-Type': OPENAPI_V2_CONTENT_TYPE,
            'Content-Length': OPENAPI_V2_PROTOBUF.length,
          });
          res.end(OPENAPI_V2_PROTOBUF);
          return;
        }
        return send(res, 200, {
          swagger: '2.0',
          info: { title: 'Kubernetes', version: 'v1.32.0' },
          paths: {},
          definitions: {},
        });
      case '/openapi/v3':
        return send(res, 200, openApiV3Index(h.openApiSchema));
      case '/api':
      case '/apis': {
        const agg = aggregatedAccept(accept);
        if (agg)
          return send(
            res,
            200,
            aggregatedDiscovery(path === '/api', agg),
            agg === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1,
          );
        return send(res, 200, path === '/api' ? apiVersions(h.serverAddress) : apiGroupList());
      }
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiV3Doc(path.slice('/openapi/v3/'.length), h.openApiSchema);
      if (!doc) throw errors.noResource();
      return send(res, 200, doc);
    }
  }

  const route = parseRoute(path);
  if (!route || route.type === 'other') throw errors.noResource();
  if (route.type === 'group') {
    const doc = apiGroupDoc(route.group);
    if (!doc || method !== 'GET') throw errors.noResource();
    return send(res, 200, doc);
  }
  if (route.type === 'resourceList') {
    const doc = apiResourceList(route.group, route.version);
    if (!doc || method !== 'GET') throw errors.noResource();
    return send(res, 200, doc);
  }
  if (!acceptable(accept) && !tableAccept(accept, null)) throw errors.notAcceptable();

  const { kind: k, namespace: ns, name, subresource: sub } = route;
  const show = presenter(k, route.version);
  if (sub !== undefined && !k.subresources.includes(sub)) throw errors.noResource();
  if (sub === 'finalize') throw errors.methodNotAllowed();
  if (sub === 'scale' && name !== undefined) return scale(h, req, res, k, ns, name, url.searchParams);
  const q = url.searchParams;

  if (k.review) {
    if (method !== 'POST' || name !== undefined || route.watch) throw errors.methodNotAllowed();
    const body = decodeBody(k, mediaType(req.headers['content-type']), await readBody(req));
    return send(res, 201, answerReview(k, body));
  }
  if (route.watch) {
    // Legacy `/api/v1/watch/...` (deprecated, still served): an item is watched through its collection.
    if (method !== 'GET' || sub !== undefined) throw errors.methodNotAllowed();
    const opts = parseListOptions(q, true);
    if (name !== undefined) opts.fieldSelector = joinSelector(opts.fieldSelector, `metadata.name=${name}`);
    return list(h, req, res, k, route.version, ns, opts, q.get('includeObject'));
  }
  if (name === undefined) {
    if (method === 'GET')
      return list(h, req, res, k, route.version, ns, parseListOptions(q), q.get('includeObject'));
    if (method === 'POST') {
      if (k.namespaced && ns === undefined) throw errors.methodNotAllowed();
      const ctx = writeContext(q, false, 'CreateOptions', req.headers['user-agent']);
      const body = decodeBody(k, mediaType(req.headers['content-type']), await readBody(req));
      const obj = h.resources.create(k, ns, body, ctx);
      return send(res, 201, show(obj), 'application/json', warningHeaders(ctx));
    }
    if (method === 'DELETE') return deleteCollection(h, res, k, route.version, ns, q);
    throw errors.methodNotAllowed();
  }

  switch (method) {
    case 'GET': {
      const obj = show(h.resources.get(k, ns, name));
      const table = tableAccept(accept, q.get('includeObject'));
      if (table)
        return send(
          res,
          200,
          toTable(k, [obj], obj.metadata.resourceVersion ?? '', table),
          tableContentType(table.apiVersion),
        );
      return send(res, 200, obj);
    }
    case 'PUT': {
      const ctx = writeContext(q, false, 'UpdateOptions', req.headers['user-agent']);
      const body = decodeBody(k, mediaType(req.headers['content-type']), await readBody(req));
      return send(
        res,
        200,
        show(h.resources.update(k, ns, name, sub, body, ctx)),
        'application/json',
        warningHeaders(ctx),
      );
    }
    case 'PATCH': {
      const ctx = writeContext(q, false, 'PatchOptions', req.headers['user-agent']);
      const type = mediaType(req.headers['content-type']);
      const known = [
        'application/merge-patch+json',
        'application/json-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ];
      if (
        !known.includes(type) ||
        (type === 'application/strategic-merge-patch+json' && k.patch !== 'strategic')
      )
        throw errors.unsupportedMediaType(k);
      const patch = decodeBody(k, type, await readBody(req));
      const { object, created } = h.resources.patch(k, ns, name, sub, type, patch, ctx);
      return send(res, created ? 201 : 200, show(object), 'application/json', warningHeaders(ctx));
    }
    case 'DELETE': {
      if (sub !== undefined) throw errors.methodNotAllowed();
      const raw = await readBody(req);
      const options = raw.length
        ? (decodeBody(k, mediaType(req.headers['content-type']), raw) as DeleteOptions & {
            dryRun?: string[];
          })
        : {};
      const ctx = writeContext(
        q,
        Array.isArray(options?.dryRun) && options.dryRun.includes('All'),
        'DeleteOptions',
      );
      return send(res, 200, show(h.resources.delete(k, ns, name, options ?? {}, ctx)));
    }
    default:
      throw errors.methodNotAllowed();
  }
}

async function scale(
  h: Handler,
  req: IncomingMessage,
  res: ServerResponse,
  k: ResourceKind,
  ns: string | undefined,
  name: string,
  q: URLSearchParams,
): Promise<void> {
  if (req.method === 'GET') return send(res, 200, toScale(h.resources.get(k, ns, name)));
  if (req.method !== 'PUT' && req.method !== 'PATCH') throw errors.methodNotAllowed();
  const ctx = writeContext(q, false, 'UpdateOptions', req.headers['user-agent']);
  const type = mediaType(req.headers['content-type']);
  const body = decodeBody(k, type, await readBody(req));
  send(res, 200, writeScale(h.resources, k, ns, name, body, req.method === 'PATCH' ? type : undefined, ctx));
}

function gvOf(k: ResourceKind, version: string): string {
  return k.group === '' ? version : `${k.group}/${version}`;
}

/** Objects are stored at the kind's storage version and shown at the version the client asked for. */
function presenter(k: ResourceKind, version: string): (o: KubeObject) => KubeObject {
  if (version === k.version) return (o) => o;
  const apiVersion = gvOf(k, version);
  return (o) => ({ ...o, apiVersion });
}

function tableContentType(apiVersion: string): string {
  return `application/json;as=Table;v=${apiVersion.split('/')[1]};g=meta.k8s.io`;
}

function selectors(k: ResourceKind, q: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>) {
  return {
    labels: parseLabelSelector(q.labelSelector),
    fields: parseFieldSelector(k.kind, q.fieldSelector),
  };
}

function joinSelector(a: string | null, b: string): string {
  return a ? `${a},${b}` : b;
}

function list(
  h: Handler,
  req: IncomingMessage,
  res: ServerResponse,
  k: ResourceKind,
  version: string,
  ns: string | undefined,
  q: ListOptions,
  includeObject: string | null,
): void {
  const { labels, fields } = selectors(k, q);
  const table = tableAccept(req.headers.accept, includeObject);
  if (q.watch) {
    let stop: (() => void) | undefined;
    stop = serveWatch(
      h.store,
      h.hub,
      {
        kind: k,
        show: presenter(k, version),
        namespace: ns,
        labels,
        fields,
        resourceVersion: q.resourceVersion,
        timeoutSeconds: q.timeoutSeconds ?? h.maxWatchSeconds,
        bookmarks: q.allowWatchBookmarks,
        sendInitialEvents: q.sendInitialEvents,
        table,
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
    return;
  }
  const all = h.resources.list(k, ns).filter((o) => (!labels || labels(o)) && (!fields || fields(o)));
  const page = paginate(all, q.limit, q.continue, h.store.resourceVersion);
  const items = page.items.map(presenter(k, version));
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue) Object.assign(metadata, { continue: page.continue, remainingItemCount: page.remaining });
  if (table) {
    const t = toTable(k, items, page.resourceVersion, table);
    return send(res, 200, { ...t, metadata }, tableContentType(table.apiVersion));
  }
  send(res, 200, { kind: `${k.kind}List`, apiVersion: gvOf(k, version), metadata, items });
}

/** Position of an object in list order (namespace, then name): NUL sorts before every character of a name. */
function listKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}\u0000${o.metadata.name ?? ''}`;
}

/**
 * `limit`/`continue` (docs/spec/kubernetes-api.md §4.1). A continue token holds the resourceVersion of the first page and
 * the last key served; later pages show current state after that key under the first page's resourceVersion,
 * so a watch started from it replays anything that changed meanwhile.
 */
function paginate(all: KubeObject[], limit: number, token: string | null, currentRv: number) {
  let items = all;
  let resourceVersion = String(currentRv);
  if (token) {
    let parsed: { rv?: unknown; after?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        rv?: unknown;
        after?: unknown;
      };
    } catch {
      throw errors.badRequest(
        'continue key is not valid: send the `continue` value of the previous page unchanged',
      );
    }
    if (typeof parsed.rv !== 'string' || typeof parsed.after !== 'string')
      throw errors.badRequest(
        'continue key is not valid: send the `continue` value of the previous page unchanged',
      );
    const after = parsed.after;
    items = all.filter((o) => listKey(o) > after);
    resourceVersion = parsed.rv;
  }
  const n = limit;
  if (n <= 0 || items.length <= n) return { items, resourceVersion };
  const pageItems = items.slice(0, n);
  const next = Buffer.from(
    JSON.stringify({ rv: resourceVersion, after: listKey(pageItems[n - 1]!) }),
  ).toString('base64url');
  return { items: pageItems, resourceVersion, continue: next, remaining: items.length - n };
}

function deleteCollection(
  h: Handler,
  res: ServerResponse,
  k: ResourceKind,
  version: string,
  ns: string | undefined,
  q: URLSearchParams,
): void {
  const { labels, fields } = selectors(k, parseListOptions(q));
  const ctx = writeContext(q, false, 'DeleteOptions');
  const deleted: KubeObject[] = [];
  for (const o of h.resources.list(k, ns))
    if ((!labels || labels(o)) && (!fields || fields(o)))
      deleted.push(
        presenter(k, version)(h.resources.delete(k, o.metadata.namespace, o.metadata.name ?? '', {}, ctx)),
      );
  send(res, 200, {
    kind: `${k.kind}List`,
    apiVersion: gvOf(k, version),
    metadata: { resourceVersion: String(h.store.resourceVersion) },
    items: deleted,
  });
}
