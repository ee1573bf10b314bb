// The route table of the API paths: which handler answers a method on a group, a version or a resource path.
// Each handler is one verb (object-verbs.ts, collection-verbs.ts); this module only chooses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler, ObjectCall, ResourceCall, Verb } from './context.js';
import { createObject, deleteCollection, legacyWatch, listObjects } from './collection-verbs.js';
import { apiGroupDoc, apiResourceList } from './discovery.js';
import { deleteObject, getObject, patchObject, review, scaleObject, updateObject } from './object-verbs.js';
import { presenter, send } from './reply.js';
import { acceptable } from './request.js';
import { parseRoute, type Route } from './routes.js';
import { errors } from './status.js';
import { tableAccept } from './table/table.js';

type ResourceRoute = Extract<Route, { type: 'resource' }>;

/** `.../<resource>`: a Map, so a method named like an Object.prototype member finds nothing. */
const COLLECTION_VERBS: ReadonlyMap<string, Verb> = new Map([
  ['GET', listObjects],
  ['POST', createObject],
  ['DELETE', deleteCollection],
]);

/** `.../<resource>/<name>[/status]`. */
const OBJECT_VERBS: ReadonlyMap<string, Verb<ObjectCall>> = new Map<string, Verb<ObjectCall>>([
  ['GET', getObject],
  ['PUT', updateObject],
  ['PATCH', patchObject],
  ['DELETE', deleteObject],
]);

function verbOf<C extends ResourceCall>(table: ReadonlyMap<string, Verb<C>>, method: string): Verb<C> {
  const verb = table.get(method);
  if (!verb) throw errors.methodNotAllowed();
  return verb;
}

/** Answers a path under `/api` or `/apis` (and anything else the fixed paths did not claim: 404). */
export function routeApiPath(
  h: Handler,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): void | Promise<void> {
  const method = req.method ?? 'GET';
  const route = parseRoute(path, h.kinds);
  if (!route || route.type === 'other') throw errors.noResource();
  if (route.type === 'group' || route.type === 'resourceList') {
    const doc =
      route.type === 'group'
        ? apiGroupDoc(route.group, h.kinds)
        : apiResourceList(route.group, route.version, h.kinds);
    if (!doc || method !== 'GET') throw errors.noResource();
    return send(res, 200, doc);
  }
  const accept = req.headers.accept;
  if (!acceptable(accept) && !tableAccept(accept, null)) throw errors.notAcceptable();
  return routeResource(h, req, res, route, query);
}

function routeResource(
  h: Handler,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
): void | Promise<void> {
  const { kind: k, version, namespace, name, subresource } = route;
  const method = req.method ?? 'GET';
  const call: ResourceCall = { h, req, res, kind: k, version, namespace, query, show: presenter(k, version) };
  if (subresource !== undefined && !k.subresources.includes(subresource)) throw errors.noResource();
  if (subresource === 'finalize') throw errors.methodNotAllowed();
  if (subresource === 'scale' && name !== undefined) return scaleObject({ ...call, name, subresource });
  if (k.review) {
    if (method !== 'POST' || name !== undefined || route.watch) throw errors.methodNotAllowed();
    return review(call);
  }
  if (route.watch) {
    if (method !== 'GET' || subresource !== undefined) throw errors.methodNotAllowed();
    return legacyWatch(call, name);
  }
  if (name === undefined) return verbOf(COLLECTION_VERBS, method)(call);
  return verbOf(OBJECT_VERBS, method)({ ...call, name, subresource });
}
