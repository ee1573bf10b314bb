// The downstream writer: every response the proxy sends to a client goes through here, so its framing is the
// proxy's whatever filters, callouts and plugins left in the headers (src/extensions/mutation-rules.ts keeps
// them from setting framing fields; this is where it is enforced). Connection fields never go out; a
// `content-length` goes out only when it is a plain number, and the body is then counted against it: a body
// that runs past it or ends short aborts this response (HTTP/2: RST_STREAM on this stream; HTTP/1.1: this
// client's connection is closed) instead of leaving the client's keep-alive connection out of step. Without a
// length, Node frames the body itself (chunked on HTTP/1.1, DATA frames on HTTP/2).

import type { OutgoingHttpHeaders } from 'node:http';
import type { DownstreamResponse } from './downstream.js';
import { isProxyOwned } from '../extensions/mutation-rules.js';

const NGHTTP2_INTERNAL_ERROR = 2;
const DIGITS = /^\d{1,15}$/;

/** node:http's ServerResponse or node:http2's compatibility Http2ServerResponse, as the proxy uses them. */
export type NodeResponse = Omit<DownstreamResponse, 'abort'> & {
  readonly stream?: { close(code: number): void; readonly destroyed: boolean };
};

export class FramedResponse implements DownstreamResponse {
  /** Body bytes the head declared; -1 when the body is not counted (no length, HEAD, 204, 304). */
  private declared = -1;
  private sent = 0;
  private aborted = false;

  constructor(
    private readonly res: NodeResponse,
    /** A response to HEAD: its head may carry a length, its body is empty. */
    private readonly bodiless: boolean,
  ) {}

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  get writableEnded(): boolean {
    return this.res.writableEnded;
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    for (const name in headers) if (name !== 'content-length' && isProxyOwned(name)) delete headers[name];
    const cl = headers['content-length'];
    if (cl !== undefined) {
      const n = typeof cl === 'number' ? cl : typeof cl === 'string' && DIGITS.test(cl) ? Number(cl) : -1;
      if (!Number.isSafeInteger(n) || n < 0) delete headers['content-length'];
      else if (!this.bodiless && status !== 204 && status !== 304) this.declared = n;
    }
    this.res.writeHead(status, headers);
  }

  write(chunk: Uint8Array): boolean {
    if (this.aborted) return false;
    if (this.declared >= 0 && (this.sent += chunk.byteLength) > this.declared) {
      this.abort();
      return false;
    }
    return this.res.write(chunk);
  }

  end(chunk?: Uint8Array | string): void {
    if (this.aborted) return;
    if (this.declared >= 0) {
      const n =
        chunk === undefined ? 0 : typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (this.sent + n !== this.declared) return this.abort();
    }
    this.res.end(chunk);
  }

  /**
   * Ends a response whose head went out so the client cannot take a truncated body for a whole one. HTTP/2:
   * RST_STREAM with INTERNAL_ERROR (a plain destroy() sends NO_ERROR) and the connection's other streams carry
   * on. HTTP/1.1: the connection is closed.
   */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const stream = this.res.stream;
    if (stream === undefined) this.res.destroy();
    else if (!stream.destroyed) stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  addTrailers(headers: OutgoingHttpHeaders): void {
    this.res.addTrailers(headers);
  }

  destroy(err?: Error): void {
    this.res.destroy(err);
  }

  on(event: 'close' | 'drain' | 'finish', fn: () => void): this {
    this.res.on(event, fn);
    return this;
  }

  once(event: 'close' | 'drain' | 'finish', fn: () => void): this {
    this.res.once(event, fn);
    return this;
  }

  removeListener(event: 'drain', fn: () => void): this {
    this.res.removeListener(event, fn);
    return this;
  }
}
