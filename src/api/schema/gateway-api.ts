// Gateway API GatewayClass and Gateway (v1), plus the helpers the other Gateway API kinds share (httproute.ts,
// gateway-policies.ts). Shapes, limits and messages follow the upstream standard-channel CRDs
// (kubernetes-sigs/gateway-api config/crd/standard); rules marked "extgate" are ours.
import { GATEWAY_API, PATTERNS } from './limits.js';
import { arr, map, obj, opaque, rule, str, type KindSchema, type ObjectSchema, type Rule } from './dsl.js';
import { group, kind, namespace, objectMeta, objectName, port, sectionName } from './common.js';

export const kindSchema = (
  kindName: string,
  plural: string,
  root: ObjectSchema,
  o: Partial<KindSchema> = {},
): KindSchema => ({
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  kind: kindName,
  plural,
  singular: kindName.toLowerCase(),
  scope: 'Namespaced',
  complete: true,
  status: true,
  categories: ['gateway-api'],
  root,
  ...o,
});

export const withMeta = (spec: ObjectSchema, status?: ObjectSchema): ObjectSchema =>
  obj(
    { apiVersion: str(), kind: str(), metadata: objectMeta(), spec, ...(status ? { status } : {}) },
    { required: ['spec'] },
  );

/**
 * The status the Gateway API CRDs default (a real cluster shows it until a controller writes status): one
 * `Unknown`/`Pending` condition per type, at the epoch.
 */
const waitingForController = (types: string[]) => ({
  conditions: types.map((type) => ({
    lastTransitionTime: '1970-01-01T00:00:00Z',
    message: 'Waiting for controller',
    reason: 'Pending',
    status: 'Unknown',
    type,
  })),
});

// ---------------------------------------------------------------------------------------------- GatewayClass

export const gatewayClass = kindSchema(
  'GatewayClass',
  'gatewayclasses',
  withMeta(
    obj(
      {
        controllerName: str({
          minLength: 1,
          maxLength: 253,
          pattern: PATTERNS.controllerName,
          rules: [
            rule<string>({
              message: 'Value is immutable',
              cel: 'self == oldSelf',
              holds: (s, old) => s === old,
              transition: true,
            }),
          ],
        }),
        description: str({ maxLength: GATEWAY_API.gatewayClassDescription }),
        parametersRef: obj(
          { group: group(), kind: kind(), name: objectName(), namespace: namespace() },
          { required: ['group', 'kind', 'name'] },
        ),
      },
      { required: ['controllerName'] },
    ),
    { ...opaque(), default: waitingForController(['Accepted']) },
  ),
  { scope: 'Cluster', shortNames: ['gc'] },
);

// --------------------------------------------------------------------------------------------------- Gateway

interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { mode?: string; certificateRefs?: unknown[]; options?: Record<string, string> };
}

const secretObjectReference = () =>
  obj(
    {
      group: group({ default: '' }),
      kind: kind({ default: 'Secret' }),
      name: objectName(),
      namespace: namespace(),
    },
    { required: ['name'] },
  );

const firstIndex = <T>(xs: T[], bad: (x: T, i: number) => boolean) => `[${xs.findIndex(bad)}]`;
const sameHost = (a: Listener, b: Listener) => (a.hostname ?? '') === (b.hostname ?? '');

