// One client HTTP/2 connection (RFC 9113) to a callout, as lean as the one use needs: every stream is a gRPC
// call from us, so there is no server push, no priority and one constant request header block. Kept from the
// protocol: connection and stream flow control (WINDOW_UPDATE both ways), the peer's SETTINGS (max frame
// size, initial window, max concurrent streams: streams over it wait here for a slot), HPACK decoding of
// response headers and trailers, PING answers, GOAWAY (no new streams; streams above its last id fail as
// refused) and RST_STREAM both ways. Watched by one timer (connection-policy.ts): a PING when the callout has
// been silent too long while streams wait on it, failure when nothing answers that PING, and a graceful close
// after an idle period without streams.
//
// Why not node:http2: its per-stream cost (an Http2Stream Duplex, a headers object rebuilt and re-encoded,
// five event callbacks across the C++ boundary) was the largest item of a callout event in the gateway's
// profile (docs/benchmarks.md). Here a stream is one small object, frames of all streams written in one tick
// go out in one socket write, and the header block is encoded once per channel.

import type { Socket } from 'node:net';
import { HpackDecoder, HpackError, type HeaderField } from './hpack.js';
import type { KeepalivePolicy } from './connection-policy.js';

/** What a stream hears from its connection. Exactly one of onEnd/onReset/onFailure ends it. */
export interface H2StreamHandler {
  /** A complete header block (response headers or trailers); `endStream`: the peer finished the stream. */
  onHeaders(fields: HeaderField[], endStream: boolean): void;
  onData(data: Buffer, endStream: boolean): void;
  /** The stream was reset with this HTTP/2 error code: by the peer (RST_STREAM), or `byUs` after resetAfter(). */
  onReset(code: number, byUs: boolean): void;
  /**
   * The stream can go no further: the connection failed or closed (`established`: it had completed the
   * HTTP/2 handshake), or GOAWAY refused the stream (`refused`).
   */
  onFailure(message: string, established: boolean, refused: boolean): void;
}

/** How the connection's handshake ended, for health reporting; then `onClose` once it is gone. */
export interface H2ConnectionEvents {
  /** The peer's first SETTINGS frame arrived: it speaks HTTP/2 to us. */
  onEstablished(): void;
  /** The connection ended before that, with this error (a socket error's message, or why it closed). */
  onHandshakeFailed(message: string): void;
  /** No new streams can go on this connection (GOAWAY, error, close, stream ids used up). */
  onUnusable(): void;
  /**
   * Why the connection is being retired other than by an error: its keepalive PING went unanswered, it was
   * idle, or the callout's GOAWAY said we PING too often (`too-many-pings`: ENHANCE_YOUR_CALM with
   * "too_many_pings", gRPC's A8 keepalive proposal; the channel then PINGs half as often).
   */
  onRetired(why: RetireReason): void;
}

export type RetireReason = 'keepalive-timeout' | 'idle' | 'too-many-pings';

export const H2_ERROR = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
} as const;

