// Custom objects against their CRD's structural schema (openAPIV3Schema), in the order kube-apiserver applies
// them (apiextensions-apiserver pkg/apiserver/schema: pruning, defaulting, then validation): fields the schema
// does not declare are pruned unless `x-kubernetes-preserve-unknown-fields`, `null` goes where the schema is
// not `nullable`, `default`s fill absent fields, then types, required fields, enums, bounds, lengths, item
// counts and patterns are checked with the field named in kube-openapi's words. Not checked: `format`,
// `x-kubernetes-validations` (CEL) and the logical junctors (allOf/anyOf/oneOf/not).
import { RE2JS } from 're2js';
import type { FieldCause } from '../../api/types.js';
import { isPlainObject } from '../patch/json-patch.js';

type Obj = Record<string, unknown>;

/** The parts of an OpenAPI v3 schema a structural schema uses (apiextensions v1 JSONSchemaProps). */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: boolean;
  exclusiveMinimum?: boolean;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  minItems?: number;
  maxProperties?: number;
  minProperties?: number;
  pattern?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
}

export function asSchema(v: unknown): Schema | undefined {
  return isPlainObject(v) ? (v as Schema) : undefined;
}

/** ObjectMeta fields a custom object may carry (everything else under metadata is pruned, as kube does). */
const OBJECT_META = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function preserves(s: Schema): boolean {
  return s['x-kubernetes-preserve-unknown-fields'] === true;
}

/** The schema of a map's values: `additionalProperties` (a map), or none. */
function valueSchema(s: Schema): Schema | undefined {
  return isPlainObject(s.additionalProperties) ? s.additionalProperties : undefined;
}

/**
 * Prunes `value` in place under schema `s`; returns the paths removed (`spec.foo`, `spec.items[0].bar`), which
 * `fieldValidation` reports as unknown fields. Null where the schema is not nullable is removed silently.
 */
function prune(value: unknown, s: Schema, path: string, out: string[], root = false): void {
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item, i) => prune(item, s.items!, `${path}[${i}]`, out));
    return;
  }
  if (!isPlainObject(value)) return;
  const embedded = root || s['x-kubernetes-embedded-resource'] === true;
  const mapValues = valueSchema(s);
  for (const [key, child] of Object.entries(value)) {
    const here = join(path, key);
    if (embedded && (key === 'apiVersion' || key === 'kind')) continue;
    if (embedded && key === 'metadata') {
      if (isPlainObject(child))
        for (const m of Object.keys(child))
          if (!OBJECT_META.has(m)) {
            delete child[m];
            out.push(join(here, m));
          }
      continue;
    }
    const cs = s.properties?.[key] ?? mapValues;
    if (!cs) {
      if (preserves(s) || s.additionalProperties === true) continue;
      delete value[key];
      out.push(here);
      continue;
    }
    if (child === null && cs.nullable !== true) {
      delete value[key];
      continue;
    }
    prune(child, cs, here, out);
  }
}

/** Fills `default`s of absent properties, depth first (a defaulted object gets its own defaults too). */
function applyDefaults(value: unknown, s: Schema): void {
  if (Array.isArray(value)) {
    if (s.items) for (const item of value) applyDefaults(item, s.items);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, cs] of Object.entries(s.properties ?? {})) {
    if (value[key] === undefined && cs.default !== undefined) value[key] = structuredClone(cs.default);
    if (value[key] !== undefined) applyDefaults(value[key], cs);
  }
  const mapValues = valueSchema(s);
  if (mapValues)
    for (const [key, child] of Object.entries(value))
      if (!s.properties?.[key]) applyDefaults(child, mapValues);
}

/** A value as Go's %v shows it in `Invalid value:` texts (strings quoted; objects and lists as JSON). */
function shown(v: unknown): string {
  return JSON.stringify(v) ?? 'null';
}