const listenerRules: Rule<never>[] = [
  rule<Listener[]>({
    message: "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
    cel: "self.all(l, l.protocol in ['HTTP', 'TCP', 'UDP'] ? !has(l.tls) : true)",
    holds: (ls) => ls.every((l) => !['HTTP', 'TCP', 'UDP'].includes(l.protocol) || l.tls === undefined),
    locate: (ls) =>
      `${firstIndex(ls, (l) => ['HTTP', 'TCP', 'UDP'].includes(l.protocol) && l.tls !== undefined)}.tls`,
    reason: 'FieldValueForbidden',
  }),
  rule<Listener[]>({
    message: 'tls mode must be Terminate for protocol HTTPS',
    cel: "self.all(l, (l.protocol == 'HTTPS' && has(l.tls)) ? (l.tls.mode == '' || l.tls.mode == 'Terminate') : true)",
    holds: (ls) =>
      ls.every((l) => l.protocol !== 'HTTPS' || !l.tls || [undefined, '', 'Terminate'].includes(l.tls.mode)),
    locate: (ls) =>
      `${firstIndex(ls, (l) => l.protocol === 'HTTPS' && !!l.tls && ![undefined, '', 'Terminate'].includes(l.tls.mode))}.tls.mode`,
  }),
  rule<Listener[]>({
    // extgate: upstream leaves this to the controller; GKE serves HTTPS only with a certificate.
    message: 'tls with certificateRefs (or options) must be specified for protocol HTTPS',
    cel: "self.all(l, l.protocol == 'HTTPS' ? has(l.tls) : true)",
    holds: (ls) => ls.every((l) => l.protocol !== 'HTTPS' || l.tls !== undefined),
    locate: (ls) => `${firstIndex(ls, (l) => l.protocol === 'HTTPS' && l.tls === undefined)}.tls`,
    reason: 'FieldValueRequired',
  }),
  rule<Listener[]>({
    message: 'tls mode must be set for protocol TLS',
    cel: "self.all(l, (l.protocol == 'TLS' ? has(l.tls) && has(l.tls.mode) && l.tls.mode != '' : true))",
    holds: (ls) => ls.every((l) => l.protocol !== 'TLS' || (!!l.tls?.mode && l.tls.mode !== '')),
    locate: (ls) =>
      `${firstIndex(ls, (l) => l.protocol === 'TLS' && !(l.tls?.mode && l.tls.mode !== ''))}.tls.mode`,
    reason: 'FieldValueRequired',
  }),
  rule<Listener[]>({
    message: "hostname must not be specified for protocols ['TCP', 'UDP']",
    cel: "self.all(l, l.protocol in ['TCP', 'UDP']  ? (!has(l.hostname) || l.hostname == '') : true)",
    holds: (ls) => ls.every((l) => !['TCP', 'UDP'].includes(l.protocol) || !l.hostname),
    locate: (ls) => `${firstIndex(ls, (l) => ['TCP', 'UDP'].includes(l.protocol) && !!l.hostname)}.hostname`,
    reason: 'FieldValueForbidden',
  }),
  rule<Listener[]>({
    message: 'Listener name must be unique within the Gateway',
    cel: 'self.all(l1, self.exists_one(l2, l1.name == l2.name))',
    holds: (ls) => new Set(ls.map((l) => l.name)).size === ls.length,
    locate: (ls) => `${firstIndex(ls, (l, i) => ls.findIndex((m) => m.name === l.name) !== i)}.name`,
    reason: 'FieldValueDuplicate',
  }),
  rule<Listener[]>({
    message: 'Combination of port, protocol and hostname must be unique for each listener',
    cel: 'self.all(l1, self.exists_one(l2, l1.port == l2.port && l1.protocol == l2.protocol && (has(l1.hostname) && has(l2.hostname) ? l1.hostname == l2.hostname : !has(l1.hostname) && !has(l2.hostname))))',
    holds: (ls) =>
      ls.every(
        (a) =>
          ls.filter((b) => a.port === b.port && a.protocol === b.protocol && sameHost(a, b)).length === 1,
      ),
    locate: (ls) =>
      firstIndex(
        ls,
        (a, i) => ls.findIndex((b) => a.port === b.port && a.protocol === b.protocol && sameHost(a, b)) !== i,
      ),
    reason: 'FieldValueDuplicate',
  }),
];

interface ListenerTLS {
  mode?: string;
  certificateRefs?: unknown[];
  options?: Record<string, string>;
}

