// OpenAPI definitions of the built-in kinds (Service, Deployment, Secret, ...) as kube-apiserver publishes them:
// one definition per Go type, named `io.k8s.api.<group>.<version>.<Type>`, linked by `$ref`. The field tree
// comes from @kubernetes/client-node's generated models (already a dependency, generated from the Kubernetes
// OpenAPI document), the patch and list metadata from k8s-field-meta.ts, the descriptions from
// k8s-descriptions.ts (our own words).
import * as models from '@kubernetes/client-node';
import { fieldDescription, typeDescription } from './k8s-descriptions.js';
import { K8S_FIELD_META, K8S_TYPE_PACKAGES, type FieldListMeta } from './k8s-field-meta.js';

/** An OpenAPI schema object; `$ref`s name definitions as `#/definitions/<name>` (the v2 form). */
export type OpenApiSchema = { [key: string]: unknown };

interface Attribute {
  baseName: string;
  type: string;
  format: string;
}
type Model = { getAttributeTypeMap?: () => Attribute[] };
const registry = models as unknown as Record<string, Model | undefined>;

export const META_PREFIX = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const META_TYPES = new Set([
  'ObjectMeta',
  'ListMeta',
  'OwnerReference',
  'ManagedFieldsEntry',
  'LabelSelector',
  'LabelSelectorRequirement',
  'Condition',
  'Status',
  'StatusDetails',
  'StatusCause',
]);
/** apimachinery's list metadata (k8s.io/apimachinery pkg/apis/meta/v1/types.go), not in k8s.io/api. */
const META_FIELD_META: Record<string, Record<string, FieldListMeta>> = {
  ObjectMeta: {
    finalizers: { listType: 'set', patchStrategy: 'merge' },
    ownerReferences: { listType: 'map', listMapKeys: ['uid'], patchStrategy: 'merge', patchMergeKey: 'uid' },
  },
  LabelSelector: { matchExpressions: { listType: 'atomic' } },
  LabelSelectorRequirement: { values: { listType: 'atomic' } },
};

/** Package directory (`core/v1`) of each API group's kinds; apiextensions lives outside k8s.io/api. */
const GROUP_PACKAGES: Record<string, string> = {
  '': 'core/v1',
  apps: 'apps/v1',
  batch: 'batch/v1',
  'networking.k8s.io': 'networking/v1',
  'discovery.k8s.io': 'discovery/v1',
  'coordination.k8s.io': 'coordination/v1',
  'events.k8s.io': 'events/v1',
  'authentication.k8s.io': 'authentication/v1',
  'authorization.k8s.io': 'authorization/v1',
  autoscaling: 'autoscaling/v1',
  'apiextensions.k8s.io': 'apiextensions/v1',
};
/** client-node prefixes its class names with the package where two packages share a type name. */
const CLASS_PREFIX = /^([A-Z][a-z]+)?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/;

function definitionPrefix(pkg: string): string {
  if (pkg === 'meta/v1') return META_PREFIX;
  if (pkg === 'apiextensions/v1') return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
  return `io.k8s.api.${pkg.replace('/', '.')}`;
}

interface TypeRef {
  className: string;
  goName: string;
  pkg: string;
}

/** Which Go type (and package) a client-node class stands for, seen from a type in package `from`. */
function resolveClass(className: string, from: string): TypeRef {
  const m = CLASS_PREFIX.exec(className);
  const goName = m ? className.slice(m[0].length) : className;
  const qualifier = m?.[1]?.toLowerCase();
  let pkg: string;
  if (META_TYPES.has(goName) && !qualifier) pkg = 'meta/v1';
  else if (qualifier) pkg = `${qualifier}/v1`;
  else {
    const declared = K8S_TYPE_PACKAGES[goName] ?? [];
    pkg = declared.includes(from) ? from : (declared[0] ?? from);
  }
  return { className, goName, pkg };
}

