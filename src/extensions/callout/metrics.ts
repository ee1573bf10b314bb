// The callout connection pool's counters on /metrics (`extgate_callout_*`), per callout authority (the
// Service name the configuration gives as `:authority`; bounded by the configuration, as the gateway's other
// label values are). The pool counts each event where it happens (channels.ts, CalloutConnectionStats);
// these collectors only read those numbers when scraped, so a request costs nothing more. In `extgate up`
// each worker has its own pool and registry; the primary sums them (AggregatorRegistry, `aggregator: 'sum'`).
import type { Registry } from 'prom-client';
import { lazyMetric, type MetricValue } from '../lazy-metric.js';
import type { CalloutConnectionStats } from './channels.js';

/** Where the counts come from: CalloutClient.connectionStatsByAuthority. */
export type CalloutStatsSource = () => ReadonlyMap<string, Readonly<CalloutConnectionStats>>;

/** One family: for each authority, one series per (label value, count) pair `pick` names. */
function family(
  source: CalloutStatsSource,
  label: string,
  pick: (s: Readonly<CalloutConnectionStats>) => ReadonlyArray<readonly [string, number]>,
): () => MetricValue[] {
  return () => {
    const out: MetricValue[] = [];
    for (const [authority, stats] of source()) {
      for (const [value, count] of pick(stats))
        out.push({ labels: { authority, [label]: value }, value: count });
    }
    return out;
  };
}

/** Registers the callout connection metrics in `registry` (the one /metrics serves). */
export function registerCalloutMetrics(registry: Registry, source: CalloutStatsSource): void {
  registry.registerMetric(
    lazyMetric(
      'extgate_callout_connections_total',
      'HTTP/2 connections opened to callouts, by authority and result (ok: handshake done; error: refused, TLS or not HTTP/2)',
      'counter',
      family(source, 'result', (s) => [
        ['ok', s.connections],
        ['error', s.connectFailures],
      ]),
    ),
  );
  registry.registerMetric(
    lazyMetric(
      'extgate_callout_connections_retired_total',
      'Callout connections retired by the connection policy, by authority and reason (keepalive_timeout: a PING went unanswered; idle: idle timeout; too_many_pings: the callout said GOAWAY too_many_pings, and the channel PINGs half as often)',
      'counter',
      family(source, 'reason', (s) => [
        ['keepalive_timeout', s.keepaliveTimeouts],
        ['idle', s.idleCloses],
        ['too_many_pings', s.tooManyPings],
      ]),
    ),
  );
  registry.registerMetric(
    lazyMetric(
      'extgate_callout_transparent_retries_total',
      'Callout streams the callout refused unprocessed (REFUSED_STREAM, or above a GOAWAY last stream id), by authority and result (retried: sent again on a new stream; over_budget: not sent again, the retry budget was spent, the call failed)',
      'counter',
      family(source, 'result', (s) => [
        ['retried', s.transparentRetries],
        ['over_budget', s.retriesOverBudget],
      ]),
    ),
  );
}
