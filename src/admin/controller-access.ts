// What `extgate serve` needs from a cluster's API server: what deploy/rbac.yaml must grant. It covers the
// controller's watches (src/controller/provider.ts WATCHED_KINDS, which test/admin/deploy.test.ts also
// checks directly), its status and event writes (status-writer.ts, events.ts), the Lease (leader.ts), and
// what the dashboard reads.

export interface ApiAccess {
  /** API group; '' is core. */
  readonly group: string;
  readonly version: string;
  /** Plural resource name (what RBAC and the REST path use). */
  readonly resource: string;
  readonly kind: string;
  readonly verbs: readonly string[];
  /** Only in the controller's own namespace (a Role, not the ClusterRole). */
  readonly namespaced?: boolean;
}

const READ = ['get', 'list', 'watch'] as const;
const STATUS = ['get', 'update', 'patch'] as const;

export const CONTROLLER_API_ACCESS: readonly ApiAccess[] = Object.freeze([
  // Gateway API
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    resource: 'gatewayclasses',
    kind: 'GatewayClass',
    verbs: READ,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    resource: 'gatewayclasses/status',
    kind: 'GatewayClass',
    verbs: STATUS,
  },
  // Gateways also get the GKE-style annotations and finalizer the seed (docs/spec/README.md) shows (`kubectl describe gateway`).
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    resource: 'gateways',
    kind: 'Gateway',
    verbs: [...READ, 'update', 'patch'],
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    resource: 'gateways/status',
    kind: 'Gateway',
    verbs: STATUS,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    resource: 'httproutes',
    kind: 'HTTPRoute',
    verbs: READ,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    resource: 'httproutes/status',
    kind: 'HTTPRoute',
    verbs: STATUS,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1beta1',
    resource: 'referencegrants',
    kind: 'ReferenceGrant',
    verbs: READ,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    resource: 'backendtlspolicies',
    kind: 'BackendTLSPolicy',
    verbs: READ,
  },
  // Service Extensions
  {
    group: 'networking.gke.io',
    version: 'v1',
    resource: 'gcproutingextensions',
    kind: 'GCPRoutingExtension',
    verbs: READ,
  },
  {
    group: 'networking.gke.io',
    version: 'v1',
    resource: 'gcproutingextensions/status',
    kind: 'GCPRoutingExtension',
    verbs: STATUS,
  },
  {
    group: 'networking.gke.io',
    version: 'v1',
    resource: 'gcptrafficextensions',
    kind: 'GCPTrafficExtension',
    verbs: READ,
  },
  {
    group: 'networking.gke.io',
    version: 'v1',
    resource: 'gcptrafficextensions/status',
    kind: 'GCPTrafficExtension',
    verbs: STATUS,
  },
  {
    group: 'networking.gke.io',
    version: 'v1',
    resource: 'gcpwasmplugins',
    kind: 'GCPWasmPlugin',
    verbs: READ,
  },
  {
    group: 'networking.gke.io',
    version: 'v1',
    resource: 'gcpwasmplugins/status',
    kind: 'GCPWasmPlugin',
    verbs: STATUS,
  },
  // Backends, certificates, namespaces (allowedRoutes selectors), registry credentials
  { group: '', version: 'v1', resource: 'services', kind: 'Service', verbs: READ },
  { group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', verbs: READ },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    verbs: READ,
  },
  // Listener certificates (the controller lists only type=kubernetes.io/tls, but RBAC cannot narrow by type).
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', verbs: READ },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', verbs: READ },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', verbs: READ },
  // Events the seed shows (ADD, SYNC, ...); read back for the dashboard's tree.
  {
    group: '',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    verbs: ['get', 'list', 'watch', 'create', 'patch', 'update'],
  },
  // Leader election: one replica writes status and events
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
    namespaced: true,
  },
]);
