// A CustomResourceDefinition object read as what it serves: the ResourceKind (names, scope, served versions,
// status subresource, printer columns) and each served version's structural schema; plus the checks
// kube-apiserver makes on a CRD before storing it (apiextensions-apiserver pkg/apis/apiextensions/validation,
// the subset that decides whether the definition can be served).
import type { PrinterColumn, ResourceKind } from '../../api/kinds.js';
import type { FieldCause, KubeObject } from '../../api/types.js';
import { isPlainObject } from '../patch/json-patch.js';
import { asSchema, type Schema } from './structural.js';

type Obj = Record<string, unknown>;

export interface Definition {
  kind: ResourceKind;
  /** Structural schema per served version name. */
  schemas: Map<string, Schema>;
}

const obj = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

const COLUMN_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'date']);

/** additionalPrinterColumns → Table columns; a CRD without any gets `Age` (kube's default table convertor). */
function columnsOf(version: Obj): PrinterColumn[] {
  const declared = Array.isArray(version.additionalPrinterColumns) ? version.additionalPrinterColumns : [];
  const columns: PrinterColumn[] = [];
  for (const c of declared.map(obj)) {
    const name = str(c.name);
    const type = str(c.type);
    const jsonPath = str(c.jsonPath);
    if (!name || !type || !COLUMN_TYPES.has(type) || !jsonPath) continue;
    const col: PrinterColumn = {
      name,
      type: type as PrinterColumn['type'],
      description: str(c.description) ?? '',
      priority: typeof c.priority === 'number' ? c.priority : 0,
      jsonPath,
    };
    const format = str(c.format);
    if (format) col.format = format;
    columns.push(col);
  }
  if (columns.length === 0)
    columns.push({
      name: 'Age',
      type: 'date',
      description:
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      priority: 0,
      jsonPath: '.metadata.creationTimestamp',
    });
  return columns;
}

/** What a valid CRD serves; undefined when no version is served. */
export function definitionOf(crd: KubeObject): Definition | undefined {
  const spec = obj(crd.spec);
  const names = obj(spec.names);
  const versions = (Array.isArray(spec.versions) ? spec.versions : []).map(obj);
  const served = versions.filter((v) => v.served === true && str(v.name));
  const storage = versions.find((v) => v.storage === true) ?? served[0];
  if (!storage || served.length === 0) return undefined;
  const storageName = str(storage.name)!;
  const kind = str(names.kind) ?? '';
  const subresources = Object.keys(obj(storage.subresources)).filter((s) => s === 'status');
  const schemas = new Map<string, Schema>();
  for (const v of served) schemas.set(str(v.name)!, asSchema(obj(v.schema).openAPIV3Schema) ?? {});
  return {
    kind: {
      group: str(spec.group) ?? '',
      version: storageName,
      alsoServed: served.map((v) => str(v.name)!).filter((n) => n !== storageName),
      kind,
      plural: str(names.plural) ?? '',
      singular: str(names.singular) ?? kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: strings(names.shortNames),
      categories: strings(names.categories),
      subresources,
      hasGeneration: true,
      patch: 'merge',
      custom: true,
      columns: columnsOf(storage),
    },
    schemas,
  };
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const VERSION_NAME = DNS1035_LABEL;

/** Collects field causes in kube-apiserver's words. */
class Causes {
  readonly list: FieldCause[] = [];
  required(field: string, detail = ''): void {
    this.list.push({
      reason: 'FieldValueRequired',
      field,
      message: `Required value${detail ? `: ${detail}` : ''}`,
    });
  }
  invalid(field: string, value: unknown, detail: string): void {
    this.list.push({
      reason: 'FieldValueInvalid',
      field,
      message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    });
  }
  add(reason: FieldCause['reason'], field: string, message: string): void {
    this.list.push({ reason, field, message });
  }
}

const DNS1035_TEXT = 'should be a valid DNS-1035 label ([a-z]([-a-z0-9]*[a-z0-9])?)';

function checkNames(names: Obj, c: Causes): void {
  for (const field of ['plural', 'singular', 'kind', 'listKind'] as const) {
    const value = str(names[field]);
    if (value === undefined) {
      if (field === 'plural' || field === 'kind') c.required(`spec.names.${field}`);
    } else if (field === 'kind' || field === 'listKind') {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(value))
        c.invalid(
          `spec.names.${field}`,
          value,
          'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?',
        );
    } else if (!DNS1035_LABEL.test(value)) c.invalid(`spec.names.${field}`, value, DNS1035_TEXT);
  }
  for (const [i, short] of strings(names.shortNames).entries())
    if (!DNS1035_LABEL.test(short)) c.invalid(`spec.names.shortNames[${i}]`, short, DNS1035_TEXT);
}

