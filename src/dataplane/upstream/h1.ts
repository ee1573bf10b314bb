// HTTP/1.1 to backends on raw keep-alive sockets, parsed by Node's own llhttp binding (the HTTPParser that
// node:http uses, exposed by the `_http_common` module). Same UpstreamDispatcher contract as the undici pool;
// measured on the bench machine it needs ~26 µs of CPU per proxied request where undici's Pool needs ~39 µs
// (docs/benchmarks.md), because the parser runs natively and no per-request Request object is built.
//
// One request per connection at a time (no pipelining); idle connections are reused LIFO and dropped after
// the keep-alive timeout. A request that fails on a reused connection before any response byte arrived, and
// whose body was not started, is retried once on a fresh connection (the backend closed the idle socket).

import net from 'node:net';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { UpstreamDispatcher, UpstreamHandler, UpstreamRequest } from './dispatcher.js';
import { requestHead } from './request-head.js';

interface ParserInstance {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
  [key: number]: unknown;
}
interface ParserClass {
  new (): ParserInstance;
  readonly RESPONSE: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
  readonly kLenientNone: number;
}
const { HTTPParser } = createRequire(import.meta.url)('_http_common') as { HTTPParser: ParserClass };

const CRLF = '\r\n';
/** Headers timeouts at least this long are enforced by the pool's sweep (±1 s) instead of a timer each. */
const COARSE_TIMEOUT_MS = 5_000;

/** One exchange on a connection. */
interface Pending {
  readonly request: UpstreamRequest;
  readonly handler: UpstreamHandler;
  /** Connection was reused from the idle list (a failure before any byte may be a stale socket). */
  readonly reused: boolean;
  gotBytes: boolean;
  bodyStarted: boolean;
  bodyDone: boolean;
  done: boolean;
  timer: NodeJS.Timeout | undefined;
  /** Epoch ms by which response headers must arrive (0 = none); checked by the pool's sweep. */
  deadline: number;
  /** Removes this attempt's listeners from the request body. */
  detach: (() => void) | undefined;
}

class Connection {
  readonly socket: net.Socket;
  private readonly parser: ParserInstance;
  pending: Pending | undefined;
  idleSince = 0;
  private partialHeaders: string[] = [];
  private closed = false;

  constructor(
    private readonly pool: H1Upstream,
    host: string,
    port: number,
    maxHeaderSize: number,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    const parser = new HTTPParser();
    parser.initialize(HTTPParser.RESPONSE, {}, maxHeaderSize, HTTPParser.kLenientNone);
    this.parser = parser;
    parser[HTTPParser.kOnHeaders] = (headers: string[]) => {
      // Large header blocks (and trailers) arrive in pieces before headers-complete / message-complete.
      for (const h of headers) this.partialHeaders.push(h);
    };
    parser[HTTPParser.kOnHeadersComplete] = (
      _major: number,
      _minor: number,
      headers: string[] | undefined,
      _method: unknown,
      _url: unknown,
      status: number,
      statusMessage: string,
      _upgrade: boolean,
      shouldKeepAlive: boolean,
    ): number => {
      // `Connection: close` or HTTP/1.0 without keep-alive: do not reuse the socket for another request.
      this.keepAlive = shouldKeepAlive;
      return this.onHeadersComplete(headers, status, statusMessage);
    };
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => {
      const p = this.pending;
      if (p === undefined || p.done) return;
      // llhttp keeps parsing the buffer it was given after the handler said "pause"; hold those events.
      if (this.held !== undefined) this.held.push(chunk);
      else if (!p.handler.onData(chunk)) this.hold();
    };
    parser[HTTPParser.kOnMessageComplete] = () => this.onMessageComplete();
    this.socket.on('data', (data: Buffer) => {
      if (this.closed) return;
      // Paused by the handler: stop reading after this chunk (its events are held), so at most one read
      // is buffered. Pausing lazily saves two syscalls per response whose bytes came in one read.
      if (this.held !== undefined && !this.socketPaused) {
        this.socketPaused = true;
        this.socket.pause();
      }
      const p = this.pending;
      if (p !== undefined) p.gotBytes = true;
      const r = parser.execute(data);
      if (r instanceof Error)
        this.failCurrent(
          Object.assign(new Error(`invalid response from backend: ${r.message}`), { code: 'UND_ERR_SOCKET' }),
        );
    });
    this.socket.on('end', () => {
      if (this.closed) return;
      // A response delimited by connection close ends here.
      const r = parser.finish();
      if (r instanceof Error) this.failCurrent(r);
      this.destroy(Object.assign(new Error('backend closed the connection'), { code: 'ECONNRESET' }));
    });
    this.socket.on('error', (err) => this.destroy(err));
    this.socket.on('close', () =>
      this.destroy(Object.assign(new Error('backend connection closed'), { code: 'ECONNRESET' })),
    );
  }

