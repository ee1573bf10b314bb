// HTTP/1.1 Upgrade (WebSocket and friends): the request is routed like any other, then the client socket is
// piped to a fresh backend connection byte for byte; the backend's `101 Switching Protocols` goes back as is.
// Local answers (404, 502, ...) are written on the raw socket by SocketResponse.

import net from 'node:net';
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EndpointIR } from '../ir/snapshot.js';
import type { DownstreamResponse } from './downstream.js';
import type { UpstreamHandler } from './upstream/dispatcher.js';
import { requestHead } from './upstream/request-head.js';

/** A DownstreamResponse that writes a whole HTTP/1.1 response onto the upgrade socket, then closes it. */
export class SocketResponse implements DownstreamResponse {
  headersSent = false;
  writableEnded = false;
  private readonly listeners = new Map<string, Array<() => void>>();

  constructor(private readonly socket: Duplex) {
    socket.once('close', () => this.emit('close'));
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): this {
    this.headersSent = true;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${String(v)}\r\n`;
    }
    this.socket.write(`${head}\r\n`);
    return this;
  }

  write(chunk: Uint8Array): boolean {
    return this.socket.write(chunk);
  }

  end(chunk?: Uint8Array | string): this {
    this.writableEnded = true;
    this.socket.end(chunk);
    return this;
  }

  addTrailers(): void {}

  destroy(): this {
    this.socket.destroy();
    return this;
  }

  abort(): void {
    this.socket.destroy();
  }

  on(event: string, fn: () => void): this {
    const list = this.listeners.get(event) ?? [];
    list.push(fn);
    this.listeners.set(event, list);
    return this;
  }

  once(event: string, fn: () => void): this {
    return this.on(event, fn);
  }

  removeListener(): this {
    return this;
  }

  private emit(event: string): void {
    const list = this.listeners.get(event);
    this.listeners.delete(event);
    for (const fn of list ?? []) fn();
  }
}

export interface TunnelRequest {
  readonly endpoint: EndpointIR;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  /** Client headers `connection` / `upgrade` (removed as hop-by-hop elsewhere, needed here). */
  readonly upgrade: string;
  readonly client: Duplex;
  readonly head: Buffer;
}

/**
 * Opens the backend connection and pipes both ways once it is up. Before it is up, errors go to the handler
 * (so a refused connection can try another endpoint or answer 502); afterwards either side closing closes both.
 */
export function tunnel(
  req: TunnelRequest,
  handler: Pick<UpstreamHandler, 'onError' | 'onConnect'> & { onTunnel(): void },
): void {
  // The same head, checks and framing as every HTTP/1.1 request (no body: the tunnel carries the bytes).
  const head = requestHead(
    req.method,
    req.path,
    req.headers,
    false,
    `connection: upgrade\r\nupgrade: ${req.upgrade}\r\n`,
  );
  if (typeof head === 'string') {
    handler.onError(Object.assign(new Error(`${head} for the backend`), { code: 'UND_ERR_INVALID_ARG' }));
    return;
  }
  const upstream = net.connect({ host: req.endpoint.address, port: req.endpoint.port, noDelay: true });
  let connected = false;
  handler.onConnect((reason) => upstream.destroy(reason));
  upstream.once('error', (err) => {
    if (!connected) handler.onError(err);
    else req.client.destroy();
  });
  upstream.once('connect', () => {
    connected = true;
    handler.onTunnel();
    upstream.write(head.text, 'latin1');
    if (req.head.length > 0) upstream.write(req.head);
    upstream.pipe(req.client);
    req.client.pipe(upstream);
    upstream.on('error', () => req.client.destroy());
    req.client.on('error', () => upstream.destroy());
    upstream.on('close', () => req.client.destroy());
    req.client.on('close', () => upstream.destroy());
  });
}
