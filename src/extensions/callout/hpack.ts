// HPACK (RFC 7541) for the callout client's HTTP/2 connection: a decoder for the callout's response headers
// and trailers (static and dynamic table, Huffman strings), and an encoder for the one constant request
// header block a channel sends on every stream.
//
// Why our own: the decoder is the only HPACK part a gRPC client needs, it is small, and npm's maintained
// HTTP/2 stacks do not export theirs (node:http2 keeps nghttp2's inside); `hpack.js` is unmaintained since
// 2018 and decodes through Node streams, which would cost more per header block than the rest of the exchange.
// The encoder never indexes, so the block is the same bytes for the life of the connection whatever the
// peer's SETTINGS_HEADER_TABLE_SIZE.

import { HUFFMAN_CODE_LENGTHS } from './huffman-table.js';

/** A header block the peer sent that we cannot decode: a connection error (COMPRESSION_ERROR, RFC 7541 §2.3.3). */
export class HpackError extends Error {}

/** RFC 7541 Appendix A. */
const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

export type HeaderField = readonly [name: string, value: string];

/** Per-entry overhead counted against the table size (RFC 7541 §4.1). */
const ENTRY_OVERHEAD = 32;

export class HpackDecoder {
  /** Newest first (index 62 is entries[0]). */
  private readonly entries: HeaderField[] = [];
  private size = 0;
  private maxSize: number;
  /** Where decode() reads in its block (one object for every block; decode is not reentrant). */
  private readonly cursor: Cursor = { at: 0, end: 0 };
  private readonly scratch: HeaderField[] = [];

  /**
   * `maxTableSize`: the SETTINGS_HEADER_TABLE_SIZE we announced; the peer may lower the table below it
   * with a size update, never raise it above. `maxListBytes` bounds what one block may decode to.
   */
  constructor(
    private readonly maxTableSize: number,
    private readonly maxListBytes: number,
  ) {
    this.maxSize = maxTableSize;
  }

  /**
   * The fields of one complete header block (`block` from `start` to `end`: the connection hands over the
   * frame's bytes in place), in order. Throws HpackError.
   */
  decode(block: Uint8Array, start = 0, end = block.length): HeaderField[] {
    // Collected in a scratch list and copied out at the exact size: a list grown by push from empty gets
    // room for 17 fields, for the 1-4 of a gRPC answer's headers or trailers.
    const out = this.scratch;
    let count = 0;
    const r = this.cursor;
    r.at = start;
    r.end = end;
    let listBytes = 0;
    let fieldsSeen = false;
    while (r.at < r.end) {
      const b = block[r.at]!;
      let field: HeaderField;
      if (b & 0x80) {
        field = this.get(readInt(block, r, 7));
      } else if (b & 0x40) {
        field = this.literal(block, r, 6);
        this.insert(field);
      } else if (b & 0x20) {
        // Size updates come first in a block (§4.2).
        if (fieldsSeen) throw new HpackError('dynamic table size update after a header field');
        const size = readInt(block, r, 5);
        if (size > this.maxTableSize)
          throw new HpackError(`dynamic table size ${size} over ${this.maxTableSize}`);
        this.maxSize = size;
        this.evict(0);
        continue;
      } else {
        field = this.literal(block, r, 4);
      }
      fieldsSeen = true;
      listBytes += field[0].length + field[1].length + ENTRY_OVERHEAD;
      if (listBytes > this.maxListBytes)
        throw new HpackError(`header list larger than ${this.maxListBytes} bytes`);
      out[count++] = field;
    }
    return out.slice(0, count);
  }

  private literal(block: Uint8Array, r: Cursor, prefix: number): HeaderField {
    const index = readInt(block, r, prefix);
    const name = index === 0 ? readString(block, r) : this.get(index)[0];
    return [name, readString(block, r)];
  }

  private get(index: number): HeaderField {
    if (index === 0) throw new HpackError('header index 0');
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1]!;
    const e = this.entries[index - STATIC_TABLE.length - 1];
    if (!e) throw new HpackError(`header index ${index} beyond the dynamic table`);
    return e;
  }

  private insert(field: HeaderField): void {
    const size = field[0].length + field[1].length + ENTRY_OVERHEAD;
    // An entry larger than the table empties it and is not added (§4.4).
    this.evict(size);
    if (size <= this.maxSize) {
      this.entries.unshift(field);
      this.size += size;
    }
  }

  /** Evicts the oldest entries until `room` more bytes fit. */
  private evict(room: number): void {
    while (this.entries.length > 0 && this.size + room > this.maxSize) {
      const e = this.entries.pop()!;
      this.size -= e[0].length + e[1].length + ENTRY_OVERHEAD;
    }
  }
}

/** A read position in a header block and the block's end. */
interface Cursor {
  at: number;
  end: number;
}

/** Integers above this are a hostile block, not a header (no field or table is that large). */
const MAX_INT = 2 ** 28;

