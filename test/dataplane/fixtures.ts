// Test fixtures: snapshot builders and real loopback backends. No mocks: every backend is a real server.

import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type {
  BackendIR,
  ExtensionChainIR,
  GatewayListenerIR,
  HttpEvent,
  HttpFilterIR,
  PortIR,
  RouteMatchIR,
  RouteRuleIR,
  Snapshot,
  TlsIR,
  UpstreamProtocol,
} from '../../src/ir/snapshot.js';
import { DataPlane, type DataPlaneOptions } from '../../src/dataplane/gateway.js';
import type { Extension, HeaderMap } from '../../src/extensions/extension.js';
import { passThroughStream } from '../support/pass-through-stream.js';

/** A backend that answers JSON describing what it received, like the seed's `store` app. */
export interface EchoBackend {
  readonly name: string;
  readonly port: number;
  readonly requests: number;
  close(): Promise<void>;
}

export interface Echo {
  metadata: string;
  host_header: string;
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
}

export async function echoBackend(name: string, protocol: 'http1' | 'h2c' = 'http1'): Promise<EchoBackend> {
  let requests = 0;
  const handler = (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ): void => {
    requests++;
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => (bodyBytes += c.length));
    req.on('end', () => {
      const echo: Echo = {
        metadata: name,
        host_header: String(req.headers.host ?? req.headers[':authority'] ?? ''),
        path: req.url ?? '',
        method: req.method ?? '',
        headers: req.headers,
        bodyBytes,
      };
      const body = JSON.stringify(echo);
      (res as http.ServerResponse).writeHead(200, {
        'content-type': 'application/json',
        'x-backend': name,
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  };
  const server = protocol === 'h2c' ? http2.createServer(handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((r) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => r());
        if (!('closeAllConnections' in server)) setTimeout(r, 50);
      }),
  };
}

/**
 * A traffic chain with no extensions of its own and no match condition: a test's `compileChains` hands in the
 * member that runs in it.
 */
export const MEMBER_CHAIN: ExtensionChainIR = {
  id: 'GCPTrafficExtension/default/e/chain1',
  name: 'chain1',
  resource: 'default/e',
  resourceKind: 'GCPTrafficExtension',
  match: [],
  extensions: [],
};

/** A member of MEMBER_CHAIN on `events` that runs `edit` on the request headers (none: edits nothing). */
export function member(events: HttpEvent[], edit?: (h: HeaderMap) => void): Extension {
  return {
    id: `${MEMBER_CHAIN.id}/m`,
    failOpen: false,
    events: new Set(events),
    open: () => ({ ...passThroughStream(), requestHeaders: async (h) => (edit?.(h), {}) }),
  };
}

export function backend(
  id: string,
  port: number | number[],
  protocol: UpstreamProtocol = 'http1',
): BackendIR {
  const ports = Array.isArray(port) ? port : [port];
  return { id, protocol, endpoints: ports.map((p) => ({ address: '127.0.0.1', port: p })) };
}

let ruleSeq = 0;

export interface RuleSpec {
  route?: string;
  hostnames?: string[];
  match?: Partial<RouteMatchIR>;
  filters?: HttpFilterIR[];
  backends?: Array<BackendIR | { backend: BackendIR; weight: number; filters?: HttpFilterIR[] }>;
  timeouts?: RouteRuleIR['timeouts'];
}

export function rule(spec: RuleSpec): RouteRuleIR {
  const n = ruleSeq++;
  const route = spec.route ?? `default/route-${n}`;
  return {
    id: `${route}/${n}/0`,
    ruleId: `${route}/${n}`,
    route,
    hostnames: spec.hostnames ?? [],
    match: {
      path: spec.match?.path ?? { type: 'PathPrefix', value: '/' },
      headers: spec.match?.headers ?? [],
      queryParams: spec.match?.queryParams ?? [],
      ...(spec.match?.method !== undefined ? { method: spec.match.method } : {}),
    },
    filters: spec.filters ?? [],
    backends: (spec.backends ?? []).map((b) =>
      'backend' in b
        ? { weight: b.weight, backend: b.backend, filters: b.filters ?? [] }
        : { weight: 1, backend: b, filters: [] },
    ),
    timeouts: spec.timeouts ?? {},
  };
}

export function listener(routes: RouteRuleIR[], extra: Partial<GatewayListenerIR> = {}): GatewayListenerIR {
  return {
    id: 'default/gw/http',
    gateway: 'default/gw',
    gatewayClass: 'gke-l7-regional-external-managed',
    specPort: 80,
    routes,
    routingChains: [],
    trafficChains: [],
    ...extra,
  };
}

export function port(
  listeners: GatewayListenerIR[],
  protocol: 'HTTP' | 'HTTPS' = 'HTTP',
  portNumber = 0,
): PortIR {
  return { address: '127.0.0.1', port: portNumber, protocol, listeners };
}

let version = 1;
export function snapshot(ports: PortIR[]): Snapshot {
  return { version: version++, ports, wasmPlugins: {} };
}

export function tlsOf(certPem: string, keyPem: string, secret = 'default/cert'): TlsIR {
  return { certificates: [{ secret, certPem, keyPem }] };
}

/** Starts a DataPlane on `snap` and returns it with the bound port of its first port. */
export async function startGateway(
  snap: Snapshot,
  options: DataPlaneOptions = {},
): Promise<{ gw: DataPlane; port: number }> {
  const gw = new DataPlane(options);
  await gw.apply(snap);
  return { gw, port: gw.ports()[0]!.boundPort };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request on a fresh connection. */
export function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string | Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function echoOf(a: Answer): Echo {
  return JSON.parse(a.body) as Echo;
}

/** A self-signed EC certificate for `names` (first is the CN), made with openssl. */
export function selfSigned(names: string[]): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-cert-'));
  try {
    const san = names.map((n) => `DNS:${n}`).join(',');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${names[0]}`,
        '-addext',
        `subjectAltName=${san}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Answers with the request body it received: over HTTP/1.1 with content-length; over h2c in the DATA frame
 * that carries END_STREAM (node:http2's core API; its compatibility API sends END_STREAM in a separate empty
 * DATA frame).
 */
export async function bodyEcho(protocol: 'http1' | 'h2c'): Promise<{ port: number; close(): void }> {
  const got = (body: Buffer): string => (body.length > 64 ? `${body.length} bytes` : body.toString());
  let server: http.Server | http2.Http2Server;
  if (protocol === 'h2c') {
    const h2 = http2.createServer();
    h2.on('stream', (stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        stream.respond({ ':status': 200, 'content-type': 'text/plain', 'x-backend-got': got(body) });
        stream.end(body);
      });
    });
    server = h2;
  } else {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(200, {
          'content-type': 'text/plain',
          'content-length': body.length,
          'x-backend-got': got(body),
        });
        res.end(body);
      });
    });
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      server.close();
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** HTTP/1.1 POST to /serviceextensions with these headers; `send` writes the body (and ends the request). */
export function postH1With(
  p: number,
  headers: http.OutgoingHttpHeaders,
  send: (req: http.ClientRequest) => void,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: p, path: '/serviceextensions', method: 'POST', agent: false, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    send(req);
  });
}

/** HTTP/1.1 POST with content-length, the body written with the headers. */
export function postH1(p: number, body: string | Buffer): Promise<Reply> {
  return postH1With(p, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }, (req) =>
    req.end(body),
  );
}

/** h2c POST whose body goes in the DATA frame that ends the stream. */
export function postH2c(p: number, body: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${p}`);
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': '/serviceextensions',
      ':authority': 'store.example.com',
      'content-type': 'text/plain',
    });
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    req.on('response', (h) => {
      status = Number(h[':status']);
      headers = h;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      session.close();
      resolve({ status, headers, body: Buffer.concat(chunks).toString() });
    });
    req.on('error', reject);
    req.end(body);
  });
}
