// A direct protobuf encoder for the ProcessingRequest messages extgate sends, written straight into a gRPC
// frame (5-byte prefix + message) in one buffer.
//
// Why not protobufjs' generated encoder: it builds a linked list of write operations per field (one closure
// and object each, one fork per nested message), then copies them into a buffer, which `frame()` copied again.
// Here one pass measures every nested message (sizes kept in pre-order), a second writes them. It covers the
// fields of protos.ts's ProcessingRequest with protobufjs' presence rule (a field is written when it is set
// and not null, even at its default value: `end_of_stream: false` goes on the wire, as before), so a peer
// decodes exactly what protobufjs' encoding gave; test/callout/request-encoder.test.ts compares both.
//
// Field numbers: envoy/service/ext_proc/v3/external_processor.proto, envoy/config/core/v3/base.proto
// (Metadata, HeaderMap, HeaderValue), google/protobuf/struct.proto.

import protobuf from 'protobufjs';
import { ForwardedHeaders } from './forwarded-headers.js';
import type {
  HeaderMapMessage,
  HeaderValue,
  HttpBody,
  HttpHeaders,
  HttpTrailers,
  ProcessingRequest,
  ProtocolConfiguration,
  StructValue,
  ValueMessage,
} from './protos.js';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

const tag = (field: number, wire: number): number => (field << 3) | wire;

