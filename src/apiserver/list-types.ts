// How server-side apply treats each list of a kind (structured-merge-diff's associative lists), from the schemas
// the server publishes: `x-kubernetes-list-type` `atomic` (owned and replaced whole), `set` (scalars, each value
// owned on its own) or `map` (items identified by `x-kubernetes-list-map-keys`, each item's fields owned on
// their own). Built-in kinds: k8s.io/api's `+listType`/`+listMapKey` markers, else a strategic-merge key makes
// a map keyed by it (as kube-openapi's schema conversion does); custom kinds: their OpenAPI v3 schema, where a
// list without a type is atomic.
import type { ResourceKind } from '../api/kinds.js';
import { builtinFieldMeta } from '../api/schema/k8s-builtin.js';
import { isPlainObject } from './patch/json-patch.js';

export interface ListType {
  type: 'atomic' | 'set' | 'map';
  /** Key fields of a map list's items. */
  keys?: readonly string[];
  /** Defaults of key fields (an item without `protocol` is keyed `TCP`, as the server defaults it). */
  keyDefaults?: Readonly<Record<string, unknown>>;
}

/** The list type at a path of field names (no indices), e.g. `['spec', 'ports']`. */
export type ListTypes = (path: readonly string[]) => ListType;

const ATOMIC: ListType = { type: 'atomic' };

/** ObjectMeta's lists, the same for every kind (apimachinery's markers). */
function metadataList(path: readonly string[]): ListType {
  if (path.length !== 2) return ATOMIC;
  if (path[1] === 'finalizers') return { type: 'set' };
  if (path[1] === 'ownerReferences') return { type: 'map', keys: ['uid'] };
  return ATOMIC;
}

/**
 * Key fields k8s.io/api defaults (`+default="TCP"` on every `protocol` of ports). The built-in schemas carry
 * no defaults, and an applied port without `protocol` must find the stored item, which was defaulted.
 */
const BUILTIN_KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

function builtinLists(k: ResourceKind): ListTypes {
  return (path) => {
    if (path[0] === 'metadata') return metadataList(path);
    const meta = builtinFieldMeta(k.group, k.version, k.kind, path);
    if (!meta) return ATOMIC;
    if (meta.listType === 'map' && meta.listMapKeys?.length)
      return { type: 'map', keys: meta.listMapKeys, keyDefaults: BUILTIN_KEY_DEFAULTS };
    if (meta.listType === 'set' || meta.listType === 'atomic') return { type: meta.listType };
    if (meta.patchStrategy?.split(',').includes('merge'))
      return meta.patchMergeKey
        ? { type: 'map', keys: [meta.patchMergeKey], keyDefaults: BUILTIN_KEY_DEFAULTS }
        : { type: 'set' };
    return ATOMIC;
  };
}

type Node = Record<string, unknown>;

/** The schema node of a field path, through objects, maps and list items. */
function schemaAt(root: Node, path: readonly string[]): Node | undefined {
  let node: Node | undefined = root;
  for (const name of path) {
    while (node && isPlainObject(node.items)) node = node.items;
    if (!node) return undefined;
    const props: unknown = node.properties;
    const next: unknown =
      isPlainObject(props) && Object.hasOwn(props, name) ? props[name] : node.additionalProperties;
    node = isPlainObject(next) ? next : undefined;
  }
  return node;
}

function customLists(schema: Node): ListTypes {
  return (path) => {
    if (path[0] === 'metadata') return metadataList(path);
    const node = schemaAt(schema, path);
    const type = node?.['x-kubernetes-list-type'];
    if (type === 'set') return { type: 'set' };
    if (type !== 'map') return ATOMIC;
    const keys = node?.['x-kubernetes-list-map-keys'];
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((x) => typeof x === 'string')) return ATOMIC;
    const itemProps = isPlainObject(node?.items) ? node.items.properties : undefined;
    const keyDefaults: Record<string, unknown> = {};
    for (const key of keys as string[]) {
      const field = isPlainObject(itemProps) ? itemProps[key] : undefined;
      if (isPlainObject(field) && field.default !== undefined) keyDefaults[key] = field.default;
    }
    return { type: 'map', keys: keys as string[], keyDefaults };
  };
}

/** The list types of a kind: the built-in schemas, or a custom kind's OpenAPI v3 schema (atomic without one). */
export function listTypesOf(k: ResourceKind, customSchema?: Record<string, unknown>): ListTypes {
  if (!k.custom) return builtinLists(k);
  return customLists(customSchema ?? {});
}

/** A map-list item's key (fields sorted by name, as FieldsV1 `k:` elements spell it); undefined if incomplete. */
export function itemKeyOf(item: unknown, lt: ListType): Record<string, unknown> | undefined {
  if (!isPlainObject(item) || !lt.keys) return undefined;
  const key: Record<string, unknown> = {};
  for (const name of [...lt.keys].sort()) {
    const v = item[name] ?? lt.keyDefaults?.[name];
    if (v === undefined || v === null) return undefined;
    key[name] = v;
  }
  return key;
}
