// HTTP/2 over cleartext (prior knowledge) to backends whose Service port says `appProtocol: kubernetes.io/h2c`
// or `HTTP2`. One multiplexed session per endpoint, re-opened when the backend closes or sends GOAWAY.

import http2 from 'node:http2';
import type { UpstreamDispatcher, UpstreamHandler, UpstreamRequest } from './dispatcher.js';
import { h2FieldValue } from './h2-fields.js';

const {
  HTTP2_HEADER_METHOD,
  HTTP2_HEADER_PATH,
  HTTP2_HEADER_AUTHORITY,
  HTTP2_HEADER_SCHEME,
  HTTP2_HEADER_STATUS,
} = http2.constants;

export class H2cUpstream implements UpstreamDispatcher {
  private session: http2.ClientHttp2Session | undefined;
  private closed = false;

  constructor(
    private readonly origin: string,
    private readonly idleMs: number,
  ) {}

  private connect(): http2.ClientHttp2Session {
    const live = this.session;
    if (live !== undefined && !live.closed && !live.destroyed) return live;
    const session = http2.connect(this.origin);
    // Errors are delivered to the streams; this keeps a session-level error from being unhandled.
    session.on('error', () => {});
    session.setTimeout(this.idleMs, () => {
      if (session.destroyed) return;
      session.close();
    });
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.once('close', forget);
    session.once('goaway', forget);
    this.session = session;
    return session;
  }

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.closed) {
      handler.onError(Object.assign(new Error('upstream closed'), { code: 'ECONNREFUSED' }));
      return;
    }
    let session: http2.ClientHttp2Session;
    try {
      session = this.connect();
    } catch (err) {
      handler.onError(err as Error);
      return;
    }
    const headers: http2.OutgoingHttpHeaders = {
      [HTTP2_HEADER_METHOD]: request.method,
      [HTTP2_HEADER_PATH]: request.path,
      [HTTP2_HEADER_SCHEME]: 'http',
    };
    for (const name in request.headers) {
      if (name === 'host') headers[HTTP2_HEADER_AUTHORITY] = request.headers[name];
      else headers[name] = h2FieldValue(name, request.headers[name]!);
    }
    let stream: http2.ClientHttp2Stream;
    try {
      // With a body, the stream ends with a trailers frame (empty when there are none) so the request's
      // trailers, which arrive after the body, can still go out.
      const withTrailers = request.body !== null && request.trailers !== undefined;
      stream = session.request(headers, { endStream: request.body === null, waitForTrailers: withTrailers });
      if (withTrailers)
        stream.once('wantTrailers', () => stream.sendTrailers(trailerObject(request.trailers!())));
    } catch (err) {
      handler.onError(err as Error);
      return;
    }
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      handler.onError(err);
    };
    let timer: NodeJS.Timeout | undefined;
    if (request.headersTimeout > 0) {
      timer = setTimeout(() => {
        const err = Object.assign(new Error('upstream headers timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
        stream.close(http2.constants.NGHTTP2_CANCEL);
        fail(err);
      }, request.headersTimeout);
    }
    handler.onConnect((reason) => {
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
      fail(reason ?? new Error('aborted'));
    });
    stream.on('response', (h, flags: number) => {
      if (timer !== undefined) clearTimeout(timer);
      const status = Number(h[HTTP2_HEADER_STATUS]);
      if (status >= 100 && status < 200) return;
      // A gRPC "trailers-only" answer (HEADERS with END_STREAM carrying grpc-status) is relayed as headers
      // followed by trailers: the same meaning, and the only form a proxy can always send (node:http2's
      // compatibility API and HTTP/1.1 both put trailers after the headers).
      const trailersOnly =
        (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0 && h['grpc-status'] !== undefined;
      const raw: string[] = [];
      for (const name in h) {
        if (name.charCodeAt(0) === 58) continue;
        const value = h[name];
        const target = trailersOnly && name.startsWith('grpc-') ? (trailers ??= []) : raw;
        if (Array.isArray(value)) for (const v of value) target.push(name, v);
        else if (value !== undefined) target.push(name, String(value));
      }
      // END_STREAM on HEADERS: no body follows (a trailers-only answer is relayed with trailers after it).
      const endOfStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0 && !trailersOnly;
      if (!handler.onHeaders(status, raw, () => stream.resume(), '', endOfStream)) stream.pause();
    });
    let trailers: string[] | null = null;
    stream.on('trailers', (t) => {
      trailers = [];
      for (const name in t) {
        const value = t[name];
        if (Array.isArray(value)) for (const v of value) trailers.push(name, v);
        else if (value !== undefined) trailers.push(name, String(value));
      }
    });
    stream.on('data', (chunk: Buffer) => {
      if (!done && !handler.onData(chunk)) stream.pause();
    });
    stream.on('end', () => {
      if (done) return;
      done = true;
      handler.onComplete(trailers);
    });
    stream.on('error', fail);
    stream.on('close', () => {
      if (!done)
        fail(
          Object.assign(new Error(`upstream stream reset (code ${stream.rstCode})`), {
            code: 'UND_ERR_SOCKET',
          }),
        );
    });
    if (request.body !== null) {
      request.body.on('error', (err) => stream.destroy(err));
      request.body.pipe(stream);
    }
  }

  close(): Promise<void> {
    this.closed = true;
    const s = this.session;
    if (s === undefined || s.closed) return Promise.resolve();
    return new Promise((resolve) => s.close(() => resolve()));
  }

  destroy(): Promise<void> {
    this.closed = true;
    this.session?.destroy();
    return Promise.resolve();
  }
}

/** Trailer pairs as the HTTP/2 API takes them (repeated names as arrays). */
function trailerObject(pairs: ReadonlyArray<readonly [string, string]>): http2.OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
