// A direct decoder for the ProcessingResponse answers a callout sends on the hot path: a headers, body or
// trailers answer (CommonResponse with status, header_mutation, body_mutation, clear_route_cache; or a trailers
// header_mutation). It builds the plain object protobufjs' `decode` + `toObject` (keepCase, enums and longs as
// numbers, no defaults, oneofs) gave, without the message instances and the conversion pass in between.
//
// Anything else — immediate_response, dynamic_metadata, mode_override, override_message_timeout,
// CommonResponse.trailers, a field on the wire with an unexpected wire type, a singular message repeated, two
// members of a oneof, a varint over 5 bytes, a length past its message, groups — goes to `fallback`
// (protobufjs), so odd and malformed answers decode, or fail with the same message, exactly as before.
// test/callout/response-decoder.test.ts compares both on every shape.
//
// Field numbers: envoy/service/ext_proc/v3/external_processor.proto, envoy/config/core/v3/base.proto
// (HeaderValueOption, HeaderValue), google/protobuf/wrappers.proto (BoolValue), and BodyMutation's
// streamed_response (3) and StreamedBodyResponse added in protos.ts.

import type {
  BodyMutation,
  CommonResponse,
  HeaderMutation,
  HeaderValue,
  HeaderValueOption,
  ProcessingResponse,
  StreamedBodyResponse,
} from './messages.js';

/** Thrown inside the fast path when the answer needs protobufjs; never escapes this module. */
class NeedsFallback extends Error {}
const FALLBACK = new NeedsFallback('fallback');

const VARINT = 0;
const LEN = 2;

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }

  /** protobufjs' uint32 for varints of at most 5 bytes; longer ones (it skips bytes blindly) fall back. */
  uint32(): number {
    const buf = this.buf;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw FALLBACK;
      const b = buf[this.pos++]!;
      value = (value | ((b & (shift === 28 ? 15 : 127)) << shift)) >>> 0;
      if (b < 128) return value;
    }
    throw FALLBACK;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** Start and end of a length-delimited field's content. */
  span(): number {
    const len = this.uint32();
    if (len > this.end - this.pos) throw FALLBACK;
    return len;
  }

  bytes(): Buffer {
    const len = this.span();
    const start = this.pos;
    this.pos += len;
    return len === 0 ? Buffer.alloc(0) : this.buf.subarray(start, this.pos);
  }

  string(): string {
    const len = this.span();
    const start = this.pos;
    this.pos += len;
    return this.buf.toString('utf8', start, this.pos);
  }

  /** Reads a nested message of `len` bytes with `read`, checking it ends exactly there. */
  message<T>(read: (r: Reader) => T): T {
    const len = this.span();
    const outer = this.end;
    this.end = this.pos + len;
    const out = read(this);
    if (this.pos !== this.end) throw FALLBACK;
    this.end = outer;
    return out;
  }

  /** Skips a field we do not read, as protobufjs does for unknown fields (groups fall back). */
  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.uint32();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.advance(this.span());
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw FALLBACK;
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw FALLBACK;
    this.pos += n;
  }
}

function expect(wire: number, want: number): void {
  if (wire !== want) throw FALLBACK;
}

function once(o: object, key: string): void {
  if (Object.prototype.hasOwnProperty.call(o, key)) throw FALLBACK;
}

function headerValue(r: Reader): HeaderValue {
  const out = {} as HeaderValue;
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1) {
      expect(wire, LEN);
      out.key = r.string();
    } else if (field === 2) {
      expect(wire, LEN);
      out.value = r.string();
    } else if (field === 3) {
      expect(wire, LEN);
      out.raw_value = r.bytes();
    } else r.skip(wire);
  }
  return out;
}

function boolValue(r: Reader): { value?: boolean } {
  const out: { value?: boolean } = {};
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1) {
      expect(wire, VARINT);
      out.value = r.bool();
    } else r.skip(wire);
  }
  return out;
}

function headerValueOption(r: Reader): HeaderValueOption {
  const out: HeaderValueOption = {};
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1) {
      expect(wire, LEN);
      once(out, 'header');
      out.header = r.message(headerValue);
    } else if (field === 2) {
      expect(wire, LEN);
      once(out, 'append');
      out.append = r.message(boolValue);
    } else if (field === 3) {
      expect(wire, VARINT);
      out.append_action = r.int32();
    } else if (field === 4) {
      expect(wire, VARINT);
      out.keep_empty_value = r.bool();
    } else r.skip(wire);
  }
  return out;
}

