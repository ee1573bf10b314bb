// Pooled HTTP/2 connections to callout endpoints: one session per (endpoint, authority, TLS settings), shared
// by every extension and every snapshot naming the same target, so a config change does not reconnect. Each
// HTTP request's ext_proc stream is one HTTP/2 stream on it. A session that fails, is told GOAWAY or runs out
// of stream ids is replaced on the next call.

import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { CalloutTlsIR, EndpointIR } from '../../ir/snapshot.js';
import { CALLOUT_MAX_RESPONSE_BYTES } from './limits.js';
import {
  FrameDecoder,
  GrpcStatus,
  decodeGrpcMessage,
  frame,
  status,
  statusOfReset,
  type CallStatus,
} from './grpc-frames.js';
import type { ConnectionObserver } from './health.js';
import type { ChannelTarget } from './channel-target.js';

export type { ChannelTarget } from './channel-target.js';
import { PROCESS_PATH, extProcCodec, type ProcessingRequest, type ProcessingResponse } from './protos.js';

/**
 * One `Process` call. Events: `data` (ProcessingResponse), then exactly one of `end` (status OK) or `error`
 * (CallStatus), then `status` (CallStatus).
 */
export interface ProcessCall {
  /** The call has its final status. */
  readonly finished: boolean;
  /** `last`: half-close with this message. */
  write(message: ProcessingRequest, last?: boolean): void;
  /** Half-close: no more messages from us. */
  end(): void;
  /** Reset the stream. */
  cancel(): void;
  on(event: 'data', listener: (m: ProcessingResponse) => void): this;
  on(event: 'error', listener: (s: CallStatus) => void): this;
  on(event: 'end', listener: () => void): this;
  once(event: 'status', listener: (s: CallStatus) => void): this;
}

export class CalloutChannels {
  private readonly channels = new Map<string, Channel>();
  private closed = false;

  /** `observer` hears how each connection attempt ends (health.ts turns that into status). */
  constructor(private readonly observer?: ConnectionObserver) {}

  call(t: ChannelTarget): ProcessCall {
    if (this.closed) throw new Error('CalloutChannels is closed');
    const key = channelKey(t);
    let c = this.channels.get(key);
    if (!c) {
      c = new Channel(t, this.observer);
      this.channels.set(key, c);
    }
    return c.call();
  }

  /** Number of pooled targets (for metrics and tests). */
  get size(): number {
    return this.channels.size;
  }

  close(): void {
    this.closed = true;
    for (const c of this.channels.values()) c.close();
    this.channels.clear();
  }
}

function hostPort(e: EndpointIR): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function channelKey(t: ChannelTarget): string {
  const tls = t.tls ? `tls:${t.tls.verify}:${t.tls.hostname ?? ''}:${t.tls.caPem ?? ''}` : 'h2c';
  return `${hostPort(t.endpoint)}|${t.authority}|${tls}`;
}

/** SNI is the authority without a port (and without IPv6 brackets). */
function sniName(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(1, authority.indexOf(']'));
  const i = authority.lastIndexOf(':');
  return i > 0 ? authority.slice(0, i) : authority;
}

/** After a failed connection attempt, calls fail as unreachable for this long before the next attempt. */
const RECONNECT_BACKOFF_MS = 250;

/** Stream ids are 31-bit and odd for the client; start a fresh session well before they run out. */
const MAX_STREAM_ID = 2 ** 30;

class Channel {
  private session: http2.ClientHttp2Session | undefined;
  private lastConnectFailure: { at: number; message: string } | undefined;
  private readonly url: string;
  private readonly options: http2.SecureClientSessionOptions;
  private readonly headers: http2.OutgoingHttpHeaders;

  constructor(
    private readonly target: ChannelTarget,
    private readonly observer: ConnectionObserver | undefined,
  ) {
    const t = target;
    this.url = `${t.tls ? 'https' : 'http'}://${hostPort(t.endpoint)}`;
    this.options = connectOptions(t);
    this.headers = {
      ':method': 'POST',
      ':scheme': t.tls ? 'https' : 'http',
      ':path': PROCESS_PATH,
      ':authority': t.authority,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-accept-encoding': 'identity',
      'user-agent': 'extgate-ext-proc',
    };
  }

  call(): ProcessCall {
    const f = this.lastConnectFailure;
    if (f && Date.now() - f.at < RECONNECT_BACKOFF_MS) {
      // A dead callout must not cost a connection attempt per HTTP request.
      return new FailedCall(status(GrpcStatus.UNAVAILABLE, `No connection established: ${f.message}`));
    }
    const session = this.connected();
    return new Http2ProcessCall(session, this.headers, () => this.drop(session));
  }

  close(): void {
    const s = this.session;
    this.session = undefined;
    s?.close();
    // Streams still open get reset rather than keeping the process alive.
    setTimeout(() => s?.destroy(), 1000).unref();
  }

  private connected(): http2.ClientHttp2Session {
    const s = this.session;
    if (s && !s.closed && !s.destroyed && (s.state.nextStreamID ?? 0) < MAX_STREAM_ID) return s;
    if (s) s.close();
    const session = http2.connect(this.url, this.options);
    session.once('connect', () => {
      everConnected.add(session);
      this.lastConnectFailure = undefined;
    });
    // The attempt's outcome for health.ts: the server's SETTINGS frame means it speaks HTTP/2 to us.
    let outcome: 'pending' | 'reported' = 'pending';
    session.once('remoteSettings', () => {
      outcome = 'reported';
      this.observer?.connected(this.target);
    });
    session.on('error', (err: Error) => {
      if (!everConnected.has(session)) this.lastConnectFailure = { at: Date.now(), message: err.message };
      if (outcome === 'pending') {
        outcome = 'reported';
        this.observer?.failed(this.target, err.message);
      }
      this.drop(session);
    });
    session.on('goaway', () => this.drop(session));
    session.on('close', () => {
      if (outcome === 'pending') {
        outcome = 'reported';
        this.observer?.failed(this.target, 'the connection closed before the HTTP/2 handshake');
      }
      this.drop(session);
    });
    this.session = session;
    return session;
  }

