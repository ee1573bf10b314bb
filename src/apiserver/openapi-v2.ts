// `/openapi/v2`: a Swagger 2.0 document with a definition for every served kind, as JSON or — what kubectl asks
// for (1.20 for explain, diff, apply's patch metadata and client-side validation) — as gnostic's protobuf
// `openapi.v2.Document`. Field numbers from github.com/google/gnostic openapiv2/OpenAPIv2.proto; only the
// messages kubectl reads are encoded: definitions, and per kind a PATCH operation naming its query parameters.
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs/minimal.js';
import type { ResourceKind } from '../api/kinds.js';
import type { KindTable } from './crd/kind-table.js';
import type { OpenApiSchema, OpenApiSchemas } from './openapi-schemas.js';

/** With a dot before `v1.0`: client-go's MIME parser rejects the `@` form kubectl puts in its Accept header. */
export const OPENAPI_V2_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const INFO = { title: 'Kubernetes', version: 'v1.32.0' };

type Writer = protobuf.Writer;

/** Starts a length-delimited field; the caller writes the body and calls `w.ldelim()`. */
function open(w: Writer, field: number): Writer {
  return w.uint32((field << 3) | 2).fork();
}

function str(w: Writer, field: number, value: string): void {
  w.uint32((field << 3) | 2).string(value);
}

/** gnostic `Any`: the value as YAML text (field 2); JSON is YAML, and kube-openapi reads extensions this way. */
function any(w: Writer, field: number, value: unknown): void {
  open(w, field);
  str(w, 2, JSON.stringify(value));
  w.ldelim();
}

const INT64_FIELDS: Record<string, number> = {
  maxLength: 11,
  minLength: 12,
  maxItems: 14,
  minItems: 15,
  maxProperties: 17,
  minProperties: 18,
};

function schema(w: Writer, s: OpenApiSchema): void {
  if (typeof s.$ref === 'string') str(w, 1, s.$ref);
  if (typeof s.format === 'string') str(w, 2, s.format);
  if (typeof s.title === 'string') str(w, 3, s.title);
  if (typeof s.description === 'string') str(w, 4, s.description);
  if (s.default !== undefined) any(w, 5, s.default);
  if (typeof s.maximum === 'number') w.uint32((7 << 3) | 1).double(s.maximum);
  if (typeof s.minimum === 'number') w.uint32((9 << 3) | 1).double(s.minimum);
  for (const [key, field] of Object.entries(INT64_FIELDS)) {
    const v = s[key];
    if (typeof v === 'number') w.uint32(field << 3).int64(v);
  }
  if (typeof s.pattern === 'string') str(w, 13, s.pattern);
  if (Array.isArray(s.required)) for (const r of s.required) str(w, 19, String(r));
  if (Array.isArray(s.enum)) for (const e of s.enum) any(w, 20, e);
  const extra = s.additionalProperties;
  if (typeof extra === 'boolean') {
    open(w, 21);
    w.uint32(2 << 3).bool(extra);
    w.ldelim();
  } else if (extra && typeof extra === 'object') {
    open(w, 21);
    open(w, 1);
    schema(w, extra as OpenApiSchema);
    w.ldelim().ldelim();
  }
  if (typeof s.type === 'string') {
    open(w, 22);
    str(w, 1, s.type);
    w.ldelim();
  }
  if (s.items && typeof s.items === 'object') {
    open(w, 23);
    open(w, 1);
    schema(w, s.items as OpenApiSchema);
    w.ldelim().ldelim();
  }
  if (s.properties && typeof s.properties === 'object') {
    open(w, 25);
    namedSchemas(w, s.properties as Record<string, OpenApiSchema>);
    w.ldelim();
  }
  for (const [key, value] of Object.entries(s)) {
    if (!key.startsWith('x-')) continue;
    open(w, 31);
    str(w, 1, key);
    any(w, 2, value);
    w.ldelim();
  }
}

/** `repeated NamedSchema additional_properties = 1` of gnostic's Properties and Definitions messages. */
function namedSchemas(w: Writer, entries: Record<string, OpenApiSchema> | Map<string, OpenApiSchema>): void {
  for (const [name, s] of entries instanceof Map ? entries : Object.entries(entries)) {
    open(w, 1);
    str(w, 1, name);
    open(w, 2);
    schema(w, s);
    w.ldelim().ldelim();
  }
}

/**
 * The PATCH operation of a kind's item path. kubectl 1.20 reads it before `diff` and `apply --dry-run=server`:
 * a kind whose PATCH lacks the `dryRun` query parameter "doesn't support dry-run".
 */
interface PatchOperation {
  gvk: { group: string; version: string; kind: string };
  /** Definition name of the kind's objects, when published. */
  root?: string;
}

const QUERY_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation'];

function itemPath(k: ResourceKind, version: string): string {
  const gv = k.group === '' ? `/api/${version}` : `/apis/${k.group}/${version}`;
  return k.namespaced ? `${gv}/namespaces/{namespace}/${k.plural}/{name}` : `${gv}/${k.plural}/{name}`;
}

function patchOperations(kinds: KindTable): Map<string, PatchOperation> {
  const out = new Map<string, PatchOperation>();
  for (const { group, version } of kinds.groupVersions())
    for (const k of kinds.at(group, version))
      if (!k.review) out.set(itemPath(k, version), { gvk: { group, version, kind: k.kind } });
  return out;
}

