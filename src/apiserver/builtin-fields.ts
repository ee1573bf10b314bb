// The field tree of the built-in kinds (Service, Deployment, Pod, ...), for `fieldValidation` on every kind:
// kube-apiserver's strict decoding knows every field of k8s.io/api, so a typo (`spec.selctor`) is reported.
// The tree comes from @kubernetes/client-node's generated models (already a dependency; generated from the
// Kubernetes OpenAPI document), whose `attributeTypeMap` lists each type's JSON fields and their types.
import * as models from '@kubernetes/client-node';
import type { ResourceKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { isPlainObject } from './patch/json-patch.js';

interface Attribute {
  /** The JSON field name. */
  baseName: string;
  /** `string`, `V1PodSpec`, `Array<V1Container>`, `{ [key: string]: string; }`, `any`, ... */
  type: string;
}

type Model = { getAttributeTypeMap?: () => Attribute[] };
const registry = models as unknown as Record<string, Model | undefined>;

/** Model class names that are not `V1<Kind>`. */
const MODEL_NAMES: Record<string, string> = { Event: 'CoreV1Event' };

const fieldsCache = new Map<string, Map<string, string> | undefined>();

/** JSON field → type of a generated model class; undefined for leaves and free-form types. */
function fieldsOf(type: string): Map<string, string> | undefined {
  if (fieldsCache.has(type)) return fieldsCache.get(type);
  const model = registry[type];
  const fields =
    typeof model?.getAttributeTypeMap === 'function'
      ? new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]))
      : undefined;
  fieldsCache.set(type, fields);
  return fields;
}

/** The model of a built-in kind's objects; undefined for custom resources (their schemas are the product's). */
export function builtinModel(k: ResourceKind): string | undefined {
  if (k.custom) return undefined;
  const name = MODEL_NAMES[k.kind] ?? `V1${k.kind}`;
  return fieldsOf(name) ? name : undefined;
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

function walk(value: unknown, type: string, path: string, out: string[]): void {
  const list = ARRAY.exec(type);
  if (list) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, list[1]!, `${path}[${i}]`, out));
    return;
  }
  const map = MAP.exec(type);
  if (map) {
    if (isPlainObject(value))
      for (const [key, v] of Object.entries(value)) walk(v, map[1]!, `${path}[${key}]`, out);
    return;
  }
  const fields = fieldsOf(type);
  if (!fields || !isPlainObject(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    const t = fields.get(key);
    if (t === undefined) out.push(at);
    else walk(v, t, at, out);
  }
}

/** Paths (`spec.selctor`, `spec.ports[0].prot`) of fields a built-in kind does not have; [] for custom kinds. */
export function builtinUnknownFields(k: ResourceKind, obj: KubeObject): string[] {
  const model = builtinModel(k);
  if (!model) return [];
  const out: string[] = [];
  walk(obj, model, '', out);
  return out;
}