  private final = false;
  private keepAlive = true;
  /** Events parsed while the handler asked to pause, replayed in order by release of the hold. */
  private held: Array<Buffer | { trailers: string[] | null }> | undefined;

  private socketPaused = false;

  private hold(): void {
    this.held ??= [];
  }

  private resumeSocket(): void {
    if (this.socketPaused && !this.closed) {
      this.socketPaused = false;
      this.socket.resume();
    }
  }

  private unhold(): void {
    const p = this.pending;
    const queue = this.held;
    this.held = undefined;
    if (queue !== undefined && p !== undefined) {
      while (queue.length > 0) {
        const e = queue.shift()!;
        if (Buffer.isBuffer(e)) {
          if (!p.done && !p.handler.onData(e)) {
            this.held = queue;
            return;
          }
        } else {
          this.complete(p, e.trailers);
          return;
        }
      }
    }
    this.resumeSocket();
  }

  private onHeadersComplete(headers: string[] | undefined, status: number, statusMessage: string): number {
    const raw = headers ?? this.partialHeaders;
    this.partialHeaders = [];
    const p = this.pending;
    if (p === undefined || p.done) return 0;
    // 1xx (e.g. 103 Early Hints) are informational: the final response follows on the same message stream.
    if (status < 200 && status !== 101) return 0;
    this.final = true;
    p.deadline = 0;
    if (p.timer !== undefined) {
      clearTimeout(p.timer);
      p.timer = undefined;
    }
    if (!p.handler.onHeaders(status, raw, () => this.unhold(), statusMessage)) this.hold();
    // 1 tells llhttp there is no body (HEAD), whatever the headers say.
    return p.request.method === 'HEAD' ? 1 : 0;
  }

  private onMessageComplete(): void {
    const p = this.pending;
    if (p === undefined || !this.final) return;
    this.final = false;
    const trailers = this.partialHeaders.length > 0 ? this.partialHeaders : null;
    this.partialHeaders = [];
    if (this.held !== undefined) this.held.push({ trailers });
    else this.complete(p, trailers);
  }

  private complete(p: Pending, trailers: string[] | null): void {
    if (this.pending !== p || p.done) return;
    this.pending = undefined;
    this.resumeSocket();
    p.done = true;
    // A body still being sent means the connection is mid-request: it cannot be reused.
    const reusable = this.keepAlive && (p.request.body === null || p.bodyDone);
    if (reusable) this.pool.release(this);
    else {
      p.detach?.();
      this.destroy(undefined);
    }
    p.handler.onComplete(trailers);
  }

  start(p: Pending): void {
    this.pending = p;
    this.final = false;
    this.held = undefined;
    const { request } = p;
    const head = requestHead(request.method, request.path, request.headers, request.body !== null);
    if (typeof head === 'string') {
      this.pending = undefined;
      this.pool.release(this);
      p.done = true;
      p.handler.onError(Object.assign(new Error(`${head} for the backend`), { code: 'UND_ERR_INVALID_ARG' }));
      return;
    }
    if (request.headersTimeout >= COARSE_TIMEOUT_MS) {
      // Long timeouts (the 30 s default) are checked by the pool's once-a-second sweep: no timer per request.
      p.deadline = Date.now() + request.headersTimeout;
    } else if (request.headersTimeout > 0) {
      p.timer = setTimeout(() => {
        p.timer = undefined;
        this.fail(
          p,
          Object.assign(new Error('upstream headers timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' }),
        );
      }, request.headersTimeout);
    }
    p.handler.onConnect((reason) => this.fail(p, reason ?? new Error('aborted'), true));
    if (p.done) return;
    this.socket.write(head.text, 'latin1');
    if (request.body !== null)
      this.sendBody(p, request.body, head.chunked ? -1 : head.contentLength, request.trailers);
  }

  /**
   * Streams the body: chunked when `contentLength` is -1, else exactly `contentLength` bytes. A body longer
   * or shorter than that fails this exchange and closes its connection before a wrong byte reaches the
   * backend, so the connection never returns to the pool with the backend out of step.
   */
  private sendBody(
    p: Pending,
    body: Readable,
    contentLength: number,
    trailers: UpstreamRequest['trailers'],
  ): void {
    const socket = this.socket;
    const chunked = contentLength < 0;
    let remaining = contentLength;
    const mismatch = (what: string): void => {
      cleanup();
      this.fail(
        p,
        Object.assign(new Error(`request body ${what} than its content-length (${contentLength})`), {
          code: 'EXTGATE_BODY_LENGTH_MISMATCH',
        }),
        true,
      );
    };
    const onData = (chunk: Buffer): void => {
      p.bodyStarted = true;
      if (p.done || chunk.length === 0) return;
      let ok: boolean;
      if (chunked) {
        socket.cork();
        socket.write(`${chunk.length.toString(16)}${CRLF}`);
        socket.write(chunk);
        ok = socket.write(CRLF);
        socket.uncork();
      } else {
        remaining -= chunk.length;
        if (remaining < 0) return mismatch('longer');
        ok = socket.write(chunk);
      }
      if (!ok) {
        body.pause();
        socket.once('drain', () => body.resume());
      }
    };
    const onEnd = (): void => {
      if (!chunked && remaining !== 0 && !p.done) return mismatch('shorter');
      cleanup();
      p.bodyDone = true;
      if (chunked && !p.done) socket.write(`0${CRLF}${trailerLines(trailers?.() ?? [])}${CRLF}`, 'latin1');
    };
    const onError = (err: Error): void => {
      cleanup();
      this.fail(p, err, true);
    };
    const cleanup = (): void => {
      p.detach = undefined;
      body.removeListener('data', onData);
      body.removeListener('end', onEnd);
      body.removeListener('error', onError);
    };
    p.detach = cleanup;
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  }

