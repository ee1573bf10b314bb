// Every limit and timeout of the data plane, in one place, with the value Google's load balancer uses (or the
// closest documented analogue) and where that number comes from. Options passed to DataPlane override these.

export interface DataPlaneLimits {
  /**
   * Largest request header block accepted; larger answers 431.
   * GKE/ALB: "request headers ... 64 KB" (Cloud Load Balancing quotas, "Maximum request header size").
   */
  readonly maxHeaderBytes: number;
  /**
   * Most header fields a request may carry (pseudo-headers not counted); more answers 431. Envoy's default
   * `max_headers_count` is 100 (HttpProtocolOptions, config/core/v3/protocol.proto); Node's own default drops
   * fields past 2000 silently, which would let a request reach an extension or backend missing some.
   */
  readonly maxHeaderCount: number;
  /**
   * Time a client has to send complete request headers; then 408 and close (slowloris).
   * Node's own default is 60 s; Envoy's `request_headers_timeout` is off by default; ALB closes idle
   * half-sent requests after its HTTP keepalive timeout. 30 s keeps slow mobile clients working.
   */
  readonly headersTimeoutMs: number;
  /**
   * Idle time allowed on a keep-alive client connection between requests.
   * GKE/ALB: "HTTP keepalive timeout: 610 seconds" for global external ALB, default 610 s (backend service
   * docs, "Client HTTP keepalive timeout"); we keep Google's value.
   */
  readonly clientKeepAliveTimeoutMs: number;
  /**
   * Default whole-request timeout when a route sets none. GKE: backend service `timeoutSec` defaults to 30 s
   * ("Backend service timeout", ALB docs). 0 disables it; Gateway API routes set `timeouts.request`.
   */
  readonly defaultBackendTimeoutMs: number;
  /**
   * Idle time after which an upstream keep-alive connection is closed by us.
   * ALB: the LB keeps backend connections for up to 10 min ("TCP keepalive ... 600 s"); shorter here, since
   * local backends (Node) default to a 5 s keepAliveTimeout and reusing a socket the backend is closing
   * causes spurious errors.
   */
  readonly upstreamKeepAliveTimeoutMs: number;
  /** How long a refused or reset endpoint is skipped by round-robin (passive health checking). Envoy's
   * outlier detection `base_ejection_time` default is 30 s; 5 s suits a local machine where processes restart. */
  readonly endpointEjectionMs: number;
  /** Grace period for in-flight requests when a port is removed by a snapshot or on close(). */
  readonly drainMs: number;
  /** Max concurrent HTTP/2 streams per downstream connection. ALB: 100 ("Maximum concurrent streams"). */
  readonly maxConcurrentStreams: number;
}

export const DEFAULT_LIMITS: DataPlaneLimits = Object.freeze({
  maxHeaderBytes: 64 * 1024,
  maxHeaderCount: 100,
  headersTimeoutMs: 30_000,
  clientKeepAliveTimeoutMs: 610_000,
  defaultBackendTimeoutMs: 30_000,
  upstreamKeepAliveTimeoutMs: 4_000,
  endpointEjectionMs: 5_000,
  drainMs: 10_000,
  maxConcurrentStreams: 100,
});