function attributes(className: string): Attribute[] | undefined {
  const model = registry[className];
  return typeof model?.getAttributeTypeMap === 'function' ? model.getAttributeTypeMap() : undefined;
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

/** Builds definitions on demand; each Go type is visited once. */
class DefinitionBuilder {
  readonly definitions = new Map<string, OpenApiSchema>();

  /** Adds the definition of a class (and everything it references); returns its name. */
  define(ref: TypeRef): string {
    const name = `${definitionPrefix(ref.pkg)}.${ref.goName}`;
    if (this.definitions.has(name)) return name;
    const attrs = attributes(ref.className) ?? [];
    const def: OpenApiSchema = { type: 'object' };
    this.definitions.set(name, def); // before recursing: types may refer to themselves
    const about = typeDescription(ref.goName);
    if (about) def.description = about;
    const listMeta =
      ref.pkg === 'meta/v1' ? META_FIELD_META[ref.goName] : K8S_FIELD_META[`${ref.pkg}.${ref.goName}`];
    const properties: Record<string, OpenApiSchema> = {};
    for (const a of [...attrs].sort((x, y) => x.baseName.localeCompare(y.baseName))) {
      const prop = this.typeSchema(a.type, a.format, ref.pkg);
      const text = fieldDescription(ref.goName, a.baseName);
      if (text) prop.description = text;
      const meta = listMeta?.[a.baseName];
      if (meta) {
        if (meta.listType) prop['x-kubernetes-list-type'] = meta.listType;
        if (meta.listMapKeys) prop['x-kubernetes-list-map-keys'] = [...meta.listMapKeys];
        if (meta.patchStrategy) prop['x-kubernetes-patch-strategy'] = meta.patchStrategy;
        if (meta.patchMergeKey) prop['x-kubernetes-patch-merge-key'] = meta.patchMergeKey;
      }
      properties[a.baseName] = prop;
    }
    if (attrs.length) def.properties = properties;
    return name;
  }

  private typeSchema(type: string, format: string, from: string): OpenApiSchema {
    const list = ARRAY.exec(type);
    if (list) return { type: 'array', items: this.typeSchema(list[1]!, format, from) };
    const map = MAP.exec(type);
    if (map) return { type: 'object', additionalProperties: this.typeSchema(map[1]!, format, from) };
    switch (type) {
      case 'string':
        return format ? { type: 'string', format } : { type: 'string' };
      case 'number':
        return format === 'double' || format === 'float' || format === ''
          ? { type: 'number', format: format || 'double' }
          : { type: 'integer', format };
      case 'boolean':
        return { type: 'boolean' };
      case 'Date':
        return { type: 'string', format: format || 'date-time' };
      case 'IntOrString':
        return { $ref: `#/definitions/${INT_OR_STRING}` };
      case 'any':
        // Any JSON value (apiextensions JSON: a CRD schema's `enum` items and `default`), untyped as
        // kube-apiserver publishes it: kubectl 1.20 validates against /openapi/v2 and refused `enum: [red]`.
        return { 'x-kubernetes-preserve-unknown-fields': true };
    }
    if (!attributes(type)) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    return { $ref: `#/definitions/${this.define(resolveClass(type, from))}` };
  }
}

/** client-node class names that are not `V1<Kind>`. */
const KIND_CLASSES: Record<string, string> = { Event: 'CoreV1Event' };

export interface BuiltinKindSchema {
  /** Definition name of the kind's objects (`io.k8s.api.core.v1.Service`). */
  root: string;
  /** Every definition the root reaches, the root included. */
  definitions: Map<string, OpenApiSchema>;
}

const cache = new Map<string, BuiltinKindSchema | undefined>();

/**
 * One builder for every kind: a type reached from several kinds (PersistentVolumeClaim is a kind and a
 * StatefulSet template) is one definition object, so the kind's group/version/kind tag is never lost.
 */
const shared = new DefinitionBuilder();
shared.definitions.set(INT_OR_STRING, {
  type: 'string',
  format: 'int-or-string',
  description:
    'A value that is either a number or a string (a port number or a named port, a count or a percentage).',
});

/** The definitions reachable from `root` through `$ref`s. */
function reachable(root: string): Map<string, OpenApiSchema> {
  const out = new Map<string, OpenApiSchema>();
  const visit = (name: string) => {
    if (out.has(name)) return;
    const def = shared.definitions.get(name);
    if (!def) return;
    out.set(name, def);
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object')
        for (const [k, child] of Object.entries(v))
          if (k === '$ref' && typeof child === 'string') visit(child.slice('#/definitions/'.length));
          else walk(child);
    };
    walk(def);
  };
  visit(root);
  return out;
}

