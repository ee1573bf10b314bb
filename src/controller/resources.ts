// The Kubernetes objects the controller reads, typed as far as the controller looks into them.
//
// Everything is optional because the objects come from an API server (or a test's YAML) and the translator
// must turn a missing field into a condition, never into a crash.

import type { KubeObject, ObjectMeta } from '../api/types.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface Obj<Spec = unknown, Status = unknown> extends KubeObject {
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
}

// ---- Gateway API ----------------------------------------------------------------------------------------

export type GatewayClass = Obj<
  { controllerName?: string; description?: string },
  { conditions?: Condition[] }
>;

export interface SecretObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface RouteGroupKind {
  group?: string;
  kind: string;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
}

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { mode?: string; certificateRefs?: SecretObjectReference[] };
  allowedRoutes?: {
    namespaces?: { from?: 'All' | 'Same' | 'Selector'; selector?: LabelSelector };
    kinds?: RouteGroupKind[];
  };
}

export interface GatewayStatus {
  addresses?: Array<{ type?: string; value: string }>;
  conditions?: Condition[];
  listeners?: Array<{
    name: string;
    supportedKinds: RouteGroupKind[];
    attachedRoutes: number;
    conditions: Condition[];
  }>;
}

export type Gateway = Obj<
  {
    gatewayClassName?: string;
    listeners?: Listener[];
    infrastructure?: { parametersRef?: { group: string; kind: string; name: string } };
  },
  GatewayStatus
>;

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface HTTPHeaderMatch {
  type?: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}

export interface HTTPRouteMatch {
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: HTTPHeaderMatch[];
  queryParams?: HTTPHeaderMatch[];
  method?: string;
}

export interface HTTPHeaderFilter {
  set?: Array<{ name: string; value: string }>;
  add?: Array<{ name: string; value: string }>;
  remove?: string[];
}

export interface HTTPPathModifier {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface BackendObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface HTTPRouteFilter {
  type: string;
  requestHeaderModifier?: HTTPHeaderFilter;
  responseHeaderModifier?: HTTPHeaderFilter;
  requestRedirect?: {
    scheme?: string;
    hostname?: string;
    path?: HTTPPathModifier;
    port?: number;
    statusCode?: number;
  };
  urlRewrite?: { hostname?: string; path?: HTTPPathModifier };
  requestMirror?: {
    backendRef: BackendObjectReference;
    percent?: number;
    fraction?: { numerator: number; denominator?: number };
  };
  extensionRef?: { group?: string; kind: string; name: string };
}

export interface HTTPBackendRef extends BackendObjectReference {
  weight?: number;
  filters?: HTTPRouteFilter[];
}

export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export type HTTPRoute = Obj<
  { parentRefs?: ParentReference[]; hostnames?: string[]; rules?: HTTPRouteRule[] },
  { parents?: RouteParentStatus[] }
>;

export type ReferenceGrant = Obj<{
  from?: Array<{ group?: string; kind: string; namespace: string }>;
  to?: Array<{ group?: string; kind: string; name?: string }>;
}>;

export type BackendTLSPolicy = Obj<{
  targetRefs?: Array<{ group?: string; kind: string; name: string; sectionName?: string }>;
  validation?: {
    caCertificateRefs?: Array<{ group?: string; kind: string; name: string }>;
    wellKnownCACertificates?: string;
    hostname?: string;
  };
}>;

// ---- core ---------------------------------------------------------------------------------------------

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export type Service = Obj<{
  ports?: ServicePort[];
  type?: string;
  clusterIP?: string;
  externalName?: string;
}>;

export interface EndpointSlice extends KubeObject {
  addressType?: string;
  endpoints?: Array<{
    addresses?: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  }>;
  ports?: Array<{ name?: string; port?: number; protocol?: string; appProtocol?: string }>;
}

export interface Endpoints extends KubeObject {
  subsets?: Array<{
    addresses?: Array<{ ip: string }>;
    notReadyAddresses?: Array<{ ip: string }>;
    ports?: Array<{ name?: string; port: number; protocol?: string }>;
  }>;
}

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export type Namespace = Obj;

// ---- networking.gke.io ----------------------------------------------------------------------------------

export interface ExtensionBackendRef {
  group?: string;
  kind?: string;
  name: string;
  port?: number;
}

export interface GkeExtension {
  name: string;
  backendRef?: ExtensionBackendRef;
  googleAPIServiceName?: string;
  authority?: string;
  supportedEvents?: string[];
  timeout?: string;
  failOpen?: boolean;
  forwardHeaders?: string[];
  metadata?: Record<string, string>;
  requestBodySendMode?: string;
  responseBodySendMode?: string;
  observabilityMode?: boolean;
}

export interface GkeExtensionChain {
  name: string;
  matchCondition?: { celExpressions?: Array<{ celMatcher?: string; backendRefs?: ExtensionBackendRef[] }> };
  extensions?: GkeExtension[];
}

export interface PolicyAncestorStatus {
  ancestorRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export type ExtensionResource = Obj<
  {
    targetRefs?: Array<{ group?: string; kind?: string; name: string }>;
    extensionChains?: GkeExtensionChain[];
  },
  { ancestors?: PolicyAncestorStatus[] }
>;

export interface WasmPluginVersionSpec {
  name: string;
  image: string;
  pluginConfigURI?: string;
  weight?: number;
  description?: string;
}

export type GCPWasmPlugin = Obj<
  {
    versions?: WasmPluginVersionSpec[];
    logConfig?: { enabled?: boolean; minLogLevel?: string; sampleRate?: number };
  },
  { ancestors?: PolicyAncestorStatus[] }
>;

export type ExtensionKind = 'GCPRoutingExtension' | 'GCPTrafficExtension';

/** Everything the translator reads: the provider's cache at one instant. */
export interface ResourceSet {
  readonly gatewayClasses: readonly GatewayClass[];
  readonly gateways: readonly Gateway[];
  readonly httpRoutes: readonly HTTPRoute[];
  readonly referenceGrants: readonly ReferenceGrant[];
  readonly backendTLSPolicies: readonly BackendTLSPolicy[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly endpoints: readonly Endpoints[];
  readonly secrets: readonly Secret[];
  readonly configMaps: readonly ConfigMap[];
  readonly namespaces: readonly Namespace[];
  readonly routingExtensions: readonly ExtensionResource[];
  readonly trafficExtensions: readonly ExtensionResource[];
  readonly wasmPlugins: readonly GCPWasmPlugin[];
}

export const EMPTY_RESOURCES: ResourceSet = {
  gatewayClasses: [],
  gateways: [],
  httpRoutes: [],
  referenceGrants: [],
  backendTLSPolicies: [],
  services: [],
  endpointSlices: [],
  endpoints: [],
  secrets: [],
  configMaps: [],
  namespaces: [],
  routingExtensions: [],
  trafficExtensions: [],
  wasmPlugins: [],
};

export function keyOf(obj: { metadata: ObjectMeta }): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}
