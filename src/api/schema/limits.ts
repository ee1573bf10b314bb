// Every number and pattern admission enforces, with the value GKE / Gateway API uses and where it comes from.
// Section numbers refer to docs/spec/gke-service-extensions.md (sources listed there).

/** GKE extension CRDs (GoogleCloudPlatform/gke-gateway-api config/crd, §0/§1.4/§1.6). */
export const GKE = {
  extensionChains: { min: 1, max: 5 }, // §0 "Extension chains per ... 1–5"
  extensionsPerChain: { min: 1, max: 3 }, // §0; routing's 1-per-chain is a controller check (§9)
  targetRefs: { min: 1, max: 10 }, // §0
  celExpressions: { max: 10 }, // §0
  celMatcherLength: 512, // §0
  celBackendRefs: { max: 1 }, // §0
  timeoutMs: { min: 10, max: 10_000 }, // §0 current CRD; older docs said 1,000
  forwardHeaders: { max: 50, nameLength: 256 }, // §0
  metadata: { maxEntries: 16, keyLength: 63, valueLength: 1023 }, // §0 / §1.4
  supportedEvents: { max: 6 }, // §0
  authorityLength: 1000, // §0
  googleAPIServiceNameLength: 100, // §0
  nameLength: 63, // §0 RFC-1034 label
  wasmVersions: { min: 1, max: 10 }, // §0
  wasmWeight: { min: 0, max: 1_000_000 }, // §0
  wasmSampleRate: { min: 0, max: 1_000_000 }, // §0
  wasmImageLength: 2000, // §1.6
  wasmDescriptionLength: 1024, // §1.6
  kmsKeyNameLength: 1000, // harvested GCPWasmPlugin schema
} as const;

export const PATTERNS = {
  /** Gateway API ProtocolType: a Gateway API protocol name or a domain-prefixed one (`example.com/Proto`). */
  listenerProtocol:
    '^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9]+$',
  /** RFC-1034 label used for chain, extension and plugin version names (§0). */
  rfc1034Label: '^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$',
  /** Gateway API Duration (§1.4 timeout). */
  duration: '^([0-9]{1,5}(h|m|s|ms)){1,4}$',
  /** §0 authority. */
  authority: '^[A-Za-z0-9-_:%\\.\\[\\]]*$',
  /** Current traffic CRD (§1.4). */
  googleAPIServiceName: '^[a-z0-9.-]+\\.(googleapis|sandbox\\.googleapis)\\.com$',
  /** §1.4 metadata value charset. */
  metadataValue: '^([A-Za-z0-9\\/\\-._~%!$&\'()*+,;=:"\\s\\[\\]\\{\\}])*$',
  /** §1.4 metadata key charset and length (as in the CRD's CEL rule). */
  metadataKey: "^([A-Za-z0-9\\/\\-._~%!$&'()*+,;=:\\s\\[\\]\\{\\}]{1,63})$",
  /** Gateway API HTTPHeaderName (also GKE forwardHeaders). */
  headerName: "^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$",
  /** Gateway API Group. */
  group: '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  /** Gateway API Kind. */
  kind: '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$',
  /** Gateway API Namespace (RFC-1123 label). */
  namespace: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  /** Gateway API SectionName / listener name (RFC-1123 subdomain). */
  sectionName: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  /** Gateway API Hostname (wildcard prefix allowed). */
  hostname: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  /** Gateway API PreciseHostname (no wildcard). */
  preciseHostname: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  /** Gateway API GatewayController. */
  controllerName:
    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$",
  /** Gateway API HTTP path characters for Exact / PathPrefix matches. */
  pathChars: "^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$",
  /**
   * GCPWasmPlugin image / pluginConfigURI. GKE: `^(https://)?([^/][a-z0-9-.]+)/[a-z0-9-./:@?=]+$`.
   * extgate also accepts a registry port (`127.0.0.1:5000/plugins/x:tag`): local registries need one
   * (docs/plugins.md, "Publishing"), GKE's Artifact Registry never does. It also accepts `file://PATH` for
   * plugin development (docs/plugins.md, "Using it"; a relative path is relative to extgate's working directory; read only
   * under `--plugin-dir`).
   */
  wasmImage: '^(file://[^\\s]+|(https://)?([^/][a-z0-9-.]+)(:[0-9]{1,5})?/[a-z0-9-./:@?=]+)$',
  /**
   * The same in the CRDs published for clusters (deploy/crds): registry references only. In `serve` many teams
   * apply manifests; a `file://` source there would name a file in the gateway's pod (its ServiceAccount token).
   * The first component may not start with `.` so `../x` is no registry either.
   */
  wasmImageInCluster: '^(https://)?([a-z0-9][a-z0-9-.]*)(:[0-9]{1,5})?/[a-z0-9-./:@?=]+$',
  kmsKeyName: '^projects/([^/]+)/locations/([^/]+)/keyRings/([^/]+)/cryptoKeys/([^/]+)$',
} as const;

/** Gateway API v1 standard-channel limits (kubernetes-sigs/gateway-api config/crd/standard). */
export const GATEWAY_API = {
  listeners: 64,
  addresses: 16,
  allowedRouteKinds: 8,
  certificateRefs: 64,
  parentRefs: 32,
  hostnames: 16,
  rules: 16,
  matchesPerRule: 64,
  matchesPerRoute: 128,
  headerMatches: 16,
  queryParamMatches: 16,
  filters: 16,
  backendRefs: 16,
  headerModifierEntries: 16,
  headerValueLength: 4096,
  pathLength: 1024,
  weight: { min: 0, max: 1_000_000 },
  referenceGrantEntries: 16,
  backendTLSTargetRefs: 16,
  caCertificateRefs: 8,
  subjectAltNames: 5,
  nameLength: 253,
  gatewayClassDescription: 64,
} as const;

const DURATION = new RegExp(PATTERNS.duration);

/** Duration strings as the Gateway API / GKE CRDs write them (`1s`, `500ms`, `1m30s`), in milliseconds. */
export function durationMs(value: string): number | undefined {
  if (!DURATION.test(value)) return undefined;
  const unit = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
  let total = 0;
  for (const m of value.matchAll(/([0-9]+)(ms|h|m|s)/g))
    total += Number(m[1]) * unit[m[2] as keyof typeof unit];
  return total;
}
