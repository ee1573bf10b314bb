// Short descriptions of the built-in kinds' types and fields, in our own words, for `kubectl explain`. The facts
// follow the Kubernetes API reference (kubernetes.io/docs/reference/kubernetes-api); the text is written here.
// A field without its own entry falls back to the description of its name in COMMON_FIELDS.

const TYPES: Record<string, string> = {
  Service:
    'A stable name and virtual address for a set of endpoints, with the ports clients use to reach them.',
  ServiceSpec: 'What the Service selects and how it is exposed.',
  ServicePort: 'One port the Service exposes and where its traffic goes.',
  ServiceStatus: 'The observed state of the Service (load balancer addresses, conditions).',
  EndpointSlice:
    'A subset of the network endpoints behind a Service: addresses of one family plus the ports they serve.',
  Endpoint: 'One backend of an EndpointSlice: its addresses, readiness and where it runs.',
  EndpointConditions: 'Whether an endpoint is ready, serving or terminating.',
  EndpointHints: 'Routing hints for topology-aware routing.',
  Endpoints: 'The legacy list of addresses and ports that implement a Service.',
  Secret: 'A small amount of sensitive data (keys, tokens, certificates), stored base64-encoded.',
  ConfigMap: 'Non-confidential configuration as key/value pairs.',
  Namespace: 'A scope for names: most objects live in exactly one namespace.',
  NamespaceSpec: 'Finalizers that must finish before the namespace is removed.',
  NamespaceStatus: 'The lifecycle phase and conditions of the namespace.',
  Event: 'A report of something that happened to an object, for people and tools to inspect.',
  EventSource: 'The component (and host) that reported an event.',
  ObjectReference: 'A pointer to another object by kind, namespace and name (and optionally uid).',
  Lease: 'A lock held by one holder for a limited time, used for leader election and heartbeats.',
  LeaseSpec: 'Who holds the lease, since when and for how long.',
  Pod: 'One or more containers scheduled together on a node, sharing network and storage.',
  PodSpec: 'The containers, volumes and scheduling constraints of a pod.',
  PodTemplateSpec: 'The metadata and spec of the pods a controller creates.',
  Container: 'One container of a pod: image, command, ports, environment and resources.',
  ContainerPort: 'A port a container listens on.',
  EnvVar: 'An environment variable of a container, given literally or taken from another source.',
  Volume: 'A named storage volume pods can mount.',
  VolumeMount: 'Where a volume is mounted inside a container.',
  Deployment: 'Declarative updates for a replicated set of pods.',
  DeploymentSpec: 'The desired pods (template and replica count) and how to roll out changes.',
  DeploymentStrategy: 'How old pods are replaced by new ones.',
  DeploymentStatus: 'The observed rollout state of the Deployment.',
  ObjectMeta:
    'Metadata every persisted object has: name, namespace, labels, annotations and server-maintained fields.',
  ListMeta: 'Metadata of a list: its resource version and continuation token.',
  OwnerReference: 'An object this one depends on; deleting the owner may garbage-collect this one.',
  ManagedFieldsEntry: 'The set of fields one manager owns, recorded by server-side apply.',
  LabelSelector: 'A label query: all of matchLabels and all matchExpressions must hold.',
  LabelSelectorRequirement: 'One condition on a label: a key, an operator and values.',
  Condition: 'One aspect of an object’s current state, with its status and the reason for it.',
  CustomResourceDefinition: 'Adds a new kind of object to the API.',
  SelfSubjectAccessReview: 'Asks whether the caller may perform an action.',
  SelfSubjectRulesReview: 'Lists the actions the caller may perform in a namespace.',
  SelfSubjectReview: 'Tells the caller which user the server sees.',
};

