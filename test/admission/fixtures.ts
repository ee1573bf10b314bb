// The seed walkthrough's manifests (docs/spec/README.md; GATEWAY_NAME = my-gateway) and helpers that
// derive one bad manifest per rule from them.
import assert from 'node:assert/strict';
import { admit } from '../../src/api/admission.js';
import type { FieldCause, KubeObject, ObjectLookup } from '../../src/api/types.js';

export const gateway = (): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'my-gateway', namespace: 'default' },
  spec: {
    gatewayClassName: 'gke-l7-regional-external-managed',
    listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }],
  },
});

export const storeRoute = (): KubeObject => ({
  kind: 'HTTPRoute',
  apiVersion: 'gateway.networking.k8s.io/v1',
  metadata: { name: 'store', namespace: 'default' },
  spec: {
    parentRefs: [{ kind: 'Gateway', name: 'my-gateway' }],
    hostnames: ['store.example.com', 'service-extensions.example.com'],
    rules: [
      { backendRefs: [{ name: 'store-v1', port: 8080 }] },
      {
        matches: [{ headers: [{ name: 'env', value: 'canary' }] }],
        backendRefs: [{ name: 'store-v2', port: 8080 }],
      },
      { matches: [{ path: { value: '/de' } }], backendRefs: [{ name: 'store-german', port: 8080 }] },
    ],
  },
});

export const calloutService = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'extension-service', namespace: 'default' },
  spec: { ports: [{ port: 443, targetPort: 443, appProtocol: 'HTTP2' }], selector: { app: 'store' } },
});

export const calloutSlice = (): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: 'extension-service-1',
    namespace: 'default',
    labels: { 'kubernetes.io/service-name': 'extension-service' },
  },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['127.0.0.1'] }],
  ports: [{ port: 8443, protocol: 'TCP' }],
});

const extensionSpec = () => ({
  targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'my-gateway' }],
  extensionChains: [
    {
      name: 'chain1',
      matchCondition: { celExpressions: [{ celMatcher: 'request.path.contains("serviceextensions")' }] },
      extensions: [
        {
          name: 'ext1',
          authority: 'myext.com',
          timeout: '1s',
          backendRef: { group: '', kind: 'Service', name: 'extension-service', port: 443 },
        },
      ],
    },
  ],
});

export const routingExtension = (): KubeObject => ({
  kind: 'GCPRoutingExtension',
  apiVersion: 'networking.gke.io/v1',
  metadata: { name: 'my-gateway-extension', namespace: 'default' },
  spec: extensionSpec(),
});

export const trafficExtension = (): KubeObject => ({
  kind: 'GCPTrafficExtension',
  apiVersion: 'networking.gke.io/v1',
  metadata: { name: 'my-traffic-extension', namespace: 'default' },
  spec: extensionSpec(),
});

export const wasmPlugin = (): KubeObject => ({
  kind: 'GCPWasmPlugin',
  apiVersion: 'networking.gke.io/v1',
  metadata: { name: 'gcp-wasm-plugin', namespace: 'default' },
  spec: {
    versions: [
      {
        name: 'wasm-plugin-version',
        description: 'Test wasm plugin version',
        image: 'us-docker.pkg.dev/service-extensions-samples/plugins/local-reply:main',
        weight: 1000000,
      },
    ],
    logConfig: { enabled: true, sampleRate: 1000000, minLogLevel: 'INFO' },
  },
});

export const pluginTrafficExtension = (): KubeObject => ({
  kind: 'GCPTrafficExtension',
  apiVersion: 'networking.gke.io/v1',
  metadata: { name: 'gcp-traffic-extension-with-plugin', namespace: 'default' },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'my-gateway' }],
    extensionChains: [
      {
        name: 'chain1',
        matchCondition: { celExpressions: [{ celMatcher: 'request.path.contains("serviceextensions")' }] },
        extensions: [
          {
            name: 'ext1',
            supportedEvents: ['RequestHeaders', 'ResponseHeaders'],
            backendRef: { group: 'networking.gke.io', kind: 'GCPWasmPlugin', name: 'gcp-wasm-plugin' },
          },
        ],
      },
    ],
  },
});

/** A bad manifest and the cause admission must give for it. */
export interface BadCase {
  name: string;
  object: KubeObject;
  field: string;
  message: string;
  reason?: FieldCause['reason'];
  /** For update-only rules. */
  oldObject?: KubeObject;
}

type Json = Record<string, unknown>;

/** A copy of `base()` changed by `edit`, whose argument is the copy's spec (or the object with `whole`). */
export function variant(
  base: () => KubeObject,
  edit: (spec: Json & { [k: string]: any }) => void,
  whole = false,
): KubeObject {
  const o = structuredClone(base());
  edit((whole ? o : o.spec) as Json);
  return o;
}

/** The first extension of the first chain, for edits. */
export const ext0 = (spec: Json & { [k: string]: any }): Json & { [k: string]: any } =>
  spec.extensionChains[0].extensions[0];

/** An ObjectLookup over a plain list of objects: the same interface the API server's store offers. */
export class ObjectList implements ObjectLookup {
  constructor(private readonly objects: KubeObject[]) {}
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.find(
      (o) =>
        o.apiVersion === apiVersion &&
        o.kind === kind &&
        o.metadata.namespace === namespace &&
        o.metadata.name === name,
    );
  }
  list(apiVersion: string, kind: string, namespace: string | undefined): KubeObject[] {
    return this.objects.filter(
      (o) =>
        o.apiVersion === apiVersion &&
        o.kind === kind &&
        (namespace === undefined || o.metadata.namespace === namespace),
    );
  }
}

/** Everything the seed's extensions reference. */
export const seedWorld = () =>
  new ObjectList([gateway(), storeRoute(), calloutService(), calloutSlice(), wasmPlugin()]);

/** Admits `c.object` against the seed world and requires the cause the case names. */
export function expectCause(c: BadCase): void {
  const result = admit(
    {
      operation: c.oldObject ? 'UPDATE' : 'CREATE',
      object: c.object,
      ...(c.oldObject ? { oldObject: c.oldObject } : {}),
    },
    seedWorld(),
  );
  assert.equal(result.allowed, false, `${c.name}: admitted`);
  assert.ok('causes' in result, `${c.name}: expected field causes, got ${JSON.stringify(result)}`);
  const found = result.causes.find((x) => x.field === c.field && x.message === c.message);
  assert.ok(
    found,
    `${c.name}: no cause {${c.field}: ${c.message}}\n  got: ${JSON.stringify(result.causes, null, 1)}`,
  );
  if (c.reason) assert.equal(found.reason, c.reason, c.name);
}