const listener = obj(
  {
    name: sectionName(),
    hostname: str({ minLength: 1, maxLength: 253, pattern: PATTERNS.hostname }),
    port: port(),
    // Upstream's pattern, not a list: any well-formed protocol name is admitted, and the controller reports the
    // ones it does not serve (listener Accepted=False, UnsupportedProtocol), as the conformance suite expects.
    protocol: str({
      minLength: 1,
      maxLength: 255,
      pattern: PATTERNS.listenerProtocol,
    }),
    tls: obj(
      {
        mode: str({ enum: ['Terminate', 'Passthrough'], default: 'Terminate' }),
        certificateRefs: arr(secretObjectReference(), { maxItems: GATEWAY_API.certificateRefs }),
        options: map(str({ maxLength: 4096 }), { maxProperties: 16 }),
      },
      {
        rules: [
          rule<ListenerTLS>({
            message: 'certificateRefs or options must be specified when mode is Terminate',
            cel: "self.mode == 'Terminate' ? size(self.certificateRefs) > 0 || size(self.options) > 0 : true",
            holds: (t) =>
              (t.mode ?? 'Terminate') !== 'Terminate' ||
              (t.certificateRefs ?? []).length > 0 ||
              Object.keys(t.options ?? {}).length > 0,
            field: 'certificateRefs',
            reason: 'FieldValueRequired',
          }),
        ],
      },
    ),
    allowedRoutes: obj(
      {
        namespaces: obj(
          {
            from: str({ enum: ['All', 'Selector', 'Same'], default: 'Same' }),
            selector: opaque('LabelSelector'),
          },
          { default: { from: 'Same' } },
        ),
        kinds: arr(
          obj(
            { group: group({ default: 'gateway.networking.k8s.io' }), kind: kind() },
            { required: ['kind'] },
          ),
          { maxItems: GATEWAY_API.allowedRouteKinds },
        ),
      },
      { default: { namespaces: { from: 'Same' } } },
    ),
  },
  { required: ['name', 'port', 'protocol'] },
);

interface Address {
  type?: string;
  value?: string;
}
const uniqueAddress = (type: string) =>
  rule<Address[]>({
    message: `${type} values must be unique`,
    cel: `self.all(a1, a1.type == '${type}' && has(a1.value) ? self.exists_one(a2, a2.type == a1.type && has(a2.value) && a2.value == a1.value) : true )`,
    holds: (as) =>
      as.every(
        (a) =>
          (a.type ?? 'IPAddress') !== type ||
          a.value === undefined ||
          as.filter((b) => (b.type ?? 'IPAddress') === type && b.value === a.value).length === 1,
      ),
    locate: (as) =>
      `${firstIndex(as, (a, i) => (a.type ?? 'IPAddress') === type && as.findIndex((b) => (b.type ?? 'IPAddress') === type && b.value === a.value) !== i)}.value`,
    reason: 'FieldValueDuplicate',
  });

export const gateway = kindSchema(
  'Gateway',
  'gateways',
  withMeta(
    obj(
      {
        gatewayClassName: str({ minLength: 1, maxLength: 253 }),
        listeners: arr(listener, {
          minItems: 1,
          maxItems: GATEWAY_API.listeners,
          listType: 'map',
          listMapKeys: ['name'],
          rules: listenerRules,
        }),
        addresses: arr(
          obj({
            type: str({
              minLength: 1,
              maxLength: 253,
              default: 'IPAddress',
              pattern:
                "^Hostname|IPAddress|NamedAddress|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$",
            }),
            value: str({ maxLength: 253 }),
          }),
          { maxItems: GATEWAY_API.addresses, rules: [uniqueAddress('IPAddress'), uniqueAddress('Hostname')] },
        ),
        infrastructure: opaque('GatewayInfrastructure'),
        allowedListeners: opaque('AllowedListeners'),
        tls: opaque('GatewayTLSConfig'),
      },
      { required: ['gatewayClassName', 'listeners'] },
    ),
    { ...opaque(), default: waitingForController(['Accepted', 'Programmed']) },
  ),
  { shortNames: ['gtw'] },
);