function checkVersion(v: Obj, i: number, seen: Set<string>, c: Causes): void {
  const name = str(v.name);
  const at = `spec.versions[${i}]`;
  if (!name) c.required(`${at}.name`);
  else if (!VERSION_NAME.test(name))
    c.invalid(
      `${at}.name`,
      name,
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
    );
  else if (seen.has(name))
    c.add('FieldValueDuplicate', `${at}.name`, `Duplicate value: ${JSON.stringify(name)}`);
  if (name) seen.add(name);
  const schema = obj(v.schema).openAPIV3Schema;
  if (!isPlainObject(schema)) c.required(`${at}.schema.openAPIV3Schema`, 'schemas are required');
  else if (schema.type === undefined)
    c.required(`${at}.schema.openAPIV3Schema.type`, 'must not be empty at the root');
  else if (schema.type !== 'object')
    c.add(
      'FieldValueNotSupported',
      `${at}.schema.openAPIV3Schema.type`,
      `Unsupported value: ${JSON.stringify(schema.type)}: supported values: "object"`,
    );
}

function checkVersions(spec: Obj, c: Causes): void {
  const versions = Array.isArray(spec.versions) ? spec.versions.map(obj) : [];
  if (versions.length === 0) return c.required('spec.versions');
  const seen = new Set<string>();
  versions.forEach((v, i) => checkVersion(v, i, seen, c));
  const storage = versions.filter((v) => v.storage === true).length;
  if (storage !== 1)
    c.invalid('spec.versions', storage, 'must have exactly one version marked as storage version');
  if (!versions.some((v) => v.served === true))
    c.invalid('spec.versions', versions.length, 'must have at least one version marked as served');
}

/** The causes kube-apiserver would refuse this CRD with (empty when it can be stored). */
export function definitionCauses(crd: KubeObject, previous?: KubeObject): FieldCause[] {
  const c = new Causes();
  const spec = obj(crd.spec);
  const names = obj(spec.names);
  const group = str(spec.group);
  const plural = str(names.plural);
  if (!group) c.required('spec.group');
  else if (!DNS1123_SUBDOMAIN.test(group) || !group.includes('.'))
    c.invalid('spec.group', group, 'should be a domain with at least one dot');
  if (group && plural && crd.metadata.name !== `${plural}.${group}`)
    c.invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group');
  checkNames(names, c);
  if (spec.scope === undefined) c.required('spec.scope');
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')
    c.add(
      'FieldValueNotSupported',
      'spec.scope',
      `Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`,
    );
  checkVersions(spec, c);
  if (previous) {
    const before = obj(previous.spec);
    if (before.group !== spec.group) c.invalid('spec.group', spec.group, 'field is immutable');
    if (before.scope !== spec.scope) c.invalid('spec.scope', spec.scope, 'field is immutable');
  }
  return c.list;
}

/**
 * A CRD-defined kind's schema as /openapi publishes it: with `apiVersion`, `kind` and `metadata` at the root, as
 * kube-apiserver adds them (a CRD's schema need not declare them; kubectl 1.20 validates manifests against the
 * published schema and would call them unknown).
 */
export function publishedSchema(schema: Schema): Record<string, unknown> {
  return {
    ...schema,
    properties: {
      apiVersion: {
        type: 'string',
        description: 'The versioned schema of this representation of an object.',
      },
      kind: { type: 'string', description: 'The REST resource this object represents.' },
      metadata: { type: 'object' },
      ...schema.properties,
    },
  };
}
