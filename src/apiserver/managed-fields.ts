// Server-side apply field ownership (metadata.managedFields, FieldsV1) as kube-apiserver's fieldmanager keeps it:
// every write records which manager (and operation, Apply or Update) last set which fields; an Apply that would
// change a field another manager owns is a 409 Conflict naming the manager and the field, unless `force`.
// Lists are tracked by their schema's list type (list-types.ts): `map` lists per item (`k:{"port":80,"protocol":
// "TCP"}`), `set` lists per value (`v:"a"`), `atomic` lists as a whole.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/types.js';
import { isPlainObject } from './patch/json-patch.js';
import { itemKeyOf, type ListTypes } from './list-types.js';

type Obj = Record<string, unknown>;
/** FieldsV1: `f:<field>`, `k:<json key>` (keyed list item), `v:<json value>` (set value), `.` (the item itself); leaves are `{}`. */
export interface FieldsV1 {
  [element: string]: FieldsV1;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

export interface Conflict {
  manager: string;
  /** `.spec.ports[port=80].targetPort` */
  path: string;
}

/** metadata fields SSA tracks; the rest of metadata belongs to the server. */
const TRACKED_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/** A path as FieldsV1 elements joined by NUL, mapped to the JSON of its value. */
type Paths = Map<string, string>;

function walk(lists: ListTypes, value: unknown, elements: string[], names: string[], out: Paths): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) walk(lists, v, [...elements, `f:${k}`], [...names, k], out);
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    const lt = lists(names);
    const keys = lt.type === 'map' ? value.map((item) => itemKeyOf(item, lt)) : [];
    if (lt.type === 'map' && keys.every((k) => k !== undefined)) {
      for (const [i, item] of (value as Obj[]).entries()) {
        const itemElements = [...elements, `k:${JSON.stringify(keys[i])}`];
        out.set([...itemElements, '.'].join('\0'), '');
        for (const [k, v] of Object.entries(item))
          walk(lists, v, [...itemElements, `f:${k}`], [...names, k], out);
      }
      return;
    }
    if (lt.type === 'set' && value.every((v) => !isPlainObject(v) && !Array.isArray(v))) {
      for (const v of value) out.set([...elements, `v:${JSON.stringify(v)}`].join('\0'), '');
      return;
    }
  }
  out.set(elements.join('\0'), JSON.stringify(value));
}

/** The owned paths of an object: spec-side fields (or only status, for the status subresource). */
export function fieldPaths(lists: ListTypes, obj: Obj, part: 'main' | 'status' | 'all'): Paths {
  const out: Paths = new Map();
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (part === 'status' ? k !== 'status' : part === 'main' && k === 'status') continue;
    if (k === 'metadata') {
      if (!isPlainObject(v)) continue;
      for (const m of TRACKED_METADATA)
        if (v[m] !== undefined) walk(lists, v[m], ['f:metadata', `f:${m}`], ['metadata', m], out);
      continue;
    }
    walk(lists, v, [`f:${k}`], [k], out);
  }
  return out;
}

export function toFieldsV1(paths: Iterable<string>): FieldsV1 {
  const root: FieldsV1 = {};
  for (const path of paths) {
    let node = root;
    for (const el of path.split('\0')) node = node[el] ??= {};
  }
  return root;
}

function fromFieldsV1(node: FieldsV1, prefix: string[] = [], out = new Set<string>()): Set<string> {
  for (const [el, child] of Object.entries(node)) {
    const here = [...prefix, el];
    if (!isPlainObject(child) || Object.keys(child).length === 0) out.add(here.join('\0'));
    else fromFieldsV1(child, here, out);
  }
  return out;
}

