// Strategic merge patch for the built-in kinds (apimachinery strategicpatch semantics, docs/spec/kubernetes-api.md §5.2):
// maps merge, lists replace unless the field's patch strategy is `merge` (then items merge by their merge key),
// plus the `$patch`, `$setElementOrder/`, `$deleteFromPrimitiveList/` and `$retainKeys` directives.
import { isPlainObject, PatchError } from './json-patch.js';

interface FieldPatchMeta {
  strategy: 'merge' | 'replace';
  /** Merge key of a list of objects; absent for a list of scalars. */
  mergeKey?: string;
}

type Obj = Record<string, unknown>;

const POD_SPEC_LISTS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  schedulingGates: 'name',
  resourceClaims: 'name',
};
const CONTAINER_LISTS: Record<string, string> = {
  ports: 'containerPort',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
};

/** Patch metadata of k8s.io/api release-1.32 for the kinds in scope. `path` holds field names only (no indices). */
function listMeta(kind: string, path: string[]): FieldPatchMeta {
  const p = path.join('.');
  if (p === 'metadata.finalizers') return { strategy: 'merge' };
  if (p === 'metadata.ownerReferences') return { strategy: 'merge', mergeKey: 'uid' };
  if (kind === 'Service' && p === 'spec.ports') return { strategy: 'merge', mergeKey: 'port' };
  if ((kind === 'Pod' || kind === 'Deployment') && p === 'status.conditions')
    return { strategy: 'merge', mergeKey: 'type' };
  if (kind === 'Pod' && (p === 'status.podIPs' || p === 'status.hostIPs'))
    return { strategy: 'merge', mergeKey: 'ip' };
  const podSpec = kind === 'Pod' ? 1 : kind === 'Deployment' ? 3 : 0;
  if (podSpec > 0 && path.length > podSpec) {
    const rest = path.slice(podSpec);
    const prefixOk =
      kind === 'Pod'
        ? path[0] === 'spec'
        : path[0] === 'spec' && path[1] === 'template' && path[2] === 'spec';
    if (prefixOk) {
      if (rest.length === 1 && POD_SPEC_LISTS[rest[0]])
        return { strategy: 'merge', mergeKey: POD_SPEC_LISTS[rest[0]] };
      if (
        rest.length === 2 &&
        ['containers', 'initContainers', 'ephemeralContainers'].includes(rest[0]) &&
        CONTAINER_LISTS[rest[1]]
      )
        return { strategy: 'merge', mergeKey: CONTAINER_LISTS[rest[1]] };
    }
  }
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
