// Schema → the OpenAPI v3 structural schema and CustomResourceDefinition a real API server enforces.
import type { KindSchema, Rule, Schema } from './dsl.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function validations(rules: Rule<never>[] | undefined): Json[] | undefined {
  const withCel = (rules ?? []).filter((r) => r.cel !== undefined);
  if (withCel.length === 0) return undefined;
  return withCel.map((r) => {
    const v: Record<string, Json> = { rule: r.cel!, message: r.message };
    if (r.field) v.fieldPath = `.${r.field}`;
    if (r.reason) v.reason = r.reason;
    return v;
  });
}

/**
 * The OpenAPI v3 form of one schema node (keys in a fixed order so the output is stable). `forCluster`: the
 * form published in deploy/crds for real clusters (`clusterPattern` wins over `pattern`).
 */
export function toOpenAPI(s: Schema, isMetadata = false, forCluster = false): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (s.description) out.description = s.description;
  switch (s.type) {
    case 'string':
      if (s.default !== undefined) out.default = s.default;
      if (s.enum) out.enum = [...s.enum];
      if (s.format) out.format = s.format;
      if (s.maxLength !== undefined) out.maxLength = s.maxLength;
      if (s.minLength !== undefined) out.minLength = s.minLength;
      if (forCluster && s.clusterPattern !== undefined) out.pattern = s.clusterPattern;
      else if (s.pattern !== undefined) out.pattern = s.pattern;
      out.type = 'string';
      break;
    case 'integer':
      if (s.default !== undefined) out.default = s.default;
      if (s.enum) out.enum = [...s.enum];
      if (s.format) out.format = s.format;
      if (s.maximum !== undefined) out.maximum = s.maximum;
      if (s.minimum !== undefined) out.minimum = s.minimum;
      out.type = 'integer';
      break;
    case 'boolean':
      if (s.default !== undefined) out.default = s.default;
      out.type = 'boolean';
      break;
    case 'int-or-string':
      out.anyOf = [{ type: 'integer' }, { type: 'string' }];
      out['x-kubernetes-int-or-string'] = true;
      break;
    case 'array':
      if (s.default !== undefined) out.default = structuredClone(s.default) as Json;
      out.items = toOpenAPI(s.items, false, forCluster);
      if (s.maxItems !== undefined) out.maxItems = s.maxItems;
      if (s.minItems !== undefined) out.minItems = s.minItems;
      out.type = 'array';
      if (s.listType) out['x-kubernetes-list-type'] = s.listType;
      if (s.listMapKeys) out['x-kubernetes-list-map-keys'] = [...s.listMapKeys];
      break;
    case 'object':
      // A CRD may only say `type: object` about metadata; the API server owns its schema.
      if (isMetadata) return { type: 'object' };
      if (s.default !== undefined) out.default = structuredClone(s.default) as Json;
      if (s.additionalProperties)
        out.additionalProperties = toOpenAPI(s.additionalProperties, false, forCluster);
      if (s.maxProperties !== undefined) out.maxProperties = s.maxProperties;
      if (s.properties && Object.keys(s.properties).length > 0) {
        const props: Record<string, Json> = {};
        for (const name of Object.keys(s.properties).sort())
          props[name] = toOpenAPI(
            s.properties[name]!,
            name === 'metadata' && s.properties.apiVersion !== undefined,
            forCluster,
          );
        out.properties = props;
      }
      if (s.required && s.required.length > 0) out.required = [...s.required].sort();
      out.type = 'object';
      if (s.open) out['x-kubernetes-preserve-unknown-fields'] = true;
      break;
  }
  const v = validations(s.rules);
  if (v) out['x-kubernetes-validations'] = v;
  return out;
}

/** The apiextensions.k8s.io/v1 CustomResourceDefinition for a kind. */
export function customResourceDefinition(k: KindSchema): Record<string, Json> {
  const names: Record<string, Json> = {
    kind: k.kind,
    listKind: `${k.kind}List`,
    plural: k.plural,
    singular: k.singular,
  };
  if (k.shortNames) names.shortNames = [...k.shortNames];
  if (k.categories) names.categories = [...k.categories];
  const version: Record<string, Json> = {
    name: k.version,
    schema: { openAPIV3Schema: toOpenAPI(k.root, false, true) },
    served: true,
    storage: true,
  };
  if (k.status) version.subresources = { status: {} };
  const metadata: Record<string, Json> = {
    annotations: { 'extgate.dev/generated-by': 'npm run gen:crds (src/api/crd-generate.ts); do not edit' },
    name: `${k.plural}.${k.group}`,
  };
  if (k.crdLabels) metadata.labels = { ...k.crdLabels };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata,
    spec: { group: k.group, names, scope: k.scope, versions: [version] },
  };
}
