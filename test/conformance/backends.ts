// Echo backends standing in for the conformance suite's Pods: one HTTP server per Service on a loopback port
// (reached through test/e2e/manifests.ts's loopbackService), answering what the suite's echo server answers:
// the namespace and pod that served the request, and the request as received (path with its query, Host,
// method, headers). Like the suite's echo server, `?delay=1s` holds the answer back (the timeout tests), and
// the paths it served are kept, as the suite reads them from the echo Pod's log (the mirror tests), and
// `X-Echo-Set-Header: Name:value,Name2:value2` sets response headers (the response header tests).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  createServer as createH2cServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { parseDurationMs } from '../../src/controller/translator/duration.js';

export interface EchoBackend {
  namespace: string;
  service: string;
  server: Server;
  /** HTTP/1.1, and WebSocket on `/ws` (echoing each message back, as the suite's echo server does). */
  port: number;
  /** The same answers over h2c (prior knowledge), the suite's `second-port` with appProtocol kubernetes.io/h2c. */
  h2c: Http2Server;
  h2cPort: number;
  /** Paths (with query) served since the last `seen.length = 0`, oldest first. */
  seen: string[];
}

/** What the echo server answers: the suite reads `namespace` and `pod` (prefixed by the Service name). */
export interface EchoAnswer {
  path: string;
  host: string;
  method: string;
  namespace: string;
  pod: string;
  headers: Record<string, string[]>;
}

/** The longest `?delay=` honoured: a hostile or mistaken value must not hold a test for minutes. */
const MAX_DELAY_MS = 5_000;

export async function startEcho(namespace: string, service: string): Promise<EchoBackend> {
  const seen: string[] = [];
  const answer = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    const path = req.url ?? '';
    seen.push(path);
    if (seen.length > 5000) seen.shift();
    req.resume();
    req.on('end', () => {
      const headers: Record<string, string[]> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        (headers[name] ??= []).push(req.rawHeaders[i + 1]!);
      }
      const echo: EchoAnswer = {
        path,
        host: req.headers.host ?? String(req.headers[':authority'] ?? ''),
        method: req.method ?? '',
        namespace,
        pod: `${service}-0`,
        headers,
      };
      const body = JSON.stringify(echo);
      const delay = new URLSearchParams(path.split('?')[1] ?? '').get('delay');
      const delayMs = Math.min(MAX_DELAY_MS, (delay && parseDurationMs(delay)) || 0);
      const timer = setTimeout(() => {
        if (res.destroyed) return;
        for (const pair of String(req.headers['x-echo-set-header'] ?? '').split(',')) {
          const colon = pair.indexOf(':');
          if (colon > 0) {
            const name = pair.slice(0, colon).trim();
            const previous = res.getHeader(name);
            const value = pair.slice(colon + 1).trim();
            res.setHeader(name, previous === undefined ? value : [...[previous].flat().map(String), value]);
          }
        }
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Content-Length', Buffer.byteLength(body));
        res.end(body);
      }, delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  };
  const server = createServer(answer);
  const sockets = new WebSocketServer({ noServer: true });
  sockets.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/ws') return socket.destroy();
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });
  server.on('close', () => sockets.close());
  const h2c = createH2cServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => h2c.listen(0, '127.0.0.1', resolve));
  return {
    namespace,
    service,
    server,
    port: (server.address() as AddressInfo).port,
    h2c,
    h2cPort: (h2c.address() as AddressInfo).port,
    seen,
  };
}