const FRAME = {
  DATA: 0x0,
  HEADERS: 0x1,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

const SETTING = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const DEFAULT_WINDOW = 65_535;
const MAX_WINDOW = 2 ** 31 - 1;
const DEFAULT_MAX_FRAME = 16_384;

/** Our receive windows: answers are consumed as they arrive, so large windows only save WINDOW_UPDATEs. */
const STREAM_WINDOW = 1 << 20;
const CONNECTION_WINDOW = 16 << 20;
/** What we announce and enforce for the header blocks we receive (decoded size, as SETTINGS counts it). */
const MAX_HEADER_LIST_BYTES = 64 * 1024;
const HEADER_TABLE_BYTES = 4096;

/** A turn's frames up to this size are joined into one buffer before writing (see flushNow). */
const JOIN_BELOW_BYTES = 64 * 1024;
/** Frames up to this size are copied into the output arena; larger ones (body data) are written as they are. */
const COPY_BELOW_BYTES = 4096;
/** The output arena: frame headers and small frames of many turns are written into one buffer (see head()). */
const ARENA_BYTES = 32 * 1024;

/** How often streams past their resetAfter() deadline are looked for. */
const SWEEP_MS = 100;

/** Client stream ids are odd and 31-bit; a connection stops taking streams well before they run out. */
const LAST_STREAM_ID = 2 ** 30;

/** One stream: its ids, windows and what waits to be written. */
export class H2Stream {
  id = 0;
  /** The request header block, until the stream is activated. */
  headerBlock: Buffer | undefined;
  sendWindow: number;
  /** DATA bytes received and not yet given back with WINDOW_UPDATE. */
  unacked = 0;
  /** Frames not yet allowed out (no slot yet, or no send window). */
  queued: Buffer[] = [];
  queuedEnd = false;
  /** END_STREAM asked for (it may still wait in `queued`). */
  endRequested = false;
  /** END_STREAM sent. */
  localClosed = false;
  remoteClosed = false;
  done = false;
  /** resetAfter(): when to give up on the peer finishing the stream (ms since epoch; 0: never). */
  deadline = 0;

  constructor(
    readonly handler: H2StreamHandler,
    sendWindow: number,
  ) {
    this.sendWindow = sendWindow;
  }
}

export class H2Connection {
  private readonly streams = new Map<number, H2Stream>();
  /** Streams waiting for a slot under the peer's MAX_CONCURRENT_STREAMS. */
  private readonly waiting: H2Stream[] = [];
  /** Streams with DATA waiting for send window. */
  private readonly blocked = new Set<H2Stream>();
  /** Streams with a resetAfter() deadline, and the timer that enforces them. */
  private readonly lingering = new Set<H2Stream>();
  private sweeper: NodeJS.Timeout | undefined;
  /** Keepalive and idle timeout: one timer, re-armed only when it fires or a PING goes out (onWatchTimer). */
  private watchTimer: NodeJS.Timeout | undefined;
  private readonly onWatch = (): void => this.onWatchTimer();
  /** When bytes last arrived from the callout (any frame proves the connection alive, as Envoy counts it). */
  private lastHeard: number;
  /** When the connection last became free of streams. */
  private idleSince: number;
  /** Our keepalive PING waits for an answer (cleared by any bytes from the callout). */
  private pingOutstanding = false;
  /** Keepalive PINGs sent since the callout last sent HEADERS or DATA (KeepalivePolicy.pingsWithoutData). */
  private pingsWithoutData = 0;
  private nextId = 1;
  private established = false;
  private usable = true;
  private closed = false;

  // Peer settings and our send window.
  private peerMaxFrame = DEFAULT_MAX_FRAME;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxStreams: number;
  private sendWindow = DEFAULT_WINDOW;
  private connUnacked = 0;

  private readonly decoder = new HpackDecoder(HEADER_TABLE_BYTES, MAX_HEADER_LIST_BYTES);
  /** A header block being assembled from HEADERS + CONTINUATION frames. */
  private headerBlock: { stream: number; parts: Buffer[]; size: number; endStream: boolean } | undefined;
  private input: Buffer | undefined;

  private out: Buffer[] = [];
  private outBytes = 0;
  /**
   * Frame headers and small frames are written into this buffer rather than each into a Buffer of its own;
   * the bytes from `arenaStart` on are the current turn's, and the bytes before it were handed to the socket
   * and are never written again (a bump allocator, as Node's own Buffer pool).
   */
  private arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
  private arenaStart = 0;
  private arenaAt = 0;
  private flushScheduled = false;
  private readonly flush = (): void => this.flushNow();

  /**
   * `assumedMaxStreams`: the stream limit to keep until the peer's SETTINGS arrive (what an earlier
   * connection to the same peer was told), so streams opened meanwhile are not refused.
   */
  constructor(
    private readonly socket: Socket,
    private readonly events: H2ConnectionEvents,
    assumedMaxStreams: number,
    private readonly keepalive: KeepalivePolicy,
  ) {
    this.peerMaxStreams = assumedMaxStreams;
    this.lastHeard = this.idleSince = Date.now();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('error', (err: Error) => this.fail(err.message, false));
    socket.on('close', () => this.fail('Connection dropped', false));
    const settings = Buffer.alloc(9 + 6 * 5);
    writeFrameHeader(settings, 0, 6 * 5, FRAME.SETTINGS, 0, 0);
    let at = 9;
    for (const [id, value] of [
      [SETTING.ENABLE_PUSH, 0],
      [SETTING.HEADER_TABLE_SIZE, HEADER_TABLE_BYTES],
      [SETTING.INITIAL_WINDOW_SIZE, STREAM_WINDOW],
      [SETTING.MAX_FRAME_SIZE, DEFAULT_MAX_FRAME],
      [SETTING.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_BYTES],
    ] as const) {
      settings.writeUInt16BE(id, at);
      settings.writeUInt32BE(value, at + 2);
      at += 6;
    }
    this.queue(PREFACE);
    this.queue(settings);
    this.queue(windowUpdate(0, CONNECTION_WINDOW - DEFAULT_WINDOW));
    this.watch(this.idleSince);
  }

  /** A new stream may be opened here now without waiting (no GOAWAY, ids left, under the peer's limit). */
  get hasSlot(): boolean {
    return this.usable && this.streams.size + this.waiting.length < this.peerMaxStreams;
  }

  /** Streams open or waiting: the channel spreads load by it. */
  get load(): number {
    return this.streams.size + this.waiting.length;
  }

  /** The peer's MAX_CONCURRENT_STREAMS (Infinity when it set none). */
  get maxStreams(): number {
    return this.peerMaxStreams;
  }

  /** Opens a stream with this (complete, constant) header block; it waits for a slot if the peer's limit is reached. */
  open(handler: H2StreamHandler, headerBlock: Buffer): H2Stream {
    const s = new H2Stream(handler, this.peerInitialWindow);
    s.headerBlock = headerBlock;
    if (this.streams.size === 0 && this.waiting.length === 0) this.leaveIdle();
    if (this.streams.size < this.peerMaxStreams) this.activate(s);
    else this.waiting.push(s);
    return s;
  }

  /** Queues DATA on the stream (split by the peer's max frame size, held by flow control). */
  write(stream: H2Stream, data: Buffer, endStream: boolean): void {
    if (stream.endRequested || stream.done) return;
    if (endStream) stream.endRequested = true;
    if (stream.id === 0 || stream.queued.length > 0) {
      stream.queued.push(data);
      if (endStream) stream.queuedEnd = true;
      return;
    }
    this.sendData(stream, data, endStream);
  }

  /** Resets the stream (RST_STREAM) unless it is over; its handler hears nothing more. */
  reset(stream: H2Stream, code: number): void {
    if (stream.done) return;
    if (stream.id !== 0) this.queue(rstStream(stream.id, code));
    this.finish(stream);
  }

  /**
   * Resets the stream unless the peer finishes it within `ms`. One sweep timer per connection serves every
   * stream, rather than a timer (and its closure, kept for a second) per HTTP request.
   */
  resetAfter(stream: H2Stream, ms: number): void {
    if (stream.done) return;
    stream.deadline = Date.now() + ms;
    this.lingering.add(stream);
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  /** Graceful close: GOAWAY, then the socket ends when the streams are done (or after `graceMs`). */
  close(graceMs: number): void {
    if (this.closed) return;
    this.markUnusable();
    // A client's GOAWAY names the last stream the server opened: none (we take no pushes).
    this.queue(goaway(0, H2_ERROR.NO_ERROR));
    this.maybeEnd();
    setTimeout(() => this.fail('the callout client closed', false), graceMs).unref();
  }

  /** Ends the connection now: every stream fails with `message`. */
  destroy(message: string): void {
    this.fail(message, false);
  }

  // ------------------------------------------------------------------------------------------------------
  // Keepalive and idle timeout

  /**
   * The first stream after an idle period: a connection silent for the keepalive interval may have been
   * dropped by a NAT or load balancer meanwhile, so it is PINGed now (Envoy's `connection_idle_interval`)
   * rather than found dead by the request. Otherwise the timer is already due by then (watch()).
   */
  private leaveIdle(): void {
    const now = Date.now();
    const k = this.keepalive;
    const pingAfterMs = this.pingInterval(k);
    if (this.watchTimer === undefined || (pingAfterMs > 0 && now - this.lastHeard >= pingAfterMs)) {
      this.watch(now, true);
    }
  }

  /** The keepalive interval now: longer once `pingsWithoutData` PINGs went out with no data since. */
  private pingInterval(k: KeepalivePolicy): number {
    if (k.pingAfterMs <= 0) return 0;
    return k.pingsWithoutData > 0 && this.pingsWithoutData >= k.pingsWithoutData
      ? Math.max(k.pingAfterMs, k.pingAfterWithoutDataMs)
      : k.pingAfterMs;
  }

  private onWatchTimer(): void {
    this.watchTimer = undefined;
    if (this.closed) return;
    const k = this.keepalive;
    if (this.pingOutstanding) {
      this.events.onRetired('keepalive-timeout');
      this.fail(
        `the callout did not answer a keepalive PING within ${k.pingTimeoutMs} ms (the connection is presumed dead)`,
        false,
      );
      return;
    }
    this.watch(Date.now());
  }

  /** Sends a PING or closes the idle connection when due; otherwise arms the timer for the next check. */
  private watch(now: number, active = this.streams.size + this.waiting.length > 0): void {
    // An outstanding PING keeps its timer: only an answer or the timeout ends it.
    if (this.closed || this.pingOutstanding) return;
    if (this.watchTimer !== undefined) clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
    const k = this.keepalive;
    let next = Infinity;
    const pingAfterMs = this.pingInterval(k);
    if (pingAfterMs > 0) {
      const due = this.lastHeard + pingAfterMs;
      if (due > now) next = due;
      else if (active || k.pingWithoutStreams) {
        this.pingOutstanding = true;
        this.pingsWithoutData++;
        this.queue(KEEPALIVE_PING);
        next = now + k.pingTimeoutMs;
      }
    }
    if (!active && !this.pingOutstanding && k.idleTimeoutMs > 0) {
      const idleEnd = this.idleSince + k.idleTimeoutMs;
      if (idleEnd <= now) return this.closeIdle();
      next = Math.min(next, idleEnd);
    }
    if (next !== Infinity) this.watchTimer = setTimeout(this.onWatch, next - now).unref();
  }

  /** Idle for the idle timeout: GOAWAY and end, as close() does, with no stream to wait for. */
  private closeIdle(): void {
    this.events.onRetired('idle');
    this.markUnusable();
    this.queue(goaway(0, H2_ERROR.NO_ERROR));
    this.maybeEnd();
  }

  private sweep(): void {
    const now = Date.now();
    for (const s of this.lingering) {
      if (s.deadline > now) continue;
      this.reset(s, H2_ERROR.CANCEL);
      s.handler.onReset(H2_ERROR.CANCEL, true);
    }
    if (this.lingering.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Sending

  private activate(s: H2Stream): void {
    if (this.nextId > LAST_STREAM_ID) {
      this.markUnusable();
      s.handler.onFailure('no stream ids left on the connection', this.established, true);
      return;
    }
    s.id = this.nextId;
    this.nextId += 2;
    if (this.nextId > LAST_STREAM_ID) this.markUnusable();
    this.streams.set(s.id, s);
    const block = s.headerBlock!;
    s.headerBlock = undefined;
    this.head(block.length, FRAME.HEADERS, FLAG.END_HEADERS, s.id);
    this.queue(block);
    this.drainQueued(s);
  }

  /** Sends what the stream had queued, as far as the windows allow. */
  private drainQueued(s: H2Stream): void {
    while (s.queued.length > 0) {
      const data = s.queued[0]!;
      const last = s.queued.length === 1 && s.queuedEnd;
      const sent = this.sendData(s, data, last);
      if (sent < data.length) {
        s.queued[0] = data.subarray(sent);
        this.blocked.add(s);
        return;
      }
      s.queued.shift();
      if (last) s.queuedEnd = false;
    }
    if (s.queuedEnd) {
      s.queuedEnd = false;
      this.sendData(s, EMPTY, true);
    }
    this.blocked.delete(s);
  }

  /** Writes as much of `data` as the windows allow; queues the rest. Returns the bytes written. */
  private sendData(s: H2Stream, data: Buffer, endStream: boolean): number {
    let at = 0;
    do {
      const room = Math.min(this.sendWindow, s.sendWindow, this.peerMaxFrame);
      const n = Math.min(room, data.length - at);
      if (n <= 0 && data.length > 0) break;
      const last = at + n === data.length;
      this.head(n, FRAME.DATA, last && endStream ? FLAG.END_STREAM : 0, s.id);
      if (n > 0) this.queue(n === data.length ? data : data.subarray(at, at + n));
      this.sendWindow -= n;
      s.sendWindow -= n;
      at += n;
    } while (at < data.length);
    if (at < data.length) {
      if (s.queued[0] !== data) {
        s.queued.unshift(data.subarray(at));
        if (endStream) s.queuedEnd = true;
      }
      this.blocked.add(s);
    } else if (endStream) {
      this.afterLocalEnd(s);
    }
    return at;
  }

  private afterLocalEnd(s: H2Stream): void {
    s.localClosed = true;
    if (s.remoteClosed) this.finish(s);
  }

  /** Queues a frame header (9 bytes, written into the arena). */
  private head(len: number, type: number, flags: number, id: number): void {
    if (this.closed) return;
    this.room(9);
    writeFrameHeader(this.arena, this.arenaAt, len, type, flags, id);
    this.arenaAt += 9;
    this.scheduleFlush();
  }

  private queue(b: Buffer): void {
    if (this.closed) return;
    if (b.length <= COPY_BELOW_BYTES) {
      this.room(b.length);
      this.arena.set(b, this.arenaAt);
      this.arenaAt += b.length;
    } else {
      this.sealArena();
      this.out.push(b);
      this.outBytes += b.length;
    }
    this.scheduleFlush();
  }

  /** Makes room for `n` bytes in the arena (a new one when it is full). */
  private room(n: number): void {
    if (this.arenaAt + n <= this.arena.length) return;
    this.sealArena();
    this.arena = Buffer.allocUnsafeSlow(Math.max(ARENA_BYTES, n));
    this.arenaStart = this.arenaAt = 0;
  }

  /** The arena's bytes of this turn join the output, in order. */
  private sealArena(): void {
    if (this.arenaAt === this.arenaStart) return;
    this.out.push(this.arena.subarray(this.arenaStart, this.arenaAt));
    this.outBytes += this.arenaAt - this.arenaStart;
    this.arenaStart = this.arenaAt;
  }

  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One socket write per event-loop turn for every stream's frames (the gateway's reads of many
      // downstream connections in one turn share it).
      setImmediate(this.flush);
    }
  }

  private flushNow(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    this.sealArena();
    if (this.out.length === 0) return;
    const out = this.out;
    const bytes = this.outBytes;
    this.out = [];
    this.outBytes = 0;
    if (out.length === 1 || bytes <= JOIN_BELOW_BYTES) {
      // Small frames joined: one TLS record and one segment for the whole turn, not one per 9-byte header.
      this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out, bytes));
      return;
    }
    // Bulk body data: corked writes leave as one writev without copying the data into a joined buffer.
    this.socket.cork();
    for (const b of out) this.socket.write(b);
    this.socket.uncork();
  }

  // ------------------------------------------------------------------------------------------------------
  // Receiving

  private onBytes(chunk: Buffer): void {
    this.lastHeard = Date.now();
    this.pingOutstanding = false;
    let buf = this.input ? Buffer.concat([this.input, chunk]) : chunk;
    this.input = undefined;
    let at = 0;
    try {
      while (!this.closed && buf.length - at >= 9) {
        const len = buf.readUIntBE(at, 3);
        if (!this.established && buf[at + 3] !== FRAME.SETTINGS) {
          // Often an HTTP/1.1 or TLS answer to our preface: name that rather than a frame size.
          throw new ConnectionError(
            H2_ERROR.PROTOCOL_ERROR,
            'the first frame from the callout is not SETTINGS',
          );
        }
        if (len > DEFAULT_MAX_FRAME) {
          throw new ConnectionError(
            H2_ERROR.FRAME_SIZE_ERROR,
            `frame of ${len} bytes over our max frame size`,
          );
        }
        if (buf.length - at < 9 + len) break;
        const type = buf[at + 3]!;
        const flags = buf[at + 4]!;
        const id = buf.readUInt32BE(at + 5) & 0x7fffffff;
        if (type === FRAME.HEADERS && !this.headerBlock)
          this.onHeadersFrame(flags, id, buf, at + 9, at + 9 + len);
        else this.onFrame(type, flags, id, buf.subarray(at + 9, at + 9 + len));
        at += 9 + len;
      }
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      this.connectionError(err.code, err.message);
      return;
    }
    if (at < buf.length && !this.closed) {
      buf = buf.subarray(at);
      // A partial frame: keep a copy so the socket's chunk can be released.
      this.input = Buffer.from(buf);
    }
    this.ackConnectionWindow();
  }

  private onFrame(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.headerBlock && type !== FRAME.CONTINUATION) {
      throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, 'expected CONTINUATION');
    }
    switch (type) {
      case FRAME.DATA:
        this.pingsWithoutData = 0;
        return this.onDataFrame(flags, id, payload);
      case FRAME.HEADERS:
        this.pingsWithoutData = 0;
        return this.onHeadersFrame(flags, id, payload, 0, payload.length);
      case FRAME.CONTINUATION:
        return this.onContinuation(flags, id, payload);
      case FRAME.RST_STREAM:
        return this.onRstStream(id, payload);
      case FRAME.SETTINGS:
        return this.onSettings(flags, id, payload);
      case FRAME.PING:
        if (id !== 0 || payload.length !== 8) throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, 'bad PING');
        if (!(flags & FLAG.ACK)) this.queue(ping(payload));
        return;
      case FRAME.GOAWAY:
        return this.onGoaway(payload);
      case FRAME.WINDOW_UPDATE:
        return this.onWindowUpdate(id, payload);
      case FRAME.PUSH_PROMISE:
        throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, 'PUSH_PROMISE with push disabled');
      default:
        return; // PRIORITY and unknown frame types are ignored (RFC 9113 §4.1, §5.5)
    }
  }

  private onDataFrame(flags: number, id: number, payload: Buffer): void {
    // Flow control counts the whole frame, padding included (§6.9.1).
    this.connUnacked += payload.length;
    if (this.connUnacked > CONNECTION_WINDOW) {
      throw new ConnectionError(H2_ERROR.FLOW_CONTROL_ERROR, 'the callout overran the connection window');
    }
    const s = this.stream(id, 'DATA');
    if (!s) return;
    if (s.remoteClosed) return this.streamError(s, H2_ERROR.STREAM_CLOSED);
    s.unacked += payload.length;
    if (s.unacked > STREAM_WINDOW) return this.streamError(s, H2_ERROR.FLOW_CONTROL_ERROR);
    const data = unpad(flags, payload);
    const end = (flags & FLAG.END_STREAM) !== 0;
    if (end) s.remoteClosed = true;
    else if (s.unacked >= STREAM_WINDOW / 2) {
      this.queue(windowUpdate(s.id, s.unacked));
      s.unacked = 0;
    }
    s.handler.onData(data, end);
    if (end) this.afterRemoteEnd(s);
  }

  /** A HEADERS frame, read in place: its payload is `buf` from `start` to `end`. */
  private onHeadersFrame(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (flags & FLAG.PADDED) {
      const pad = buf[start];
      if (pad === undefined || start >= end || pad >= end - start) {
        throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, 'padding longer than the frame');
      }
      start += 1;
      end -= pad;
    }
    if (flags & FLAG.PRIORITY) start = Math.min(start + 5, end);
    const endStream = (flags & FLAG.END_STREAM) !== 0;
    // The usual block fits one frame: decoded at once, without assembling it.
    if (flags & FLAG.END_HEADERS) return this.onHeaderBlock(id, buf, start, end, endStream);
    const block = buf.subarray(start, end);
    this.headerBlock = { stream: id, parts: [block], size: block.length, endStream };
  }

  private onContinuation(flags: number, id: number, payload: Buffer): void {
    const hb = this.headerBlock;
    if (!hb || hb.stream !== id)
      throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, 'unexpected CONTINUATION');
    hb.parts.push(payload);
    hb.size += payload.length;
    if (hb.size > MAX_HEADER_LIST_BYTES) {
      throw new ConnectionError(H2_ERROR.ENHANCE_YOUR_CALM, 'header block too large');
    }
    if (flags & FLAG.END_HEADERS) {
      this.headerBlock = undefined;
      const block = Buffer.concat(hb.parts, hb.size);
      this.onHeaderBlock(hb.stream, block, 0, block.length, hb.endStream);
    }
  }

  private onHeaderBlock(id: number, block: Buffer, start: number, end: number, endStream: boolean): void {
    let fields: HeaderField[];
    try {
      // Decoded even for a stream we no longer track: the dynamic table must stay in step (RFC 7541 §2.2).
      fields = this.decoder.decode(block, start, end);
    } catch (err) {
      if (err instanceof HpackError) throw new ConnectionError(H2_ERROR.COMPRESSION_ERROR, err.message);
      throw err;
    }
    const s = this.stream(id, 'HEADERS');
    if (!s) return;
    if (s.remoteClosed) return this.streamError(s, H2_ERROR.STREAM_CLOSED);
    if (endStream) s.remoteClosed = true;
    s.handler.onHeaders(fields, endStream);
    if (endStream) this.afterRemoteEnd(s);
  }

  private onRstStream(id: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ConnectionError(H2_ERROR.FRAME_SIZE_ERROR, 'bad RST_STREAM');
    const s = this.stream(id, 'RST_STREAM');
    if (!s) return;
    this.finish(s);
    s.handler.onReset(payload.readUInt32BE(0), false);
  }

  private onSettings(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, 'SETTINGS on a stream');
    if (flags & FLAG.ACK) return;
    if (payload.length % 6 !== 0) throw new ConnectionError(H2_ERROR.FRAME_SIZE_ERROR, 'bad SETTINGS');
    let sawMaxStreams = false;
    for (let at = 0; at < payload.length; at += 6) {
      const value = payload.readUInt32BE(at + 2);
      switch (payload.readUInt16BE(at)) {
        case SETTING.MAX_CONCURRENT_STREAMS:
          this.peerMaxStreams = value;
          sawMaxStreams = true;
          break;
        case SETTING.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW)
            throw new ConnectionError(H2_ERROR.FLOW_CONTROL_ERROR, 'initial window too large');
          const delta = value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          for (const s of this.streams.values()) s.sendWindow += delta;
          for (const s of this.waiting) s.sendWindow += delta;
          break;
        }
        case SETTING.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME || value > 2 ** 24 - 1) {
            throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, 'bad SETTINGS_MAX_FRAME_SIZE');
          }
          this.peerMaxFrame = value;
          break;
        default:
          break; // our encoder never indexes, so HEADER_TABLE_SIZE does not matter to us
      }
    }
    // The first SETTINGS without a limit means none (§6.5.2: unlimited until set).
    if (!this.established && !sawMaxStreams) this.peerMaxStreams = Infinity;
    this.queue(settingsAck());
    if (!this.established) {
      this.established = true;
      this.events.onEstablished();
    }
    this.admitWaiting();
    this.unblock();
  }

  private onGoaway(payload: Buffer): void {
    if (payload.length < 8) throw new ConnectionError(H2_ERROR.FRAME_SIZE_ERROR, 'bad GOAWAY');
    const last = payload.readUInt32BE(0) & 0x7fffffff;
    const code = payload.readUInt32BE(4);
    const debug = printable(payload.subarray(8));
    if (code === H2_ERROR.ENHANCE_YOUR_CALM && debug === 'too_many_pings')
      this.events.onRetired('too-many-pings');
    this.markUnusable();
    const why = `the callout sent GOAWAY (HTTP/2 error code ${code}${debug ? `: ${debug}` : ''})`;
    // Streams above `last` were never processed: they fail as refused (§6.8); the rest may still finish.
    for (const s of [...this.streams.values()]) {
      if (s.id > last) {
        this.finish(s);
        s.handler.onFailure(why, true, true);
      }
    }
    for (const s of this.waiting.splice(0)) s.handler.onFailure(why, true, true);
    this.maybeEnd();
  }

  private onWindowUpdate(id: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ConnectionError(H2_ERROR.FRAME_SIZE_ERROR, 'bad WINDOW_UPDATE');
    const inc = payload.readUInt32BE(0) & 0x7fffffff;
    if (id === 0) {
      if (inc === 0) throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
      this.sendWindow += inc;
      if (this.sendWindow > MAX_WINDOW)
        throw new ConnectionError(H2_ERROR.FLOW_CONTROL_ERROR, 'window overflow');
      this.unblock();
      return;
    }
    const s = this.streams.get(id);
    if (!s) return;
    if (inc === 0) return this.streamError(s, H2_ERROR.PROTOCOL_ERROR);
    s.sendWindow += inc;
    if (s.sendWindow > MAX_WINDOW) return this.streamError(s, H2_ERROR.FLOW_CONTROL_ERROR);
    if (this.blocked.has(s)) this.drainQueued(s);
  }

  /** The stream a frame names, or undefined for one already over; a frame on an idle stream is an error. */
  private stream(id: number, what: string): H2Stream | undefined {
    const s = this.streams.get(id);
    if (s) return s;
    if (id === 0 || id % 2 === 0 || id >= this.nextId) {
      throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, `${what} on stream ${id}, which we did not open`);
    }
    return undefined;
  }

  private streamError(s: H2Stream, code: number): void {
    this.queue(rstStream(s.id, code));
    this.finish(s);
    s.handler.onFailure(`HTTP/2 stream error ${code} in what the callout sent`, true, false);
  }

  private afterRemoteEnd(s: H2Stream): void {
    if (s.localClosed) this.finish(s);
  }

  private ackConnectionWindow(): void {
    if (this.connUnacked >= CONNECTION_WINDOW / 2 && !this.closed) {
      this.queue(windowUpdate(0, this.connUnacked));
      this.connUnacked = 0;
    }
  }

  private unblock(): void {
    for (const s of [...this.blocked]) {
      if (this.sendWindow <= 0) return;
      this.drainQueued(s);
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Lifecycle

  /** The stream is over for us: it leaves the table, and a waiting stream may take its slot. */
  private finish(s: H2Stream): void {
    if (s.done) return;
    s.done = true;
    if (s.queued.length > 0) s.queued = [];
    this.blocked.delete(s);
    this.lingering.delete(s);
    if (s.id === 0) {
      const i = this.waiting.indexOf(s);
      if (i >= 0) this.waiting.splice(i, 1);
      return;
    }
    this.streams.delete(s.id);
    this.admitWaiting();
    if (this.streams.size === 0 && this.waiting.length === 0) {
      this.idleSince = Date.now();
      // Without keepalive PINGs nothing may be armed while streams were open; the idle timeout needs it.
      if (this.watchTimer === undefined) this.watch(this.idleSince, false);
    }
    this.maybeEnd();
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.streams.size < this.peerMaxStreams && !this.closed) {
      this.activate(this.waiting.shift()!);
    }
  }

  private markUnusable(): void {
    if (!this.usable) return;
    this.usable = false;
    this.events.onUnusable();
  }

  /** A connection nobody can use any more ends once its last stream is done. */
  private maybeEnd(): void {
    if (this.usable || this.closed || this.streams.size > 0 || this.waiting.length > 0) return;
    this.flushNow();
    this.closed = true;
    this.socket.end();
  }

  private connectionError(code: number, message: string): void {
    this.queue(goaway(0, code));
    this.flushNow();
    this.fail(`HTTP/2 protocol error from the callout: ${message}`, true);
  }

  /** The connection is gone: every stream fails with `message`. */
  private fail(message: string, protocolError: boolean): void {
    const wasClosed = this.closed;
    this.closed = true;
    this.markUnusable();
    if (!this.established && !wasClosed) {
      this.events.onHandshakeFailed(
        message === 'Connection dropped' ? 'the connection closed before the HTTP/2 handshake' : message,
      );
    }
    if (!this.socket.destroyed) {
      if (protocolError) this.socket.end();
      else this.socket.destroy();
    }
    const failing = [...this.streams.values(), ...this.waiting.splice(0)];
    this.streams.clear();
    this.blocked.clear();
    this.lingering.clear();
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
    for (const s of failing) {
      if (s.done) continue;
      s.done = true;
      s.handler.onFailure(message, this.established, false);
    }
  }
}

