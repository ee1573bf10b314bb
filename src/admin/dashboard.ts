// The dashboard on the admin port: the page at `/`, its script, and the JSON it reads under `/api/`.
//
//   GET /                          the page (page.ts) — no build step, no framework
//   GET /dashboard.js              the page's ES module (dashboard/app.ts, compiled by the project's tsc)
//   GET /api/tree                  Gateway → listeners → routes, Gateway → extensions → chains → plugins
//   GET /api/snapshot              the snapshot the data plane serves (private keys removed, plugin
//                                  configurations shown as size and digest)
//   GET /api/requests?after=&limit=&capture=  finished requests (summaries), oldest first; `capture`: only
//                                  those a capture (below) recorded
//   GET /api/requests/stream       the same, live, as Server-Sent Events
//   GET /api/requests/<id>         one request's whole trace
//   POST|GET /api/capture, DELETE /api/capture/<id>  record the next matching requests (capture-api.ts)
//
// Traces are recorded only while a client watches the stream or a capture runs (trace-demand.ts).
//   GET /api/plugins               plugin versions that logged
//   GET /api/plugins/logs?plugin=&version=  their log lines
//
// Requests whose Host is not an IP literal, `localhost` or an allowed name are refused: a page on another
// site must not be able to read traces through DNS rebinding, even with the port bound to 127.0.0.1.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../api/types.js';
import type { Snapshot } from '../ir/snapshot.js';
import type { ResourceSet } from '../controller/resources.js';
import type { AdminRoute } from './server.js';
import { buildConfigTree } from './config-tree.js';
import { allowedHostSet, hostAllowed } from './host-check.js';
import { handleCapture } from './capture-api.js';
import { DASHBOARD_LIMITS } from './limits.js';
import { DASHBOARD_PAGE } from './page.js';
import type { PluginLogBook } from './plugin-logs.js';
import type { TraceRecord, TraceRecorder } from './trace.js';

/**
 * What the dashboard shows of the configuration; the lead feeds it from the controller's cache. Each call may
 * answer directly or with a promise (e.g. events listed from the API server on demand).
 */
export interface DashboardSource {
  /** The snapshot the data plane currently serves. */
  snapshot(): Snapshot;
  /** Gateways, HTTPRoutes, GCPRoutingExtensions, GCPTrafficExtensions, GCPWasmPlugins, with status. */
  resources(): readonly KubeObject[] | Promise<readonly KubeObject[]>;
  /** core/v1 (or events.k8s.io/v1) Events about those resources. */
  events(): readonly KubeObject[] | Promise<readonly KubeObject[]>;
}

/** The objects of the controller's ResourceSet that the dashboard's tree shows. */
export function dashboardObjects(set: ResourceSet): KubeObject[] {
  return [
    ...set.gateways,
    ...set.httpRoutes,
    ...set.routingExtensions,
    ...set.trafficExtensions,
    ...set.wasmPlugins,
  ];
}

export interface DashboardOptions {
  recorder: TraceRecorder;
  source: DashboardSource;
  pluginLogs?: PluginLogBook;
  /** Host names (without port) accepted besides IP literals and `localhost`, e.g. a port-forward alias. */
  allowedHosts?: readonly string[] | undefined;
}

/** One line of the live request log. */
export interface TraceSummary {
  id: number;
  requestId: string;
  time: number;
  method: string;
  authority: string;
  path: string;
  status?: number;
  durationMs?: number;
  route?: string | null;
  chains: Array<string | null>;
  steps: number;
  /** 5xx, a failed or failed-open extension, or an error ending the request. */
  problem: boolean;
  /** The capture that recorded it (trace-demand.ts); absent for a watcher's or a sample's. */
  capture?: number;
}

export function summarize(t: TraceRecord): TraceSummary {
  const s: TraceSummary = {
    id: t.id,
    requestId: t.requestId,
    time: t.time,
    method: t.method,
    authority: t.authority,
    path: t.path,
    chains: t.chains.map((c) => c.id),
    steps: t.steps.length,
    problem:
      (t.status ?? 0) >= 500 ||
      t.error !== undefined ||
      t.steps.some((s) => s.effect === 'ERROR' || s.effect === 'FAILED_OPEN'),
  };
  if (t.status !== undefined) s.status = t.status;
  if (t.durationMs !== undefined) s.durationMs = t.durationMs;
  if (t.route !== undefined) s.route = t.route.id;
  if (t.capture !== undefined) s.capture = t.capture;
  return s;
}