function typeMatches(v: unknown, s: Schema): boolean {
  if (s['x-kubernetes-int-or-string'])
    return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (s.type) {
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

const patterns = new Map<string, RE2JS | null>();
/** Compiled `pattern`s (Go RE2 syntax, as kube-openapi compiles them); null for one that does not compile. */
function compiled(pattern: string): RE2JS | null {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch {
      re = null;
    }
    if (patterns.size > 1000) patterns.clear();
    patterns.set(pattern, re);
  }
  return re;
}

type Check<T> = (v: T, s: Schema, path: string) => FieldCause[];

const invalid = (field: string, message: string): FieldCause => ({
  reason: 'FieldValueInvalid',
  field,
  message,
});

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const numberCauses: Check<number> = (v, s, path) => {
  const out: FieldCause[] = [];
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
    out.push(
      invalid(
        path,
        `Invalid value: ${v}: ${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`,
      ),
    );
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
    out.push(
      invalid(
        path,
        `Invalid value: ${v}: ${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`,
      ),
    );
  return out;
};

const stringCauses: Check<string> = (v, s, path) => {
  const out: FieldCause[] = [];
  const length = [...v].length;
  if (s.maxLength !== undefined && length > s.maxLength)
    out.push({
      reason: 'FieldValueTooLong',
      field: path,
      message: `Too long: may not be more than ${s.maxLength} bytes`,
    });
  if (s.minLength !== undefined && length < s.minLength)
    out.push(
      invalid(
        path,
        `Invalid value: ${shown(v)}: ${path} in body should be at least ${s.minLength} chars long`,
      ),
    );
  const re = s.pattern === undefined ? undefined : compiled(s.pattern);
  if (re && !re.matcher(v).find())
    out.push(invalid(path, `Invalid value: ${shown(v)}: ${path} in body should match '${s.pattern}'`));
  return out;
};

/** Item or property counts (maxItems/minItems, maxProperties/minProperties). */
function countCauses(
  count: number,
  max: number | undefined,
  min: number | undefined,
  path: string,
  what: string,
) {
  const out: FieldCause[] = [];
  if (max !== undefined && count > max)
    out.push({
      reason: 'FieldValueTooMany',
      field: path,
      message: `Too many: ${count}: must have at most ${max} items`,
    });
  if (min !== undefined && count < min)
    out.push(invalid(path, `Invalid value: ${count}: ${path} in body should have at least ${min} ${what}`));
  return out;
}

function validate(v: unknown, s: Schema, path: string, out: FieldCause[]): void {
  if (v === null) {
    if (s.nullable !== true && s.type !== undefined)
      out.push({
        reason: 'FieldValueTypeInvalid',
        field: path,
        message: `Invalid value: "null": ${path} in body must be of type ${s.type}: "null"`,
      });
    return;
  }
  if (!typeMatches(v, s)) {
    const want = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type;
    out.push({
      reason: 'FieldValueTypeInvalid',
      field: path,
      message: `Invalid value: ${shown(v)}: ${path} in body must be of type ${want}: "${jsonType(v)}"`,
    });
    return;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
    out.push({
      reason: 'FieldValueNotSupported',
      field: path,
      message: `Unsupported value: ${shown(v)}: supported values: ${s.enum.map(shown).join(', ')}`,
    });
  if (typeof v === 'number') out.push(...numberCauses(v, s, path));
  if (typeof v === 'string') out.push(...stringCauses(v, s, path));
  if (Array.isArray(v)) {
    out.push(...countCauses(v.length, s.maxItems, s.minItems, path, 'items'));
    if (s.items) v.forEach((item, i) => validate(item, s.items!, `${path}[${i}]`, out));
  } else if (isPlainObject(v)) {
    out.push(...countCauses(Object.keys(v).length, s.maxProperties, s.minProperties, path, 'properties'));
    for (const r of s.required ?? [])
      if (v[r] === undefined)
        out.push({ reason: 'FieldValueRequired', field: join(path, r), message: 'Required value' });
    const mapValues = valueSchema(s);
    for (const [key, child] of Object.entries(v)) {
      const cs = s.properties?.[key] ?? mapValues;
      if (cs) validate(child, cs, join(path, key), out);
    }
  }
}

/** The unknown-field paths of `obj` (what pruning removes), without changing it. */
export function unknownFieldPaths(obj: Obj, schema: Schema): string[] {
  const out: string[] = [];
  prune(structuredClone(obj), schema, '', out, true);
  return out;
}

/** Prunes and defaults `obj` in place (what kube-apiserver stores). */
export function pruneAndDefault(obj: Obj, schema: Schema): void {
  prune(obj, schema, '', [], true);
  applyDefaults(obj, schema);
}

/** The validation errors of a pruned, defaulted object (metadata is checked by the API server itself). */
export function schemaCauses(obj: Obj, schema: Schema): FieldCause[] {
  const out: FieldCause[] = [];
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
  validate(
    rest,
    {
      ...schema,
      required: (schema.required ?? []).filter((r) => r !== 'metadata' && r !== 'apiVersion' && r !== 'kind'),
    },
    '',
    out,
  );
  return out;
}
