// How long callout connections live and how they are watched: keepalive PINGs, the idle timeout and the
// transparent-retry budget. The defaults follow what gRPC clients and Envoy's gRPC clusters do (each value
// below names its source); tests pass short values to see the behaviour in milliseconds.

/** Keepalive and idle timeout of one connection (h2-connection.ts applies it). */
export interface KeepalivePolicy {
  /**
   * A PING goes out when nothing has been heard from the callout for this long while the connection has
   * streams (at once when a stream opens on a connection already that quiet). 0: no keepalive PINGs.
   */
  readonly pingAfterMs: number;
  /** No frame at all from the callout this long after a PING: the connection is dead and fails. */
  readonly pingTimeoutMs: number;
  /** Also PING connections without streams (grpc-js `keepalive_permit_without_calls`). */
  readonly pingWithoutStreams: boolean;
  /** A connection without streams for this long is closed (GOAWAY, then the socket ends). 0: never. */
  readonly idleTimeoutMs: number;
}

/** Everything a channel pool can be told about its connections. */
export interface CalloutConnectionOptions extends KeepalivePolicy {
  /**
   * Transparent retries (streams refused by REFUSED_STREAM or above a GOAWAY's last id) in flight at once
   * per channel: at most this percentage of the channel's active calls...
   */
  readonly retryBudgetPercent: number;
  /** ...but always at least this many (Envoy's retry budget: `budget_percent`, `min_retry_concurrency`). */
  readonly minRetryConcurrency: number;
}

export const DEFAULT_CONNECTION_OPTIONS: CalloutConnectionOptions = {
  // An ext_proc stream is answered in milliseconds; 30 s of silence with streams open is worth one PING.
  // Above the 10 s gRPC servers accept as a client keepalive_time (grpc-core's minimum), so a grpc-core
  // callout does not count our PINGs as abuse while it is sending nothing.
  pingAfterMs: 30_000,
  // A live peer answers a PING within a round trip; 5 s covers a callout whose event loop stalls, and keeps
  // requests from piling onto a dead connection for grpc-js's default 20 s.
  pingTimeoutMs: 5_000,
  // As grpc-js and grpc-core by default: servers treat PINGs without calls as abuse (too_many_pings).
  pingWithoutStreams: false,
  // Closed well before the 350 s after which common cloud NATs and load balancers silently drop an idle
  // TCP flow (AWS NLB 350 s; GCP Cloud NAT 1200 s), so an idle connection is never found dead by a request.
  idleTimeoutMs: 5 * 60_000,
  // Envoy's retry budget defaults (config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget).
  retryBudgetPercent: 20,
  minRetryConcurrency: 3,
};

/** setTimeout's largest delay; a keepalive interval doubled past it would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