/** The key object of a `k:` element; undefined when a client-written element is not JSON. */
function itemKey(el: string): Obj | undefined {
  try {
    const key: unknown = JSON.parse(el.slice(2));
    return isPlainObject(key) ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Client-sent managedFields are taken only when shaped as entries (kube-apiserver validates them too). */
export function isManagedFields(v: unknown): v is ManagedFieldsEntry[] {
  return (
    Array.isArray(v) &&
    v.every(
      (e) =>
        isPlainObject(e) &&
        typeof e.manager === 'string' &&
        (e.operation === 'Apply' || e.operation === 'Update') &&
        (e.fieldsV1 === undefined || isPlainObject(e.fieldsV1)),
    )
  );
}

/** `.spec.ports[port=80].targetPort`, as structured-merge-diff prints a path. */
function printPath(path: string): string {
  return path
    .split('\0')
    .filter((el) => el !== '.')
    .map((el) => {
      if (el.startsWith('f:')) return `.${el.slice(2)}`;
      if (el.startsWith('v:')) return `[=${el.slice(2)}]`;
      const key = itemKey(el) ?? {};
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

export interface Write {
  /** The list types of the kind written (list-types.ts). */
  lists: ListTypes;
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: 'status';
  /** For Apply: the applied configuration (ownership and conflicts are about its fields). */
  applied?: Obj;
  force?: boolean;
  now: string;
}

const sameEntry = (e: ManagedFieldsEntry, w: Write) =>
  e.manager === w.manager && e.operation === w.operation && (e.subresource ?? '') === (w.subresource ?? '');

/**
 * The managedFields after a write from `before` (undefined on create) to `after`, or the conflicts that forbid
 * it (Apply without force). Entries whose field sets did not change keep their time.
 */
export function nextManagedFields(
  before: KubeObject | undefined,
  after: KubeObject,
  w: Write,
): { entries: ManagedFieldsEntry[] } | { conflicts: Conflict[] } {
  const part = w.subresource === 'status' ? 'status' : before === undefined ? 'all' : 'main';
  const old = (before?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? [];
  const livePaths = fieldPaths(w.lists, after as Obj, 'all');
  const beforePaths = before ? fieldPaths(w.lists, before as Obj, part) : new Map<string, string>();
  const afterPaths = fieldPaths(w.lists, after as Obj, part);
  const sets = old.map((e) => ({ entry: e, paths: fromFieldsV1(e.fieldsV1 ?? {}) }));

  let mine: Set<string>;
  if (w.operation === 'Apply') {
    const applied = fieldPaths(w.lists, w.applied ?? {}, part);
    const conflicts: Conflict[] = [];
    for (const s of sets) {
      if (sameEntry(s.entry, w)) continue;
      for (const p of applied.keys()) {
        if (!s.paths.has(p) || p.endsWith('\0.')) continue;
        if (beforePaths.has(p) && beforePaths.get(p) !== applied.get(p)) {
          if (w.force) s.paths.delete(p);
          else conflicts.push({ manager: managerName(s.entry), path: printPath(p) });
        }
      }
    }
    if (conflicts.length) return { conflicts };
    mine = new Set(applied.keys());
  } else {
    const changed = [...afterPaths].filter(([p, v]) => beforePaths.get(p) !== v).map(([p]) => p);
    for (const s of sets) if (!sameEntry(s.entry, w)) for (const p of changed) s.paths.delete(p);
    mine = new Set([...(sets.find((s) => sameEntry(s.entry, w))?.paths ?? []), ...changed]);
  }
  // Fields that are gone are owned by nobody (a path is alive while it or anything under it exists).
  const present = new Set<string>();
  for (const p of livePaths.keys()) {
    const els = p.split('\0');
    for (let i = 1; i <= els.length; i++) present.add(els.slice(0, i).join('\0'));
  }
  const alive = (p: string) => present.has(p);
  const entries: ManagedFieldsEntry[] = [];
  let placed = false;
  for (const s of sets) {
    const own = sameEntry(s.entry, w);
    const paths = [...(own ? mine : s.paths)].filter(alive);
    if (own) placed = true;
    if (paths.length === 0) continue;
    const unchanged = isDeepStrictEqual(new Set(paths), fromFieldsV1(s.entry.fieldsV1 ?? {}));
    // Another manager that lost fields keeps its name, operation and time.
    entries.push(
      unchanged ? s.entry : own ? entry(w, paths) : { ...s.entry, fieldsV1: toFieldsV1(paths.sort()) },
    );
  }
  const minePaths = [...mine].filter(alive);
  if (!placed && minePaths.length) entries.push(entry(w, minePaths));
  return { entries };
}

function entry(w: Write, paths: string[]): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = {
    manager: w.manager,
    operation: w.operation,
    apiVersion: w.apiVersion,
    time: w.now,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(paths.sort()),
  };
  if (w.subresource) e.subresource = w.subresource;
  return e;
}

/** fieldmanager printManager: Update managers show the apiVersion and time they wrote with. */
function managerName(e: ManagedFieldsEntry): string {
  const name = JSON.stringify(e.manager);
  return e.operation === 'Update' ? `${name} using ${e.apiVersion} at ${e.time}` : name;
}

/** kube-apiserver's 409 for apply conflicts (fieldmanager.NewConflictError). */
export function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1)
    return `Apply failed with 1 conflict: conflict with ${conflicts[0]!.manager}: ${conflicts[0]!.path}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
  const lines = [...byManager.keys()]
    .sort()
    .flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${p}`)]);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** kube-apiserver's default manager for writes without `fieldManager`: the User-Agent up to its first `/`. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const name = (userAgent ?? '').split('/')[0]!.trim();
  return name === '' ? 'unknown' : name.slice(0, 128);
}

