// Pooled HTTP/2 connections to callout endpoints: one channel per (endpoint, authority, TLS settings), shared
// by every extension and every snapshot naming the same target, so a config change does not reconnect. Each
// HTTP request's ext_proc stream is one HTTP/2 stream on it (h2-connection.ts). A connection that fails, is
// told GOAWAY or runs out of stream ids takes no new streams; the next call opens another. When the callout's
// MAX_CONCURRENT_STREAMS is reached, a channel opens more connections (up to MAX_CONNECTIONS), as gRPC
// clients do. Connections are kept alive and retired as connection-policy.ts says; transparent retries of
// refused streams are bounded per channel by a retry budget.

import net from 'node:net';
import tls from 'node:tls';
import type { CalloutTlsIR, EndpointIR } from '../../ir/snapshot.js';
import { CALLOUT_MAX_RESPONSE_BYTES } from './limits.js';
import { FrameDecoder, GrpcStatus, decodeGrpcMessage, status, type CallStatus } from './grpc-frames.js';
import {
  H2Connection,
  H2_ERROR,
  type H2Stream,
  type H2StreamHandler,
  type RetireReason,
} from './h2-connection.js';
import {
  DEFAULT_CONNECTION_OPTIONS,
  MAX_TIMER_MS,
  type CalloutConnectionOptions,
  type KeepalivePolicy,
} from './connection-policy.js';
import type { ConnectionObserver } from './health.js';
import { encodeConstantBlock, type HeaderField } from './hpack.js';
import type { ChannelTarget } from './channel-target.js';

export type { ChannelTarget } from './channel-target.js';
import { PROCESS_PATH, extProcCodec, type ProcessingRequest, type ProcessingResponse } from './protos.js';
import { encodeProcessingRequestFrame } from './request-encoder.js';

/** Hears one `Process` call: its answers, then its final status exactly once. */
export interface CallListener {
  onMessage(m: ProcessingResponse): void;
  /** OK: the callout ended the call normally. */
  onStatus(s: CallStatus): void;
}

/** One `Process` call. */
export interface ProcessCall {
  /** The call has its final status. */
  readonly finished: boolean;
  /** `last`: half-close with this message. */
  write(message: ProcessingRequest, last?: boolean): void;
  /** Half-close: no more messages from us. */
  end(): void;
  /** Reset the stream. */
  cancel(): void;
  /** Half-close, and reset the stream if the callout has not finished it within `ms`. */
  closeGracefully(ms: number): void;
}

/**
 * What the connections to one authority went through (for metrics and tests). Counted where each event
 * happens (a connection's handshake, retirement, a refused stream), never per request.
 */
export interface CalloutConnectionStats {
  /** Connections whose HTTP/2 handshake completed. */
  connections: number;
  /** Connection attempts that failed before that (refused, TLS, not HTTP/2). */
  connectFailures: number;
  /** Refused streams sent again on a new stream. */
  transparentRetries: number;
  /** Refused streams not sent again because the channel's retry budget was spent. */
  retriesOverBudget: number;
  /** Connections failed because a keepalive PING went unanswered. */
  keepaliveTimeouts: number;
  /** Connections closed after the idle timeout. */
  idleCloses: number;
  /** GOAWAY too_many_pings heard (each doubles that channel's keepalive interval). */
  tooManyPings: number;
}

function noStats(): CalloutConnectionStats {
  return {
    connections: 0,
    connectFailures: 0,
    transparentRetries: 0,
    retriesOverBudget: 0,
    keepaliveTimeouts: 0,
    idleCloses: 0,
    tooManyPings: 0,
  };
}

export class CalloutChannels {
  private readonly channels = new Map<string, Channel>();
  /** The channel of each target object seen (an extension keeps its targets), without building its key. */
  private readonly byTarget = new WeakMap<ChannelTarget, Channel>();
  private closed = false;
  private readonly options: CalloutConnectionOptions;
  /**
   * Per `:authority` (the callout Service's name from the configuration, so bounded by it; endpoint
   * addresses come and go with pods and are not a key). Channels of one authority share one record.
   */
  private readonly statsOf = new Map<string, CalloutConnectionStats>();