  private drop(session: http2.ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
  }
}

function connectOptions(t: ChannelTarget): http2.SecureClientSessionOptions {
  const { address: host, port } = t.endpoint;
  const tlsOpts = t.tls ? tlsOptions(t.authority, t.tls) : undefined;
  return {
    // Our own socket, for TCP_NODELAY: an ext_proc exchange is a few small frames each way, and Nagle's
    // algorithm with delayed ACKs stalls them for tens of milliseconds under load.
    createConnection: () => {
      const socket = tlsOpts ? tls.connect({ host, port, ...tlsOpts }) : net.connect({ host, port });
      socket.setNoDelay(true);
      return socket;
    },
  };
}

function tlsOptions(authority: string, t: CalloutTlsIR): tls.ConnectionOptions {
  const servername = sniName(authority);
  const base: tls.ConnectionOptions = { servername, ALPNProtocols: ['h2'] };
  if (!t.verify) {
    // As Google's load balancer: encrypted, certificate not verified.
    return { ...base, rejectUnauthorized: false };
  }
  const name = t.hostname ?? servername;
  return {
    ...base,
    rejectUnauthorized: true,
    ...(t.caPem ? { ca: t.caPem } : {}),
    checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(name, cert),
  };
}

const codec = extProcCodec();

/** Sessions that completed their handshake: a stream failing on any other session never reached the callout. */
const everConnected = new WeakSet<http2.ClientHttp2Session>();

class Http2ProcessCall extends EventEmitter implements ProcessCall {
  private readonly stream: http2.ClientHttp2Stream;
  private readonly decoder = new FrameDecoder(CALLOUT_MAX_RESPONSE_BYTES);
  private result: CallStatus | undefined;

  constructor(
    session: http2.ClientHttp2Session,
    headers: http2.OutgoingHttpHeaders,
    dropSession: () => void,
  ) {
    super();
    this.stream = session.request(headers, { endStream: false });
    const s = this.stream;
    s.on('response', (h) => {
      const st = Number(h[':status']);
      if (st !== 200) this.finish(status(httpToGrpc(st), `callout answered HTTP ${st}`));
      else if (h['grpc-status'] !== undefined) this.finish(trailerStatus(h)); // trailers-only answer
    });
    s.on('data', (chunk: Buffer) => {
      if (this.result) return;
      try {
        for (const m of this.decoder.push(chunk)) this.emit('data', codec.decodeResponse(m));
      } catch (err) {
        const st = isStatus(err)
          ? err
          : status(GrpcStatus.INTERNAL, `cannot decode ProcessingResponse: ${String(err)}`);
        this.finish(st);
        s.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    s.on('trailers', (t) => this.finish(trailerStatus(t)));
    s.on('error', (err: Error & { code?: string }) => {
      if (!everConnected.has(session)) {
        // Never got a connection: what the chain reports as an unreachable callout.
        dropSession();
        this.finish(status(GrpcStatus.UNAVAILABLE, `No connection established: ${err.message}`));
      } else if (err.code === 'ERR_HTTP2_STREAM_ERROR' || err.code === 'ERR_HTTP2_SESSION_ERROR') {
        this.finish(statusOfReset(s.rstCode ?? http2.constants.NGHTTP2_INTERNAL_ERROR));
      } else {
        this.finish(status(GrpcStatus.UNAVAILABLE, err.message));
      }
    });
    s.on('close', () => {
      if (!this.result) {
        const rst = s.rstCode ?? 0;
        this.finish(
          rst !== 0 ? statusOfReset(rst) : status(GrpcStatus.INTERNAL, 'stream closed without a gRPC status'),
        );
      }
    });
  }

  get finished(): boolean {
    return this.result !== undefined;
  }

  write(message: ProcessingRequest, last = false): void {
    if (this.result || this.stream.closed || this.stream.writableEnded) return;
    const data = frame(codec.encodeRequest(message));
    if (last) this.stream.end(data);
    else this.stream.write(data);
  }

  end(): void {
    if (!this.stream.closed && !this.stream.writableEnded) this.stream.end();
  }

  cancel(): void {
    if (!this.result) this.finish(status(GrpcStatus.CANCELLED, 'cancelled by the data plane'));
    if (!this.stream.closed) this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  private finish(st: CallStatus): void {
    if (this.result) return;
    this.result = st;
    if (st.code === GrpcStatus.OK) this.emit('end');
    else this.emit('error', st);
    this.emit('status', st);
  }
}

/** A call that never reached the callout; reports its status once the caller has subscribed. */
class FailedCall extends EventEmitter implements ProcessCall {
  readonly finished = true;
  constructor(st: CallStatus) {
    super();
    process.nextTick(() => {
      this.emit('error', st);
      this.emit('status', st);
    });
  }
  write(): void {}
  end(): void {}
  cancel(): void {}
}

function trailerStatus(h: http2.IncomingHttpHeaders): CallStatus {
  const code = Number(h['grpc-status']);
  return status(Number.isInteger(code) ? code : GrpcStatus.UNKNOWN, decodeGrpcMessage(h['grpc-message']));
}

function isStatus(x: unknown): x is CallStatus {
  return typeof x === 'object' && x !== null && 'code' in x && 'details' in x;
}

/** HTTP status → gRPC status for a non-gRPC answer (PROTOCOL-HTTP2.md "HTTP to gRPC Status Code Mapping"). */
function httpToGrpc(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}
