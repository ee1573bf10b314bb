// The embedded Kubernetes-compatible API server: HTTPS on loopback, bearer-token auth, discovery, OpenAPI stubs,
// and the resource endpoints. Entry point for `extgate up` and for tests: startApiServer().
import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import type { Admit } from '../api/types.js';
import { seedBuiltins } from './builtins.js';
import type { OpenApiSchemaSource } from './discovery.js';
import { openApiDocs, type OpenApiDocs } from './openapi.js';
import { handleRequest, type Handler } from './handler.js';
import { Resources, type Defaulter, type UnknownFields } from './resources.js';
import { ObjectStore } from './store.js';
import { apiVersionOf, KINDS } from '../api/kinds.js';
import { CrdController } from './crd/controller.js';
import { publishedSchema } from './crd/definition.js';
import { KindTable } from './crd/kind-table.js';
import { GarbageCollector } from './gc.js';
import { SystemWriter } from './system-writer.js';
import { privateDir, privateFiles } from './private-files.js';
import { loadOrCreateTls, loadOrCreateToken, privateKeyFiles, writeKubeconfig } from './tls.js';
import { WatchHub } from './watch.js';

export interface ApiServerOptions {
  stateDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Loopback only; default 127.0.0.1 (the certificate names 127.0.0.1 and localhost). */
  host?: string;
  /** Admission (src/api/admission.ts in the product): runs on create/update/patch before anything is stored. */
  admit?: Admit;
  /** Schema hook: unknown field paths of an object, for `fieldValidation` (docs/spec/kubernetes-api.md §7). */
  unknownFields?: UnknownFields;
  /** Schema defaulting of custom resources (Gateway API CRD defaults), applied to what is stored. */
  defaults?: Defaulter;
  /** Interval of watch bookmarks (default 60 s, as kube-apiserver); tests shorten it. */
  bookmarkIntervalMs?: number;
  /** Longest watch when the client sets no timeoutSeconds (default 30–60 min, as kube-apiserver). */
  maxWatchSeconds?: number;
  /** OpenAPI v3 schemas of the custom kinds: published for `kubectl explain` and in the CRD objects. */
  openApiSchema?: OpenApiSchemaSource;
  /** Changes kept for resuming watches (default WATCH_HISTORY); older resourceVersions get 410 Expired. */
  watchHistory?: number;
}

