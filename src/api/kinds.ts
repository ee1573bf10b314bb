// The fixed set of kinds the embedded API serves (docs/spec/kubernetes-api.md §1.1). The API server builds discovery,
// OpenAPI, routing, patch handling and Table output from this table; admission and the controller look kinds up here.

export type PatchStrategy = 'strategic' | 'merge' | 'none';

/** A `kubectl get` column (meta.k8s.io/v1 TableColumnDefinition) plus where its cell comes from. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  priority: number;
  /** JSONPath of a CRD `additionalPrinterColumn`; built-in kinds compute cells in the API server's printers. */
  jsonPath?: string;
}

export interface ResourceKind {
  group: string; // '' for core
  /** The storage version: objects are stored, admitted and looked up with this apiVersion. */
  version: string;
  /** Further versions served with the same schema (Gateway API v1.6 serves v1 and v1beta1). */
  alsoServed?: string[];
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: string[]; // 'status', 'scale', 'finalize'
  /** metadata.generation is maintained (custom resources, Deployment). */
  hasGeneration: boolean;
  /** What kubectl apply/edit sends: SMP for kinds compiled into kubectl, merge patch for the rest. */
  patch: PatchStrategy;
  /** Custom resource: served through a CustomResourceDefinition object of the embedded API. */
  custom: boolean;
  /** Clients may not write (CRDs are fixed by the product). */
  readOnly?: boolean;
  /** Create-only: a POST is answered from the request and nothing is stored (access and identity reviews). */
  review?: boolean;
  /** Columns after `Name` in `kubectl get` (CRD printer columns, or the kubernetes printer's set). */
  columns: PrinterColumn[];
}

const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  jsonPath: '.metadata.creationTimestamp',
};

function col(
  name: string,
  type: PrinterColumn['type'],
  description: string,
  priority = 0,
  jsonPath?: string,
): PrinterColumn {
  return jsonPath === undefined
    ? { name, type, description, priority }
    : { name, type, description, priority, jsonPath };
}

const gatewayApi = ['gateway-api'];

/** The table's defaults, so each entry says only what sets the kind apart. */
type KindSpec = Pick<ResourceKind, 'group' | 'version' | 'kind' | 'columns'> &
  Partial<Omit<ResourceKind, 'group' | 'version' | 'kind' | 'columns' | 'custom'>>;

function withDefaults(spec: KindSpec, custom: boolean): ResourceKind {
  const lower = spec.kind.toLowerCase();
  return {
    plural: `${lower}s`,
    singular: lower,
    namespaced: true,
    shortNames: [],
    categories: [],
    subresources: [],
    hasGeneration: custom,
    patch: custom ? 'merge' : 'strategic',
    ...spec,
    custom,
  };
}

/** A kind compiled into kubectl: strategic merge patch, no generation unless it says so. */
function builtinKind(spec: KindSpec): ResourceKind {
  return withDefaults(spec, false);
}

/** A custom resource (Gateway API, GKE): merge patch, generation maintained, served through a CRD object. */
function customKind(spec: KindSpec): ResourceKind {
  return withDefaults(spec, true);
}

