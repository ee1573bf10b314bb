// What a real cluster fills in on write (docs/spec/kubernetes-api.md §3.1, §5.2), so `get -o yaml` and `describe` look
// the same, plus the immutable-field rules of §3.2 and name validation.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { FieldCause, KubeObject } from '../api/types.js';
import type { ResourceKind } from '../api/kinds.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Service cluster IPs come from 10.96.0.0/12 (kube-apiserver's default --service-cluster-ip-range). */
function clusterIpFor(seed: string, taken: Set<string>): string {
  let n = createHash('sha256').update(seed).digest().readUInt32BE(0) % (1 << 20);
  for (;;) {
    const ip = `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
    if ((n & 255) !== 0 && (n & 255) !== 255 && n !== 1 && !taken.has(ip)) return ip;
    n = (n + 1) % (1 << 20);
  }
}

/**
 * Fills defaults in place. `previous` is the stored object on update (defaults it had carry over, e.g. the
 * allocated clusterIP); `clusterIps` lists the IPs already allocated.
 */
export function applyDefaults(
  k: ResourceKind,
  obj: KubeObject,
  previous: KubeObject | undefined,
  clusterIps: () => Set<string>,
): void {
  switch (k.kind) {
    case 'Namespace': {
      const spec = isObj(obj.spec) ? obj.spec : (obj.spec = {});
      if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
      obj.status = { phase: obj.metadata.deletionTimestamp ? 'Terminating' : 'Active' };
      obj.metadata.labels = {
        ...obj.metadata.labels,
        'kubernetes.io/metadata.name': obj.metadata.name ?? '',
      };
      break;
    }
    case 'Secret': {
      if (obj.type === undefined || obj.type === '') obj.type = 'Opaque';
      if (isObj(obj.stringData)) {
        // Real clusters never store stringData: it is folded into base64 data on write.
        const data: Obj = isObj(obj.data) ? obj.data : {};
        for (const [key, v] of Object.entries(obj.stringData))
          data[key] = Buffer.from(String(v)).toString('base64');
        obj.data = data;
        delete obj.stringData;
      }
      break;
    }
    case 'EndpointSlice':
      if (Array.isArray(obj.ports))
        for (const p of obj.ports) if (isObj(p) && p.protocol === undefined) p.protocol = 'TCP';
      break;
    case 'Service': {
      const spec = isObj(obj.spec) ? obj.spec : (obj.spec = {});
      const prevSpec = previous && isObj(previous.spec) ? previous.spec : {};
      if (spec.type === undefined) spec.type = 'ClusterIP';
      if (spec.sessionAffinity === undefined) spec.sessionAffinity = 'None';
      if (Array.isArray(spec.ports))
        for (const p of spec.ports)
          if (isObj(p)) {
            if (p.protocol === undefined) p.protocol = 'TCP';
            if (p.targetPort === undefined) p.targetPort = p.port;
          }
      if (spec.type !== 'ExternalName') {
        if (spec.clusterIP === undefined || spec.clusterIP === '') {
          spec.clusterIP =
            typeof prevSpec.clusterIP === 'string' && prevSpec.clusterIP !== ''
              ? prevSpec.clusterIP
              : clusterIpFor(`${obj.metadata.namespace}/${obj.metadata.name}`, clusterIps());
        }
        if (spec.clusterIPs === undefined) spec.clusterIPs = [spec.clusterIP];
        if (spec.clusterIP !== 'None' || spec.ipFamilies === undefined) {
          if (spec.ipFamilies === undefined) spec.ipFamilies = ['IPv4'];
          if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = 'SingleStack';
        }
        if (spec.internalTrafficPolicy === undefined) spec.internalTrafficPolicy = 'Cluster';
        if (
          (spec.type === 'NodePort' || spec.type === 'LoadBalancer') &&
          spec.externalTrafficPolicy === undefined
        )
          spec.externalTrafficPolicy = 'Cluster';
      }
      if (obj.status === undefined) obj.status = { loadBalancer: {} };
      break;
    }
    case 'Pod':
      defaultPodSpec(obj.spec);
      break;
    case 'Deployment': {
      const spec = isObj(obj.spec) ? obj.spec : (obj.spec = {});
      if (spec.replicas === undefined) spec.replicas = 1;
      if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
      if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
      defaultPodSpec(isObj(spec.template) ? spec.template.spec : undefined);
      if (spec.strategy === undefined)
        spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
      break;
    }
  }
}

/** Container ports default to TCP (what `describe` prints as `8080/TCP`). */
function defaultPodSpec(spec: unknown): void {
  if (!isObj(spec)) return;
  for (const list of ['containers', 'initContainers'])
    for (const c of Array.isArray(spec[list]) ? spec[list] : [])
      if (isObj(c) && Array.isArray(c.ports))
        for (const p of c.ports) if (isObj(p) && p.protocol === undefined) p.protocol = 'TCP';
}

/** Fields that may not change once set (docs/spec/kubernetes-api.md §3.2). */
export function immutableFieldCauses(k: ResourceKind, prev: KubeObject, next: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const forbid = (field: string, message = 'field is immutable') =>
    causes.push({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${message}` });
  if ((k.kind === 'Secret' || k.kind === 'ConfigMap') && prev.immutable === true) {
    if (!isDeepStrictEqual(prev.data, next.data))
      forbid('data', 'field is immutable when `immutable` is set');
    if (!isDeepStrictEqual(prev.binaryData, next.binaryData))
      forbid('binaryData', 'field is immutable when `immutable` is set');
    if (next.immutable !== true) forbid('immutable', 'field is immutable when `immutable` is set');
  }
  if (k.kind === 'Secret' && prev.type !== next.type)
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'type',
      message: `Invalid value: ${JSON.stringify(next.type)}: field is immutable`,
    });
  if (k.kind === 'EndpointSlice' && prev.addressType !== next.addressType)
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'addressType',
      message: `Invalid value: ${JSON.stringify(next.addressType)}: field is immutable`,
    });
  if (k.kind === 'Service') {
    const a = isObj(prev.spec) ? prev.spec.clusterIP : undefined;
    const b = isObj(next.spec) ? next.spec.clusterIP : undefined;
    if (a !== b && a !== undefined)
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.clusterIPs[0]',
        message: `Invalid value: ${JSON.stringify(b ?? '')}: may not change once set`,
      });
  }
  if (k.kind === 'Deployment') {
    const a = isObj(prev.spec) ? prev.spec.selector : undefined;
    const b = isObj(next.spec) ? next.spec.selector : undefined;
    if (!isDeepStrictEqual(a, b))
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.selector',
        message: `Invalid value: ${JSON.stringify(b)}: field is immutable`,
      });
  }
  return causes;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** `metadata.name` format causes (empty when valid). */
export function nameCauses(k: ResourceKind, name: string): FieldCause[] {
  const invalid = (detail: string): FieldCause[] => [
    {
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: ${JSON.stringify(name)}: ${detail}`,
    },
  ];
  if (k.kind === 'Service') {
    if (name.length > 63 || !DNS1035_LABEL.test(name))
      return invalid(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      );
    return [];
  }
  if (k.kind === 'Namespace') {
    if (name.length > 63 || !DNS1123_LABEL.test(name))
      return invalid(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      );
    return [];
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
    return invalid(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  return [];
}
