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
  /**
   * PINGs sent at `pingAfterMs` while the callout sends no HEADERS or DATA frame; after that many, the next
   * ones wait `pingAfterWithoutDataMs`. A gRPC server counts a PING received sooner than its
   * min_recv_ping_interval_without_data after the previous one, with nothing written by it in between, as a
   * strike, and closes the connection (GOAWAY too_many_pings, its open calls failed) after max_ping_strikes
   * (docs/callouts.md, "Keepalive against gRPC servers"). grpc-core clients stop at
   * `max_pings_without_data` (2) instead; we keep watching the connection, slowly. 0: no limit.
   */
  readonly pingsWithoutData: number;
  /** The interval after `pingsWithoutData` PINGs without data (above the servers' 5 min minimum). */
  readonly pingAfterWithoutDataMs: number;
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
  // A stream can stay quiet for as long as its request's upstream takes to answer, though, and gRPC servers
  // (grpc-core, grpc-go, grpc-java) by default accept one PING per 5 min while they send nothing and close the
  // connection at the third early one: measured against grpcio, 30 s PINGs alone killed a stream quiet for
  // 2.5 min. Hence two PINGs at 30 s, then one per 5 min 10 s (10 s of margin for jitter) until the callout
  // sends HEADERS or DATA again.
  pingAfterMs: 30_000,
  pingsWithoutData: 2,
  pingAfterWithoutDataMs: 310_000,
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