  /** Ends exchange `p` with an error and drops the connection, unless `p` is over (then: nothing to do). */
  fail(p: Pending, err: Error, fromCaller = false): void {
    if (this.pending !== p || p.done) return;
    this.pending = undefined;
    this.destroy(undefined);
    this.finishWithError(p, err, fromCaller);
  }

  checkDeadline(now: number): void {
    const p = this.pending;
    if (p !== undefined && p.deadline > 0 && now >= p.deadline) {
      this.fail(p, Object.assign(new Error('upstream headers timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
    }
  }

  /** The connection broke: fail whatever exchange is on it. */
  private failCurrent(err: Error): void {
    const p = this.pending;
    if (p !== undefined) this.fail(p, err);
    else this.destroy(undefined);
  }

  private finishWithError(p: Pending, err: Error, fromCaller: boolean): void {
    p.done = true;
    p.detach?.();
    if (p.timer !== undefined) clearTimeout(p.timer);
    // The backend closed a kept-alive socket just as we reused it: nothing was processed, try a new one.
    if (!fromCaller && p.reused && !p.gotBytes && !p.bodyStarted) {
      this.pool.dispatch(p.request, p.handler, true);
      return;
    }
    p.handler.onError(err);
  }

  destroy(err: Error | undefined): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.pool.forget(this);
    this.socket.destroy();
    // Never free the native parser under a running execute() (this may be called from its callbacks).
    setImmediate(() => this.parser.close());
    const p = this.pending;
    this.pending = undefined;
    if (p !== undefined && !p.done && err !== undefined) this.finishWithError(p, err, false);
  }
}

export class H1Upstream implements UpstreamDispatcher {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly sweeper: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly keepAliveMs: number,
    private readonly maxHeaderSize: number,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(1_000, Math.max(250, keepAliveMs / 2)));
    this.sweeper.unref();
  }

  dispatch(request: UpstreamRequest, handler: UpstreamHandler, fresh = false): void {
    if (this.closing) {
      handler.onError(Object.assign(new Error('upstream pool closed'), { code: 'ECONNREFUSED' }));
      return;
    }
    let conn: Connection | undefined;
    const now = Date.now();
    while (!fresh && (conn = this.idle.pop()) !== undefined) {
      if (now - conn.idleSince < this.keepAliveMs) break;
      conn.destroy(undefined);
      conn = undefined;
    }
    const reused = conn !== undefined;
    if (conn === undefined) {
      conn = new Connection(this, this.host, this.port, this.maxHeaderSize);
      this.all.add(conn);
    }
    conn.start({
      request,
      handler,
      reused,
      gotBytes: false,
      bodyStarted: false,
      bodyDone: false,
      done: false,
      timer: undefined,
      deadline: 0,
      detach: undefined,
    });
  }

  release(conn: Connection): void {
    if (this.closing) {
      conn.destroy(undefined);
      return;
    }
    conn.idleSince = Date.now();
    this.idle.push(conn);
  }

  forget(conn: Connection): void {
    this.all.delete(conn);
    const at = this.idle.indexOf(conn);
    if (at >= 0) this.idle.splice(at, 1);
  }

  private sweep(): void {
    const now = Date.now();
    for (const conn of [...this.idle]) if (now - conn.idleSince >= this.keepAliveMs) conn.destroy(undefined);
    for (const conn of this.all) conn.checkDeadline(now);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    for (const conn of [...this.idle]) conn.destroy(undefined);
    // Busy connections finish their exchange, then release() closes them.
    while ([...this.all].some((c) => c.pending !== undefined)) await new Promise((r) => setTimeout(r, 50));
  }

  async destroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    for (const conn of [...this.all])
      conn.destroy(Object.assign(new Error('upstream pool destroyed'), { code: 'ECONNRESET' }));
  }
}

/** Trailer fields of a chunked body; names and values were checked on the way in (Node's parser, mutations). */
function trailerLines(trailers: ReadonlyArray<readonly [string, string]>): string {
  let out = '';
  for (const [name, value] of trailers) out += `${name}: ${value}${CRLF}`;
  return out;
}
