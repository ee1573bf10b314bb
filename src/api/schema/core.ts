// Light checks on the built-in kinds extgate reads (Service ports, EndpointSlices, TLS Secrets). Their schemas
// are partial (`complete: false`): other fields are stored as sent and never reported as unknown.
import { arr, int, map, obj, rule, str, type KindSchema, type ObjectSchema } from './dsl.js';
import { objectMeta } from './common.js';

const core = (kind: string, plural: string, root: ObjectSchema, group = '', version = 'v1'): KindSchema => ({
  group,
  version,
  kind,
  plural,
  singular: kind.toLowerCase(),
  scope: 'Namespaced',
  complete: false,
  root,
});

interface ServicePort {
  name?: string;
  port: number;
}

const servicePort = obj(
  {
    name: str({ maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
    protocol: str({ enum: ['TCP', 'UDP', 'SCTP'] }),
    appProtocol: str(),
    port: int({ minimum: 1, maximum: 65535 }),
    targetPort: { type: 'int-or-string' },
    nodePort: int({ minimum: 0, maximum: 65535 }),
  },
  { required: ['port'] },
);

export const service = core(
  'Service',
  'services',
  obj(
    {
      metadata: objectMeta(),
      spec: obj(
        {
          type: str({ enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] }),
          ports: arr(servicePort, {
            rules: [
              // Kubernetes core validation (pkg/apis/core/validation), not CEL; worded as the API server does.
              rule<ServicePort[]>({
                message: 'name is required when a Service has more than one port',
                holds: (ps) => ps.length < 2 || ps.every((p) => p.name !== undefined && p.name !== ''),
                locate: (ps) => `[${ps.findIndex((p) => p.name === undefined || p.name === '')}].name`,
                reason: 'FieldValueRequired',
              }),
              rule<ServicePort[]>({
                message: 'port names must be unique within a Service',
                holds: (ps) => new Set(ps.map((p) => p.name ?? '')).size === ps.length,
                locate: (ps) =>
                  `[${ps.findIndex((p, i) => ps.findIndex((q) => (q.name ?? '') === (p.name ?? '')) !== i)}].name`,
                reason: 'FieldValueDuplicate',
              }),
            ],
          }),
        },
        { open: true },
      ),
    },
    { open: true },
  ),
);

interface Slice {
  addressType: string;
}

export const endpointSlice = core(
  'EndpointSlice',
  'endpointslices',
  obj(
    {
      metadata: objectMeta(),
      addressType: str({ enum: ['IPv4', 'IPv6', 'FQDN'] }),
      endpoints: arr(
        obj(
          { addresses: arr(str(), { minItems: 1, maxItems: 100 }), conditions: obj({}, { open: true }) },
          { required: ['addresses'], open: true },
        ),
        { maxItems: 1000 },
      ),
      ports: arr(
        obj(
          {
            name: str({ maxLength: 63 }),
            protocol: str({ enum: ['TCP', 'UDP', 'SCTP'] }),
            port: int({ minimum: 0, maximum: 65535 }),
            appProtocol: str(),
          },
          { open: true },
        ),
        { maxItems: 100 },
      ),
    },
    {
      required: ['addressType'],
      open: true,
      rules: [
        rule<Slice>({
          message: 'field is immutable',
          cel: 'self.addressType == oldSelf.addressType',
          holds: (s, old) => s.addressType === old?.addressType,
          transition: true,
          field: 'addressType',
        }),
      ],
    },
  ),
  'discovery.k8s.io',
);

interface SecretShape {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

// The keys Kubernetes requires per Secret type: TLS listeners and callouts read tls.crt/tls.key, registry
// credentials (--registry-secret) read .dockerconfigjson.
const requiredKey = (type: string, key: string) =>
  rule<SecretShape>({
    message: `data[${key}] is required for a ${type} Secret`,
    holds: (s) => s.type !== type || s.data?.[key] !== undefined || s.stringData?.[key] !== undefined,
    locate: () => `.data[${key}]`,
    reason: 'FieldValueRequired',
  });

export const secret = core(
  'Secret',
  'secrets',
  obj(
    { metadata: objectMeta(), type: str({ maxLength: 253 }), data: map(str()), stringData: map(str()) },
    {
      open: true,
      rules: [
        requiredKey('kubernetes.io/tls', 'tls.crt'),
        requiredKey('kubernetes.io/tls', 'tls.key'),
        requiredKey('kubernetes.io/dockerconfigjson', '.dockerconfigjson'),
        rule<SecretShape>({
          message: 'field is immutable',
          holds: (s, old) => (s.type ?? 'Opaque') === (old?.type ?? 'Opaque'),
          transition: true,
          field: 'type',
        }),
      ],
    },
  ),
);