/** Bytes of a varint for a non-negative 32-bit value (negative int32 enums take 10, as protobuf says). */
function varintSize(v: number): number {
  if (v < 0) return 10;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** UTF-8 length of a string; ASCII (every header name) is counted without leaving JavaScript. */
function utf8Size(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/**
 * protobufjs' presence test for a singular field is `!= null && hasOwnProperty`; our messages are plain
 * object literals (no inherited fields), for which `!= null` alone is the same test, at a fraction of the cost.
 */
function present<T extends object, K extends keyof T & string>(o: T, k: K): boolean {
  return o[k] != null;
}

/**
 * The size pass records every nested message's length here, in the order the write pass meets them. One
 * instance serves every message (encoding is synchronous), so its array is not rebuilt per message.
 */
class Sizes {
  private readonly list: number[] = [];
  length = 0;

  push(size: number): void {
    this.list[this.length++] = size;
  }

  set(at: number, size: number): number {
    return (this.list[at] = size);
  }

  get(at: number): number {
    return this.list[at]!;
  }
}
const SIZES = new Sizes();

const lenField = (size: number): number => 1 + varintSize(size) + size;

// ---------------------------------------------------------------------------------------------------------
// Size pass

function headerValueSize(h: HeaderValue): number {
  let n = 0;
  if (present(h, 'key')) n += lenField(utf8Size(h.key));
  if (present(h, 'value')) n += lenField(utf8Size(h.value!));
  if (present(h, 'raw_value')) n += lenField(h.raw_value!.length);
  return n;
}

function headerMapSize(m: HeaderMapMessage, sizes: Sizes): number {
  if (m instanceof ForwardedHeaders) return forwardedSize(m.flat, sizes);
  let n = 0;
  const list = m.headers;
  if (list != null && list.length > 0) {
    for (const h of list) {
      const s = headerValueSize(h);
      sizes.push(s); // a leaf: no sizes of its own
      n += lenField(s);
    }
  }
  return n;
}

/** As headerMapSize for { key, raw_value } entries: a latin1 value is one byte per character. */
function forwardedSize(flat: readonly string[], sizes: Sizes): number {
  let n = 0;
  for (let i = 0; i < flat.length; i += 2) {
    const s = lenField(utf8Size(flat[i]!)) + lenField(flat[i + 1]!.length);
    sizes.push(s);
    n += lenField(s);
  }
  return n;
}

function valueSize(v: ValueMessage, sizes: Sizes): number {
  let n = 0;
  const o = v as Partial<Record<string, unknown>>;
  if (present(o, 'nullValue')) n += 1 + varintSize(enumNumber(o.nullValue));
  if (present(o, 'numberValue')) n += 9;
  if (present(o, 'stringValue')) n += lenField(utf8Size(o.stringValue as string));
  if (present(o, 'boolValue')) n += 2;
  if (present(o, 'structValue')) n += child(sizes, () => structSize(o.structValue as StructValue, sizes));
  if (present(o, 'listValue')) {
    const values = (o.listValue as { values?: ValueMessage[] }).values;
    n += child(sizes, () => {
      let ln = 0;
      if (values != null && values.length > 0) {
        for (const item of values) ln += child(sizes, () => valueSize(item, sizes));
      }
      return ln;
    });
  }
  return n;
}

function structSize(s: StructValue, sizes: Sizes): number {
  if (!present(s, 'fields')) return 0;
  const fields = s.fields!;
  let n = 0;
  for (const k of Object.keys(fields)) n += mapEntry(sizes, k, () => valueSize(fields[k]!, sizes));
  return n;
}

/** A map entry (a nested message): key (1) and message value (2), the value always written, as protobufjs does. */
function mapEntry(sizes: Sizes, key: string, value: () => number): number {
  return child(sizes, () => lenField(utf8Size(key)) + child(sizes, value));
}

function structMapSize(map: Record<string, StructValue>, sizes: Sizes): number {
  let n = 0;
  for (const k of Object.keys(map)) n += mapEntry(sizes, k, () => structSize(map[k]!, sizes));
  return n;
}

/**
 * A nested message: its size slot is reserved before its children record theirs (pre-order, the order in
 * which the write pass opens them). Returns the bytes it takes in its parent (tag, length, content).
 */
function child(sizes: Sizes, size: () => number): number {
  const at = sizes.length;
  sizes.push(0);
  const s = size();
  sizes.set(at, s);
  return lenField(s);
}

function headersSize(h: HttpHeaders, sizes: Sizes): number {
  let n = 0;
  if (present(h, 'headers')) {
    const at = sizes.length;
    sizes.push(0);
    const s = headerMapSize(h.headers!, sizes);
    sizes.set(at, s);
    n += lenField(s);
  }
  if (present(h, 'end_of_stream')) n += 2;
  return n;
}

function bodySize(b: HttpBody): number {
  let n = 0;
  if (present(b, 'body')) n += lenField(b.body!.length);
  if (present(b, 'end_of_stream')) n += 2;
  return n;
}

function trailersSize(t: HttpTrailers, sizes: Sizes): number {
  return present(t, 'trailers') ? child(sizes, () => headerMapSize(t.trailers!, sizes)) : 0;
}

function protocolConfigSize(p: ProtocolConfiguration): number {
  let n = 0;
  if (present(p, 'request_body_mode')) n += 1 + varintSize(p.request_body_mode!);
  if (present(p, 'response_body_mode')) n += 1 + varintSize(p.response_body_mode!);
  if (present(p, 'send_body_without_waiting_for_header_response')) n += 2;
  return n;
}

/** Returns the message size; `sizes` gets every nested message's size in write order. */
function requestSize(m: ProcessingRequest, sizes: Sizes): number {
  let n = 0;
  let at: number;
  // Each nested message reserves its size slot before its children record theirs (pre-order).
  if (present(m, 'request_headers')) {
    at = reserve(sizes);
    n += lenField(sizes.set(at, headersSize(m.request_headers!, sizes)));
  }
  if (present(m, 'response_headers')) {
    at = reserve(sizes);
    n += lenField(sizes.set(at, headersSize(m.response_headers!, sizes)));
  }
  if (present(m, 'request_body')) n += lenField(record(sizes, bodySize(m.request_body!)));
  if (present(m, 'response_body')) n += lenField(record(sizes, bodySize(m.response_body!)));
  if (present(m, 'request_trailers')) n += child(sizes, () => trailersSize(m.request_trailers!, sizes));
  if (present(m, 'response_trailers')) n += child(sizes, () => trailersSize(m.response_trailers!, sizes));
  if (present(m, 'metadata_context')) {
    const md = m.metadata_context!;
    n += present(md, 'filter_metadata')
      ? child(sizes, () => structMapSize(md.filter_metadata!, sizes))
      : lenField(record(sizes, 0));
  }
  if (present(m, 'attributes')) n += structMapSize(m.attributes!, sizes);
  if (present(m, 'observability_mode')) n += 2;
  if (present(m, 'protocol_config')) n += lenField(record(sizes, protocolConfigSize(m.protocol_config!)));
  return n;
}

function reserve(sizes: Sizes): number {
  sizes.push(0);
  return sizes.length - 1;
}

/** Records the size of a nested message that has no nested messages of its own. */
function record(sizes: Sizes, size: number): number {
  sizes.push(size);
  return size;
}

function enumNumber(v: unknown): number {
  return typeof v === 'number' ? v | 0 : 0;
}

// ---------------------------------------------------------------------------------------------------------
// Write pass

class Out {
  at: number;
  next = 0;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly sizes: Sizes,
  ) {
    this.at = start;
  }

  varint(v: number): void {
    const buf = this.buf;
    if (v < 0) {
      // A negative int32 is sign-extended to 64 bits: ten bytes.
      let lo = v >>> 0;
      let hi = 0xffffffff;
      for (let i = 0; i < 9; i++) {
        buf[this.at++] = (lo & 0x7f) | 0x80;
        lo = ((lo >>> 7) | (hi << 25)) >>> 0;
        hi >>>= 7;
      }
      buf[this.at++] = lo & 0x7f;
      return;
    }
    while (v >= 0x80) {
      buf[this.at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.at++] = v;
  }

  string(field: number, s: string): void {
    this.varint(tag(field, WIRE_LEN));
    const buf = this.buf;
    const start = this.at;
    // ASCII (every header name) is written byte by byte; the first other character starts over with UTF-8.
    this.varint(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.at = start;
        const n = Buffer.byteLength(s, 'utf8');
        this.varint(n);
        // As protobufjs' BufferWriter: its own UTF-8 writer below 40 characters, Buffer's above. They differ
        // only for lone surrogates (3 bytes of the surrogate vs U+FFFD), which a peer must see as before.
        if (s.length < 40) protobuf.util.utf8.write(s, buf, this.at);
        else buf.write(s, this.at, n, 'utf8');
        this.at += n;
        return;
      }
      buf[this.at++] = c;
    }
  }

  /** A bytes field from a header-codec string: each character's low byte, as Buffer.from(s, 'latin1'). */
  latin1(field: number, s: string): void {
    this.varint(tag(field, WIRE_LEN));
    this.varint(s.length);
    const buf = this.buf;
    if (s.length > 64) {
      buf.write(s, this.at, s.length, 'latin1');
      this.at += s.length;
      return;
    }
    // Short values (nearly all) without a call into C++.
    for (let i = 0; i < s.length; i++) buf[this.at++] = s.charCodeAt(i) & 0xff;
  }

  bytes(field: number, b: Uint8Array): void {
    this.varint(tag(field, WIRE_LEN));
    this.varint(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  bool(field: number, v: boolean): void {
    this.buf[this.at++] = tag(field, WIRE_VARINT);
    this.buf[this.at++] = v ? 1 : 0;
  }

  enum(field: number, v: unknown): void {
    this.varint(tag(field, WIRE_VARINT));
    this.varint(enumNumber(v));
  }

  double(field: number, v: number): void {
    this.varint(tag(field, WIRE_FIXED64));
    this.buf.writeDoubleLE(v, this.at);
    this.at += 8;
  }

  /** Opens a nested message: its size is the next one the size pass recorded. */
  open(field: number): void {
    this.varint(tag(field, WIRE_LEN));
    this.varint(this.sizes.get(this.next++));
  }
}

function writeHeaderMap(o: Out, m: HeaderMapMessage): void {
  if (m instanceof ForwardedHeaders) {
    const flat = m.flat;
    for (let i = 0; i < flat.length; i += 2) {
      o.open(1);
      o.string(1, flat[i]!);
      o.latin1(3, flat[i + 1]!);
    }
    return;
  }
  const list = m.headers;
  if (list == null || list.length === 0) return;
  for (const h of list) {
    o.open(1);
    if (present(h, 'key')) o.string(1, h.key);
    if (present(h, 'value')) o.string(2, h.value!);
    if (present(h, 'raw_value')) o.bytes(3, h.raw_value!);
  }
}

function writeValue(o: Out, v: ValueMessage): void {
  const x = v as Partial<Record<string, unknown>>;
  if (present(x, 'nullValue')) o.enum(1, x.nullValue);
  if (present(x, 'numberValue')) o.double(2, x.numberValue as number);
  if (present(x, 'stringValue')) o.string(3, x.stringValue as string);
  if (present(x, 'boolValue')) o.bool(4, x.boolValue as boolean);
  if (present(x, 'structValue')) {
    o.open(5);
    writeStruct(o, x.structValue as StructValue);
  }
  if (present(x, 'listValue')) {
    o.open(6);
    const values = (x.listValue as { values?: ValueMessage[] }).values;
    if (values != null && values.length > 0) {
      for (const item of values) {
        o.open(1);
        writeValue(o, item);
      }
    }
  }
}

function writeStruct(o: Out, s: StructValue): void {
  if (!present(s, 'fields')) return;
  const fields = s.fields!;
  for (const k of Object.keys(fields)) {
    o.open(1);
    o.string(1, k);
    o.open(2);
    writeValue(o, fields[k]!);
  }
}

function writeStructMap(o: Out, field: number, map: Record<string, StructValue>): void {
  for (const k of Object.keys(map)) {
    o.open(field);
    o.string(1, k);
    o.open(2);
    writeStruct(o, map[k]!);
  }
}

function writeHeaders(o: Out, field: number, h: HttpHeaders): void {
  o.open(field);
  if (present(h, 'headers')) {
    o.open(1);
    writeHeaderMap(o, h.headers!);
  }
  if (present(h, 'end_of_stream')) o.bool(3, h.end_of_stream!);
}

function writeBody(o: Out, field: number, b: HttpBody): void {
  o.open(field);
  if (present(b, 'body')) o.bytes(1, b.body!);
  if (present(b, 'end_of_stream')) o.bool(2, b.end_of_stream!);
}

function writeTrailers(o: Out, field: number, t: HttpTrailers): void {
  o.open(field);
  if (present(t, 'trailers')) {
    o.open(1);
    writeHeaderMap(o, t.trailers!);
  }
}

function writeRequest(o: Out, m: ProcessingRequest): void {
  if (present(m, 'request_headers')) writeHeaders(o, 2, m.request_headers!);
  if (present(m, 'response_headers')) writeHeaders(o, 3, m.response_headers!);
  if (present(m, 'request_body')) writeBody(o, 4, m.request_body!);
  if (present(m, 'response_body')) writeBody(o, 5, m.response_body!);
  if (present(m, 'request_trailers')) writeTrailers(o, 6, m.request_trailers!);
  if (present(m, 'response_trailers')) writeTrailers(o, 7, m.response_trailers!);
  if (present(m, 'metadata_context')) {
    o.open(8);
    const md = m.metadata_context!;
    if (present(md, 'filter_metadata')) writeStructMap(o, 1, md.filter_metadata!);
  }
  if (present(m, 'attributes')) writeStructMap(o, 9, m.attributes!);
  if (present(m, 'observability_mode')) o.bool(10, m.observability_mode!);
  if (present(m, 'protocol_config')) {
    o.open(11);
    const p = m.protocol_config!;
    if (present(p, 'request_body_mode')) o.enum(1, p.request_body_mode);
    if (present(p, 'response_body_mode')) o.enum(2, p.response_body_mode);
    if (present(p, 'send_body_without_waiting_for_header_response')) {
      o.bool(3, p.send_body_without_waiting_for_header_response!);
    }
  }
}

/** The message alone (what protobufjs' `encode().finish()` gave). */
export function encodeProcessingRequest(m: ProcessingRequest): Buffer {
  return encode(m, 0);
}

/** The message as one gRPC length-prefixed frame (uncompressed). */
export function encodeProcessingRequestFrame(m: ProcessingRequest): Buffer {
  return encode(m, 5);
}

function encode(m: ProcessingRequest, prefix: number): Buffer {
  const sizes = SIZES;
  sizes.length = 0;
  const size = requestSize(m, sizes);
  const buf = Buffer.allocUnsafe(prefix + size);
  if (prefix === 5) {
    buf[0] = 0; // not compressed
    buf.writeUInt32BE(size, 1);
  }
  const o = new Out(buf, prefix, sizes);
  writeRequest(o, m);
  if (o.at !== buf.length || o.next !== sizes.length) {
    throw new Error(`ProcessingRequest encoder: wrote ${o.at - prefix} of ${size} bytes`); // a bug here, never input
  }
  return buf;
}
