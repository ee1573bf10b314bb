// The seed's store app, locally: answers every request with the JSON the GKE walkthrough shows
// (cluster_name, host_header, metadata = the version it plays, pod_name, ...), so a user sees which backend a
// request reached and with which Host header.
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';

const EMOJIS = ['💇🏼‍♀️', '🧑🏽‍🍳', '🦜', '🌵', '🛶'];

export interface StoreApp {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts one store backend named `version` (e.g. `store-v1`) on `port` (0 = any free port). */
export async function startStoreApp(version: string, port: number, host = '127.0.0.1'): Promise<StoreApp> {
  const podName = `${version}-${process.pid.toString(16)}-${hostname().slice(0, 5)}`;
  const emoji = EMOJIS[[...version].reduce((sum, c) => sum + c.charCodeAt(0), 0) % EMOJIS.length];
  const server = createServer((req, res) => {
    // Drain the request body so keep-alive connections stay usable.
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify(
        {
          cluster_name: 'extgate-local',
          host_header: req.headers.host ?? '',
          metadata: version,
          pod_name: podName,
          pod_name_emoji: emoji,
          project_id: 'extgate-demo',
          timestamp: new Date().toISOString().slice(0, 19),
          zone: 'local',
        },
        null,
        2,
      );
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
