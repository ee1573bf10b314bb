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
    if (str(c.format)) col.format = str(c.format);
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

/** The causes kube-apiserver would refuse this CRD with (empty when it can be stored). */
export function definitionCauses(crd: KubeObject, previous?: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const required = (field: string, detail = '') =>
    causes.push({
      reason: 'FieldValueRequired',
      field,
      message: `Required value${detail ? `: ${detail}` : ''}`,
    });
  const invalid = (field: string, value: unknown, detail: string) =>
    causes.push({
      reason: 'FieldValueInvalid',
      field,
      message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    });
  const spec = obj(crd.spec);
  const names = obj(spec.names);
  const group = str(spec.group);
  const plural = str(names.plural);
  if (!group) required('spec.group');
  else if (!DNS1123_SUBDOMAIN.test(group) || !group.includes('.'))
    invalid('spec.group', group, 'should be a domain with at least one dot');
  if (group && plural && crd.metadata.name !== `${plural}.${group}`)
    invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group');
  for (const field of ['plural', 'singular', 'kind', 'listKind'] as const) {
    const value = str(names[field]);
    if (value === undefined) {
      if (field === 'plural' || field === 'kind') required(`spec.names.${field}`);
      continue;
    }
    if (field === 'kind' || field === 'listKind') {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(value))
        invalid(
          `spec.names.${field}`,
          value,
          'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?',
        );
    } else if (!DNS1035_LABEL.test(value))
      invalid(`spec.names.${field}`, value, 'should be a valid DNS-1035 label ([a-z]([-a-z0-9]*[a-z0-9])?)');
  }
  for (const [i, short] of strings(names.shortNames).entries())
    if (!DNS1035_LABEL.test(short))
      invalid(
        `spec.names.shortNames[${i}]`,
        short,
        'should be a valid DNS-1035 label ([a-z]([-a-z0-9]*[a-z0-9])?)',
      );
  if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')
    causes.push({
      reason: spec.scope === undefined ? 'FieldValueRequired' : 'FieldValueNotSupported',
      field: 'spec.scope',
      message:
        spec.scope === undefined
          ? 'Required value'
          : `Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`,
    });
  const versions = Array.isArray(spec.versions) ? spec.versions.map(obj) : [];
  if (versions.length === 0) required('spec.versions');
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    const name = str(v.name);
    if (!name) required(`spec.versions[${i}].name`);
    else if (!VERSION_NAME.test(name))
      invalid(
        `spec.versions[${i}].name`,
        name,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
      );
    else if (seen.has(name))
      causes.push({
        reason: 'FieldValueDuplicate',
        field: `spec.versions[${i}].name`,
        message: `Duplicate value: ${JSON.stringify(name)}`,
      });
    if (name) seen.add(name);
    const schema = obj(v.schema).openAPIV3Schema;
    if (!isPlainObject(schema))
      required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required');
    else if (schema.type !== 'object')
      causes.push({
        reason: schema.type === undefined ? 'FieldValueRequired' : 'FieldValueNotSupported',
        field: `spec.versions[${i}].schema.openAPIV3Schema.type`,
        message:
          schema.type === undefined
            ? 'Required value: must not be empty at the root'
            : `Unsupported value: ${JSON.stringify(schema.type)}: supported values: "object"`,
      });
  }
  const storage = versions.filter((v) => v.storage === true).length;
  if (versions.length > 0 && storage !== 1)
    invalid('spec.versions', storage, 'must have exactly one version marked as storage version');
  if (versions.length > 0 && !versions.some((v) => v.served === true))
    invalid('spec.versions', versions.length, 'must have at least one version marked as served');
  if (previous) {
    const before = obj(previous.spec);
    if (before.group !== spec.group) invalid('spec.group', spec.group, 'field is immutable');
    if (before.scope !== spec.scope) invalid('spec.scope', spec.scope, 'field is immutable');
  }
  return causes;
}

/** Where an object of this kind and apiVersion finds its schema (the storage version's when unknown). */
export function schemaFor(d: Definition, apiVersion: string | undefined): Schema | undefined {
  const version = apiVersion?.split('/').pop();
  return (version !== undefined ? d.schemas.get(version) : undefined) ?? d.schemas.get(d.kind.version);
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