export interface ApiServer {
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly token: string;
  readonly caPem: string;
  readonly port: number;
  /** OpenAPI publishing; `openApi.schemas.setKindSchema` publishes a kind added at run time (a CRD). */
  readonly openApi: OpenApiDocs;
  close(): Promise<void>;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header || !header.startsWith('Bearer ')) return false;
  const got = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1';
  privateDir(opts.stateDir);
  const tls = loadOrCreateTls(opts.stateDir);
  const token = loadOrCreateToken(opts.stateDir);
  const secrets = (...names: string[]) => names.map((n) => join(opts.stateDir, n));
  // store.db is created 0600 before SQLite opens it: SQLite gives its -wal/-shm the database file's mode.
  privateFiles(secrets('store.db'), undefined, true);
  privateFiles(secrets('store.db-wal', 'store.db-shm', 'token', ...privateKeyFiles));
  const store = new ObjectStore(opts.stateDir, KINDS);
  seedBuiltins(store, opts.openApiSchema);
  const hub = new WatchHub(store, opts.watchHistory);
  const kinds = new KindTable();
  const crds = new CrdController(store, kinds);
  const resources = new Resources(store, opts.admit, opts.unknownFields, opts.defaults, kinds, crds, (k) => {
    const own = crds.schemaOf(k);
    return own ? publishedSchema(own) : opts.openApiSchema?.(apiVersionOf(k), k.kind);
  });
  const writer = new SystemWriter(resources);
  crds.start(writer);
  const gc = new GarbageCollector(store, kinds, writer);
  const stopControllers = () => {
    gc.close();
    crds.close();
    stopOpenApi();
  };
  // CRD-defined kinds publish their own schemas, the fixed custom kinds the product's; the documents are
  // rebuilt whenever a CRD changes what is served.
  const openApi = openApiDocs((apiVersion, kind) => {
    const k = kinds.of(apiVersion, kind);
    const own = k ? crds.schemaOf(k) : undefined;
    return own ? publishedSchema(own) : opts.openApiSchema?.(apiVersion, kind);
  }, kinds);
  const stopOpenApi = kinds.onChange(() => openApi.schemas.changed());
  const watches = new Set<() => void>();
  const sockets = new Set<Socket>();
  let active = 0;

  const handler: Handler = {
    store,
    hub,
    resources,
    kinds,
    watches,
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
    maxWatchSeconds: opts.maxWatchSeconds,
    openApi,
    serverAddress: '',
  };

  const server: Server = createServer(
    { key: tls.keyPem, cert: tls.certPem },
    (req: IncomingMessage, res: ServerResponse) => {
      if (!tokenMatches(req.headers.authorization, token) && !isHealth(req.url)) {
        res.writeHead(401, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: 'Unauthorized',
            reason: 'Unauthorized',
            code: 401,
          }),
        );
        return;
      }
      active++;
      res.on('close', () => active--);
      handleRequest(handler, req, res).catch((err: unknown) => {
        process.stderr.write(
          `apiserver: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
        );
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(
            JSON.stringify({
              kind: 'Status',
              apiVersion: 'v1',
              metadata: {},
              status: 'Failure',
              message: 'Internal error occurred',
              reason: 'InternalError',
              code: 500,
            }),
          );
        } else res.destroy();
      });
    },
  );
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 65_000;
  const front = tlsOrPlainHttp(server);

  try {
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(opts.port, host, () => {
        front.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    stopControllers();
    hub.close();
    store.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(
        `the API port ${host}:${opts.port} is in use: stop what listens there or pass another --api-port`,
      );
    throw err;
  }
  const port = (front.address() as AddressInfo).port;
  handler.serverAddress = `${host}:${port}`;
  const url = `https://${host}:${port}`;
  const kubeconfigPath = writeKubeconfig(opts.stateDir, url, tls.caPem, token);
  privateFiles([kubeconfigPath, ...secrets('store.db-wal', 'store.db-shm')]);

  let closed = false;
  return {
    url,
    kubeconfigPath,
    openApi,
    token,
    caPem: tls.caPem,
    port,
    async close() {
      if (closed) return;
      closed = true;
      for (const stop of [...watches]) stop();
      await new Promise<void>((resolve) => {
        front.close(() => resolve());
        server.closeIdleConnections();
        // Drain in-flight requests (bounded), then drop the keep-alive connections clients still hold.
        const deadline = Date.now() + 2000;
        const drain = setInterval(() => {
          if (active === 0 || Date.now() > deadline) {
            clearInterval(drain);
            server.closeAllConnections();
            for (const s of sockets) s.destroy();
          }
        }, 10);
      });
      stopControllers();
      hub.close();
      store.close();
    },
  };
}

/** Go's net/http answer to plain HTTP on a TLS port, which kube-apiserver (and so kubectl users) show. */
const PLAIN_HTTP_ANSWER = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';
/** A connection that sends nothing is dropped after this long (the TLS handshake timeout takes over after). */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

/**
 * The listening socket: each connection's first byte decides. A TLS handshake record (0x16) goes to the HTTPS
 * server; anything else (an `http://` URL in a kubeconfig, curl without https) gets kube-apiserver's 400
 * instead of a TLS alert the client cannot read.
 */
function tlsOrPlainHttp(https: Server): NetServer {
  return createNetServer((socket) => {
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      if (first[0] !== 0x16) {
        socket.end(PLAIN_HTTP_ANSWER);
        return;
      }
      socket.unshift(first);
      https.emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
    socket.on('error', () => socket.destroy());
  });
}

function isHealth(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  return path === '/healthz' || path === '/readyz' || path === '/livez';
}
