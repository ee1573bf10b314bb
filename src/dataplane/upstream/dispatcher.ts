// The one upstream primitive, shaped like undici's `dispatch(options, handler)`: the proxy hands a request and
// a streaming handler to whatever speaks the backend's protocol: our own HTTP/1.1 client (upstream/h1.ts,
// leaner than undici on this one path, which profiles showed it dominating), an undici Pool for TLS HTTP/2,
// and a node:http2 session for h2c (undici's allowH2 negotiates HTTP/2 only through TLS ALPN).

import type { Readable, Duplex } from 'node:stream';

export interface UpstreamRequest {
  readonly path: string;
  readonly method: string;
  /** Lowercase names; `host` carries the authority. No hop-by-hop headers. */
  readonly headers: Record<string, string | string[]>;
  readonly body: Readable | null;
  /**
   * Request trailers, read once the body has ended (they arrive after it). Sent by the HTTP/1.1 client on a
   * chunked body and by the h2c client; undici (TLS HTTP/2 upstreams) does not send request trailers.
   */
  readonly trailers?: (() => ReadonlyArray<readonly [string, string]>) | undefined;
  /** Time allowed until response headers arrive; 0 = none. */
  readonly headersTimeout: number;
  /** `upgrade` value for WebSocket and friends (HTTP/1.1 only). */
  readonly upgrade?: string;
}

/** undici's (legacy, buffer-level and fastest) handler callbacks; the h2c session adapter calls the same. */
export interface UpstreamHandler {
  onConnect(abort: (reason?: Error) => void): void;
  /**
   * Return false to pause the upstream until `resume` is called. `endOfStream`: set by HTTP/2 clients that see
   * END_STREAM on the HEADERS frame (the response has no body); HTTP/1.1 clients leave it undefined.
   */
  onHeaders(
    statusCode: number,
    rawHeaders: Array<Buffer | string>,
    resume: () => void,
    statusText: string,
    endOfStream?: boolean,
  ): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(rawTrailers: Array<Buffer | string> | null): void;
  onError(err: Error): void;
  onUpgrade?(statusCode: number, rawHeaders: Array<Buffer | string> | null, socket: Duplex): void;
}

export interface UpstreamDispatcher {
  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void;
  /** Finish queued requests, then release the connections. */
  close(): Promise<void>;
  /** Cut every connection now. */
  destroy(): Promise<void>;
}

/** Errors that mean the request never reached the backend, so another endpoint may be tried. */
export function isConnectFailure(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  // node:http2 cancels the pending streams of a session that failed to connect, with the cause attached.
  const code = e?.code === 'ERR_HTTP2_STREAM_CANCEL' ? e.cause?.code : e?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'EADDRNOTAVAIL' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ERR_HTTP2_ERROR_CONNECT_REFUSED'
  );
}
