// The schema registry behind /openapi/v2 and /openapi/v3: one set of definitions per served kind, in the v2
// form (`#/definitions/` references) that openapi-v2.ts serves as is and openapi-v3.ts converts. Built-in kinds
// come from src/api/schema/k8s-builtin.ts, custom kinds from the product's schema source (the Gateway API and
// GKE schemas) or from setKindSchema (CustomResourceDefinitions created through the API).
import type { ResourceKind } from '../api/kinds.js';
import { customDescription } from '../api/schema/custom-descriptions.js';
import { builtinKindSchema, objectMetaDefinitions, type OpenApiSchema } from '../api/schema/k8s-builtin.js';
import { FIXED_KINDS, type KindTable } from './crd/kind-table.js';

/** The OpenAPI v3 schema of a kind's objects (`apiVersion` is the storage version), if its owner has one. */
export type OpenApiSchemaSource = (apiVersion: string, kind: string) => Record<string, unknown> | undefined;

export type { OpenApiSchema };

/** `io.k8s.networking.gke.v1.GCPTrafficExtension`: reversed group, as kube-apiserver names CRD schemas. */
export function customSchemaName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const V3_ONLY = ['anyOf', 'oneOf', 'allOf', 'not', 'nullable', 'x-kubernetes-validations'];

/**
 * A CRD's structural v3 schema in the v2 form kube-apiserver publishes: no v3-only keywords, int-or-string and
 * preserve-unknown-fields nodes left untyped (kubectl 1.20 validates against v2 and would otherwise reject
 * values the server accepts), descriptions from custom-descriptions.ts by field path: replacing the product
 * schemas' (a Go type name at most), only filling gaps in a schema registered at run time (a CRD's own words).
 */
function customToV2(
  kind: string,
  s: Record<string, unknown>,
  path: string[],
  mode: 'replace' | 'fill',
  describeSelf = true,
): OpenApiSchema {
  const out: OpenApiSchema = {};
  for (const [key, value] of Object.entries(s)) {
    if (V3_ONLY.includes(key)) continue;
    if (key === 'properties' && value && typeof value === 'object') {
      const props: Record<string, OpenApiSchema> = {};
      for (const [name, child] of Object.entries(value as Record<string, Record<string, unknown>>))
        props[name] =
          path.length === 0 && name === 'metadata'
            ? { $ref: `#/definitions/${META_OBJECT}`, description: METADATA_TEXT }
            : customToV2(kind, child, [...path, name], mode);
      out.properties = props;
    } else if ((key === 'items' || key === 'additionalProperties') && value && typeof value === 'object')
      // The field itself is described, not its items.
      out[key] = customToV2(kind, value as Record<string, unknown>, path, mode, false);
    else out[key] = value;
  }
  // The server defaults before it validates, so a required field with a default may be left out of a
  // manifest; kubectl 1.20 validates v2 without defaulting and would refuse it.
  const props = s.properties as Record<string, Record<string, unknown>> | undefined;
  if (Array.isArray(out.required) && props) {
    const required = (out.required as string[]).filter((name) => props[name]?.default === undefined);
    if (required.length) out.required = required;
    else delete out.required;
  }
  if (s['x-kubernetes-int-or-string'] === true) delete out.type;
  if (s['x-kubernetes-preserve-unknown-fields'] === true) {
    delete out.type;
    delete out.properties;
  }
  const text = describeSelf ? customDescription(kind, path) : undefined;
  if (text && (mode === 'replace' || out.description === undefined)) out.description = text;
  return out;
}

const META_OBJECT = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const METADATA_TEXT =
  'Standard object metadata: name, namespace, labels, annotations and server-maintained fields.';

export interface KindDefinitions {
  /** Definition name of the kind's objects. */
  root: string;
  definitions: Map<string, OpenApiSchema>;
}

/** Per API server: the custom kinds' source plus schemas registered at run time. */
export class OpenApiSchemas {
  private readonly registered = new Map<string, Record<string, unknown>>();
  private readonly cache = new Map<string, KindDefinitions | undefined>();
  /** Changes whenever a published document may change; caches of encoded documents key on it. */
  generation = 0;

  constructor(
    private readonly source?: OpenApiSchemaSource,
    /** The kinds served (CRD-defined ones come and go): the documents list these. */
    readonly kinds: KindTable = FIXED_KINDS,
  ) {}

  /**
   * Publishes (or replaces) the structural OpenAPI v3 schema of a kind at one version, e.g. when a
   * CustomResourceDefinition is created or updated. Wins over the product's schema source.
   */
  setKindSchema(group: string, version: string, kind: string, schema: Record<string, unknown>): void {
    this.registered.set(`${group}/${version}/${kind}`, schema);
    this.changed();
  }

  /** Withdraws a schema set by setKindSchema (the CustomResourceDefinition was deleted). */
  removeKindSchema(group: string, version: string, kind: string): void {
    if (this.registered.delete(`${group}/${version}/${kind}`)) this.changed();
  }

  /** Call when the served kinds change (discovery changed), so documents are rebuilt. */
  changed(): void {
    this.cache.clear();
    this.generation++;
  }

  /** The v3 structural schema of a custom kind, as the CRD objects carry it. */
  customSchema(k: ResourceKind, version: string): Record<string, unknown> | undefined {
    return (
      this.registered.get(`${k.group}/${version}/${k.kind}`) ??
      this.source?.(k.group === '' ? k.version : `${k.group}/${k.version}`, k.kind)
    );
  }

  /** Definitions of one kind at one served version; undefined when we have no schema for it. */
  kindDefinitions(k: ResourceKind, version: string): KindDefinitions | undefined {
    const key = `${k.group}/${version}/${k.kind}`;
    if (this.cache.has(key)) return this.cache.get(key);
    let result: KindDefinitions | undefined;
    if (!k.custom && !this.registered.has(key)) result = builtinKindSchema(k.group, version, k.kind);
    else {
      const schema = this.customSchema(k, version);
      if (schema) {
        const root = customSchemaName(k.group, version, k.kind);
        const def = customToV2(k.kind, schema, [], this.registered.has(key) ? 'fill' : 'replace');
        def['x-kubernetes-group-version-kind'] = [{ group: k.group, version, kind: k.kind }];
        const definitions = new Map(objectMetaDefinitions());
        definitions.set(root, def);
        result = { root, definitions };
      }
    }
    this.cache.set(key, result);
    return result;
  }

  /** Every definition of the kinds served at one group/version (all group/versions when omitted). */
  definitions(at?: { group: string; version: string }): Map<string, OpenApiSchema> {
    const out = new Map<string, OpenApiSchema>();
    for (const gv of at ? [at] : this.kinds.groupVersions())
      for (const k of this.kinds.at(gv.group, gv.version)) {
        const defs = this.kindDefinitions(k, gv.version);
        if (defs) for (const [name, d] of defs.definitions) out.set(name, d);
      }
    return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
  }
}
