// Checks a JSON value against a Schema and words each problem as kube-apiserver does for custom resources.
import type { FieldCause } from '../types.js';
import type { ArraySchema, ObjectSchema, Rule, Schema } from './dsl.js';

/** `"5ms"`, `12`, `true`; composite values as their type name, the way the API server prints CEL failures. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '"null"';
  return Array.isArray(v) ? '"array"' : '"object"';
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** Caches compiled patterns: schemas are static and admission runs per write. */
const regexes = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let r = regexes.get(pattern);
  if (!r) {
    r = new RegExp(pattern); // no `u`: CRD patterns use escapes like `\\"` that unicode mode rejects
    regexes.set(pattern, r);
  }
  return r;
}

/**
 * Validates `value` at `path`; appends causes to `out`. Returns false when a type mismatch was found in this
 * subtree (rules above it are then skipped, as their predicates assume the declared types).
 */
export function validate(
  value: unknown,
  schema: Schema,
  path: string,
  out: FieldCause[],
  old?: unknown,
): boolean {
  const typeOk = checkType(value, schema, path, out);
  if (!typeOk) return false;
  let childrenOk = true;
  switch (schema.type) {
    case 'string':
      checkString(value as string, schema, path, out);
      break;
    case 'integer':
      checkInteger(value as number, schema, path, out);
      break;
    case 'object':
      childrenOk = checkObject(
        value as Record<string, unknown>,
        schema,
        path,
        out,
        isObject(old) ? old : undefined,
      );
      break;
    case 'array':
      childrenOk = checkArray(value as unknown[], schema, path, out);
      break;
    default:
      break;
  }
  if (childrenOk && schema.rules) runRules(value, schema.rules, path, out, old);
  return childrenOk;
}

function checkType(value: unknown, schema: Schema, path: string, out: FieldCause[]): boolean {
  const actual = jsonType(value);
  let ok: boolean;
  switch (schema.type) {
    case 'int-or-string':
      ok = actual === 'integer' || actual === 'string';
      break;
    case 'integer':
      ok = actual === 'integer';
      break;
    default:
      ok = actual === schema.type;
  }
  if (!ok) {
    const want = schema.type === 'int-or-string' ? 'integer,string' : schema.type;
    out.push({
      reason: 'FieldValueTypeInvalid',
      field: path,
      message: `Invalid value: "${actual}": ${path} in body must be of type ${want}: "${actual}"`,
    });
  }
  return ok;
}

function checkString(
  v: string,
  s: Extract<Schema, { type: 'string' }>,
  path: string,
  out: FieldCause[],
): void {
  if (s.enum && !s.enum.includes(v)) {
    out.push({
      reason: 'FieldValueNotSupported',
      field: path,
      message: `Unsupported value: ${showValue(v)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    });
    return;
  }
  if (s.maxLength !== undefined && [...v].length > s.maxLength) {
    out.push({
      reason: 'FieldValueTooLong',
      field: path,
      message: `Too long: may not be more than ${s.maxLength} bytes`,
    });
  }
  if (s.minLength !== undefined && [...v].length < s.minLength) {
    out.push({
      reason: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: ${showValue(v)}: ${path} in body should be at least ${s.minLength} chars long`,
    });
  }
  if (s.pattern !== undefined && !regex(s.pattern).test(v)) {
    const custom = s.patternMessage?.(v);
    out.push({
      reason: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: ${showValue(v)}: ${custom ?? `${path} in body should match '${s.pattern}'`}`,
    });
    return;
  }
  const problem = s.check?.(v);
  if (problem !== undefined)
    out.push({
      reason: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: ${showValue(v)}: ${problem}`,
    });
}

function checkInteger(
  v: number,
  s: Extract<Schema, { type: 'integer' }>,
  path: string,
  out: FieldCause[],
): void {
  if (s.enum && !s.enum.includes(v)) {
    out.push({
      reason: 'FieldValueNotSupported',
      field: path,
      message: `Unsupported value: ${v}: supported values: ${s.enum.map((e) => `"${e}"`).join(', ')}`,
    });
    return;
  }
  if (s.minimum !== undefined && v < s.minimum) {
    out.push({
      reason: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: ${v}: ${path} in body should be greater than or equal to ${s.minimum}`,
    });
  }
  if (s.maximum !== undefined && v > s.maximum) {
    out.push({
      reason: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: ${v}: ${path} in body should be less than or equal to ${s.maximum}`,
    });
  }
}

function checkObject(
  v: Record<string, unknown>,
  s: ObjectSchema,
  path: string,
  out: FieldCause[],
  old?: Record<string, unknown>,
): boolean {
  let ok = true;
  for (const name of s.required ?? []) {
    const sub = s.properties?.[name];
    const defaulted = sub !== undefined && 'default' in sub && sub.default !== undefined; // the API server fills it in
    if ((v[name] === undefined || v[name] === null) && !defaulted)
      out.push({ reason: 'FieldValueRequired', field: child(path, name), message: 'Required value' });
  }
  if (s.properties) {
    for (const [name, sub] of Object.entries(s.properties)) {
      const fieldValue = v[name];
      if (fieldValue === undefined || fieldValue === null) continue;
      if (!validate(fieldValue, sub, child(path, name), out, old?.[name])) ok = false;
    }
  }
  if (s.additionalProperties) {
    const keys = Object.keys(v);
    if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
      out.push({
        reason: 'FieldValueTooMany',
        field: path,
        message: `Too many: ${keys.length}: must have at most ${s.maxProperties} items`,
      });
    }
    for (const key of keys) {
      if (v[key] === null) continue;
      if (!validate(v[key], s.additionalProperties, `${path}[${key}]`, out)) ok = false;
    }
  }
  return ok;
}

