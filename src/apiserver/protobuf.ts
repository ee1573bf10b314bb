// Decodes the Kubernetes protobuf bodies kubectl 1.32's typed create commands send (`create secret tls|generic`,
// `create configmap`, `create namespace`; docs/spec/kubernetes-api.md §8.7) and `kubectl auth`'s reviews. Only the envelope
// and those messages.
import protobuf from 'protobufjs/minimal.js';
import type { KubeObject, ObjectMeta } from '../api/types.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

export class ProtobufError extends Error {}

type Reader = protobuf.Reader;

/** Iterates the fields of one message, calling `onField(fieldNumber, wireType)`; the callback must consume the value. */
function fields(bytes: Uint8Array, onField: (r: Reader, field: number, wire: number) => boolean): void {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!onField(r, field, wire)) r.skipType(wire);
  }
}

function mapEntry(bytes: Uint8Array, valueAsBytes: boolean): [string, string] {
  let key = '';
  let value = '';
  fields(bytes, (r, f, w) => {
    if (w !== 2) return false;
    if (f === 1) key = r.string();
    else if (f === 2) value = valueAsBytes ? Buffer.from(r.bytes()).toString('base64') : r.string();
    else return false;
    return true;
  });
  return [key, value];
}

function objectMeta(bytes: Uint8Array): ObjectMeta {
  const m: ObjectMeta = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const finalizers: string[] = [];
  fields(bytes, (r, f, w) => {
    if (f === 7 && w === 0) {
      r.int64();
      return true;
    }
    if (w !== 2) return false;
    switch (f) {
      case 1:
        m.name = r.string();
        return true;
      case 2:
        m.generateName = r.string();
        return true;
      case 3:
        m.namespace = r.string();
        return true;
      case 11: {
        const [k, v] = mapEntry(r.bytes(), false);
        labels[k] = v;
        return true;
      }
      case 12: {
        const [k, v] = mapEntry(r.bytes(), false);
        annotations[k] = v;
        return true;
      }
      case 14:
        finalizers.push(r.string());
        return true;
      default:
        return false; // selfLink, uid, resourceVersion, timestamps, ownerReferences, managedFields: server-owned here
    }
  });
  for (const key of ['name', 'generateName', 'namespace'] as const) if (m[key] === '') delete m[key];
  if (Object.keys(labels).length) m.labels = labels;
  if (Object.keys(annotations).length) m.annotations = annotations;
  if (finalizers.length) m.finalizers = finalizers;
  return m;
}

function secret(raw: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const data: Record<string, string> = {};
  const stringData: Record<string, string> = {};
  fields(raw, (r, f, w) => {
    if (f === 5 && w === 0) {
      out.immutable = r.bool();
      return true;
    }
    if (w !== 2) return false;
    if (f === 1) out.metadata = objectMeta(r.bytes());
    else if (f === 2) {
      const [k, v] = mapEntry(r.bytes(), true);
      data[k] = v;
    } else if (f === 3) out.type = r.string();
    else if (f === 4) {
      const [k, v] = mapEntry(r.bytes(), false);
      stringData[k] = v;
    } else return false;
    return true;
  });
  if (Object.keys(data).length) out.data = data;
  if (Object.keys(stringData).length) out.stringData = stringData;
  if (out.type === '') delete out.type;
  return out;
}

function configMap(raw: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  fields(raw, (r, f, w) => {
    if (f === 4 && w === 0) {
      out.immutable = r.bool();
      return true;
    }
    if (w !== 2) return false;
    if (f === 1) out.metadata = objectMeta(r.bytes());
    else if (f === 2) {
      const [k, v] = mapEntry(r.bytes(), false);
      data[k] = v;
    } else if (f === 3) {
      const [k, v] = mapEntry(r.bytes(), true);
      binaryData[k] = v;
    } else return false;
    return true;
  });
  if (Object.keys(data).length) out.data = data;
  if (Object.keys(binaryData).length) out.binaryData = binaryData;
  return out;
}

function namespace(raw: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  fields(raw, (r, f, w) => {
    if (w !== 2) return false;
    if (f === 1) out.metadata = objectMeta(r.bytes());
    else if (f === 2) {
      const finalizers: string[] = [];
      fields(r.bytes(), (r2, f2, w2) => {
        if (f2 !== 1 || w2 !== 2) return false;
        finalizers.push(r2.string());
        return true;
      });
      if (finalizers.length) out.spec = { finalizers };
    } else return false;
    return true;
  });
  return out;
}

/** Field number → JSON name of a message made of strings and nested messages (no repeated fields). */
interface Shape {
  [field: number]: string | [string, Shape];
}

function message(raw: Uint8Array, shape: Shape): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  fields(raw, (r, f, w) => {
    const s = shape[f];
    if (s === undefined || w !== 2) return false;
    if (typeof s === 'string') out[s] = r.string();
    else out[s[0]] = message(r.bytes(), s[1]);
    return true;
  });
  return out;
}

// k8s.io/api authorization/v1 and authentication/v1 generated.proto (the typed clients of `kubectl auth`).
const RESOURCE_ATTRIBUTES: Shape = {
  1: 'namespace',
  2: 'verb',
  3: 'group',
  4: 'version',
  5: 'resource',
  6: 'subresource',
  7: 'name',
};
const NON_RESOURCE_ATTRIBUTES: Shape = { 1: 'path', 2: 'verb' };

const DECODERS: Record<string, (raw: Uint8Array) => Record<string, unknown>> = {
  'v1/Secret': secret,
  'v1/ConfigMap': configMap,
  'v1/Namespace': namespace,
  'authorization.k8s.io/v1/SelfSubjectAccessReview': (raw) =>
    message(raw, {
      2: [
        'spec',
        {
          1: ['resourceAttributes', RESOURCE_ATTRIBUTES],
          2: ['nonResourceAttributes', NON_RESOURCE_ATTRIBUTES],
        },
      ],
    }),
  'authorization.k8s.io/v1/SelfSubjectRulesReview': (raw) =>
    message(raw, { 2: ['spec', { 1: 'namespace' }] }),
  'authentication.k8s.io/v1/SelfSubjectReview': () => ({}),
};

/** Decodes a `k8s\0`-framed runtime.Unknown; throws ProtobufError for other kinds or malformed bytes. */
export function decodeKubeProtobuf(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw new ProtobufError('protobuf body does not start with the "k8s\\0" prefix');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array | undefined;
  try {
    fields(body.subarray(4), (r, f, w) => {
      if (w !== 2) return false;
      if (f === 1)
        fields(r.bytes(), (r2, f2, w2) => {
          if (w2 !== 2) return false;
          if (f2 === 1) apiVersion = r2.string();
          else if (f2 === 2) kind = r2.string();
          else return false;
          return true;
        });
      else if (f === 2) raw = r.bytes();
      else return false;
      return true;
    });
    const decode = DECODERS[`${apiVersion}/${kind}`];
    if (!decode || !raw) throw new ProtobufError(`protobuf is not supported for ${apiVersion}/${kind}`);
    const obj = decode(raw);
    return {
      apiVersion,
      kind,
      ...obj,
      metadata: (obj.metadata as ObjectMeta | undefined) ?? {},
    } as KubeObject;
  } catch (err) {
    if (err instanceof ProtobufError) throw err;
    throw new ProtobufError(`malformed protobuf body: ${(err as Error).message}`);
  }
}