/** Source: k8s.io/api release-1.32, kubernetes printers (pkg/printers/internalversion), Gateway API v1.6 CRDs. */
export const KINDS: readonly ResourceKind[] = [
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    columns: [col('Status', 'string', 'The status of the namespace'), age],
  }),
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'Service',
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
    columns: [
      col('Type', 'string', 'The type of the service.'),
      col('Cluster-IP', 'string', 'The cluster IP of the service.'),
      col('External-IP', 'string', 'The external IP of the service.'),
      col('Port(s)', 'string', 'The ports of the service.'),
      age,
      col('Selector', 'string', 'The selector of the service.', 1),
    ],
  }),
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'Endpoints',
    plural: 'endpoints',
    shortNames: ['ep'],
    columns: [col('Endpoints', 'string', 'Endpoints of the object.'), age],
  }),
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'Secret',
    columns: [
      col('Type', 'string', 'The type of the secret'),
      col('Data', 'string', 'The number of entries in the data'),
      age,
    ],
  }),
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    shortNames: ['cm'],
    columns: [col('Data', 'string', 'The number of entries in the data'), age],
  }),
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'Event',
    shortNames: ['ev'],
    columns: [
      col('Last Seen', 'string', 'Time when last event occurred'),
      col('Type', 'string', 'Type of the event'),
      col('Reason', 'string', 'Reason of the event'),
      col('Object', 'string', 'The object that this event is about'),
      col('Subobject', 'string', 'The subobject this event is about', 1),
      col('Source', 'string', 'The source of the event', 1),
      col('Message', 'string', 'The message of the event'),
      col('First Seen', 'string', 'Time when first event occurred', 1),
      col('Count', 'string', 'Number of occurrences', 1),
      col('Name', 'string', 'Name of the event', 1),
    ],
  }),
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'ResourceQuota',
    shortNames: ['quota'],
    subresources: ['status'],
    columns: [age],
  }),
  builtinKind({ group: '', version: 'v1', kind: 'LimitRange', shortNames: ['limits'], columns: [age] }),
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status'],
    columns: [
      col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'string', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'string', 'The number of times the containers in this pod have been restarted.'),
      age,
      col('IP', 'string', 'The IP address assigned to the pod', 1),
      col('Node', 'string', 'The node this pod is bound to', 1),
      col('Nominated Node', 'string', 'The node that this pod is nominated to run on', 1),
      col('Readiness Gates', 'string', 'The readiness gates of the pod', 1),
    ],
  }),
  builtinKind({
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
    columns: [
      col('Ready', 'string', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'string',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      ),
      col(
        'Available',
        'string',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      ),
      age,
      col('Containers', 'string', 'Names of each container in the template.', 1),
      col('Images', 'string', 'Images referenced by each container in the template.', 1),
      col('Selector', 'string', 'Label selector for pods.', 1),
    ],
  }),
  // Stored only (nothing runs them), so kubectl's default prune list (kubectl/pkg/cmd/apply/prune.go,
  // release-1.32) resolves and `kubectl apply --prune -l …` works without `--prune-allowlist`.
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    shortNames: ['pvc'],
    subresources: ['status'],
    columns: [age],
  }),
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'PersistentVolume',
    namespaced: false,
    shortNames: ['pv'],
    subresources: ['status'],
    columns: [age],
  }),
  builtinKind({
    group: '',
    version: 'v1',
    kind: 'ReplicationController',
    shortNames: ['rc'],
    categories: ['all'],
    subresources: ['status'],
    hasGeneration: true,
    columns: [age],
  }),
  builtinKind({
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
    hasGeneration: true,
    columns: [age],
  }),
  builtinKind({
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
    columns: [age],
  }),
  builtinKind({
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
    columns: [age],
  }),
  builtinKind({
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    categories: ['all'],
    subresources: ['status'],
    hasGeneration: true,
    columns: [age],
  }),
  builtinKind({
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    shortNames: ['cj'],
    categories: ['all'],
    subresources: ['status'],
    hasGeneration: true,
    columns: [age],
  }),
  builtinKind({
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    plural: 'ingresses',
    shortNames: ['ing'],
    subresources: ['status'],
    hasGeneration: true,
    columns: [age],
  }),
  builtinKind({
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    columns: [
      col('AddressType', 'string', 'The IP protocol family for this EndpointSlice.'),
      col('Ports', 'string', 'The ports of the EndpointSlice.'),
      col('Endpoints', 'string', 'The endpoints of the EndpointSlice.'),
      age,
    ],
  }),
  builtinKind({
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    columns: [col('Holder', 'string', 'The holder of the lease'), age],
  }),
  customKind({
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'GatewayClass',
    plural: 'gatewayclasses',
    namespaced: false,
    shortNames: ['gc'],
    categories: gatewayApi,
    subresources: ['status'],
    alsoServed: ['v1beta1'],
    columns: [
      col('Controller', 'string', '', 0, '.spec.controllerName'),
      col('Accepted', 'string', '', 0, '.status.conditions[?(@.type=="Accepted")].status'),
      age,
      col('Description', 'string', '', 1, '.spec.description'),
    ],
  }),
  customKind({
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'Gateway',
    shortNames: ['gtw'],
    categories: gatewayApi,
    subresources: ['status'],
    alsoServed: ['v1beta1'],
    columns: [
      col('Class', 'string', '', 0, '.spec.gatewayClassName'),
      col('Address', 'string', '', 0, '.status.addresses[*].value'),
      col('Programmed', 'string', '', 0, '.status.conditions[?(@.type=="Programmed")].status'),
      age,
    ],
  }),
  customKind({
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'HTTPRoute',
    categories: gatewayApi,
    subresources: ['status'],
    alsoServed: ['v1beta1'],
    columns: [col('Hostnames', 'string', '', 0, '.spec.hostnames'), age],
  }),
  customKind({
    group: 'gateway.networking.k8s.io',
    version: 'v1beta1',
    kind: 'ReferenceGrant',
    shortNames: ['refgrant'],
    categories: gatewayApi,
    alsoServed: ['v1'],
    columns: [age],
  }),
  customKind({
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'BackendTLSPolicy',
    plural: 'backendtlspolicies',
    shortNames: ['btlspolicy'],
    categories: gatewayApi,
    subresources: ['status'],
    columns: [age],
  }),
  customKind({
    group: 'networking.gke.io',
    version: 'v1',
    kind: 'GCPRoutingExtension',
    subresources: ['status'],
    columns: [age],
  }),
  customKind({
    group: 'networking.gke.io',
    version: 'v1',
    kind: 'GCPTrafficExtension',
    subresources: ['status'],
    columns: [age],
  }),
  customKind({
    group: 'networking.gke.io',
    version: 'v1',
    kind: 'GCPWasmPlugin',
    subresources: ['status'],
    columns: [age],
  }),
  // `kubectl auth can-i` (access and rules reviews) and `kubectl auth whoami` (src/apiserver/reviews.ts).
  builtinKind({
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    review: true,
    columns: [],
  }),
  builtinKind({
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
    review: true,
    columns: [],
  }),
  builtinKind({
    group: 'authentication.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectReview',
    namespaced: false,
    review: true,
    columns: [],
  }),
  builtinKind({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    hasGeneration: true,
    patch: 'merge',
    columns: [col('Created At', 'date', 'Created at', 0)],
  }),
];

