// The snapshot: the only thing the data plane reads.
//
// The controller turns Kubernetes resources into one Snapshot per change (a pure function of its inputs);
// the data plane swaps it in atomically. Everything here is plain, JSON-serializable data: no classes, no
// functions, no Buffers (bytes are base64 strings), so a snapshot can be frozen, written to a golden file,
// diffed, and posted to worker threads. References between objects are by id strings.

/** `namespace/name` of a namespaced object. */
export type ObjectKey = string;

export interface Snapshot {
  /** Strictly increasing per controller process; lets the data plane and the dashboard name a snapshot. */
  readonly version: number;
  /** Port listeners to serve. One per distinct (address, port) after `--port-offset`. */
  readonly ports: readonly PortIR[];
  /** Wasm plugins referenced by any extension, keyed by `namespace/name`. */
  readonly wasmPlugins: Readonly<Record<ObjectKey, WasmPluginIR>>;
}

export type ListenerProtocol = 'HTTP' | 'HTTPS';

/**
 * One socket. Several Gateway listeners may share a port (different hostnames, or different Gateways);
 * the data plane picks the Gateway listener by SNI (HTTPS) or Host (HTTP), most specific hostname first.
 */
export interface PortIR {
  readonly address: string;
  /** The port actually bound: the listener's `port` + `--port-offset`. */
  readonly port: number;
  readonly protocol: ListenerProtocol;
  /** Sorted most specific hostname first (exact, then longer wildcard, then no hostname). */
  readonly listeners: readonly GatewayListenerIR[];
}

export interface GatewayListenerIR {
  /** `namespace/gateway/listenerName`. */
  readonly id: string;
  readonly gateway: ObjectKey;
  /** The GatewayClass name of the Gateway, e.g. `gke-l7-regional-external-managed`. */
  readonly gatewayClass: string;
  /** Listener hostname (may be a `*.` wildcard); absent = any host. */
  readonly hostname?: string;
  /** The port as written in the Gateway (before the offset); reported in proxy headers. */
  readonly specPort: number;
  /** HTTPS only: certificates from `certificateRefs`, first is the default. */
  readonly tls?: TlsIR;
  /** Route rules attached to this listener, already in Gateway API precedence order (see RouteRuleIR). */
  readonly routes: readonly RouteRuleIR[];
  /** Extension chains of the GCPRoutingExtension(s) targeting this Gateway, in resource order. */
  readonly routingChains: readonly ExtensionChainIR[];
  /** Extension chains of the GCPTrafficExtension(s) targeting this Gateway, in resource order. */
  readonly trafficChains: readonly ExtensionChainIR[];
}

export interface TlsIR {
  readonly certificates: readonly CertificateIR[];
}

export interface CertificateIR {
  /** `namespace/name` of the Secret. */
  readonly secret: ObjectKey;
  readonly certPem: string;
  readonly keyPem: string;
}

// ---------------------------------------------------------------------------------------------------------
// Routing

/**
 * One (HTTPRoute rule, match) pair, flattened. A rule with N matches yields N entries sharing `ruleId`.
 * The controller emits them sorted by the Gateway API precedence for HTTPRoute matches:
 *   1. Exact path > PathPrefix (longer prefix first) > RegularExpression
 *   2. method match present
 *   3. more header matches
 *   4. more query param matches
 *   5. older route (creationTimestamp), then `namespace/name` alphabetically
 *   6. rule order, then match order within the route
 * Hostname specificity is resolved first and separately: the data plane indexes entries by each hostname in
 * `hostnames` (exact beats the longest matching wildcard, which beats catch-all), then takes the first entry
 * in this order whose match accepts the request.
 */