/**
 * What an Apply by `manager` drops: the fields its previous Apply set that the new configuration no longer
 * sets and no other manager owns (kube-apiserver removes them from the object). Undefined without a previous
 * Apply by this manager.
 */
export function droppedByApply(
  lists: ListTypes,
  existing: KubeObject,
  manager: string,
  applied: Obj,
  subresource?: 'status',
): string[] | undefined {
  const entries = (existing.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? [];
  const w = { manager, operation: 'Apply' as const, subresource };
  const own = entries.find((e) => sameEntry(e, w as Write));
  if (!own) return undefined;
  const still = fieldPaths(lists, applied, subresource === 'status' ? 'status' : 'main');
  const others = new Set(
    entries.filter((e) => e !== own).flatMap((e) => [...fromFieldsV1(e.fieldsV1 ?? {})]),
  );
  return [...fromFieldsV1(own.fieldsV1 ?? {})].filter((p) => !still.has(p) && !others.has(p));
}

/** Removes the fields at `paths` (FieldsV1 paths; a path ending in `.` removes the keyed list item). */
export function removePaths(obj: Obj, paths: string[]): void {
  // Shallowest first: a keyed item goes while its key fields still find it (paths under it then find nothing).
  for (const path of [...paths].sort((a, b) => a.split('\0').length - b.split('\0').length)) {
    const els = path.split('\0');
    const last = els[els.length - 1] === '.' ? els.length - 1 : els.length;
    let parent: unknown = undefined;
    let cur: unknown = obj;
    let at: string | number = '';
    for (const el of els.slice(0, last)) {
      parent = cur;
      if (el.startsWith('f:') && isPlainObject(cur)) {
        at = el.slice(2);
        cur = Object.hasOwn(cur, at) ? cur[at] : undefined;
      } else if (el.startsWith('k:') && Array.isArray(cur)) {
        const key = itemKey(el);
        if (!key) {
          cur = undefined;
          break;
        }
        at = cur.findIndex(
          (item) =>
            isPlainObject(item) && Object.entries(key).every(([k, v]) => isDeepStrictEqual(item[k], v)),
        );
        cur = at >= 0 ? cur[at] : undefined;
      } else if (el.startsWith('v:') && Array.isArray(cur)) {
        const value = el.slice(2);
        at = cur.findIndex((item) => JSON.stringify(item) === value);
        cur = at >= 0 ? cur[at] : undefined;
      } else cur = undefined;
      if (cur === undefined) break;
    }
    if (cur === undefined) continue;
    if (Array.isArray(parent) && typeof at === 'number') parent.splice(at, 1);
    else if (isPlainObject(parent) && typeof at === 'string') delete parent[at];
  }
}