function operationJson(op: PatchOperation): unknown {
  return {
    consumes: ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'],
    parameters: QUERY_PARAMETERS.map((name) => ({ name, in: 'query', type: 'string', uniqueItems: true })),
    responses: {
      '200': { description: 'OK', ...(op.root ? { schema: { $ref: `#/definitions/${op.root}` } } : {}) },
    },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': op.gvk,
  };
}

/** gnostic `Operation` with its query parameters, 200 response and extensions. */
function operation(w: Writer, op: PatchOperation): void {
  for (const name of QUERY_PARAMETERS) {
    open(w, 8); // ParametersItem
    open(w, 1); // .parameter
    open(w, 2); // .non_body_parameter
    open(w, 3); // .query_parameter_sub_schema
    str(w, 2, 'query');
    str(w, 4, name);
    str(w, 6, 'string');
    w.ldelim().ldelim().ldelim().ldelim();
  }
  open(w, 9); // responses
  open(w, 1); // NamedResponseValue
  str(w, 1, '200');
  open(w, 2); // ResponseValue
  open(w, 1); // .response
  str(w, 1, 'OK');
  if (op.root) {
    open(w, 2); // SchemaItem
    open(w, 1);
    schema(w, { $ref: `#/definitions/${op.root}` });
    w.ldelim().ldelim();
  }
  w.ldelim().ldelim().ldelim().ldelim();
  for (const [name, value] of [
    ['x-kubernetes-action', 'patch'],
    ['x-kubernetes-group-version-kind', op.gvk],
  ] as const) {
    open(w, 13);
    str(w, 1, name);
    any(w, 2, value);
    w.ldelim();
  }
}

/** Encodes a Swagger document (`swagger`, `info`, PATCH `paths`, `definitions`) as gnostic's `openapi.v2.Document`. */
export function encodeSwaggerProtobuf(
  definitions: Map<string, OpenApiSchema>,
  paths: Map<string, PatchOperation>,
): Buffer {
  const w = protobuf.Writer.create();
  str(w, 1, '2.0');
  open(w, 2);
  str(w, 1, INFO.title);
  str(w, 2, INFO.version);
  w.ldelim();
  open(w, 8);
  for (const [path, op] of paths) {
    open(w, 2); // NamedPathItem
    str(w, 1, path);
    open(w, 2); // PathItem
    open(w, 8); // .patch
    operation(w, op);
    w.ldelim().ldelim().ldelim();
  }
  w.ldelim();
  open(w, 9);
  namedSchemas(w, definitions);
  w.ldelim();
  return Buffer.from(w.finish());
}

export function swaggerJson(
  definitions: Map<string, OpenApiSchema>,
  paths: Map<string, PatchOperation>,
): unknown {
  return {
    swagger: '2.0',
    info: INFO,
    paths: Object.fromEntries([...paths].map(([p, op]) => [p, { patch: operationJson(op) }])),
    definitions: Object.fromEntries(definitions),
  };
}

interface Encoded {
  body: Buffer;
  etag: string;
}

function encoded(body: Buffer): Encoded {
  const etag = `"${createHash('sha512').update(body).digest('hex').slice(0, 64).toUpperCase()}"`;
  return { body, etag };
}

export interface V2Response {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Buffer;
}

/** Builds (once per schema generation) and answers `/openapi/v2`, with the ETag kube-apiserver sends. */
export class OpenApiV2 {
  private generation = -1;
  private json: Encoded | undefined;
  private proto: Encoded | undefined;

  constructor(private readonly schemas: OpenApiSchemas) {}

  private refresh(): void {
    if (this.generation === this.schemas.generation) return;
    this.generation = this.schemas.generation;
    this.json = undefined;
    this.proto = undefined;
  }

  private parts(): [Map<string, OpenApiSchema>, Map<string, PatchOperation>] {
    const paths = patchOperations(this.schemas.kinds);
    for (const [, op] of paths) {
      const k = this.schemas.kinds.at(op.gvk.group, op.gvk.version).find((x) => x.kind === op.gvk.kind);
      if (!k) continue;
      const root = this.schemas.kindDefinitions(k, op.gvk.version)?.root;
      if (root !== undefined) op.root = root;
      else delete op.root;
    }
    return [this.schemas.definitions(), paths];
  }

  respond(accept: string | undefined, ifNoneMatch: string | undefined): V2Response {
    this.refresh();
    const wantsProto = accept !== undefined && /protobuf/i.test(accept);
    let doc: Encoded;
    if (wantsProto) doc = this.proto ??= encoded(encodeSwaggerProtobuf(...this.parts()));
    else doc = this.json ??= encoded(Buffer.from(JSON.stringify(swaggerJson(...this.parts()))));
    const headers: Record<string, string> = {
      'Content-Type': wantsProto ? OPENAPI_V2_CONTENT_TYPE : 'application/json',
      ETag: doc.etag,
      Vary: 'Accept',
    };
    const tags = (ifNoneMatch ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (tags.includes(doc.etag) || tags.includes('*')) return { status: 304, headers, body: Buffer.alloc(0) };
    return {
      status: 200,
      headers: { ...headers, 'Content-Length': String(doc.body.length) },
      body: doc.body,
    };
  }
}