function headerMutation(r: Reader): HeaderMutation {
  const out: HeaderMutation = {};
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1) {
      expect(wire, LEN);
      (out.set_headers ??= []).push(r.message(headerValueOption));
    } else if (field === 2) {
      expect(wire, LEN);
      (out.remove_headers ??= []).push(r.string());
    } else r.skip(wire);
  }
  return out;
}

function streamedBody(r: Reader): StreamedBodyResponse {
  const out: StreamedBodyResponse = {};
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1) {
      expect(wire, LEN);
      out.body = r.bytes();
    } else if (field === 2) {
      expect(wire, VARINT);
      out.end_of_stream = r.bool();
    } else r.skip(wire);
  }
  return out;
}

function bodyMutation(r: Reader): BodyMutation {
  const out: BodyMutation = {};
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1) {
      expect(wire, LEN);
      out.body = r.bytes();
      oneMember(out, 'body');
    } else if (field === 2) {
      expect(wire, VARINT);
      out.clear_body = r.bool();
      oneMember(out, 'clear_body');
    } else if (field === 3) {
      expect(wire, LEN);
      once(out, 'streamed_response');
      out.streamed_response = r.message(streamedBody);
      oneMember(out, 'streamed_response');
    } else r.skip(wire);
  }
  return out;
}

/** BodyMutation's oneof: a second, different member falls back (protobufjs' result depends on field order). */
function oneMember(out: BodyMutation, member: NonNullable<BodyMutation['mutation']>): void {
  if (out.mutation !== undefined && out.mutation !== member) throw FALLBACK;
  out.mutation = member;
}

function commonResponse(r: Reader): CommonResponse {
  const out: CommonResponse = {};
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1) {
      expect(wire, VARINT);
      out.status = r.int32();
    } else if (field === 2) {
      expect(wire, LEN);
      once(out, 'header_mutation');
      out.header_mutation = r.message(headerMutation);
    } else if (field === 3) {
      expect(wire, LEN);
      once(out, 'body_mutation');
      out.body_mutation = r.message(bodyMutation);
    } else if (field === 5) {
      expect(wire, VARINT);
      out.clear_route_cache = r.bool();
    } else if (field === 4) {
      throw FALLBACK; // trailers: rare, left to protobufjs
    } else r.skip(wire);
  }
  return out;
}

/** HeadersResponse and BodyResponse: `response` (1), a CommonResponse. */
function withCommon(r: Reader): { response?: CommonResponse } {
  const out: { response?: CommonResponse } = {};
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1) {
      expect(wire, LEN);
      once(out, 'response');
      out.response = r.message(commonResponse);
    } else r.skip(wire);
  }
  return out;
}

/** TrailersResponse: `header_mutation` (1). */
function trailersResponse(r: Reader): { header_mutation?: HeaderMutation } {
  const out: { header_mutation?: HeaderMutation } = {};
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field === 1) {
      expect(wire, LEN);
      once(out, 'header_mutation');
      out.header_mutation = r.message(headerMutation);
    } else r.skip(wire);
  }
  return out;
}

const KINDS = [
  undefined,
  'request_headers',
  'response_headers',
  'request_body',
  'response_body',
  'request_trailers',
  'response_trailers',
] as const;

function processingResponse(r: Reader): ProcessingResponse {
  const out: ProcessingResponse = {};
  while (r.pos < r.end) {
    const t = r.uint32();
    const field = t >>> 3;
    const wire = t & 7;
    if (field >= 1 && field <= 6) {
      expect(wire, LEN);
      const kind = KINDS[field]!;
      // One member of the `response` oneof, once: anything else is protobufjs' to resolve.
      if (out.response !== undefined) throw FALLBACK;
      out.response = kind;
      (out as Record<string, unknown>)[kind] =
        field >= 5 ? r.message(trailersResponse) : r.message(withCommon);
    } else if (field >= 7 && field <= 10) {
      throw FALLBACK;
    } else r.skip(wire);
  }
  return out;
}

/** Decodes an answer; `fallback` (protobufjs) takes the ones outside the fast path (see the file comment). */
export function decodeProcessingResponse(
  b: Buffer,
  fallback: (b: Buffer) => ProcessingResponse,
): ProcessingResponse {
  try {
    return processingResponse(new Reader(b, 0, b.length));
  } catch (err) {
    if (err instanceof NeedsFallback) return fallback(b);
    throw err;
  }
}