/** `v1` or `group/version`. */
export function apiVersionOf(k: ResourceKind): string {
  return k.group === '' ? k.version : `${k.group}/${k.version}`;
}

/** `gateways.gateway.networking.k8s.io` or `services` — the "group resource" of Kubernetes error messages. */
export function groupResource(k: ResourceKind): string {
  return k.group === '' ? k.plural : `${k.plural}.${k.group}`;
}

/** `Gateway.gateway.networking.k8s.io` or `Service` — the qualified kind of `… is invalid` messages. */
export function qualifiedKind(k: ResourceKind): string {
  return k.group === '' ? k.kind : `${k.kind}.${k.group}`;
}

/** Every version a kind is served at, storage version first. */
export function servedVersions(k: ResourceKind): string[] {
  return [k.version, ...(k.alsoServed ?? [])];
}

/** The kind served as `plural` at group/version (any served version), among `kinds`. */
export function kindByResource(
  group: string,
  version: string,
  plural: string,
  kinds: readonly ResourceKind[] = KINDS,
): ResourceKind | undefined {
  return kinds.find((k) => k.group === group && k.plural === plural && servedVersions(k).includes(version));
}

/** Looks a kind up by `apiVersion` + `kind` as written in a manifest (any served version), among `kinds`. */
export function kindOf(
  apiVersion: string,
  kind: string,
  kinds: readonly ResourceKind[] = KINDS,
): ResourceKind | undefined {
  return kinds.find(
    (k) =>
      k.kind === kind &&
      servedVersions(k).some((v) => (k.group === '' ? v : `${k.group}/${v}`) === apiVersion),
  );
}

/** Kinds served at group/version, among `kinds`. */
export function kindsAt(
  group: string,
  version: string,
  kinds: readonly ResourceKind[] = KINDS,
): ResourceKind[] {
  return kinds.filter((k) => k.group === group && servedVersions(k).includes(version));
}

/** Group/version pairs served by `kinds`, in discovery order. */
export function groupVersions(kinds: readonly ResourceKind[] = KINDS): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const k of kinds)
    for (const version of servedVersions(k)) {
      const key = `${k.group}/${version}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ group: k.group, version });
      }
    }
  return out;
}