function checkArray(v: unknown[], s: ArraySchema, path: string, out: FieldCause[]): boolean {
  let ok = true;
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    out.push({
      reason: 'FieldValueTooMany',
      field: path,
      message: `Too many: ${v.length}: must have at most ${s.maxItems} items`,
    });
  }
  if (s.minItems !== undefined && v.length < s.minItems) {
    out.push({
      reason: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: ${v.length}: ${path} in body should have at least ${s.minItems} items`,
    });
  }
  v.forEach((item, i) => {
    if (!validate(item, s.items, `${path}[${i}]`, out)) ok = false;
  });
  if (ok && (s.listType === 'map' || s.listType === 'set')) {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const identity =
        s.listType === 'map' && isObject(item)
          ? JSON.stringify(Object.fromEntries((s.listMapKeys ?? []).map((k) => [k, item[k]])))
          : JSON.stringify(item);
      if (seen.has(identity))
        out.push({
          reason: 'FieldValueDuplicate',
          field: `${path}[${i}]`,
          message: `Duplicate value: ${identity}`,
        });
      seen.add(identity);
    });
  }
  return ok;
}

/** Follows `.a.b[2][key]` from `node`. */
export function resolve(node: unknown, rel: string): unknown {
  let cur = node;
  for (const m of rel.matchAll(/\.([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const key = m[1] ?? m[2] ?? '';
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function runRules(value: unknown, rules: Rule<never>[], path: string, out: FieldCause[], old: unknown): void {
  for (const r of rules as Rule<unknown>[]) {
    if (r.transition && old === undefined) continue;
    let holds: boolean;
    try {
      holds = r.holds(value, old);
    } catch {
      holds = false; // as in CEL, a rule that cannot be evaluated (e.g. a missing field) fails
    }
    if (holds) continue;
    const rel = r.locate?.(value) ?? (r.field ? `.${r.field}` : '');
    const field = rel === '' ? path : path === '' ? rel.replace(/^\./, '') : `${path}${rel}`;
    const bad = rel === '' ? value : resolve(value, rel);
    const reason = r.reason ?? (bad === undefined ? 'FieldValueRequired' : 'FieldValueInvalid');
    const shown = showValue(r.shown ? r.shown(value) : bad === undefined ? value : bad);
    const detail = r.detail?.(value);
    const text = detail === undefined ? r.message : `${r.message}: ${detail}`;
    const message =
      reason === 'FieldValueRequired'
        ? `Required value: ${text}`
        : reason === 'FieldValueForbidden'
          ? `Forbidden: ${text}`
          : reason === 'FieldValueDuplicate'
            ? `Duplicate value: ${shown}: ${text}`
            : `Invalid value: ${shown}: ${text}`;
    out.push({ reason, field, message });
  }
}

/** Paths of fields the schema does not declare (strict field validation); open objects are skipped. */
export function unknownFieldPaths(value: unknown, schema: Schema, path: string, out: string[]): void {
  if (schema.type === 'object' && isObject(value)) {
    if (schema.additionalProperties) {
      for (const [k, v] of Object.entries(value))
        unknownFieldPaths(v, schema.additionalProperties, `${path}[${k}]`, out);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k];
      if (sub) unknownFieldPaths(v, sub, child(path, k), out);
      else if (!schema.open) out.push(child(path, k));
    }
  } else if (schema.type === 'array' && Array.isArray(value)) {
    value.forEach((item, i) => unknownFieldPaths(item, schema.items, `${path}[${i}]`, out));
  }
}

/**
 * A copy of `value` with the schema's defaults filled in where fields are absent, as apiextensions-apiserver's
 * structural defaulting does: an absent field gets its default first, then every field (a default included) is
 * defaulted in turn — an HTTPRoute without rules gets one rule whose match is `PathPrefix /`.
 */
export function withDefaults(value: unknown, schema: Schema): unknown {
  if (schema.type === 'object' && isObject(value)) {
    const props = schema.properties ?? {};
    const fields = new Map(Object.entries(value));
    for (const [k, sub] of Object.entries(props))
      if (fields.get(k) === undefined && 'default' in sub && sub.default !== undefined)
        fields.set(k, structuredClone(sub.default));
    // fromEntries defines own properties: a `__proto__` key stays data, never a prototype.
    return Object.fromEntries(
      [...fields].map(([k, v]) => {
        const sub = (Object.hasOwn(props, k) ? props[k] : undefined) ?? schema.additionalProperties;
        return [k, sub ? withDefaults(v, sub) : v];
      }),
    );
  }
  if (schema.type === 'array' && Array.isArray(value)) return value.map((v) => withDefaults(v, schema.items));
  return value;
}
