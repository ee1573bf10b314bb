// HTTP → API verbs: routes requests, negotiates JSON vs Table, streams watches, renders Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceKind } from '../api/kinds.js';
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
} from './discovery.js';
import { acceptable, decodeBody, mediaType, readBody, warningHeaders, writeContext } from './request.js';
import type { DeleteOptions, Resources } from './resources.js';
import { parseRoute } from './routes.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError, errors } from './status.js';
import type { ObjectStore } from './store.js';
import { tableAccept, toTable } from './table/table.js';
import { serveWatch } from './watch-stream.js';
import type { WatchHub } from './watch.js';

export interface Handler {
  store: ObjectStore;
  hub: WatchHub;
  resources: Resources;
  /** Stop functions of open watches, so close() can end them cleanly. */
  watches: Set<() => void>;
  bookmarkIntervalMs?: number;
  maxWatchSeconds?: number;
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
        return send(res, 200, openApiV3Index());
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
      const doc = openApiV3Doc(path.slice('/openapi/v3/'.length));
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
  if (sub !== undefined && !k.subresources.includes(sub)) throw errors.noResource();
  if (sub === 'scale' || sub === 'finalize') throw errors.methodNotAllowed();
  const q = url.searchParams;

  if (name === undefined) {
    if (method === 'GET') return list(h, req, res, k, ns, q);
    if (method === 'POST') {
      if (k.namespaced && ns === undefined) throw errors.methodNotAllowed();
      const ctx = writeContext(q);
      const body = decodeBody(k, mediaType(req.headers['content-type']), await readBody(req));
      const obj = h.resources.create(k, ns, body, ctx);
      return send(res, 201, obj, 'application/json', warningHeaders(ctx));
    }
    if (method === 'DELETE') return deleteCollection(h, res, k, ns, q);
    throw errors.methodNotAllowed();
  }

  switch (method) {
    case 'GET': {
      const obj = h.resources.get(k, ns, name);
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
      const ctx = writeContext(q);
      const body = decodeBody(k, mediaType(req.headers['content-type']), await readBody(req));
      return send(
        res,
        200,
        h.resources.update(k, ns, name, sub, body, ctx),
        'application/json',
        warningHeaders(ctx),
      );
    }
    case 'PATCH': {
      const ctx = writeContext(q);
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
      return send(res, created ? 201 : 200, object, 'application/json', warningHeaders(ctx));
    }
    case 'DELETE': {
      if (sub !== undefined) throw errors.methodNotAllowed();
      const raw = await readBody(req);
      const options = raw.length
        ? (decodeBody(k, mediaType(req.headers['content-type']), raw) as DeleteOptions & {
            dryRun?: string[];
          })
        : {};
      const ctx = writeContext(q, Array.isArray(options?.dryRun) && options.dryRun.includes('All'));
      return send(res, 200, h.resources.delete(k, ns, name, options ?? {}, ctx));
    }
    default:
      throw errors.methodNotAllowed();
  }
}

function tableContentType(apiVersion: string): string {
  return `application/json;as=Table;v=${apiVersion.split('/')[1]};g=meta.k8s.io`;
}

function selectors(k: ResourceKind, q: URLSearchParams) {
  return {
    labels: parseLabelSelector(q.get('labelSelector')),
    fields: parseFieldSelector(k.kind, q.get('fieldSelector')),
  };
}

function list(
  h: Handler,
  req: IncomingMessage,
  res: ServerResponse,
  k: ResourceKind,
  ns: string | undefined,
  q: URLSearchParams,
): void {
  const { labels, fields } = selectors(k, q);
  const table = tableAccept(req.headers.accept, q.get('includeObject'));
  const watch = q.get('watch');
  if (watch === 'true' || watch === '1') {
    const timeout = q.get('timeoutSeconds');
    let stop: (() => void) | undefined;
    stop = serveWatch(
      h.store,
      h.hub,
      {
        kind: k,
        namespace: ns,
        labels,
        fields,
        resourceVersion: q.get('resourceVersion'),
        timeoutSeconds: timeout !== null && Number(timeout) > 0 ? Number(timeout) : h.maxWatchSeconds,
        bookmarks: q.get('allowWatchBookmarks') === 'true',
        sendInitialEvents: q.get('sendInitialEvents') === 'true',
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
  const items = h.resources.list(k, ns).filter((o) => (!labels || labels(o)) && (!fields || fields(o)));
  const rv = String(h.store.resourceVersion);
  if (table) return send(res, 200, toTable(k, items, rv, table), tableContentType(table.apiVersion));
  send(res, 200, {
    kind: `${k.kind}List`,
    apiVersion: apiVersionOf(k),
    metadata: { resourceVersion: rv },
    items,
  });
}

function deleteCollection(
  h: Handler,
  res: ServerResponse,
  k: ResourceKind,
  ns: string | undefined,
  q: URLSearchParams,
): void {
  const { labels, fields } = selectors(k, q);
  const ctx = writeContext(q);
  const deleted: KubeObject[] = [];
  for (const o of h.resources.list(k, ns))
    if ((!labels || labels(o)) && (!fields || fields(o)))
      deleted.push(h.resources.delete(k, o.metadata.namespace, o.metadata.name ?? '', {}, ctx));
  send(res, 200, {
    kind: `${k.kind}List`,
    apiVersion: apiVersionOf(k),
    metadata: { resourceVersion: String(h.store.resourceVersion) },
    items: deleted,
  });
}
