// The verbs on one named object (`.../<resource>/<name>[/<subresource>]`), the scale subresource and reviews.
import { deleteOptionsFromQuery, type DeleteOptions } from './delete-options.js';
import type { ObjectCall, ResourceCall } from './context.js';
import { send, tableContentType } from './reply.js';
import { decodeBody, mediaType, readBody, warningHeaders, writeContext } from './request.js';
import { answerReview } from './reviews.js';
import { toScale, writeScale } from './scale.js';
import { errors } from './status.js';
import { tableAccept, toTable } from './table/table.js';

/** The patch types the API server applies; strategic merge only for kinds that declare it. */
const PATCH_TYPES = new Set([
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]);

/** GET of one object, as JSON or as a one-row Table. */
export function getObject(call: ObjectCall): void {
  const obj = call.show(call.h.resources.get(call.kind, call.namespace, call.name));
  const table = tableAccept(call.req.headers.accept, call.query.get('includeObject'));
  if (!table) return send(call.res, 200, obj);
  send(
    call.res,
    200,
    toTable(call.kind, [obj], obj.metadata.resourceVersion ?? '', table),
    tableContentType(table.apiVersion),
  );
}

/** PUT: replaces the object (or its status subresource). */
export async function updateObject(call: ObjectCall): Promise<void> {
  const { h, req, kind: k } = call;
  const ctx = writeContext(call.query, false, 'UpdateOptions', req.headers['user-agent']);
  const body = decodeBody(k, mediaType(req.headers['content-type']), await readBody(req));
  const updated = h.resources.update(k, call.namespace, call.name, call.subresource, body, ctx);
  send(call.res, 200, call.show(updated), 'application/json', warningHeaders(ctx));
}

/** PATCH in one of the four patch types; server-side apply may create the object (201). */
export async function patchObject(call: ObjectCall): Promise<void> {
  const { h, req, kind: k } = call;
  const ctx = writeContext(call.query, false, 'PatchOptions', req.headers['user-agent']);
  const type = mediaType(req.headers['content-type']);
  if (
    !PATCH_TYPES.has(type) ||
    (type === 'application/strategic-merge-patch+json' && k.patch !== 'strategic')
  )
    throw errors.unsupportedMediaType(k);
  const patch = decodeBody(k, type, await readBody(req));
  const { object, created } = h.resources.patch(
    k,
    call.namespace,
    call.name,
    call.subresource,
    type,
    patch,
    ctx,
  );
  send(call.res, created ? 201 : 200, call.show(object), 'application/json', warningHeaders(ctx));
}

/** DELETE of one object, with optional DeleteOptions in the body. */
export async function deleteObject(call: ObjectCall): Promise<void> {
  const { h, req, kind: k } = call;
  if (call.subresource !== undefined) throw errors.methodNotAllowed();
  const raw = await readBody(req);
  const options: DeleteOptions & { dryRun?: string[] } = raw.length
    ? (decodeBody(k, mediaType(req.headers['content-type']), raw) as DeleteOptions & { dryRun?: string[] })
    : deleteOptionsFromQuery(call.query);
  const dryRun = Array.isArray(options?.dryRun) && options.dryRun.includes('All');
  const ctx = writeContext(call.query, dryRun, 'DeleteOptions');
  send(call.res, 200, call.show(h.resources.delete(k, call.namespace, call.name, options ?? {}, ctx)));
}

/** The scale subresource: read, or written by PUT or PATCH. */
export async function scaleObject(call: ObjectCall): Promise<void> {
  const { h, req, kind: k } = call;
  if (req.method === 'GET')
    return send(call.res, 200, toScale(h.resources.get(k, call.namespace, call.name)));
  if (req.method !== 'PUT' && req.method !== 'PATCH') throw errors.methodNotAllowed();
  const ctx = writeContext(call.query, false, 'UpdateOptions', req.headers['user-agent']);
  const type = mediaType(req.headers['content-type']);
  const body = decodeBody(k, type, await readBody(req));
  const patchType = req.method === 'PATCH' ? type : undefined;
  send(call.res, 200, writeScale(h.resources, k, call.namespace, call.name, body, patchType, ctx));
}

/** A review kind (TokenReview, SubjectAccessReview, ...): POSTed to its collection, answered, never stored. */
export async function review(call: ResourceCall): Promise<void> {
  const { req, kind: k } = call;
  const body = decodeBody(k, mediaType(req.headers['content-type']), await readBody(req));
  send(call.res, 201, answerReview(k, body));
}