export interface RouteRuleIR {
  /** `namespace/route/ruleIndex/matchIndex`. */
  readonly id: string;
  /** `namespace/route/ruleIndex`: identifies the rule for metrics, logs and traces. */
  readonly ruleId: string;
  readonly route: ObjectKey;
  /**
   * Effective hostnames: the intersection of the route's and the listener's hostnames. Empty = any host
   * (neither route nor listener restricts it).
   */
  readonly hostnames: readonly string[];
  readonly match: RouteMatchIR;
  readonly filters: readonly HttpFilterIR[];
  /** Weighted backends; empty means the rule has no backendRefs (answered by filters, e.g. a redirect). */
  readonly backends: readonly WeightedBackendIR[];
  readonly timeouts: {
    /** `timeouts.request`: whole request, client to last response byte. */
    readonly requestMs?: number;
    /** `timeouts.backendRequest`: one attempt to the backend. */
    readonly backendRequestMs?: number;
  };
}

export interface RouteMatchIR {
  /** Defaults to PathPrefix `/` as Gateway API does. */
  readonly path: PathMatchIR;
  readonly method?: string;
  readonly headers: readonly StringMatchIR[];
  readonly queryParams: readonly StringMatchIR[];
}

export interface PathMatchIR {
  readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression';
  readonly value: string;
}

export interface StringMatchIR {
  /** Header names lowercased; query param names as written (case-sensitive). */
  readonly name: string;
  readonly type: 'Exact' | 'RegularExpression';
  readonly value: string;
}

export type HttpFilterIR =
  | { readonly type: 'RequestHeaderModifier'; readonly modifier: HeaderModifierIR }
  | { readonly type: 'ResponseHeaderModifier'; readonly modifier: HeaderModifierIR }
  | { readonly type: 'RequestRedirect'; readonly redirect: RequestRedirectIR }
  | { readonly type: 'URLRewrite'; readonly rewrite: UrlRewriteIR }
  /** `percent`: the share of requests mirrored, 0-100 (absent: every request). */
  | { readonly type: 'RequestMirror'; readonly mirror: BackendIR; readonly percent?: number };

export interface HeaderModifierIR {
  readonly set: readonly HeaderIR[];
  readonly add: readonly HeaderIR[];
  /** Lowercased names. */
  readonly remove: readonly string[];
}

export interface HeaderIR {
  readonly name: string;
  readonly value: string;
}

export interface RequestRedirectIR {
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  readonly path?: PathModifierIR;
  readonly port?: number;
  /** 301 or 302 (Gateway API default 302). */
  readonly statusCode: number;
}

export interface UrlRewriteIR {
  readonly hostname?: string;
  readonly path?: PathModifierIR;
}

export type PathModifierIR =
  | { readonly type: 'ReplaceFullPath'; readonly value: string }
  /** Replaces the prefix matched by the rule's PathPrefix match (`matchedPrefix`). */
  | { readonly type: 'ReplacePrefixMatch'; readonly value: string; readonly matchedPrefix: string };

export interface WeightedBackendIR {
  readonly weight: number;
  readonly backend: BackendIR;
  /** Per-backendRef filters (Gateway API allows header modifiers here). */
  readonly filters: readonly HttpFilterIR[];
}

export type UpstreamProtocol = 'http1' | 'h2c' | 'h2';

/**
 * A resolved Service port. `invalid` backends (missing Service, port, or a cross-namespace ref without a
 * ReferenceGrant) stay in the list so traffic to them is answered 500 as Gateway API requires, not rerouted.
 */
export interface BackendIR {
  /** `namespace/service:port`. */
  readonly id: string;
  readonly protocol: UpstreamProtocol;
  readonly endpoints: readonly EndpointIR[];
  readonly invalid?: string;
}

export interface EndpointIR {
  readonly address: string;
  readonly port: number;
}

// ---------------------------------------------------------------------------------------------------------
// Extensions

export type HttpEvent =
  | 'RequestHeaders'
  | 'RequestBody'
  | 'RequestTrailers'
  | 'ResponseHeaders'
  | 'ResponseBody'
  | 'ResponseTrailers';

