// Request bodies as objects: kind/apiVersion and metadata types checked before any rule runs; name suffixes and
// timestamps in kube-apiserver's formats.
import { randomBytes } from 'node:crypto';
import { apiVersionOf, servedVersions, type ResourceKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { isPlainObject } from './patch/json-patch.js';
import { errors } from './status.js';

/** apiserver's names.SimpleNameGenerator: 5 characters from an alphabet without vowels. */
export function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Checks apiVersion/kind and the metadata types of a request body; returns a mutable copy at the storage version. */
export function checkObjectBody(k: ResourceKind, body: unknown): KubeObject {
  if (!isPlainObject(body))
    throw errors.badRequest(`the request body must be a JSON object holding a ${k.kind}`);
  const obj = structuredClone(body) as KubeObject;
  if (obj.kind !== undefined && obj.kind !== k.kind)
    throw errors.badRequest(
      `the kind in the data (${String(obj.kind)}) does not match the expected kind (${k.kind}) of ${apiVersionOf(k)} ${k.plural}`,
    );
  const served = servedVersions(k).map((v) => (k.group === '' ? v : `${k.group}/${v}`));
  if (obj.apiVersion !== undefined && !served.includes(String(obj.apiVersion)))
    throw errors.badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(k)})`,
    );
  // Any served version is accepted; objects are stored at the storage version.
  obj.apiVersion = apiVersionOf(k);
  obj.kind = k.kind;
  if (obj.metadata === undefined) obj.metadata = {};
  const typeError = (field: string, want: string) =>
    errors.badRequest(
      `${k.kind} in version "${k.version}" cannot be handled as a ${k.kind}: ${field} must be ${want}`,
    );
  if (!isPlainObject(obj.metadata)) throw typeError('metadata', 'an object');
  for (const f of ['name', 'generateName', 'namespace'])
    if (obj.metadata[f] !== undefined && typeof obj.metadata[f] !== 'string')
      throw typeError(`metadata.${f}`, 'a string');
  for (const f of ['labels', 'annotations']) {
    const map = obj.metadata[f];
    if (map === undefined || map === null) continue;
    if (!isPlainObject(map) || Object.values(map).some((v) => typeof v !== 'string'))
      throw typeError(`metadata.${f}`, 'a map of strings');
  }
  if (
    obj.metadata.finalizers !== undefined &&
    (!Array.isArray(obj.metadata.finalizers) || obj.metadata.finalizers.some((v) => typeof v !== 'string'))
  )
    throw typeError('metadata.finalizers', 'a list of strings');
  return obj;
}
