// The admin port: health, readiness, Prometheus metrics, and (later) the dashboard. Bound to 127.0.0.1 by
// default because traces and config shown here are not for the outside world.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { allowedHostSet, hostAllowed } from './host-check.js';

export type AdminRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface AdminServerOptions {
  host: string;
  port: number;
  /** Ready once the API serves and the controller has finished its first full sync. */
  isReady: () => boolean;
  /** What /metrics serves: a prom-client Registry, or the gateway's merge of every worker's. */
  metrics: { readonly contentType: string; metrics(): Promise<string> };
  /** Extra handlers tried in order before the built-in 404 (the dashboard, traces). */
  routes?: AdminRoute[];
  /** Host names besides IP literals and `localhost` that may read /metrics (DNS rebinding guard). */
  allowedHosts?: readonly string[];
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const allowed = allowedHostSet(opts.allowedHosts);
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    switch (url.pathname) {
      case '/healthz':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      case '/readyz': {
        const ready = opts.isReady();
        res
          .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
          .end(ready ? 'ok\n' : 'not ready\n');
        return;
      }
      case '/metrics': {
        if (!hostAllowed(req.headers.host, allowed)) {
          res
            .writeHead(403, { 'content-type': 'text/plain' })
            .end('Host not allowed: scrape /metrics by IP address or localhost\n');
          return;
        }
        const body = await opts.metrics.metrics();
        res.writeHead(200, { 'content-type': opts.metrics.contentType }).end(body);
        return;
      }
    }
    for (const route of opts.routes ?? []) {
      if (await route(req, res, url)) return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new Error(
              `the admin port ${opts.host}:${opts.port} cannot be opened (${err.code}): ` +
                (err.code === 'EACCES' ? 'ports below 1024 need root' : 'something else listens there') +
                '; pass another --admin-port',
            )
          : err,
      ),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