const FIELDS: Record<string, Record<string, string>> = {
  ServiceSpec: {
    type: 'How the Service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName.',
    selector:
      'Labels of the pods that receive traffic. Without a selector, endpoints are managed by hand (EndpointSlices).',
    ports: 'The ports the Service exposes. Merged by `port` when patched.',
    clusterIP: 'The virtual IP of the Service; "None" makes a headless Service. Set once, at creation.',
    clusterIPs: 'The virtual IPs of the Service, one per IP family.',
    externalName: 'The DNS name an ExternalName Service is an alias for.',
    externalTrafficPolicy:
      'Whether external traffic is routed to node-local endpoints only (Local) or any (Cluster).',
    internalTrafficPolicy:
      'Whether in-cluster traffic is routed to node-local endpoints only (Local) or any (Cluster).',
    sessionAffinity: 'ClientIP keeps a client on the same endpoint; None (default) does not.',
    ipFamilies: 'The IP families (IPv4, IPv6) of the Service.',
    ipFamilyPolicy: 'SingleStack, PreferDualStack or RequireDualStack.',
    loadBalancerClass: 'The load balancer implementation that should provision this Service.',
    publishNotReadyAddresses: 'Whether endpoints that are not ready are published too.',
  },
  ServicePort: {
    name: 'Name of the port, unique within the Service; required when there is more than one port.',
    port: 'The port the Service listens on.',
    targetPort: 'The port number or named container port traffic is sent to; defaults to `port`.',
    protocol: 'TCP (default), UDP or SCTP.',
    nodePort: 'The port on every node for NodePort and LoadBalancer Services.',
    appProtocol: 'The application protocol of the port (for example `kubernetes.io/h2c` or `https`).',
  },
  EndpointSlice: {
    addressType: 'The kind of addresses in this slice: IPv4, IPv6 or FQDN.',
    endpoints: 'The backends in this slice. Replaced whole when patched.',
    ports: 'The ports every endpoint of the slice serves. Replaced whole when patched.',
  },
  Endpoint: {
    addresses: 'The addresses of this endpoint (interpreted by the slice’s addressType).',
    conditions: 'Readiness of the endpoint.',
    hostname: 'The hostname of the endpoint.',
    nodeName: 'The node that hosts the endpoint.',
    targetRef: 'The object (usually a Pod) behind the endpoint.',
    zone: 'The zone the endpoint is in.',
  },
  EndpointConditions: {
    ready: 'The endpoint can receive traffic.',
    serving: 'Like ready, but also true while the endpoint is terminating.',
    terminating: 'The endpoint is shutting down.',
  },
  Secret: {
    data: 'Secret values, base64-encoded, by key.',
    stringData: 'Secret values as plain strings; written into `data` on save and never returned.',
    type: 'How the data is used (Opaque, kubernetes.io/tls, kubernetes.io/dockerconfigjson, ...).',
    immutable: 'When true, the data can no longer be changed.',
  },
  ConfigMap: {
    data: 'Configuration values as UTF-8 strings, by key.',
    binaryData: 'Binary values, base64-encoded, by key.',
    immutable: 'When true, the data can no longer be changed.',
  },
  NamespaceSpec: { finalizers: 'Finalizers that must be removed before the namespace is deleted.' },
  NamespaceStatus: { phase: 'Active or Terminating.' },
  Event: {
    involvedObject: 'The object the event is about.',
    reason: 'A short, machine-readable reason for the event.',
    message: 'A human-readable description of what happened.',
    type: 'Normal or Warning.',
    count: 'How many times this event has occurred.',
    firstTimestamp: 'When the event was first recorded.',
    lastTimestamp: 'When the event most recently occurred.',
    eventTime: 'When the event first occurred, with microsecond precision.',
    source: 'The component that reported the event.',
    reportingComponent: 'The controller that emitted the event.',
    reportingInstance: 'The instance of the controller that emitted the event.',
    action: 'What was done (or failed) about the object.',
    related: 'A secondary object the event is about.',
  },
  LeaseSpec: {
    holderIdentity: 'Who holds the lease now.',
    leaseDurationSeconds: 'How long the holder may keep the lease without renewing it.',
    acquireTime: 'When the current holder acquired the lease.',
    renewTime: 'When the current holder last renewed the lease.',
    leaseTransitions: 'How many times the lease has changed holders.',
  },
  ObjectMeta: {
    name: 'Unique name within the namespace (or the cluster for cluster-scoped kinds).',
    generateName: 'A prefix the server completes into a unique name when `name` is empty.',
    namespace: 'The namespace of the object; empty for cluster-scoped kinds.',
    labels: 'Key/value pairs for selecting and grouping objects.',
    annotations: 'Key/value pairs for tools and people; not used for selection.',
    finalizers: 'Conditions that must be cleared before the object is removed. Merged as a set when patched.',
    ownerReferences: 'The objects this one belongs to. Merged by `uid` when patched.',
    uid: 'A unique id the server assigns at creation.',
    resourceVersion:
      'An opaque version the server changes on every write, for optimistic concurrency and watches.',
    generation: 'Incremented by the server whenever the desired state (spec) changes.',
    creationTimestamp: 'When the object was created (server time).',
    deletionTimestamp: 'When deletion was requested; the object goes once its finalizers are cleared.',
    deletionGracePeriodSeconds:
      'Seconds the object has to terminate gracefully after deletion was requested.',
    managedFields: 'Which manager owns which fields, maintained by server-side apply.',
    selfLink: 'Deprecated; always empty.',
  },
  OwnerReference: {
    apiVersion: 'API version of the owner.',
    kind: 'Kind of the owner.',
    name: 'Name of the owner.',
    uid: 'UID of the owner.',
    controller: 'Whether the owner is the managing controller.',
    blockOwnerDeletion: 'Whether foreground deletion of the owner waits for this object.',
  },
  DeploymentSpec: {
    replicas: 'How many pods to run (default 1).',
    selector: 'Labels of the pods the Deployment manages; must match the template’s labels.',
    template: 'The pods to create.',
    strategy: 'How pods are replaced when the template changes.',
    minReadySeconds: 'How long a new pod must be ready before it counts as available.',
    revisionHistoryLimit: 'How many old ReplicaSets to keep for rollback.',
    paused: 'Whether rollouts are paused.',
    progressDeadlineSeconds: 'How long a rollout may make no progress before it is reported as failed.',
  },
  PodSpec: {
    containers: 'The containers of the pod. Merged by `name` when patched.',
    initContainers: 'Containers that run to completion, in order, before the others start.',
    volumes: 'Volumes the containers can mount. Merged by `name` when patched.',
    nodeSelector: 'Labels a node must have for the pod to run there.',
    serviceAccountName: 'The service account the pod runs as.',
    restartPolicy: 'Always, OnFailure or Never.',
  },
  Container: {
    name: 'Name of the container, unique within the pod.',
    image: 'The container image to run.',
    command: 'The entrypoint (replaces the image’s ENTRYPOINT).',
    args: 'Arguments to the entrypoint (replace the image’s CMD).',
    env: 'Environment variables. Merged by `name` when patched.',
    ports: 'Ports the container exposes. Merged by `containerPort` when patched.',
    resources: 'CPU and memory requests and limits.',
    volumeMounts: 'Volumes mounted into the container. Merged by `mountPath` when patched.',
  },
};

/** Descriptions of field names that mean the same thing in every type. */
const COMMON_FIELDS: Record<string, string> = {
  apiVersion: 'The versioned schema of this object (group/version); the server converts to it.',
  kind: 'The kind of object this is, in CamelCase.',
  metadata: 'Standard object metadata: name, namespace, labels, annotations and server-maintained fields.',
  spec: 'The desired state, written by the user.',
  status: 'The observed state, written by the controllers; read-only for users.',
  conditions: 'The latest observations of the object’s state. Merged by `type` where the kind says so.',
  name: 'The name.',
  namespace: 'The namespace.',
  labels: 'Labels.',
  selector: 'A label query over the objects this one manages or selects.',
  matchLabels: 'Labels that must all be present with these values.',
  matchExpressions: 'Label conditions that must all hold.',
  key: 'The key.',
  operator: 'How the key relates to the values: In, NotIn, Exists or DoesNotExist.',
  values: 'The values the operator compares with.',
};

export function typeDescription(goName: string): string | undefined {
  return TYPES[goName];
}

export function fieldDescription(goName: string, field: string): string | undefined {
  return FIELDS[goName]?.[field] ?? COMMON_FIELDS[field];
}
