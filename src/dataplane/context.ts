// What every Exchange shares: the upstream pools, limits, counters and the optional request observer.

import type { DataPlaneLimits } from './limits.js';
import type { TraceSource } from './trace.js';
import type { Upstreams } from './upstream/upstreams.js';

export interface ProxyStats {
  requests: number;
  localReplies: number;
  upstreamErrors: number;
  resets: number;
  badRequests: number;
  /** Dynamic forwarding targets ignored: not an endpoint of the backend the route chose. */
  ignoredOverrides: number;
}

/** Counters at zero, for a new data plane. */
export function newProxyStats(): ProxyStats {
  return { requests: 0, localReplies: 0, upstreamErrors: 0, resets: 0, badRequests: 0, ignoredOverrides: 0 };
}

/** One finished request, for access logs and metrics (`DataPlaneOptions.observer`). */
export interface RequestRecord {
  readonly requestId: string;
  readonly listener: string | undefined;
  /** `namespace/name` of the HTTPRoute, and the rule (`namespace/name/ruleIndex`). */
  readonly route: string | undefined;
  readonly rule: string | undefined;
  /** `namespace/service:port`. */
  readonly backend: string | undefined;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  /** Status sent to the client; 0 when the stream was reset or the client left first. */
  readonly status: number;
  /** `via_upstream`, `upgrade`, a local answer's details (e.g. `route_not_found`), `reset`, `client_closed`. */
  readonly details: string;
  readonly durationMs: number;
}

export interface RequestObserver {
  requestEnd(record: RequestRecord): void;
}

export interface ProxyContext {
  readonly observer: RequestObserver | undefined;
  /** Per-request traces (dashboard, access log, metrics); undefined = none. */
  readonly recorder: TraceSource | undefined;
  readonly upstreams: Upstreams;
  readonly limits: DataPlaneLimits;
  readonly stats: ProxyStats;
  readonly via: string;
}
