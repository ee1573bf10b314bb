// Resources and events as the controller's cache holds them, for the dashboard tests.
import type { KubeObject } from '../../src/api/types.js';
import { EMPTY_SNAPSHOT, type Snapshot } from '../../src/ir/snapshot.js';
import type { DashboardSource } from '../../src/admin/dashboard.js';

const ok = (type: string, reason: string) => ({
  type,
  status: 'True',
  reason,
  message: '',
  observedGeneration: 1,
});

export const RESOURCES: KubeObject[] = [
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'internal-http', namespace: 'default' },
    spec: {
      gatewayClassName: 'gke-l7-regional-external-managed',
      listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }],
    },
    status: {
      addresses: [{ type: 'IPAddress', value: '127.0.0.1' }],
      conditions: [ok('Accepted', 'Accepted'), ok('Programmed', 'Programmed')],
      listeners: [
        {
          name: 'http',
          attachedRoutes: 1,
          conditions: [ok('Accepted', 'Accepted'), ok('Programmed', 'Programmed')],
        },
      ],
    },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'store', namespace: 'default' },
    spec: {
      parentRefs: [{ kind: 'Gateway', name: 'internal-http' }],
      hostnames: ['store.example.com'],
      rules: [{ backendRefs: [{ name: 'store-v1', port: 8080 }] }],
    },
    status: {
      parents: [
        {
          parentRef: { name: 'internal-http' },
          controllerName: 'networking.gke.io/gateway',
          conditions: [ok('Accepted', 'Accepted'), ok('ResolvedRefs', 'ResolvedRefs')],
        },
      ],
    },
  },
  {
    apiVersion: 'networking.gke.io/v1',
    kind: 'GCPTrafficExtension',
    metadata: { name: 'my-traffic-extension', namespace: 'default' },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'internal-http' }],
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
            {
              name: 'ext2',
              failOpen: true,
              authority: 'other.com',
              backendRef: { group: '', kind: 'Service', name: 'flaky-service', port: 443 },
            },
          ],
        },
      ],
    },
    status: {
      ancestors: [
        {
          ancestorRef: {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: 'internal-http',
            namespace: 'default',
          },
          controllerName: 'networking.gke.io/gateway',
          conditions: [
            ok('Accepted', 'Accepted'),
            {
              type: 'ResolvedRefs',
              status: 'False',
              reason: 'BackendNotFound',
              message:
                'service default/flaky-service in GCPTrafficExtension default/my-traffic-extension does not have port 443 with appProtocol HTTP2: set appProtocol: HTTP2 on that Service port',
              observedGeneration: 1,
            },
          ],
        },
      ],
    },
  },
];

export const EVENTS: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'my-traffic-extension.1', namespace: 'default' },
    involvedObject: { kind: 'GCPTrafficExtension', namespace: 'default', name: 'my-traffic-extension' },
    type: 'Warning',
    reason: 'SYNC',
    message: 'Reconciliation of GCPTrafficExtension "default/my-traffic-extension" failed',
    count: 2,
    lastTimestamp: '2026-01-01T00:00:00Z',
  },
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'internal-http.1', namespace: 'default' },
    involvedObject: { kind: 'Gateway', namespace: 'default', name: 'internal-http' },
    type: 'Normal',
    reason: 'ADD',
    message: 'default/internal-http',
    lastTimestamp: '2026-01-01T00:00:00Z',
  },
];

export function staticSource(snapshot: Snapshot = { ...EMPTY_SNAPSHOT, version: 7 }): DashboardSource {
  // Events come asynchronously, as when listed from the API server on demand.
  return { snapshot: () => snapshot, resources: () => RESOURCES, events: async () => EVENTS };
}