export function dashboardRoutes(options: DashboardOptions): AdminRoute {
  const { recorder, source, pluginLogs } = options;
  const allowed = allowedHostSet(options.allowedHosts);
  const subscribers = new Set<ServerResponse>();
  let unsubscribe: (() => void) | undefined;
  // Watching the live log is what makes the data plane record traces (recordWhen `asked`).
  let unwatch: (() => void) | undefined;
  let script: Promise<string> | undefined;

  function broadcast(trace: TraceRecord): void {
    const frame = `id: ${trace.id}\ndata: ${JSON.stringify(summarize(trace))}\n\n`;
    for (const res of subscribers) {
      // A client that stopped reading is cut off rather than buffered without bound.
      if (res.writableLength > 1 << 20) res.destroy();
      else res.write(frame);
    }
  }

  function subscribe(req: IncomingMessage, res: ServerResponse): void {
    if (subscribers.size >= DASHBOARD_LIMITS.maxSubscribers) {
      json(res, 503, { error: `too many live subscribers (max ${DASHBOARD_LIMITS.maxSubscribers})` });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    // Replay what the client missed when it reconnects (EventSource sends Last-Event-ID).
    const last = Number(req.headers['last-event-id']);
    if (Number.isInteger(last) && last > 0)
      for (const t of recorder.list(last))
        res.write(`id: ${t.id}\ndata: ${JSON.stringify(summarize(t))}\n\n`);
    subscribers.add(res);
    unsubscribe ??= recorder.onKept(broadcast);
    if (recorder.capacity > 0) unwatch ??= recorder.demand.watch();
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    res.on('close', () => {
      clearInterval(heartbeat);
      subscribers.delete(res);
      if (subscribers.size === 0 && unsubscribe) {
        unsubscribe();
        unsubscribe = undefined;
        unwatch?.();
        unwatch = undefined;
      }
    });
  }

  return async (req, res, url) => {
    const path = url.pathname;
    if (path !== '/' && path !== '/dashboard.js' && !path.startsWith('/api/')) return false;
    if (!hostAllowed(req.headers.host, allowed)) {
      json(res, 403, {
        error:
          'Host not allowed: open the dashboard as http://127.0.0.1:<admin-port>/ or add the name with allowedHosts',
      });
      return true;
    }
    if (path === '/api/capture' || path.startsWith('/api/capture/'))
      return handleCapture(recorder.demand, req, res, path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return true;
    }
    if (path === '/') {
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          ...SECURITY_HEADERS,
        })
        .end(DASHBOARD_PAGE);
      return true;
    }
    if (path === '/dashboard.js') {
      script ??= readFile(new URL('./dashboard/app.js', import.meta.url), 'utf8');
      res
        .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
        .end(await script);
      return true;
    }
    if (path === '/api/tree') {
      const [resources, events] = await Promise.all([source.resources(), source.events()]);
      const snapshot = source.snapshot();
      const serving = new Map(Object.entries(snapshot.wasmPlugins).map(([k, p]) => [k, p.serving.name]));
      json(res, 200, { snapshotVersion: snapshot.version, ...buildConfigTree(resources, events, serving) });
      return true;
    }
    if (path === '/api/snapshot') {
      json(res, 200, shownSnapshot(source.snapshot()));
      return true;
    }
    if (path === '/api/requests') {
      const after = intParam(url, 'after', 0);
      const limit = Math.min(intParam(url, 'limit', DASHBOARD_LIMITS.maxListed), DASHBOARD_LIMITS.maxListed);
      const capture = intParam(url, 'capture', 0);
      const traces =
        capture > 0
          ? recorder
              .list(after)
              .filter((t) => t.capture === capture)
              .slice(-limit)
          : recorder.list(after, limit);
      json(res, 200, { capacity: recorder.capacity, requests: traces.map(summarize) });
      return true;
    }
    if (path === '/api/requests/stream') {
      subscribe(req, res);
      return true;
    }
    const one = /^\/api\/requests\/(\d+)$/.exec(path);
    if (one) {
      const trace = recorder.get(Number(one[1]));
      if (trace) json(res, 200, trace);
      else
        json(res, 404, {
          error: `request ${one[1]} is not in the trace buffer (it keeps the last ${recorder.capacity})`,
        });
      return true;
    }
    if (path === '/api/plugins') {
      json(res, 200, { versions: pluginLogs?.versions() ?? [] });
      return true;
    }
    if (path === '/api/plugins/logs') {
      const plugin = url.searchParams.get('plugin');
      if (!plugin) {
        json(res, 400, { error: 'query parameter "plugin" (namespace/name) is required' });
        return true;
      }
      json(res, 200, { lines: pluginLogs?.read(plugin, url.searchParams.get('version') ?? undefined) ?? [] });
      return true;
    }
    json(res, 404, { error: `no such dashboard API: ${path}` });
    return true;
  };
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The snapshot as the dashboard shows it: no private keys, and no plugin configuration bytes (they may hold
 * credentials, or be a file an operator did not mean to publish): their size and SHA-256 instead.
 */
function shownSnapshot(snapshot: Snapshot): unknown {
  const wasmPlugins: Record<string, unknown> = {};
  for (const [key, plugin] of Object.entries(snapshot.wasmPlugins)) {
    const { configBase64, ...serving } = plugin.serving;
    const config = configBase64 !== undefined ? Buffer.from(configBase64, 'base64') : undefined;
    wasmPlugins[key] = {
      ...plugin,
      serving: config
        ? { ...serving, config: { bytes: config.length, digest: `sha256:${sha256Hex(config)}` } }
        : serving,
    };
  }
  return {
    ...snapshot,
    wasmPlugins,
    ports: snapshot.ports.map((port) => ({
      ...port,
      listeners: port.listeners.map((l) =>
        l.tls
          ? { ...l, tls: { certificates: l.tls.certificates.map((c) => ({ ...c, keyPem: '[redacted]' })) } }
          : l,
      ),
    })),
  };
}

function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function intParam(url: URL, name: string, fallback: number): number {
  const n = Number(url.searchParams.get(name) ?? fallback);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}
