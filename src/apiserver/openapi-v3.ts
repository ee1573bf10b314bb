// `/openapi/v3` (an index of group-versions) and `/openapi/v3/<api|apis/group>/<version>`: per group-version the
// PATCH operations kubectl 1.32 reads to learn that the server validates fields (`fieldValidation`), and in
// `components.schemas` the definitions of the kinds served there, for `kubectl explain` and for the patch
// metadata kubectl computes strategic merge patches from (docs/spec/kubernetes-api.md §9.2).
import { createHash } from 'node:crypto';
import type { ResourceKind } from '../api/kinds.js';
import type { OpenApiSchema, OpenApiSchemas } from './openapi-schemas.js';

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

const V2_REF = '#/definitions/';
const V3_REF = '#/components/schemas/';

/** v2 form → v3: references move to components, and a reference with siblings is wrapped in allOf (as kube does). */
function toV3(s: OpenApiSchema): OpenApiSchema {
  const out: OpenApiSchema = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === '$ref' && typeof value === 'string') continue;
    if (key === 'properties' && value && typeof value === 'object')
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, OpenApiSchema>).map(([n, c]) => [n, toV3(c)]),
      );
    else if ((key === 'items' || key === 'additionalProperties') && value && typeof value === 'object')
      out[key] = toV3(value as OpenApiSchema);
    else out[key] = value;
  }
  if (typeof s.$ref === 'string') {
    const ref = { $ref: s.$ref.replace(V2_REF, V3_REF) };
    if (Object.keys(out).length === 0) return ref;
    return { allOf: [ref], ...out };
  }
  return out;
}

function patchOperation(
  gv: string,
  k: ResourceKind,
  version: string,
  root: string | undefined,
): [string, unknown] {
  const body = root ? { $ref: `${V3_REF}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` } : { type: 'object' };
  const content: Record<string, unknown> = {
    'application/json-patch+json': { schema: body },
    'application/merge-patch+json': { schema: body },
    'application/apply-patch+yaml': { schema: body },
  };
  if (k.patch === 'strategic') content['application/strategic-merge-patch+json'] = { schema: body };
  const item = k.namespaced
    ? `/${gv}/namespaces/{namespace}/${k.plural}/{name}`
    : `/${gv}/${k.plural}/{name}`;
  const ok = root ? { content: { 'application/json': { schema: { $ref: `${V3_REF}${root}` } } } } : {};
  return [
    item,
    {
      patch: {
        'x-kubernetes-group-version-kind': { group: k.group, version, kind: k.kind },
        'x-kubernetes-action': 'patch',
        parameters: [
          { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
        ],
        requestBody: { content },
        responses: { '200': { description: 'OK', ...ok } },
      },
    },
  ];
}

function buildDoc(schemas: OpenApiSchemas, group: string, version: string): unknown {
  const gv = gvPath(group, version);
  const paths: Record<string, unknown> = {};
  for (const k of schemas.kinds.at(group, version)) {
    const root = schemas.kindDefinitions(k, version)?.root;
    const [item, op] = patchOperation(gv, k, version, root);
    paths[item] = op;
  }
  const components: Record<string, OpenApiSchema> = {};
  const defs = schemas.definitions({ group, version });
  if (defs.size > 0)
    components['io.k8s.apimachinery.pkg.apis.meta.v1.Patch'] = {
      type: 'object',
      description: 'A patch body; its format is given by the request Content-Type.',
    };
  for (const [name, d] of defs) components[name] = toV3(d);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: components },
  };
}

interface Built {
  json: string;
  hash: string;
}

/** Documents built once per schema generation, with the hash clients cache them by. */
export class OpenApiV3 {
  private generation = -1;
  private readonly docs = new Map<string, Built | undefined>();

  constructor(private readonly schemas: OpenApiSchemas) {}

  private built(gv: string): Built | undefined {
    if (this.generation !== this.schemas.generation) {
      this.docs.clear();
      this.generation = this.schemas.generation;
    }
    if (this.docs.has(gv)) return this.docs.get(gv);
    const found = this.schemas.kinds.groupVersions().find((x) => gvPath(x.group, x.version) === gv);
    let result: Built | undefined;
    if (found) {
      const json = JSON.stringify(buildDoc(this.schemas, found.group, found.version));
      const hash = createHash('sha512').update(json).digest('hex').slice(0, 128).toUpperCase();
      result = { json, hash };
    }
    this.docs.set(gv, result);
    return result;
  }

  /** The JSON text of one group-version's document, undefined when nothing is served there. */
  document(gv: string): Built | undefined {
    return this.built(gv);
  }

  /** The `/openapi/v3` index; each URL carries a hash of its document so clients never use a stale cache. */
  index(): unknown {
    const paths: Record<string, unknown> = {};
    for (const { group, version } of this.schemas.kinds.groupVersions()) {
      const gv = gvPath(group, version);
      const doc = this.built(gv);
      if (doc) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${doc.hash}` };
    }
    return { paths };
  }
}
