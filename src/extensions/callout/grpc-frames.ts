// gRPC over HTTP/2, the parts both ends of an ext_proc stream need: length-prefixed message framing
// (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md) and status codes. The messages inside the
// frames are encoded by protobufjs from Envoy's .proto files (protos.ts); only the 5-byte prefix is ours.
//
// Why not grpc-js: on loopback its per-stream bookkeeping (resolver, load-balancer pick, interceptors, call
// credentials) costs ~300 µs on each side of a one-message exchange, more than the exchange itself, and the
// data plane opens one stream per HTTP request per extension (bench/callout-latency.ts).

/** gRPC status codes (the subset the callout path names). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const STATUS_NAMES = new Map<number, string>(Object.entries(GrpcStatus).map(([k, v]) => [v, k]));

export function grpcStatusName(code: number): string {
  return STATUS_NAMES.get(code) ?? String(code);
}

export interface CallStatus {
  readonly code: number;
  readonly details: string;
}

export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0; // not compressed
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** Reassembles length-prefixed messages from DATA chunks. */
export class FrameDecoder {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Complete messages in `chunk` (plus what was buffered); throws a CallStatus on a bad or oversized frame. */
  push(chunk: Buffer): Buffer[] {
    // The usual answer: one whole message in one DATA frame, nothing buffered.
    if (this.size === 0 && chunk.length >= 5 && chunk[0] === 0) {
      const len = chunk.readUInt32BE(1);
      if (chunk.length === 5 + len && len <= this.maxMessageBytes) return [chunk.subarray(5)];
    }
    this.buffered.push(chunk);
    this.size += chunk.length;
    const out: Buffer[] = [];
    while (this.size >= 5) {
      const head = this.peek(5);
      if (head[0] !== 0) throw status(GrpcStatus.UNIMPLEMENTED, 'compressed gRPC messages are not supported');
      const len = head.readUInt32BE(1);
      if (len > this.maxMessageBytes) {
        throw status(
          GrpcStatus.RESOURCE_EXHAUSTED,
          `received message larger than max (${len} vs. ${this.maxMessageBytes})`,
        );
      }
      if (this.size < 5 + len) break;
      const all = this.take(5 + len);
      out.push(all.subarray(5));
    }
    return out;
  }

  private peek(n: number): Buffer {
    if (this.buffered[0]!.length >= n) return this.buffered[0]!;
    const joined = Buffer.concat(this.buffered);
    this.buffered = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const joined = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    this.buffered = joined.length > n ? [joined.subarray(n)] : [];
    this.size -= n;
    return joined.subarray(0, n);
  }
}

export function status(code: number, details: string): CallStatus {
  return { code, details };
}

/** `grpc-message` is percent-encoded (PROTOCOL-HTTP2.md). */
export function encodeGrpcMessage(s: string): string {
  return s.replace(/[^\x20-\x24\x26-\x7e]/g, (c) => encodeURIComponent(c));
}

export function decodeGrpcMessage(s: string | string[] | undefined): string {
  const v = Array.isArray(s) ? s[0] : s;
  if (!v) return '';
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