  /**
   * `observer` hears how each connection attempt ends (health.ts turns that into status); `options` override
   * DEFAULT_CONNECTION_OPTIONS (keepalive, idle timeout, retry budget).
   */
  constructor(
    private readonly observer?: ConnectionObserver,
    options: Partial<CalloutConnectionOptions> = {},
  ) {
    this.options = { ...DEFAULT_CONNECTION_OPTIONS, ...options };
  }

  call(t: ChannelTarget, listener: CallListener): ProcessCall {
    if (this.closed) throw new Error('CalloutChannels is closed');
    let c = this.byTarget.get(t);
    if (!c) {
      const key = channelKey(t);
      c = this.channels.get(key);
      if (!c) {
        let stats = this.statsOf.get(t.authority);
        if (!stats) this.statsOf.set(t.authority, (stats = noStats()));
        c = new Channel(t, this.observer, this.options, stats);
        this.channels.set(key, c);
      }
      this.byTarget.set(t, c);
    }
    return c.call(listener);
  }

  /** The counts of each authority called so far (kept after its channels close: counters only grow). */
  get statsByAuthority(): ReadonlyMap<string, Readonly<CalloutConnectionStats>> {
    return this.statsOf;
  }

  /** The counts summed over every authority. */
  get stats(): Readonly<CalloutConnectionStats> {
    const sum = noStats();
    for (const one of this.statsOf.values()) {
      for (const k of Object.keys(sum) as Array<keyof CalloutConnectionStats>) sum[k] += one[k];
    }
    return sum;
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

/** Connections per channel when the callout's MAX_CONCURRENT_STREAMS is reached on each; then streams wait. */
const MAX_CONNECTIONS = 4;

class Channel {
  /** Open connections that take new streams, oldest first (streams pack onto the first with a slot). */
  private readonly connections: H2Connection[] = [];
  private lastConnectFailure: { at: number; message: string } | undefined;
  /**
   * The callout's MAX_CONCURRENT_STREAMS as its last handshake said; before any, the smallest limit RFC 9113
   * §6.5.2 recommends servers allow.
   */
  private peerMaxStreams = 100;
  /** The request header block, the same for every stream of this channel (hpack.ts). */
  private readonly headerBlock: Buffer;
  /** Given to each new connection; the PING interval doubles when the callout says too_many_pings. */
  private keepalive: KeepalivePolicy;
  /** Calls started and not finished, and those of them in a transparent retry (the retry budget's terms). */
  activeCalls = 0;
  retriesInFlight = 0;

  constructor(
    private readonly target: ChannelTarget,
    private readonly observer: ConnectionObserver | undefined,
    private readonly options: CalloutConnectionOptions,
    readonly stats: CalloutConnectionStats,
  ) {
    this.keepalive = options;
    this.headerBlock = encodeConstantBlock([
      [':method', 'POST'],
      [':scheme', target.tls ? 'https' : 'http'],
      [':path', PROCESS_PATH],
      [':authority', target.authority],
      ['content-type', 'application/grpc'],
      ['te', 'trailers'],
      ['grpc-accept-encoding', 'identity'],
      ['user-agent', 'extgate-ext-proc'],
    ]);
  }

  call(listener: CallListener): ProcessCall {
    const f = this.lastConnectFailure;
    if (f && Date.now() - f.at < RECONNECT_BACKOFF_MS) {
      // A dead callout must not cost a connection attempt per HTTP request.
      return new FailedCall(
        status(GrpcStatus.UNAVAILABLE, `No connection established: ${f.message}`),
        listener,
      );
    }
    return new GrpcCall(this, listener);
  }

  close(): void {
    // Streams still open get a second to finish, then fail rather than keep the process alive.
    for (const c of this.connections.splice(0)) c.close(1000);
  }

  /**
   * Whether a refused stream may be sent again now: retries in flight stay under the retry budget (Envoy's:
   * a percentage of active calls, at least a minimum), so a callout's rolling restart under load does not
   * send every in-flight stream again at once.
   */
  get retryBudget(): number {
    const o = this.options;
    return Math.max(o.minRetryConcurrency, Math.floor((this.activeCalls * o.retryBudgetPercent) / 100));
  }

  /** The budget's rule, for the message of a retry it refuses. */
  get retryPolicy(): string {
    const o = this.options;
    return `${o.retryBudgetPercent}% of ${this.activeCalls} active calls, at least ${o.minRetryConcurrency}`;
  }

  /** A new stream for `handler` on a connection with room (or where it will wait for a slot). */
  openStream(handler: H2StreamHandler): [H2Connection, H2Stream] {
    const conn = this.connection();
    return [conn, conn.open(handler, this.headerBlock)];
  }

  private connection(): H2Connection {
    for (const c of this.connections) if (c.hasSlot) return c;
    if (this.connections.length < MAX_CONNECTIONS) return this.connect();
    // Every connection is at the callout's stream limit: the stream waits on the least loaded one.
    return this.connections.reduce((a, b) => (b.load < a.load ? b : a));
  }

  private connect(): H2Connection {
    const { address: host, port } = this.target.endpoint;
    const tlsOpts = this.target.tls ? tlsOptions(this.target.authority, this.target.tls) : undefined;
    const socket = tlsOpts ? tls.connect({ host, port, ...tlsOpts }) : net.connect({ host, port });
    const conn = new H2Connection(
      socket,
      {
        onEstablished: () => {
          this.stats.connections++;
          this.lastConnectFailure = undefined;
          this.peerMaxStreams = conn.maxStreams;
          this.observer?.connected(this.target);
        },
        onHandshakeFailed: (message) => {
          this.stats.connectFailures++;
          this.lastConnectFailure = { at: Date.now(), message };
          this.observer?.failed(this.target, message);
        },
        onUnusable: () => {
          const i = this.connections.indexOf(conn);
          if (i >= 0) this.connections.splice(i, 1);
        },
        onRetired: (why) => this.onRetired(why),
      },
      this.peerMaxStreams,
      this.keepalive,
    );
    if (tlsOpts) {
      // gRPC over TLS is HTTP/2 chosen by ALPN; a server that picks nothing else would not read our frames.
      socket.once('secureConnect', () => {
        if ((socket as tls.TLSSocket).alpnProtocol !== 'h2') {
          conn.destroy('the callout did not negotiate HTTP/2 (ALPN h2) on TLS');
        }
      });
    }
    this.connections.push(conn);
    return conn;
  }

  private onRetired(why: RetireReason): void {
    if (why === 'keepalive-timeout') this.stats.keepaliveTimeouts++;
    else if (why === 'idle') this.stats.idleCloses++;
    else {
      this.stats.tooManyPings++;
      // As grpc-js does on GOAWAY too_many_pings: PING half as often on the next connections (both
      // intervals: the callout's minimum may be above either).
      const k = this.keepalive;
      this.keepalive = {
        ...k,
        pingAfterMs: Math.min(k.pingAfterMs * 2, MAX_TIMER_MS),
        pingAfterWithoutDataMs: Math.min(k.pingAfterWithoutDataMs * 2, MAX_TIMER_MS),
      };
    }
  }

  /** The keepalive interval new connections get (doubled by each too_many_pings). */
  get keepalivePingAfterMs(): number {
    return this.keepalive.pingAfterMs;
  }
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
/** What a call keeps for a transparent retry (GrpcCall.replay). */
const MAX_REPLAY_BYTES = 256 * 1024;
const EMPTY = Buffer.alloc(0);

/** One Process call: one HTTP/2 stream; the gRPC layer over H2Connection's frames. */
class GrpcCall implements ProcessCall, H2StreamHandler {
  private conn: H2Connection;
  private stream: H2Stream;
  private readonly decoder = new FrameDecoder(CALLOUT_MAX_RESPONSE_BYTES);
  private result: CallStatus | undefined;
  private sawHeaders = false;
  private ended = false;
  /**
   * What was sent, kept until the callout answers: a stream the callout refused (GOAWAY above its last id,
   * or RST_STREAM REFUSED_STREAM) was never processed and is retried once on another stream, as gRPC's
   * transparent retry does (RFC 9113 §8.7: such requests can be safely retried).
   */
  private replay: Buffer[] | undefined = [];
  /** The last message kept half-closed the stream (`end()` keeps an empty one). */
  private replayEnds = false;
  private replayBytes = 0;
  private retried = false;
  /** This call's retry counts in the channel's retriesInFlight (until the callout answers or the call ends). */
  private retrying = false;
  /** Why a refused stream was not sent again, when the retry budget said no. */
  private overBudget: string | undefined;
  private graceMs = 0;

  constructor(
    private readonly channel: Channel,
    private readonly listener: CallListener,
  ) {
    channel.activeCalls++;
    [this.conn, this.stream] = channel.openStream(this);
  }

  get finished(): boolean {
    return this.result !== undefined;
  }

  write(message: ProcessingRequest, last = false): void {
    if (this.result || this.ended) return;
    this.ended = last;
    const data = encodeProcessingRequestFrame(message);
    this.keep(data, last);
    this.conn.write(this.stream, data, last);
  }

  end(): void {
    if (this.result || this.ended) return;
    this.ended = true;
    this.keep(EMPTY, true);
    this.conn.write(this.stream, EMPTY, true);
  }

  cancel(): void {
    if (!this.result) this.finish(status(GrpcStatus.CANCELLED, 'cancelled by the data plane'));
    this.conn.reset(this.stream, H2_ERROR.CANCEL);
  }

  closeGracefully(ms: number): void {
    this.end();
    this.graceMs = ms;
    if (!this.result) this.conn.resetAfter(this.stream, ms);
  }

  // H2StreamHandler

  onHeaders(fields: HeaderField[], endStream: boolean): void {
    this.replay = undefined; // the callout has the call now
    if (this.retrying) this.endRetry();
    if (!this.result) {
      // Read in place (no object per header block): the three headers a gRPC client acts on.
      let httpStatus: string | undefined;
      let grpcStatus: string | undefined;
      let grpcMessage: string | undefined;
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        const name = field[0];
        if (name === ':status') httpStatus = field[1];
        else if (name === 'grpc-status') grpcStatus = field[1];
        else if (name === 'grpc-message') grpcMessage = field[1];
      }
      if (!this.sawHeaders) {
        this.sawHeaders = true;
        const st = Number(httpStatus);
        if (st !== 200) {
          this.finish(status(httpToGrpc(st), `callout answered HTTP ${httpStatus ?? '(none)'}`));
          if (!endStream) this.conn.reset(this.stream, H2_ERROR.CANCEL);
        } else if (grpcStatus !== undefined) {
          this.finish(trailerStatus(grpcStatus, grpcMessage)); // trailers-only answer
        }
      } else {
        this.finish(
          grpcStatus !== undefined
            ? trailerStatus(grpcStatus, grpcMessage)
            : status(GrpcStatus.UNKNOWN, 'the callout ended the call without grpc-status'),
        );
      }
    }
    if (endStream) this.remoteEnded();
  }

  onData(data: Buffer, endStream: boolean): void {
    if (!this.result) {
      try {
        for (const m of this.decoder.push(data)) {
          this.listener.onMessage(codec.decodeResponse(m));
          if (this.result) break;
        }
      } catch (err) {
        const st = isStatus(err)
          ? err
          : status(GrpcStatus.INTERNAL, `cannot decode ProcessingResponse: ${String(err)}`);
        this.finish(st);
        this.conn.reset(this.stream, H2_ERROR.CANCEL);
        return;
      }
    }
    if (endStream) this.remoteEnded();
  }

  onReset(code: number, byUs: boolean): void {
    if (!byUs && code === H2_ERROR.REFUSED_STREAM && this.retry()) return;
    if (this.overBudget !== undefined) {
      this.finish(status(GrpcStatus.UNAVAILABLE, `stream refused by the callout; ${this.overBudget}`));
      return;
    }
    this.finish(
      byUs
        ? status(GrpcStatus.CANCELLED, 'the callout did not finish the stream in time')
        : statusOfReset(code),
    );
  }

  onFailure(message: string, established: boolean, refused: boolean): void {
    if (refused && this.retry()) return;
    if (this.overBudget !== undefined) {
      this.finish(
        status(GrpcStatus.UNAVAILABLE, `stream refused by the callout (${message}); ${this.overBudget}`),
      );
    } else if (!established) {
      // Never got a connection: what the chain reports as an unreachable callout.
      this.finish(status(GrpcStatus.UNAVAILABLE, `No connection established: ${message}`));
    } else if (refused) {
      this.finish(status(GrpcStatus.UNAVAILABLE, `stream refused by the callout: ${message}`));
    } else {
      this.finish(status(GrpcStatus.UNAVAILABLE, message));
    }
  }

  private keep(data: Buffer, last: boolean): void {
    if (!this.replay) return;
    this.replayBytes += data.length;
    // A callout that reads a large body before answering anything: no retry rather than a second copy.
    if (this.replayBytes > MAX_REPLAY_BYTES) this.replay = undefined;
    else {
      this.replay.push(data);
      this.replayEnds = last;
    }
  }

  /** Sends the call again on a new stream, once, if the callout never saw it. */
  private retry(): boolean {
    const replay = this.replay;
    if (this.retried || this.result || !replay) return false;
    const ch = this.channel;
    const budget = ch.retryBudget;
    if (ch.retriesInFlight >= budget) {
      ch.stats.retriesOverBudget++;
      this.overBudget =
        `not retried: the channel's retry budget is spent (${ch.retriesInFlight} transparent retries in ` +
        `flight; budget ${budget} = ${ch.retryPolicy})`;
      return false;
    }
    ch.retriesInFlight++;
    ch.stats.transparentRetries++;
    this.retrying = true;
    this.retried = true;
    [this.conn, this.stream] = this.channel.openStream(this);
    for (let i = 0; i < replay.length; i++) {
      this.conn.write(this.stream, replay[i]!, this.replayEnds && i === replay.length - 1);
    }
    if (this.graceMs > 0) this.conn.resetAfter(this.stream, this.graceMs);
    return true;
  }

  /**
   * The callout finished its side: without a status so far, the call failed. Our side closes too, even after
   * the status (the stream would otherwise hold one of the callout's concurrent-stream slots for good).
   */
  private remoteEnded(): void {
    if (!this.result) this.finish(status(GrpcStatus.INTERNAL, 'stream closed without a gRPC status'));
    if (!this.ended) {
      this.ended = true;
      this.conn.write(this.stream, EMPTY, true);
    }
  }

  private endRetry(): void {
    this.retrying = false;
    this.channel.retriesInFlight--;
  }

  private finish(st: CallStatus): void {
    if (this.result) return;
    this.result = st;
    this.channel.activeCalls--;
    if (this.retrying) this.endRetry();
    this.listener.onStatus(st);
  }
}

/** A call that never reached the callout; reports its status on the next tick, as a real call would. */
class FailedCall implements ProcessCall {
  readonly finished = true;
  constructor(st: CallStatus, listener: CallListener) {
    process.nextTick(() => listener.onStatus(st));
  }
  write(): void {}
  end(): void {}
  cancel(): void {}
  closeGracefully(): void {}
}

function trailerStatus(grpcStatus: string, grpcMessage: string | undefined): CallStatus {
  const code = Number(grpcStatus);
  return status(Number.isInteger(code) ? code : GrpcStatus.UNKNOWN, decodeGrpcMessage(grpcMessage));
}

/** The gRPC status for a stream reset without trailers (as grpc-js maps RST_STREAM codes). */
function statusOfReset(rstCode: number): CallStatus {
  switch (rstCode) {
    case H2_ERROR.REFUSED_STREAM:
      return status(GrpcStatus.UNAVAILABLE, 'stream refused by the callout');
    case H2_ERROR.CANCEL:
      return status(GrpcStatus.CANCELLED, 'stream cancelled');
    case H2_ERROR.ENHANCE_YOUR_CALM:
      return status(GrpcStatus.RESOURCE_EXHAUSTED, 'bandwidth exhausted or memory limit exceeded');
    case H2_ERROR.INADEQUATE_SECURITY:
      return status(GrpcStatus.PERMISSION_DENIED, 'protocol not secure enough');
    default:
      return status(GrpcStatus.INTERNAL, `stream reset with HTTP/2 error code ${rstCode}`);
  }
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