/** The definitions of a built-in kind, or undefined when neither client-node nor our table knows it. */
export function builtinKindSchema(
  group: string,
  version: string,
  kind: string,
): BuiltinKindSchema | undefined {
  const key = `${group}/${version}/${kind}`;
  if (cache.has(key)) return cache.get(key);
  const className = KIND_CLASSES[kind] ?? `V1${kind}`;
  const pkg = GROUP_PACKAGES[group];
  let result: BuiltinKindSchema | undefined;
  if (pkg && version === 'v1' && attributes(className)) {
    const root = shared.define({ className, goName: kind, pkg });
    shared.definitions.get(root)!['x-kubernetes-group-version-kind'] = [{ group, version, kind }];
    result = { root, definitions: reachable(root) };
  }
  cache.set(key, result);
  return result;
}

let metaDefinitions: Map<string, OpenApiSchema> | undefined;

/** ObjectMeta and what it references: the `metadata` of custom kinds points there, as on a cluster. */
export function objectMetaDefinitions(): Map<string, OpenApiSchema> {
  if (!metaDefinitions) {
    const root = shared.define({ className: 'V1ObjectMeta', goName: 'ObjectMeta', pkg: 'meta/v1' });
    metaDefinitions = reachable(root);
  }
  return metaDefinitions;
}

/** Follows `$ref` (and one array level) to the schema that holds a field's children. */
function childrenOf(node: OpenApiSchema | undefined): OpenApiSchema | undefined {
  let n = node;
  if (n && n.type === 'array' && n.items && typeof n.items === 'object') n = n.items as OpenApiSchema;
  if (n && typeof n.$ref === 'string') n = shared.definitions.get(n.$ref.slice('#/definitions/'.length));
  return n;
}

/**
 * The patch and list metadata of the field at `path` (field names from the object root; map keys pass
 * through maps) of a built-in kind: what kubectl reads from our schemas to build a strategic merge patch, so
 * the server applies patches with the same table. Undefined for unknown kinds and fields.
 */
export function builtinFieldMeta(
  group: string,
  version: string,
  kind: string,
  path: readonly string[],
): FieldListMeta | undefined {
  const schema = builtinKindSchema(group, version, kind);
  let node: OpenApiSchema | undefined = schema && shared.definitions.get(schema.root);
  let field: OpenApiSchema | undefined;
  for (const name of path) {
    const props = node?.properties as Record<string, OpenApiSchema> | undefined;
    if (props) field = props[name];
    else if (node?.additionalProperties && typeof node.additionalProperties === 'object')
      field = node.additionalProperties as OpenApiSchema;
    else return undefined;
    if (!field) return undefined;
    node = childrenOf(field);
  }
  if (!field) return undefined;
  const meta: FieldListMeta = {};
  const listType = field['x-kubernetes-list-type'];
  if (listType === 'atomic' || listType === 'set' || listType === 'map') meta.listType = listType;
  if (Array.isArray(field['x-kubernetes-list-map-keys']))
    meta.listMapKeys = field['x-kubernetes-list-map-keys'] as string[];
  if (typeof field['x-kubernetes-patch-strategy'] === 'string')
    meta.patchStrategy = field['x-kubernetes-patch-strategy'];
  if (typeof field['x-kubernetes-patch-merge-key'] === 'string')
    meta.patchMergeKey = field['x-kubernetes-patch-merge-key'];
  return meta;
}