/** RFC 7541 §5.1. */
function readInt(block: Uint8Array, r: Cursor, prefix: number): number {
  const mask = (1 << prefix) - 1;
  let value = block[r.at++]! & mask;
  if (value < mask) return value;
  let shift = 0;
  for (;;) {
    if (r.at >= r.end) throw new HpackError('truncated integer');
    const b = block[r.at++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (value > MAX_INT) throw new HpackError('integer too large');
    if ((b & 0x80) === 0) return value;
    shift += 7;
  }
}

/** RFC 7541 §5.2; header bytes are latin1 (one char per byte), as everywhere in extgate. */
function readString(block: Uint8Array, r: Cursor): string {
  if (r.at >= r.end) throw new HpackError('truncated string');
  const huffman = (block[r.at]! & 0x80) !== 0;
  const len = readInt(block, r, 7);
  const end = r.at + len;
  if (end > r.end) throw new HpackError('truncated string');
  const start = r.at;
  r.at = end;
  if (huffman) return huffmanDecode(block.subarray(start, end));
  // A Buffer (as the connection hands blocks over) is read in place, without a view object per string.
  return Buffer.isBuffer(block)
    ? block.toString('latin1', start, end)
    : Buffer.from(block.buffer, block.byteOffset + start, len).toString('latin1');
}

// ---------------------------------------------------------------------------------------------------------
// Huffman (RFC 7541 §5.2, Appendix B). The code is canonical: codes of one length are consecutive and follow
// symbol order, so the lengths alone define it.

const EOS = 256;
const MAX_CODE_BITS = 30;
/** Per code length: the first code, how many codes, and where their symbols start in SYMBOLS. */
const FIRST_CODE = new Int32Array(MAX_CODE_BITS + 1);
const COUNT = new Int32Array(MAX_CODE_BITS + 1);
const OFFSET = new Int32Array(MAX_CODE_BITS + 1);
/** Symbols ordered by (code length, symbol). */
const SYMBOLS = new Uint16Array(257);
{
  const order = [...HUFFMAN_CODE_LENGTHS.keys()].sort(
    (a, b) => HUFFMAN_CODE_LENGTHS[a]! - HUFFMAN_CODE_LENGTHS[b]! || a - b,
  );
  order.forEach((sym, i) => (SYMBOLS[i] = sym));
  let code = 0;
  let prevLen = 0;
  for (let i = 0; i < order.length; i++) {
    const len = HUFFMAN_CODE_LENGTHS[order[i]!]!;
    code <<= len - prevLen;
    prevLen = len;
    if (COUNT[len] === 0) {
      FIRST_CODE[len] = code;
      OFFSET[len] = i;
    }
    COUNT[len]!++;
    code++;
  }
}

/** The code of `sym` as [bits, length] (for tests and the encoder of test peers). */
export function huffmanCode(sym: number): [code: number, bits: number] {
  const len = HUFFMAN_CODE_LENGTHS[sym]!;
  const i = SYMBOLS.indexOf(sym, OFFSET[len]);
  return [FIRST_CODE[len]! + (i - OFFSET[len]!), len];
}

export function huffmanDecode(bytes: Uint8Array): string {
  let out = '';
  let code = 0;
  let len = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      code = (code << 1) | ((byte >> bit) & 1);
      len++;
      const k = code - FIRST_CODE[len]!;
      if (COUNT[len]! > 0 && k >= 0 && k < COUNT[len]!) {
        const sym = SYMBOLS[OFFSET[len]! + k]!;
        if (sym === EOS) throw new HpackError('Huffman string contains EOS');
        out += String.fromCharCode(sym);
        code = 0;
        len = 0;
      } else if (len >= MAX_CODE_BITS) {
        throw new HpackError('invalid Huffman code');
      }
    }
  }
  // Padding: fewer than 8 bits, all ones (the start of EOS), §5.2.
  if (len > 7 || code !== (1 << len) - 1) throw new HpackError('invalid Huffman padding');
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Encoding our constant request block.

/**
 * Fields as "indexed" when the static table has the exact field, else "literal without indexing" (with the
 * static name index when there is one), raw (non-Huffman) strings: the same bytes on any connection.
 */
export function encodeConstantBlock(fields: readonly HeaderField[]): Buffer {
  const parts: number[] = [];
  for (const [name, value] of fields) {
    const exact = STATIC_TABLE.findIndex(([n, v]) => n === name && v === value);
    if (exact >= 0) {
      writeInt(parts, exact + 1, 7, 0x80);
      continue;
    }
    const nameIndex = STATIC_TABLE.findIndex(([n]) => n === name);
    if (nameIndex >= 0) writeInt(parts, nameIndex + 1, 4, 0x00);
    else {
      parts.push(0x00);
      writeString(parts, name);
    }
    writeString(parts, value);
  }
  return Buffer.from(parts);
}

function writeInt(out: number[], value: number, prefix: number, flags: number): void {
  const mask = (1 << prefix) - 1;
  if (value < mask) {
    out.push(flags | value);
    return;
  }
  out.push(flags | mask);
  value -= mask;
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
}

function writeString(out: number[], s: string): void {
  const bytes = Buffer.from(s, 'latin1');
  writeInt(out, bytes.length, 7, 0x00);
  for (const b of bytes) out.push(b);
}
