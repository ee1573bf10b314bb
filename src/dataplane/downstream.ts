// The parts of a client request/response the proxy uses, common to HTTP/1.1 (node:http) and HTTP/2 (the
// node:http2 compatibility API), so one Exchange serves both.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Socket } from 'node:net';

export interface DownstreamRequest extends Readable {
  readonly headers: IncomingHttpHeaders;
  /** Name, value, name, value... as received (node:http and the http2 compatibility API both have it). */
  readonly rawHeaders: string[];
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersionMajor: number;
  readonly socket: Socket;
  readonly trailers: Record<string, string | undefined> | NodeJS.Dict<string>;
}

export interface DownstreamResponse {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  write(chunk: Uint8Array): boolean;
  end(chunk?: Uint8Array | string): unknown;
  addTrailers(headers: OutgoingHttpHeaders): void;
  destroy(err?: Error): unknown;
  /** Ends a response whose head went out so the client cannot take it as complete (framed-response.ts). */
  abort(): void;
  on(event: 'close' | 'drain' | 'finish', fn: () => void): unknown;
  once(event: 'close' | 'drain' | 'finish', fn: () => void): unknown;
  removeListener(event: 'drain', fn: () => void): unknown;
}

/** Request has a body to forward: HTTP/1 `content-length` > 0 or chunked; HTTP/2 a stream not yet ended. */
export function hasRequestBody(req: DownstreamRequest): boolean {
  if (req.httpVersionMajor === 2)
    return !req.readableEnded && !(req as { stream?: { endAfterHeaders?: boolean } }).stream?.endAfterHeaders;
  const cl = req.headers['content-length'];
  if (cl !== undefined) return cl !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}
