// The observability parts assembled the one way `extgate up` and `extgate serve` use them: one recorder
// whose finished traces feed the metrics and the access log, the plugin log book, and the dashboard routes
// for the admin server. Every part stays usable alone; this only saves the CLI from repeating the wiring.

import type { DestinationStream } from 'pino';
import type { Registry } from 'prom-client';
import { AccessLog } from './access-log.js';
import { logDestination } from './log-destination.js';
import { dashboardRoutes, type DashboardSource } from './dashboard.js';
import { GatewayMetrics } from './metrics.js';
import { PluginLogBook } from './plugin-logs.js';
import type { AdminRoute } from './server.js';
import { TraceRecorder } from './trace.js';

export interface ObservabilityOptions {
  /** Traces kept for the dashboard (`--trace-buffer`); 0 turns the dashboard's traces off. Default 500. */
  traceBuffer?: number;
  /** Body bytes kept per captured chunk (`--trace-max-body`). Default 4096. */
  maxBodyBytes?: number;
  /** Header names whose values are never stored. Default authorization, cookie, set-cookie, proxy-authorization. */
  redactHeaders?: readonly string[];
  /** Access log: true = stdout, a file path (`--access-log FILE`, appended to), a stream, or false = off.
   *  Default true. */
  accessLog?: boolean | string | DestinationStream;
  /** Where exported plugin log lines go. Default stdout. */
  pluginLogDestination?: DestinationStream;
  /** Reuse a Registry; default a new one. */
  registry?: Registry;
  /** Node process metrics; default on. */
  processMetrics?: boolean;
  /**
   * `asked` (what `up` and `serve` use): traces are recorded only while a dashboard client watches, a capture
   * runs, or for the `traceSample` fraction. Default `always` (every request, when `traceBuffer` > 0).
   */
  recordWhen?: 'always' | 'asked';
  /** Fraction of requests traced with nobody looking (`--trace-sample`), 0..1. Default 0. */
  traceSample?: number;
  /** The data-plane worker this runs in (set on its traces). */
  worker?: number;
}

export interface Observability {
  readonly recorder: TraceRecorder;
  readonly metrics: GatewayMetrics;
  readonly pluginLogs: PluginLogBook;
  readonly accessLog: AccessLog | undefined;
  /** The dashboard, for `startAdminServer({ routes: [...] })`. */
  dashboard(source: DashboardSource, allowedHosts?: readonly string[]): AdminRoute;
  /** Flush pending log lines (on shutdown). */
  flush(): void;
}

export function createObservability(options: ObservabilityOptions = {}): Observability {
  const recorder = new TraceRecorder({
    capacity: options.traceBuffer,
    maxBodyBytes: options.maxBodyBytes,
    redactHeaders: options.redactHeaders,
    recordWhen: options.recordWhen,
    worker: options.worker,
  });
  if (options.traceSample) recorder.demand.setSample(options.traceSample);
  const metrics = new GatewayMetrics({ registry: options.registry, processMetrics: options.processMetrics });
  const accessLog =
    options.accessLog === false
      ? undefined
      : new AccessLog(
          options.accessLog === true || options.accessLog === undefined
            ? {}
            : {
                destination:
                  typeof options.accessLog === 'string'
                    ? logDestination(options.accessLog)
                    : options.accessLog,
              },
        );
  const pluginLogs = new PluginLogBook(
    options.pluginLogDestination ? { destination: options.pluginLogDestination } : {},
  );
  recorder.onEnd(
    accessLog
      ? (trace) => {
          metrics.observe(trace);
          accessLog.write(trace);
        }
      : (trace) => metrics.observe(trace),
  );
  return {
    recorder,
    metrics,
    pluginLogs,
    accessLog,
    dashboard: (source, allowedHosts) => dashboardRoutes({ recorder, source, pluginLogs, allowedHosts }),
    flush: () => {
      accessLog?.flush();
      pluginLogs.flush();
    },
  };
}
