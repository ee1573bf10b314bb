// Patch and list metadata of the built-in kinds' fields: the `patchStrategy`/`patchMergeKey` struct tags and
// `+listType`/`+listMapKey` markers of k8s.io/api (github.com/kubernetes/api at 10b39a39bcee,
// <package>/types.go). Facts extracted by a one-off script (no text copied), so kubectl computes the same strategic
// merge patches from our OpenAPI documents as from its compiled-in types.

export interface FieldListMeta {
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: readonly string[];
  /** `merge`, `retainKeys` or `merge,retainKeys`. */
  patchStrategy?: string;
  patchMergeKey?: string;
}

/** `<package>.<Type>` → JSON field → metadata (only fields that have some). */
export const K8S_FIELD_META: Readonly<Record<string, Readonly<Record<string, FieldListMeta>>>> = {
  'core/v1.PersistentVolumeSpec': {
    accessModes: {
      listType: 'atomic',
    },
    mountOptions: {
      listType: 'atomic',
    },
  },
  'core/v1.PersistentVolumeClaimSpec': {
    accessModes: {
      listType: 'atomic',
    },
  },
  'core/v1.VolumeHealthStatus': {
    healthConditions: {
      listType: 'map',
      listMapKeys: ['status', 'reason'],
      patchStrategy: 'merge',
      patchMergeKey: 'status',
    },
  },
  'core/v1.PodVolumeHealth': {
    healthConditions: {
      listType: 'map',
      listMapKeys: ['status', 'reason'],
      patchStrategy: 'merge',
      patchMergeKey: 'status',
    },
  },
  'core/v1.PersistentVolumeClaimStatus': {
    accessModes: {
      listType: 'atomic',
    },
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'core/v1.RBDVolumeSource': {
    monitors: {
      listType: 'atomic',
    },
  },
  'core/v1.RBDPersistentVolumeSource': {
    monitors: {
      listType: 'atomic',
    },
  },
  'core/v1.CephFSVolumeSource': {
    monitors: {
      listType: 'atomic',
    },
  },
  'core/v1.CephFSPersistentVolumeSource': {
    monitors: {
      listType: 'atomic',
    },
  },
  'core/v1.SecretVolumeSource': {
    items: {
      listType: 'atomic',
    },
  },
  'core/v1.SecretProjection': {
    items: {
      listType: 'atomic',
    },
  },
  'core/v1.ISCSIVolumeSource': {
    portals: {
      listType: 'atomic',
    },
  },
  'core/v1.ISCSIPersistentVolumeSource': {
    portals: {
      listType: 'atomic',
    },
  },
  'core/v1.FCVolumeSource': {
    targetWWNs: {
      listType: 'atomic',
    },
    wwids: {
      listType: 'atomic',
    },
  },
  'core/v1.ConfigMapVolumeSource': {
    items: {
      listType: 'atomic',
    },
  },
  'core/v1.ConfigMapProjection': {
    items: {
      listType: 'atomic',
    },
  },
  'core/v1.ProjectedVolumeSource': {
    sources: {
      listType: 'atomic',
    },
  },
  'core/v1.VolumeMount': {
    bindMountOptions: {
      listType: 'set',
    },
  },
  'core/v1.HTTPGetAction': {
    httpHeaders: {
      listType: 'atomic',
    },
  },
  'core/v1.ExecAction': {
    command: {
      listType: 'atomic',
    },
  },
  'core/v1.Capabilities': {
    add: {
      listType: 'atomic',
    },
    drop: {
      listType: 'atomic',
    },
  },
  'core/v1.ResourceRequirements': {
    claims: {
      listType: 'map',
      listMapKeys: ['name'],
    },
  },
  'core/v1.Container': {
    command: {
      listType: 'atomic',
    },
    args: {
      listType: 'atomic',
    },
    ports: {
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
      patchStrategy: 'merge',
      patchMergeKey: 'containerPort',
    },
    envFrom: {
      listType: 'atomic',
    },
    env: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    resizePolicy: {
      listType: 'atomic',
    },
    restartPolicyRules: {
      listType: 'atomic',
    },
    volumeMounts: {
      listType: 'map',
      listMapKeys: ['mountPath'],
      patchStrategy: 'merge',
      patchMergeKey: 'mountPath',
    },
    volumeDevices: {
      listType: 'map',
      listMapKeys: ['devicePath'],
      patchStrategy: 'merge',
      patchMergeKey: 'devicePath',
    },
  },
  'core/v1.ContainerStatus': {
    volumeMounts: {
      listType: 'map',
      listMapKeys: ['mountPath'],
      patchStrategy: 'merge',
      patchMergeKey: 'mountPath',
    },
    allocatedResourcesStatus: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
  },
  'core/v1.ResourceStatus': {
    resources: {
      listType: 'map',
      listMapKeys: ['resourceID'],
    },
  },
  'core/v1.LinuxContainerUser': {
    supplementalGroups: {
      listType: 'atomic',
    },
  },
  'core/v1.ContainerRestartRuleOnExitCodes': {
    values: {
      listType: 'set',
    },
  },
  'core/v1.NodeSelector': {
    nodeSelectorTerms: {
      listType: 'atomic',
    },
  },
  'core/v1.NodeSelectorTerm': {
    matchExpressions: {
      listType: 'atomic',
    },
    matchFields: {
      listType: 'atomic',
    },
  },
  'core/v1.NodeSelectorRequirement': {
    values: {
      listType: 'atomic',
    },
  },
  'core/v1.TopologySelectorTerm': {
    matchLabelExpressions: {
      listType: 'atomic',
    },
  },
  'core/v1.TopologySelectorLabelRequirement': {
    values: {
      listType: 'atomic',
    },
  },
  'core/v1.PodAffinity': {
    requiredDuringSchedulingIgnoredDuringExecution: {
      listType: 'atomic',
    },
    preferredDuringSchedulingIgnoredDuringExecution: {
      listType: 'atomic',
    },
  },
  'core/v1.PodAntiAffinity': {
    requiredDuringSchedulingIgnoredDuringExecution: {
      listType: 'atomic',
    },
    preferredDuringSchedulingIgnoredDuringExecution: {
      listType: 'atomic',
    },
  },
  'core/v1.PodAffinityTerm': {
    namespaces: {
      listType: 'atomic',
    },
    matchLabelKeys: {
      listType: 'atomic',
    },
    mismatchLabelKeys: {
      listType: 'atomic',
    },
  },
  'core/v1.NodeAffinity': {
    preferredDuringSchedulingIgnoredDuringExecution: {
      listType: 'atomic',
    },
  },
  'core/v1.PodSpec': {
    volumes: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge,retainKeys',
      patchMergeKey: 'name',
    },
    initContainers: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    containers: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    ephemeralContainers: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    imagePullSecrets: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    tolerations: {
      listType: 'atomic',
    },
    hostAliases: {
      listType: 'map',
      listMapKeys: ['ip'],
      patchStrategy: 'merge',
      patchMergeKey: 'ip',
    },
    readinessGates: {
      listType: 'atomic',
    },
    topologySpreadConstraints: {
      listType: 'map',
      listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
      patchStrategy: 'merge',
      patchMergeKey: 'topologyKey',
    },
    schedulingGates: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    resourceClaims: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge,retainKeys',
      patchMergeKey: 'name',
    },
    evictionResponders: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
  },
  'core/v1.PodExtendedResourceClaimStatus': {
    requestMappings: {
      listType: 'atomic',
    },
  },
  'core/v1.TopologySpreadConstraint': {
    matchLabelKeys: {
      listType: 'atomic',
    },
  },
  'core/v1.HostAlias': {
    hostnames: {
      listType: 'atomic',
    },
  },
  'core/v1.PodSecurityContext': {
    supplementalGroups: {
      listType: 'atomic',
    },
    sysctls: {
      listType: 'atomic',
    },
  },
  'core/v1.PodDNSConfig': {
    nameservers: {
      listType: 'atomic',
    },
    searches: {
      listType: 'atomic',
    },
    options: {
      listType: 'atomic',
    },
  },
  'core/v1.EphemeralContainerCommon': {
    command: {
      listType: 'atomic',
    },
    args: {
      listType: 'atomic',
    },
    ports: {
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
      patchStrategy: 'merge',
      patchMergeKey: 'containerPort',
    },
    envFrom: {
      listType: 'atomic',
    },
    env: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    resizePolicy: {
      listType: 'atomic',
    },
    restartPolicyRules: {
      listType: 'atomic',
    },
    volumeMounts: {
      listType: 'map',
      listMapKeys: ['mountPath'],
      patchStrategy: 'merge',
      patchMergeKey: 'mountPath',
    },
    volumeDevices: {
      listType: 'map',
      listMapKeys: ['devicePath'],
      patchStrategy: 'merge',
      patchMergeKey: 'devicePath',
    },
  },
  'core/v1.PodStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
    hostIPs: {
      listType: 'atomic',
      patchStrategy: 'merge',
      patchMergeKey: 'ip',
    },
    podIPs: {
      listType: 'map',
      listMapKeys: ['ip'],
      patchStrategy: 'merge',
      patchMergeKey: 'ip',
    },
    initContainerStatuses: {
      listType: 'atomic',
    },
    containerStatuses: {
      listType: 'atomic',
    },
    ephemeralContainerStatuses: {
      listType: 'atomic',
    },
    resourceClaimStatuses: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge,retainKeys',
      patchMergeKey: 'name',
    },
    nodeAllocatableResourceClaimStatuses: {
      listType: 'map',
      listMapKeys: ['resourceClaimName'],
      patchStrategy: 'merge',
      patchMergeKey: 'resourceClaimName',
    },
    volumeHealth: {
      listType: 'map',
      listMapKeys: ['name'],
    },
  },
  'core/v1.ReplicationControllerStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'core/v1.ServiceStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'core/v1.LoadBalancerStatus': {
    ingress: {
      listType: 'atomic',
    },
  },
  'core/v1.LoadBalancerIngress': {
    ports: {
      listType: 'atomic',
    },
  },
  'core/v1.ServiceSpec': {
    ports: {
      listType: 'map',
      listMapKeys: ['port', 'protocol'],
      patchStrategy: 'merge',
      patchMergeKey: 'port',
    },
    clusterIPs: {
      listType: 'atomic',
    },
    externalIPs: {
      listType: 'atomic',
    },
    loadBalancerSourceRanges: {
      listType: 'atomic',
    },
    ipFamilies: {
      listType: 'atomic',
    },
  },
  'core/v1.ServiceAccount': {
    secrets: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    imagePullSecrets: {
      listType: 'atomic',
    },
  },
  'core/v1.Endpoints': {
    subsets: {
      listType: 'atomic',
    },
  },
  'core/v1.EndpointSubset': {
    addresses: {
      listType: 'atomic',
    },
    notReadyAddresses: {
      listType: 'atomic',
    },
    ports: {
      listType: 'atomic',
    },
  },
  'core/v1.NodeSpec': {
    podCIDRs: {
      listType: 'set',
      patchStrategy: 'merge',
    },
    taints: {
      listType: 'atomic',
    },
  },
  'core/v1.NodePodPreemptionPolicy': {
    disableResizePreemption: {
      listType: 'set',
    },
  },
  'core/v1.NodeStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
    addresses: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
    images: {
      listType: 'atomic',
    },
    volumesInUse: {
      listType: 'atomic',
    },
    volumesAttached: {
      listType: 'atomic',
    },
    runtimeHandlers: {
      listType: 'atomic',
    },
    declaredFeatures: {
      listType: 'atomic',
    },
  },
  'core/v1.AvoidPods': {
    preferAvoidPods: {
      listType: 'atomic',
    },
  },
  'core/v1.ContainerImage': {
    names: {
      listType: 'atomic',
    },
  },
  'core/v1.NamespaceSpec': {
    finalizers: {
      listType: 'atomic',
    },
  },
  'core/v1.NamespaceStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'core/v1.PodExecOptions': {
    command: {
      listType: 'atomic',
    },
  },
  'core/v1.PodPortForwardOptions': {
    ports: {
      listType: 'atomic',
    },
  },
  'core/v1.LimitRangeSpec': {
    limits: {
      listType: 'atomic',
    },
  },
  'core/v1.ResourceQuotaSpec': {
    scopes: {
      listType: 'atomic',
    },
  },
  'core/v1.ScopeSelector': {
    matchExpressions: {
      listType: 'atomic',
    },
  },
  'core/v1.ScopedResourceSelectorRequirement': {
    values: {
      listType: 'atomic',
    },
  },
  'core/v1.ComponentStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'core/v1.DownwardAPIVolumeSource': {
    items: {
      listType: 'atomic',
    },
  },
  'core/v1.DownwardAPIProjection': {
    items: {
      listType: 'atomic',
    },
  },
  'core/v1.NodeAllocatableResourceClaimStatus': {
    containers: {
      listType: 'set',
    },
    mapping: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    overhead: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
  },
  'apps/v1.StatefulSetSpec': {
    volumeClaimTemplates: {
      listType: 'atomic',
    },
  },
  'apps/v1.StatefulSetStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'apps/v1.DeploymentSpec': {
    strategy: {
      patchStrategy: 'retainKeys',
    },
  },
  'apps/v1.DeploymentStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'apps/v1.DaemonSetStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'apps/v1.ReplicaSetStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'discovery/v1.EndpointSlice': {
    endpoints: {
      listType: 'atomic',
    },
    ports: {
      listType: 'atomic',
    },
  },
  'discovery/v1.Endpoint': {
    addresses: {
      listType: 'set',
    },
  },
  'discovery/v1.EndpointHints': {
    forZones: {
      listType: 'atomic',
    },
    forNodes: {
      listType: 'atomic',
    },
  },
  'batch/v1.PodFailurePolicyOnExitCodesRequirement': {
    values: {
      listType: 'set',
    },
  },
  'batch/v1.PodFailurePolicyRule': {
    onPodConditions: {
      listType: 'atomic',
    },
  },
  'batch/v1.PodFailurePolicy': {
    rules: {
      listType: 'atomic',
    },
  },
  'batch/v1.SuccessPolicy': {
    rules: {
      listType: 'atomic',
    },
  },
  'batch/v1.JobSchedulingConfiguration': {
    resourceClaims: {
      listType: 'map',
      listMapKeys: ['name'],
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
  },
  'batch/v1.JobStatus': {
    conditions: {
      listType: 'atomic',
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'batch/v1.UncountedTerminatedPods': {
    succeeded: {
      listType: 'set',
    },
    failed: {
      listType: 'set',
    },
  },
  'batch/v1.CronJobStatus': {
    active: {
      listType: 'atomic',
    },
  },
  'networking/v1.NetworkPolicySpec': {
    ingress: {
      listType: 'atomic',
    },
    egress: {
      listType: 'atomic',
    },
    policyTypes: {
      listType: 'atomic',
    },
  },
  'networking/v1.NetworkPolicyIngressRule': {
    ports: {
      listType: 'atomic',
    },
    from: {
      listType: 'atomic',
    },
  },
  'networking/v1.NetworkPolicyEgressRule': {
    ports: {
      listType: 'atomic',
    },
    to: {
      listType: 'atomic',
    },
  },
  'networking/v1.IPBlock': {
    except: {
      listType: 'atomic',
    },
  },
  'networking/v1.IngressSpec': {
    tls: {
      listType: 'atomic',
    },
    rules: {
      listType: 'atomic',
    },
  },
  'networking/v1.IngressTLS': {
    hosts: {
      listType: 'atomic',
    },
  },
  'networking/v1.IngressLoadBalancerStatus': {
    ingress: {
      listType: 'atomic',
    },
  },
  'networking/v1.IngressLoadBalancerIngress': {
    ports: {
      listType: 'atomic',
    },
  },
  'networking/v1.HTTPIngressRuleValue': {
    paths: {
      listType: 'atomic',
    },
  },
  'networking/v1.ServiceCIDRSpec': {
    cidrs: {
      listType: 'atomic',
    },
  },
  'networking/v1.ServiceCIDRStatus': {
    conditions: {
      listType: 'map',
      listMapKeys: ['type'],
      patchStrategy: 'merge',
      patchMergeKey: 'type',
    },
  },
  'authentication/v1.TokenReviewSpec': {
    audiences: {
      listType: 'atomic',
    },
  },
  'authentication/v1.TokenReviewStatus': {
    audiences: {
      listType: 'atomic',
    },
  },
  'authentication/v1.UserInfo': {
    groups: {
      listType: 'atomic',
    },
  },
  'authentication/v1.TokenRequestSpec': {
    audiences: {
      listType: 'atomic',
    },
  },
  'authorization/v1.LabelSelectorAttributes': {
    requirements: {
      listType: 'atomic',
    },
  },
  'authorization/v1.FieldSelectorAttributes': {
    requirements: {
      listType: 'atomic',
    },
  },
  'authorization/v1.SubjectAccessReviewSpec': {
    groups: {
      listType: 'atomic',
    },
  },
  'authorization/v1.SubjectRulesReviewStatus': {
    resourceRules: {
      listType: 'atomic',
    },
    nonResourceRules: {
      listType: 'atomic',
    },
  },
  'authorization/v1.ResourceRule': {
    verbs: {
      listType: 'atomic',
    },
    apiGroups: {
      listType: 'atomic',
    },
    resources: {
      listType: 'atomic',
    },
    resourceNames: {
      listType: 'atomic',
    },
  },
  'authorization/v1.NonResourceRule': {
    verbs: {
      listType: 'atomic',
    },
    nonResourceURLs: {
      listType: 'atomic',
    },
  },
};

/** Go type name → the k8s.io/api packages that declare it (to name OpenAPI definitions as kube-apiserver does). */
export const K8S_TYPE_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  Volume: ['core/v1'],
  VolumeSource: ['core/v1'],
  PersistentVolumeClaimVolumeSource: ['core/v1'],
  PersistentVolumeSource: ['core/v1'],
  PersistentVolume: ['core/v1'],
  PersistentVolumeSpec: ['core/v1'],
  VolumeNodeAffinity: ['core/v1'],
  PersistentVolumeStatus: ['core/v1'],
  PersistentVolumeList: ['core/v1'],
  PersistentVolumeClaim: ['core/v1'],
  PersistentVolumeClaimList: ['core/v1'],
  PersistentVolumeClaimSpec: ['core/v1'],
  TypedObjectReference: ['core/v1'],
  ModifyVolumeStatus: ['core/v1'],
  PersistentVolumeClaimCondition: ['core/v1'],
  VolumeHealthCondition: ['core/v1'],
  VolumeHealthStatus: ['core/v1'],
  PodVolumeHealth: ['core/v1'],
  PersistentVolumeClaimStatus: ['core/v1'],
  HostPathVolumeSource: ['core/v1'],
  EmptyDirVolumeSource: ['core/v1'],
  GlusterfsVolumeSource: ['core/v1'],
  GlusterfsPersistentVolumeSource: ['core/v1'],
  RBDVolumeSource: ['core/v1'],
  RBDPersistentVolumeSource: ['core/v1'],
  CinderVolumeSource: ['core/v1'],
  CinderPersistentVolumeSource: ['core/v1'],
  CephFSVolumeSource: ['core/v1'],
  SecretReference: ['core/v1'],
  CephFSPersistentVolumeSource: ['core/v1'],
  FlockerVolumeSource: ['core/v1'],
  GCEPersistentDiskVolumeSource: ['core/v1'],
  QuobyteVolumeSource: ['core/v1'],
  FlexPersistentVolumeSource: ['core/v1'],
  FlexVolumeSource: ['core/v1'],
  AWSElasticBlockStoreVolumeSource: ['core/v1'],
  GitRepoVolumeSource: ['core/v1'],
  SecretVolumeSource: ['core/v1'],
  SecretProjection: ['core/v1'],
  NFSVolumeSource: ['core/v1'],
  ISCSIVolumeSource: ['core/v1'],
  ISCSIPersistentVolumeSource: ['core/v1'],
  FCVolumeSource: ['core/v1'],
  AzureFileVolumeSource: ['core/v1'],
  AzureFilePersistentVolumeSource: ['core/v1'],
  VsphereVirtualDiskVolumeSource: ['core/v1'],
  PhotonPersistentDiskVolumeSource: ['core/v1'],
  AzureDiskVolumeSource: ['core/v1'],
  PortworxVolumeSource: ['core/v1'],
  ScaleIOVolumeSource: ['core/v1'],
  ScaleIOPersistentVolumeSource: ['core/v1'],
  StorageOSVolumeSource: ['core/v1'],
  StorageOSPersistentVolumeSource: ['core/v1'],
  ConfigMapVolumeSource: ['core/v1'],
  ConfigMapProjection: ['core/v1'],
  ServiceAccountTokenProjection: ['core/v1'],
  ClusterTrustBundleProjection: ['core/v1'],
  PodCertificateProjection: ['core/v1'],
  ProjectedVolumeSource: ['core/v1'],
  VolumeProjection: ['core/v1'],
  KeyToPath: ['core/v1'],
  LocalVolumeSource: ['core/v1'],
  CSIPersistentVolumeSource: ['core/v1'],
  CSIVolumeSource: ['core/v1'],
  EphemeralVolumeSource: ['core/v1'],
  PersistentVolumeClaimTemplate: ['core/v1'],
  ContainerPort: ['core/v1'],
  VolumeMount: ['core/v1'],
  VolumeDevice: ['core/v1'],
  EnvVar: ['core/v1'],
  EnvVarSource: ['core/v1'],
  FileKeySelector: ['core/v1'],
  ObjectFieldSelector: ['core/v1'],
  ResourceFieldSelector: ['core/v1'],
  ConfigMapKeySelector: ['core/v1'],
  SecretKeySelector: ['core/v1'],
  EnvFromSource: ['core/v1'],
  ConfigMapEnvSource: ['core/v1'],
  SecretEnvSource: ['core/v1'],
  HTTPHeader: ['core/v1'],
  HTTPGetAction: ['core/v1'],
  TCPSocketAction: ['core/v1'],
  GRPCAction: ['core/v1'],
  ExecAction: ['core/v1'],
  SleepAction: ['core/v1'],
  Probe: ['core/v1'],
  ContainerResizePolicy: ['core/v1'],
  Capabilities: ['core/v1'],
  ResourceRequirements: ['core/v1'],
  VolumeResourceRequirements: ['core/v1'],
  ResourceClaim: ['core/v1'],
  Container: ['core/v1'],
  ProbeHandler: ['core/v1'],
  LifecycleHandler: ['core/v1'],
  Lifecycle: ['core/v1'],
  ContainerStateWaiting: ['core/v1'],
  ContainerStateRunning: ['core/v1'],
  ContainerStateTerminated: ['core/v1'],
  ContainerState: ['core/v1'],
  ContainerStatus: ['core/v1'],
  ResourceStatus: ['core/v1'],
  ResourceHealth: ['core/v1'],
  ContainerUser: ['core/v1'],
  LinuxContainerUser: ['core/v1'],
  PodCondition: ['core/v1'],
  VolumeMountStatus: ['core/v1'],
  VolumeStatus: ['core/v1'],
  ImageVolumeStatus: ['core/v1'],
  ContainerRestartRule: ['core/v1'],
  ContainerRestartRuleOnExitCodes: ['core/v1'],
  NodeSelector: ['core/v1'],
  NodeSelectorTerm: ['core/v1'],
  NodeSelectorRequirement: ['core/v1'],
  TopologySelectorTerm: ['core/v1'],
  TopologySelectorLabelRequirement: ['core/v1'],
  Affinity: ['core/v1'],
  PodAffinity: ['core/v1'],
  PodAntiAffinity: ['core/v1'],
  WeightedPodAffinityTerm: ['core/v1'],
  PodAffinityTerm: ['core/v1'],
  NodeAffinity: ['core/v1'],
  PreferredSchedulingTerm: ['core/v1'],
  Taint: ['core/v1'],
  Toleration: ['core/v1'],
  PodReadinessGate: ['core/v1'],
  PodSpec: ['core/v1'],
  PodResourceClaim: ['core/v1'],
  PodResourceClaimStatus: ['core/v1'],
  PodExtendedResourceClaimStatus: ['core/v1'],
  ContainerExtendedResourceRequest: ['core/v1'],
  PodOS: ['core/v1'],
  PodSchedulingGate: ['core/v1'],
  PodSchedulingGroup: ['core/v1'],
  TopologySpreadConstraint: ['core/v1'],
  HostAlias: ['core/v1'],
  PodSecurityContext: ['core/v1'],
  SeccompProfile: ['core/v1'],
  AppArmorProfile: ['core/v1'],
  PodDNSConfig: ['core/v1'],
  PodDNSConfigOption: ['core/v1'],
  PodIP: ['core/v1'],
  HostIP: ['core/v1'],
  EphemeralContainerCommon: ['core/v1'],
  EphemeralContainer: ['core/v1'],
  EvictionResponder: ['core/v1'],
  PodStatus: ['core/v1'],
  Pod: ['core/v1'],
  PodList: ['core/v1'],
  PodTemplateSpec: ['core/v1'],
  PodTemplate: ['core/v1'],
  PodTemplateList: ['core/v1'],
  ReplicationControllerSpec: ['core/v1'],
  ReplicationControllerStatus: ['core/v1'],
  ReplicationControllerCondition: ['core/v1'],
  ReplicationController: ['core/v1'],
  ReplicationControllerList: ['core/v1'],
  SessionAffinityConfig: ['core/v1'],
  ClientIPConfig: ['core/v1'],
  ServiceStatus: ['core/v1'],
  LoadBalancerStatus: ['core/v1'],
  LoadBalancerIngress: ['core/v1'],
  ServiceSpec: ['core/v1'],
  ServicePort: ['core/v1'],
  Service: ['core/v1'],
  ServiceList: ['core/v1'],
  ServiceAccount: ['core/v1'],
  ServiceAccountList: ['core/v1'],
  Endpoints: ['core/v1'],
  EndpointSubset: ['core/v1'],
  EndpointAddress: ['core/v1'],
  EndpointPort: ['core/v1', 'discovery/v1'],
  EndpointsList: ['core/v1'],
  NodeSpec: ['core/v1'],
  NodePodPreemptionPolicy: ['core/v1'],
  NodeConfigSource: ['core/v1'],
  ConfigMapNodeConfigSource: ['core/v1'],
  DaemonEndpoint: ['core/v1'],
  NodeDaemonEndpoints: ['core/v1'],
  NodeRuntimeHandlerFeatures: ['core/v1'],
  NodeRuntimeHandler: ['core/v1'],
  NodeFeatures: ['core/v1'],
  NodeSystemInfo: ['core/v1'],
  NodeSwapStatus: ['core/v1'],
  NodeConfigStatus: ['core/v1'],
  NodeStatus: ['core/v1'],
  AttachedVolume: ['core/v1'],
  AvoidPods: ['core/v1'],
  PreferAvoidPodsEntry: ['core/v1'],
  PodSignature: ['core/v1'],
  ContainerImage: ['core/v1'],
  NodeCondition: ['core/v1'],
  NodeAddress: ['core/v1'],
  Node: ['core/v1'],
  NodeList: ['core/v1'],
  NamespaceSpec: ['core/v1'],
  NamespaceStatus: ['core/v1'],
  NamespaceCondition: ['core/v1'],
  Namespace: ['core/v1'],
  NamespaceList: ['core/v1'],
  Binding: ['core/v1'],
  Preconditions: ['core/v1'],
  PodLogOptions: ['core/v1'],
  PodAttachOptions: ['core/v1'],
  PodExecOptions: ['core/v1'],
  PodPortForwardOptions: ['core/v1'],
  PodProxyOptions: ['core/v1'],
  NodeProxyOptions: ['core/v1'],
  ServiceProxyOptions: ['core/v1'],
  ObjectReference: ['core/v1'],
  LocalObjectReference: ['core/v1'],
  TypedLocalObjectReference: ['core/v1'],
  SerializedReference: ['core/v1'],
  EventSource: ['core/v1'],
  Event: ['core/v1', 'events/v1'],
  EventSeries: ['core/v1', 'events/v1'],
  EventList: ['core/v1', 'events/v1'],
  LimitRangeItem: ['core/v1'],
  LimitRangeSpec: ['core/v1'],
  LimitRange: ['core/v1'],
  LimitRangeList: ['core/v1'],
  ResourceQuotaSpec: ['core/v1'],
  ScopeSelector: ['core/v1'],
  ScopedResourceSelectorRequirement: ['core/v1'],
  ResourceQuotaStatus: ['core/v1'],
  ResourceQuota: ['core/v1'],
  ResourceQuotaList: ['core/v1'],
  Secret: ['core/v1'],
  SecretList: ['core/v1'],
  ConfigMap: ['core/v1'],
  ConfigMapList: ['core/v1'],
  ComponentCondition: ['core/v1'],
  ComponentStatus: ['core/v1'],
  ComponentStatusList: ['core/v1'],
  DownwardAPIVolumeSource: ['core/v1'],
  DownwardAPIVolumeFile: ['core/v1'],
  DownwardAPIProjection: ['core/v1'],
  SecurityContext: ['core/v1'],
  SELinuxOptions: ['core/v1'],
  WindowsSecurityContextOptions: ['core/v1'],
  RangeAllocation: ['core/v1'],
  Sysctl: ['core/v1'],
  PortStatus: ['core/v1'],
  ImageVolumeSource: ['core/v1'],
  NodeAllocatableResourceClaimStatus: ['core/v1'],
  NodeAllocatableMappedResources: ['core/v1'],
  NodeAllocatableOverheadResources: ['core/v1'],
  StatefulSet: ['apps/v1'],
  StatefulSetUpdateStrategy: ['apps/v1'],
  RollingUpdateStatefulSetStrategy: ['apps/v1'],
  StatefulSetPersistentVolumeClaimRetentionPolicy: ['apps/v1'],
  StatefulSetOrdinals: ['apps/v1'],
  StatefulSetSpec: ['apps/v1'],
  StatefulSetStatus: ['apps/v1'],
  StatefulSetCondition: ['apps/v1'],
  StatefulSetList: ['apps/v1'],
  Deployment: ['apps/v1'],
  DeploymentSpec: ['apps/v1'],
  DeploymentStrategy: ['apps/v1'],
  RollingUpdateDeployment: ['apps/v1'],
  DeploymentStatus: ['apps/v1'],
  DeploymentCondition: ['apps/v1'],
  DeploymentList: ['apps/v1'],
  DaemonSetUpdateStrategy: ['apps/v1'],
  RollingUpdateDaemonSet: ['apps/v1'],
  DaemonSetSpec: ['apps/v1'],
  DaemonSetStatus: ['apps/v1'],
  DaemonSetCondition: ['apps/v1'],
  DaemonSet: ['apps/v1'],
  DaemonSetList: ['apps/v1'],
  ReplicaSet: ['apps/v1'],
  ReplicaSetList: ['apps/v1'],
  ReplicaSetSpec: ['apps/v1'],
  ReplicaSetStatus: ['apps/v1'],
  ReplicaSetCondition: ['apps/v1'],
  ControllerRevision: ['apps/v1'],
  ControllerRevisionList: ['apps/v1'],
  EndpointSlice: ['discovery/v1'],
  Endpoint: ['discovery/v1'],
  EndpointConditions: ['discovery/v1'],
  EndpointHints: ['discovery/v1'],
  ForZone: ['discovery/v1'],
  ForNode: ['discovery/v1'],
  EndpointSliceList: ['discovery/v1'],
  Lease: ['coordination/v1'],
  LeaseSpec: ['coordination/v1'],
  LeaseList: ['coordination/v1'],
  Job: ['batch/v1'],
  JobList: ['batch/v1'],
  PodFailurePolicyOnExitCodesRequirement: ['batch/v1'],
  PodFailurePolicyOnPodConditionsPattern: ['batch/v1'],
  PodFailurePolicyRule: ['batch/v1'],
  PodFailurePolicy: ['batch/v1'],
  SuccessPolicy: ['batch/v1'],
  SuccessPolicyRule: ['batch/v1'],
  JobSpec: ['batch/v1'],
  JobSchedulingConfiguration: ['batch/v1'],
  JobStatus: ['batch/v1'],
  UncountedTerminatedPods: ['batch/v1'],
  JobCondition: ['batch/v1'],
  JobTemplateSpec: ['batch/v1'],
  CronJob: ['batch/v1'],
  CronJobList: ['batch/v1'],
  CronJobSpec: ['batch/v1'],
  CronJobStatus: ['batch/v1'],
  NetworkPolicy: ['networking/v1'],
  NetworkPolicySpec: ['networking/v1'],
  NetworkPolicyIngressRule: ['networking/v1'],
  NetworkPolicyEgressRule: ['networking/v1'],
  NetworkPolicyPort: ['networking/v1'],
  IPBlock: ['networking/v1'],
  NetworkPolicyPeer: ['networking/v1'],
  NetworkPolicyList: ['networking/v1'],
  Ingress: ['networking/v1'],
  IngressList: ['networking/v1'],
  IngressSpec: ['networking/v1'],
  IngressTLS: ['networking/v1'],
  IngressStatus: ['networking/v1'],
  IngressLoadBalancerStatus: ['networking/v1'],
  IngressLoadBalancerIngress: ['networking/v1'],
  IngressPortStatus: ['networking/v1'],
  IngressRule: ['networking/v1'],
  IngressRuleValue: ['networking/v1'],
  HTTPIngressRuleValue: ['networking/v1'],
  HTTPIngressPath: ['networking/v1'],
  IngressBackend: ['networking/v1'],
  IngressServiceBackend: ['networking/v1'],
  ServiceBackendPort: ['networking/v1'],
  IngressClass: ['networking/v1'],
  IngressClassSpec: ['networking/v1'],
  IngressClassParametersReference: ['networking/v1'],
  IngressClassList: ['networking/v1'],
  IPAddress: ['networking/v1'],
  IPAddressSpec: ['networking/v1'],
  ParentReference: ['networking/v1'],
  IPAddressList: ['networking/v1'],
  ServiceCIDR: ['networking/v1'],
  ServiceCIDRSpec: ['networking/v1'],
  ServiceCIDRStatus: ['networking/v1'],
  ServiceCIDRList: ['networking/v1'],
  TokenReview: ['authentication/v1'],
  TokenReviewSpec: ['authentication/v1'],
  TokenReviewStatus: ['authentication/v1'],
  UserInfo: ['authentication/v1'],
  TokenRequest: ['authentication/v1'],
  TokenRequestSpec: ['authentication/v1'],
  TokenRequestStatus: ['authentication/v1'],
  BoundObjectReference: ['authentication/v1'],
  SelfSubjectReview: ['authentication/v1'],
  SelfSubjectReviewStatus: ['authentication/v1'],
  SubjectAccessReview: ['authorization/v1'],
  SelfSubjectAccessReview: ['authorization/v1'],
  LocalSubjectAccessReview: ['authorization/v1'],
  ResourceAttributes: ['authorization/v1'],
  LabelSelectorAttributes: ['authorization/v1'],
  FieldSelectorAttributes: ['authorization/v1'],
  NonResourceAttributes: ['authorization/v1'],
  SubjectAccessReviewSpec: ['authorization/v1'],
  SelfSubjectAccessReviewSpec: ['authorization/v1'],
  SubjectAccessReviewStatus: ['authorization/v1'],
  SelfSubjectRulesReview: ['authorization/v1'],
  SelfSubjectRulesReviewSpec: ['authorization/v1'],
  SubjectRulesReviewStatus: ['authorization/v1'],
  ResourceRule: ['authorization/v1'],
  NonResourceRule: ['authorization/v1'],
  CrossVersionObjectReference: ['autoscaling/v1'],
  HorizontalPodAutoscalerSpec: ['autoscaling/v1'],
  HorizontalPodAutoscalerStatus: ['autoscaling/v1'],
  HorizontalPodAutoscaler: ['autoscaling/v1'],
  HorizontalPodAutoscalerList: ['autoscaling/v1'],
  Scale: ['autoscaling/v1'],
  ScaleSpec: ['autoscaling/v1'],
  ScaleStatus: ['autoscaling/v1'],
  MetricSpec: ['autoscaling/v1'],
  ObjectMetricSource: ['autoscaling/v1'],
  PodsMetricSource: ['autoscaling/v1'],
  ResourceMetricSource: ['autoscaling/v1'],
  ContainerResourceMetricSource: ['autoscaling/v1'],
  ExternalMetricSource: ['autoscaling/v1'],
  MetricStatus: ['autoscaling/v1'],
  HorizontalPodAutoscalerCondition: ['autoscaling/v1'],
  ObjectMetricStatus: ['autoscaling/v1'],
  PodsMetricStatus: ['autoscaling/v1'],
  ResourceMetricStatus: ['autoscaling/v1'],
  ContainerResourceMetricStatus: ['autoscaling/v1'],
  ExternalMetricStatus: ['autoscaling/v1'],
};