class ConnectionError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const EMPTY = Buffer.alloc(0);

function writeFrameHeader(b: Buffer, at: number, len: number, type: number, flags: number, id: number): void {
  b[at] = (len >>> 16) & 0xff;
  b[at + 1] = (len >>> 8) & 0xff;
  b[at + 2] = len & 0xff;
  b[at + 3] = type;
  b[at + 4] = flags;
  b.writeUInt32BE(id, at + 5);
}

function unpad(flags: number, payload: Buffer): Buffer {
  if (!(flags & FLAG.PADDED)) return payload;
  const pad = payload[0];
  if (pad === undefined || pad >= payload.length) {
    throw new ConnectionError(H2_ERROR.PROTOCOL_ERROR, 'padding longer than the frame');
  }
  return payload.subarray(1, payload.length - pad);
}

function windowUpdate(id: number, inc: number): Buffer {
  const b = Buffer.allocUnsafe(13);
  writeFrameHeader(b, 0, 4, FRAME.WINDOW_UPDATE, 0, id);
  b.writeUInt32BE(inc, 9);
  return b;
}

function rstStream(id: number, code: number): Buffer {
  const b = Buffer.allocUnsafe(13);
  writeFrameHeader(b, 0, 4, FRAME.RST_STREAM, 0, id);
  b.writeUInt32BE(code, 9);
  return b;
}

function goaway(last: number, code: number): Buffer {
  const b = Buffer.allocUnsafe(17);
  writeFrameHeader(b, 0, 8, FRAME.GOAWAY, 0, 0);
  b.writeUInt32BE(last, 9);
  b.writeUInt32BE(code, 13);
  return b;
}

function ping(payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(17);
  writeFrameHeader(b, 0, 8, FRAME.PING, FLAG.ACK, 0);
  payload.copy(b, 9);
  return b;
}

/** Our keepalive PING (its 8 opaque bytes do not matter: any frame from the callout answers it). */
const KEEPALIVE_PING = ((): Buffer => {
  const b = Buffer.alloc(17);
  writeFrameHeader(b, 0, 8, FRAME.PING, 0, 0);
  b.write('extgate!', 9, 'latin1');
  return b;
})();

/** A GOAWAY's debug data as text for a message: printable ASCII only, at most 100 characters (hostile input). */
function printable(data: Buffer): string {
  return data
    .subarray(0, 100)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '?');
}

function settingsAck(): Buffer {
  const b = Buffer.allocUnsafe(9);
  writeFrameHeader(b, 0, 0, FRAME.SETTINGS, FLAG.ACK, 0);
  return b;
}