export type BodySendMode = 'Streamed' | 'FullDuplexStreamed';

export interface ExtensionChainIR {
  /** `Kind/namespace/resource/chainName`, e.g. `GCPTrafficExtension/default/my-ext/chain1`. */
  readonly id: string;
  readonly name: string;
  readonly resource: ObjectKey;
  readonly resourceKind: 'GCPRoutingExtension' | 'GCPTrafficExtension';
  /**
   * CEL expressions, ORed. Each is `celMatcher` (may be absent = true) ANDed with a backendRef condition
   * (`backendService`, `namespace/service:port` of the request's selected backend) when the expression has
   * one. An empty list matches every request.
   */
  readonly match: readonly CelConditionIR[];
  readonly extensions: readonly ExtensionIR[];
}

export interface CelConditionIR {
  readonly celMatcher?: string;
  readonly backendService?: string;
}

export type ExtensionIR = CalloutExtensionIR | WasmExtensionIR;

interface ExtensionCommonIR {
  /** `<chain id>/<extension name>`. */
  readonly id: string;
  readonly name: string;
  readonly failOpen: boolean;
  /** Events this extension receives, already defaulted (see docs/spec/gke-service-extensions.md §1.4). */
  readonly events: readonly HttpEvent[];
}

export interface CalloutExtensionIR extends ExtensionCommonIR {
  readonly kind: 'callout';
  /** Sent as `:authority` and as TLS SNI. */
  readonly authority: string;
  /** Per message on the stream. */
  readonly timeoutMs: number;
  /** Lowercased names; absent = forward all headers. */
  readonly forwardHeaders?: readonly string[];
  /** Delivered as `metadata_context.filter_metadata[metadataNamespace]`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** `com.google.<lb_route_extension|lb_traffic_extension>.<resource>.<chain>.<extension>`. */
  readonly metadataNamespace: string;
  readonly requestBodySendMode: BodySendMode;
  readonly responseBodySendMode: BodySendMode;
  readonly observabilityMode: boolean;
  readonly target: CalloutTargetIR;
}

export interface CalloutTargetIR {
  /** `namespace/service:port`, or `googleapis:<name>` for a mapped googleAPIServiceName. */
  readonly service: string;
  readonly endpoints: readonly EndpointIR[];
  /** null = plaintext h2c. */
  readonly tls: CalloutTlsIR | null;
}

export interface CalloutTlsIR {
  /** false unless a BackendTLSPolicy targets the Service (Google's LB does not verify callout certs). */
  readonly verify: boolean;
  readonly caPem?: string;
  /** Name to verify the certificate against (BackendTLSPolicy `hostname`); SNI is always `authority`. */
  readonly hostname?: string;
}

export interface WasmExtensionIR extends ExtensionCommonIR {
  readonly kind: 'wasm';
  /** `namespace/name` of the GCPWasmPlugin; its serving version is in Snapshot.wasmPlugins. */
  readonly plugin: ObjectKey;
}

export interface WasmPluginIR {
  readonly key: ObjectKey;
  /** The version with the non-zero weight. */
  readonly serving: WasmPluginVersionIR;
  readonly log: WasmLogConfigIR;
}

export interface WasmPluginVersionIR {
  readonly name: string;
  readonly image: string;
  /** `sha256:...` of the module bytes; the data plane caches compiled modules by it. */
  readonly moduleDigest: string;
  /** Absolute path of the module file in the state dir's blob cache. */
  readonly modulePath: string;
  /** Plugin configuration handed to `on_configure`, base64; absent = empty. */
  readonly configBase64?: string;
}

export type WasmLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL';

export interface WasmLogConfigIR {
  readonly enabled: boolean;
  /** 0..1 (the CRD's sampleRate / 1e6). */
  readonly sampleRate: number;
  readonly minLogLevel: WasmLogLevel;
}

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({ version: 0, ports: [], wasmPlugins: {} });
