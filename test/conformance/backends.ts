// Echo backends standing in for the conformance suite's Pods: one HTTP server per Service on a loopback port
// (reached through test/e2e/manifests.ts's loopbackService), answering what the suite's echo server answers:
// the namespace and pod that served the request, and the request as received.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoBackend {
  namespace: string;
  service: string;
  server: Server;
  port: number;
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

export async function startEcho(namespace: string, service: string): Promise<EchoBackend> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const headers: Record<string, string[]> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        (headers[name] ??= []).push(req.rawHeaders[i + 1]!);
      }
      const answer: EchoAnswer = {
        path: req.url ?? '',
        host: req.headers.host ?? '',
        method: req.method ?? '',
        namespace,
        pod: `${service}-0`,
        headers,
      };
      const body = JSON.stringify(answer);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { namespace, service, server, port: (server.address() as AddressInfo).port };
}
