// Strategic merge patch for the built-in kinds (apimachinery strategicpatch semantics, docs/spec/kubernetes-api.md §5.2):
// maps merge, lists replace unless the field's patch strategy is `merge` (then items merge by their merge key),
// plus the `$patch`, `$setElementOrder/`, `$deleteFromPrimitiveList/` and `$retainKeys` directives.
import { KINDS } from '../../api/kinds.js';
import { builtinFieldMeta } from '../../api/schema/k8s-builtin.js';
import { isPlainObject, PatchError } from './json-patch.js';

interface FieldPatchMeta {
  strategy: 'merge' | 'replace';
  /** Merge key of a list of objects; absent for a list of scalars. */
  mergeKey?: string;
}

type Obj = Record<string, unknown>;

/**
 * Patch metadata of a built-in kind's list field, from the same schemas /openapi/v2 and v3 publish (k8s.io/api's
 * struct tags, src/api/schema/k8s-field-meta.ts): kubectl builds its patches from those, so the server must
 * apply them with the same merge keys. `path` holds field names only (no indices).
 */
function listMeta(kind: string, path: string[]): FieldPatchMeta {
  const k = KINDS.find((x) => !x.custom && x.kind === kind);
  const meta = k && builtinFieldMeta(k.group, k.version, k.kind, path);
  if (meta?.patchStrategy?.split(',').includes('merge'))
    return meta.patchMergeKey === undefined
      ? { strategy: 'merge' }
      : { strategy: 'merge', mergeKey: meta.patchMergeKey };
  return { strategy: 'replace' };
}

/** The merge key of an object list merged by key (`spec.ports` of a Service → `port`), else undefined. */
export function listMergeKey(kind: string, path: string[]): string | undefined {
  const meta = listMeta(kind, path);
  return meta.strategy === 'merge' ? meta.mergeKey : undefined;
}

/** Removes every `$` directive from a value that is added as a whole (no original to merge into). */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v))
    return v
      .filter((x) => !(isPlainObject(x) && x.$patch === 'replace' && Object.keys(x).length === 1))
      .map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: Obj = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (val === null) continue;
    out[k] = stripDirectives(val);
  }
  return out;
}

function keyOf(item: unknown, mergeKey: string): unknown {
  return isPlainObject(item) ? item[mergeKey] : undefined;
}

function sameKey(a: unknown, b: unknown): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function applyOrder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const named: unknown[] = [];
  const rest = [...list];
  for (const stub of order) {
    const want = mergeKey ? keyOf(stub, mergeKey) : stub;
    const i = rest.findIndex((x) => sameKey(mergeKey ? keyOf(x, mergeKey) : x, want));
    if (i >= 0) named.push(rest.splice(i, 1)[0]);
  }
  return [...named, ...rest];
}

function mergeList(kind: string, original: unknown, patch: unknown[], path: string[]): unknown[] {
  const meta = listMeta(kind, path);
  if (meta.strategy !== 'merge') return stripDirectives(patch) as unknown[];
  const replaceAt = patch.findIndex((x) => isPlainObject(x) && x.$patch === 'replace');
  if (replaceAt >= 0) return stripDirectives(patch.filter((_, i) => i !== replaceAt)) as unknown[];
  const out = Array.isArray(original) ? [...original] : [];
  if (meta.mergeKey === undefined) {
    for (const v of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(v))) out.push(v);
    return out;
  }
  const key = meta.mergeKey;
  for (const item of patch) {
    if (!isPlainObject(item))
      throw new PatchError(`${path.join('.')}: list items must be objects with "${key}"`);
    const k = item[key];
    const at = out.findIndex((x) => sameKey(keyOf(x, key), k));
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = mergeMap(kind, isPlainObject(out[at]) ? (out[at] as Obj) : {}, item, path);
    else out.push(mergeMap(kind, {}, item, path));
  }
  return out;
}

function mergeMap(kind: string, original: Obj, patch: Obj, path: string[]): Obj {
  if (patch.$patch === 'replace') return stripDirectives(patch) as Obj;
  const out: Obj = { ...original };
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') {
      if (v !== 'replace' && v !== 'delete' && v !== 'merge')
        throw new PatchError(`unknown patch type: ${String(v)}`);
      continue;
    }
    if (k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (!Array.isArray(v)) throw new PatchError(`${k} must be a list`);
      orders.push([k.slice('$setElementOrder/'.length), v]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(v)) throw new PatchError(`${k} must be a list`);
      const cur = out[field];
      if (Array.isArray(cur)) {
        const rest = cur.filter((x) => !v.some((d) => JSON.stringify(d) === JSON.stringify(x)));
        if (rest.length > 0) out[field] = rest;
        else delete out[field];
      }
      continue;
    }
    if (k.startsWith('$')) throw new PatchError(`unknown directive "${k}" in strategic merge patch`);
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const fieldPath = [...path, k];
    if (v === null) delete out[k];
    else if (isPlainObject(v)) {
      if (v.$patch === 'delete') delete out[k];
      else out[k] = mergeMap(kind, isPlainObject(out[k]) ? (out[k] as Obj) : {}, v, fieldPath);
    } else if (Array.isArray(v)) out[k] = mergeList(kind, out[k], v, fieldPath);
    else out[k] = v;
  }
  for (const [field, order] of orders) {
    const cur = out[field];
    if (Array.isArray(cur)) out[field] = applyOrder(cur, order, listMeta(kind, [...path, field]).mergeKey);
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

/** Applies a strategic merge patch (a JSON object) to `original` of the given built-in kind. */
export function strategicMergePatch(kind: string, original: Obj, patch: unknown): Obj {
  if (!isPlainObject(patch)) throw new PatchError('a strategic merge patch must be a JSON object');
  return mergeMap(kind, original, patch, []);
}
