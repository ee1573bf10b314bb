// One bound socket (address:port) serving the Gateway listeners of a PortIR. Connections are accepted by a
// net.Server (HTTP) or tls.Server (HTTPS, certificate by SNI, ALPN h2 / http/1.1) and handed to one of two
// protocol servers that never listen themselves: node:http for HTTP/1.1, node:http2 for h2c prior knowledge
// and h2. The compiled snapshot (CompiledPort) is swapped by update(); the sockets stay up, so keep-alive and
// WebSocket connections survive unrelated config changes.

import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { DataPlaneLimits } from './limits.js';
import { Exchange } from './exchange.js';
import type { ProxyContext } from './context.js';
import type { DownstreamRequest, DownstreamResponse } from './downstream.js';
import { FramedResponse, type NodeResponse } from './framed-response.js';
import { contextForServername, type CompiledPort } from './compiled-port.js';
import { SocketResponse } from './upgrade.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

export class PortListener {
  private runtime: CompiledPort;
  private readonly acceptor: net.Server;
  private readonly h1: http.Server;
  private readonly h2: http2.Http2Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  constructor(
    runtime: CompiledPort,
    private readonly ctx: ProxyContext,
    private readonly limits: DataPlaneLimits,
    private readonly reusePort = false,
  ) {
    this.runtime = runtime;
    const onRequest = (
      req: http.IncomingMessage | http2.Http2ServerRequest,
      res: http.ServerResponse | http2.Http2ServerResponse,
    ): void => {
      const framed = new FramedResponse(res as unknown as NodeResponse, req.method === 'HEAD');
      if (
        req.rawHeaders.length > 2 * limits.maxHeaderCount &&
        headerCount(req.rawHeaders) > limits.maxHeaderCount
      )
        return this.tooManyHeaders(framed);
      // Capture the runtime now: this request finishes on the snapshot it started with.
      new Exchange(this.ctx, this.runtime, req as unknown as DownstreamRequest, framed).start();
    };
    this.h1 = http.createServer(
      {
        maxHeaderSize: limits.maxHeaderBytes,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: 0,
        keepAliveTimeout: limits.clientKeepAliveTimeoutMs,
        connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
        noDelay: true,
      },
      onRequest,
    );
    // Node keeps at most this many fields (dropping the rest silently): one more than allowed tells us.
    this.h1.maxHeadersCount = limits.maxHeaderCount + 1;
    this.h1.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    this.h1.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) =>
      this.onClientError(err, socket),
    );
    // The protocol server never listens; emitting 'listening' starts its connection tracking, which runs the
    // header timeout and closeIdleConnections().
    this.h1.emit('listening');
    this.h2 = http2.createServer(
      {
        maxSessionMemory: 32,
        // Pseudo-headers count here too; past this nghttp2 resets the stream instead of letting us answer 431.
        maxHeaderListPairs: limits.maxHeaderCount + 8,
        settings: {
          maxConcurrentStreams: limits.maxConcurrentStreams,
          maxHeaderListSize: limits.maxHeaderBytes,
        },
      },
      onRequest,
    );
    this.h2.setTimeout(limits.clientKeepAliveTimeoutMs);
    this.h2.on('session', (session: http2.ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      session.on('error', () => {});
    });
    this.h2.on('sessionError', () => {});

    if (runtime.ir.protocol === 'HTTPS') {
      const server = tls.createServer({
        ALPNProtocols: ['h2', 'http/1.1'],
        SNICallback: (servername, cb) => cb(null, contextForServername(this.runtime, servername)),
        handshakeTimeout: limits.headersTimeoutMs,
        ...this.defaultCertificate(runtime),
      });
      server.on('secureConnection', (socket: tls.TLSSocket) => {
        if (socket.alpnProtocol === 'h2') this.h2.emit('connection', socket);
        else this.h1.emit('connection', socket);
      });
      server.on('tlsClientError', (_err, socket) => socket.destroy());
      this.acceptor = server;
    } else {
      this.acceptor = net.createServer({ noDelay: true }, (socket) => this.sniff(socket));
    }
    this.acceptor.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get connections(): number {
    return this.sockets.size;
  }

  listen(): Promise<void> {
    const { address, port } = this.runtime.ir;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void =>
        reject(new Error(`cannot listen on ${address}:${port}: ${err.message}`));
      this.acceptor.once('error', onError);
      this.acceptor.listen({ host: address, port, backlog: 4096, reusePort: this.reusePort }, () => {
        this.acceptor.removeListener('error', onError);
        this.acceptor.on('error', () => {});
        resolve();
      });
    });
  }

  /** The port actually bound (differs from the IR's when it asked for port 0). */
  get boundPort(): number {
    const a = this.acceptor.address();
    return typeof a === 'object' && a !== null ? a.port : this.runtime.ir.port;
  }

  /** Swaps in a new snapshot. TLS contexts are per-handshake lookups, so they follow automatically. */
  update(runtime: CompiledPort): void {
    this.runtime = runtime;
    if (this.acceptor instanceof tls.Server) {
      const def = this.defaultCertificate(runtime);
      if (def.cert !== undefined) this.acceptor.setSecureContext(def);
    }
  }

  private defaultCertificate(runtime: CompiledPort): { cert?: string; key?: string } {
    const c = runtime.defaultCertificate;
    return c === undefined ? {} : { cert: c.certPem, key: c.keyPem };
  }

  /** h2c prior knowledge starts with the HTTP/2 preface; anything else is HTTP/1.x. */
  private sniff(socket: net.Socket): void {
    // A connection that sends nothing is closed after the header timeout (the protocol servers' own timers
    // start only once bytes arrive).
    const silent = (): void => void socket.destroy();
    socket.setTimeout(this.limits.headersTimeoutMs, silent);
    socket.on('error', () => {});
    const onReadable = (): void => {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) return;
      const n = Math.min(chunk.length, H2_PREFACE.length);
      const isH2 = chunk.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && n < H2_PREFACE.length) {
        socket.unshift(chunk);
        return; // wait for the rest of the preface
      }
      socket.removeListener('readable', onReadable);
      socket.setTimeout(0);
      socket.removeListener('timeout', silent);
      socket.unshift(chunk);
      if (isH2) this.h2.emit('connection', socket);
      else this.h1.emit('connection', socket);
    };
    socket.on('readable', onReadable);
  }

  /** More header fields than `maxHeaderCount`: 431, as Envoy answers past `max_headers_count`. */
  private tooManyHeaders(res: DownstreamResponse): void {
    this.ctx.stats.badRequests++;
    const body = `${http.STATUS_CODES[431]}\n`;
    res.writeHead(431, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const res = new SocketResponse(socket);
    if (headerCount(req.rawHeaders) > this.limits.maxHeaderCount) return this.tooManyHeaders(res);
    const x = new Exchange(this.ctx, this.runtime, req as unknown as DownstreamRequest, res);
    x.upgrade = { client: socket, head, value: String(req.headers.upgrade ?? 'websocket') };
    x.start();
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    this.ctx.stats.badRequests++;
    const code = err.code ?? '';
    if (
      code === 'ECONNRESET' ||
      !socket.writable ||
      (socket as net.Socket & { _httpMessage?: unknown })._httpMessage
    ) {
      socket.destroy();
      return;
    }
    // Header overflow is 431 (RFC 6585); a slow client's header timeout is 408; every parse error
    // (including conflicting Content-Length / Transfer-Encoding, the smuggling vector) is 400 and closes.
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = `${http.STATUS_CODES[status]}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts what is left. */
  async close(graceMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.acceptor.close(() => resolve());
      // close()'s callback waits for every connection; do not wait for it past the grace period below.
      setImmediate(resolve);
    });
    for (const s of this.sessions) s.close();
    const deadline = Date.now() + graceMs;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      this.h1.closeIdleConnections();
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const s of this.sockets) s.destroy();
    this.h1.close(() => {});
    this.h2.close();
  }
}

/** Header fields of a request as received, pseudo-headers (HTTP/2) not counted. */
function headerCount(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.charCodeAt(0) !== 58 /* ':' */) n++;
  return n;
}
