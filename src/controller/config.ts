// The controller's fixed names and defaults, each with the GKE value it reproduces and where it comes from.

/** GatewayClass `spec.controllerName` of GKE's single-cluster classes (docs/spec/gke-service-extensions.md §7). */
export const CONTROLLER_NAME = 'networking.gke.io/gateway';

/** `source.component` of the Events GKE's controller writes (the seed's walkthrough, docs/spec/README.md: `kubectl describe` output). */
export const EVENT_SOURCE = 'sc-gateway-controller';

/** Finalizer GKE puts on every Gateway it programs (seed: `Finalizers: gateway.finalizer.networking.gke.io`). */
export const GATEWAY_FINALIZER = 'gateway.finalizer.networking.gke.io';

/** Annotations GKE writes on a Gateway (seed `kubectl describe gateway`; docs/spec/gke-service-extensions.md §6.2). */
export const GATEWAY_ANNOTATIONS = {
  addresses: 'networking.gke.io/addresses',
  backendServices: 'networking.gke.io/backend-services',
  firewalls: 'networking.gke.io/firewalls',
  forwardingRules: 'networking.gke.io/forwarding-rules',
  healthChecks: 'networking.gke.io/health-checks',
  lastReconcileTime: 'networking.gke.io/last-reconcile-time',
  lbRouteExtensions: 'networking.gke.io/lb-route-extensions',
  lbTrafficExtensions: 'networking.gke.io/lb-traffic-extensions',
  sslCertificates: 'networking.gke.io/ssl-certificates',
  targetHttpProxies: 'networking.gke.io/target-http-proxies',
  targetHttpsProxies: 'networking.gke.io/target-https-proxies',
  urlMaps: 'networking.gke.io/url-maps',
  wasmPlugins: 'networking.gke.io/wasm-plugins',
  wasmPluginVersions: 'networking.gke.io/wasm-plugin-versions',
} as const;

/**
 * Which extension kinds each GatewayClass accepts (docs/spec/gke-service-extensions.md §1.3 and §7). Classes not listed
 * (e.g. the classic `gke-l7-gxlb`) accept none: Service Extensions do not support the classic ALB.
 */
export interface ClassCapabilities {
  readonly routingExtensions: boolean;
  readonly trafficExtensions: boolean;
  readonly wasmPlugins: boolean;
  readonly scope: 'global' | 'regional';
}

export const CLASS_CAPABILITIES: Readonly<Record<string, ClassCapabilities>> = {
  'gke-l7-global-external-managed': {
    routingExtensions: false,
    trafficExtensions: true,
    wasmPlugins: true,
    scope: 'global',
  },
  'gke-l7-regional-external-managed': {
    routingExtensions: true,
    trafficExtensions: true,
    wasmPlugins: false,
    scope: 'regional',
  },
  'gke-l7-rilb': { routingExtensions: true, trafficExtensions: true, wasmPlugins: false, scope: 'regional' },
  'gke-l7-regional-external-managed-mc': {
    routingExtensions: true,
    trafficExtensions: true,
    wasmPlugins: false,
    scope: 'regional',
  },
  'gke-l7-rilb-mc': {
    routingExtensions: true,
    trafficExtensions: true,
    wasmPlugins: false,
    scope: 'regional',
  },
  'gke-l7-cross-regional-internal-managed-mc': {
    routingExtensions: true,
    trafficExtensions: true,
    wasmPlugins: false,
    scope: 'regional',
  },
  'gke-l7-global-external-managed-mc': {
    routingExtensions: false,
    trafficExtensions: true,
    wasmPlugins: true,
    scope: 'global',
  },
};

/** A class we control but whose name is not in the table (e.g. a user-made class): treated like a regional one. */
export const UNKNOWN_CLASS_CAPABILITIES: ClassCapabilities = {
  routingExtensions: true,
  trafficExtensions: true,
  wasmPlugins: false,
  scope: 'regional',
};

export const NO_EXTENSIONS: ClassCapabilities = {
  routingExtensions: false,
  trafficExtensions: false,
  wasmPlugins: false,
  scope: 'global',
};

/** Classic ALB classes: no Service Extensions at all (docs/spec/gke-service-extensions.md §7). */
export const CLASSIC_CLASSES: ReadonlySet<string> = new Set(['gke-l7-gxlb', 'gke-l7-gxlb-mc']);

export function classCapabilities(className: string): ClassCapabilities {
  if (CLASSIC_CLASSES.has(className)) return NO_EXTENSIONS;
  return CLASS_CAPABILITIES[className] ?? UNKNOWN_CLASS_CAPABILITIES;
}

/** Per-message callout timeout when `timeout` is omitted: 1000 ms (docs/spec/gke-service-extensions.md §0, CRD). */
export const DEFAULT_CALLOUT_TIMEOUT_MS = 1000;

/** Events when `supportedEvents` is omitted (docs/spec/gke-service-extensions.md §1.4; traffic default follows the seed). */
export const DEFAULT_TRAFFIC_EVENTS = ['RequestHeaders', 'ResponseHeaders'] as const;
export const DEFAULT_ROUTING_EVENTS = ['RequestHeaders'] as const;

/** Body send mode when unset: STREAMED is the LB default when a body event is enabled (§2.5). */
export const DEFAULT_BODY_SEND_MODE = 'Streamed' as const;

/** GCPWasmPlugin logConfig defaults when logging is enabled: sampleRate 1e6 (= 1.0), minLogLevel INFO (§4.4). */
export const WASM_SAMPLE_RATE_SCALE = 1_000_000;
export const DEFAULT_WASM_MIN_LOG_LEVEL = 'INFO' as const;

/** Redirect status when `statusCode` is omitted (Gateway API HTTPRequestRedirectFilter default). */
export const DEFAULT_REDIRECT_STATUS = 302;

/** Label linking an EndpointSlice to its Service (Kubernetes `discovery.k8s.io/v1`). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Coalescing window for resource changes before one translation runs. */
export const DEBOUNCE_MS = 5;

/**
 * Lease-based leadership, the same shape as client-go's leaderelection defaults scaled down for a local
 * product: GKE's components use 15 s / 10 s / 2 s (lease / renew deadline / retry); we hand over faster.
 */
export const LEASE_DURATION_SECONDS = 10;
export const LEASE_RENEW_MS = 2000;
export const LEASE_NAME = 'extgate-controller';

/** Informer restart backoff after a non-410 error stops it (docs/spec/kubernetes-api.md §4.6). */
export const INFORMER_BACKOFF_MIN_MS = 200;
export const INFORMER_BACKOFF_MAX_MS = 10_000;

/** Status writes retried this many times on 409 Conflict before the next translation tries again. */
export const STATUS_CONFLICT_RETRIES = 5;

/** Readiness waits at most this long for the first Wasm image pulls after the first snapshot. */
export const WASM_READY_WAIT_MS = 10_000;

/** A port or listener the data plane refused is left out of snapshots this long, then tried again. */
export const REFUSAL_RETRY_MS = 10_000;
