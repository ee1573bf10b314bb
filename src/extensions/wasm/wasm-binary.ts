// The small part of the WebAssembly binary format the instrumenter needs: LEB128 reading and writing, and the
// immediates of every instruction (so a function body can be walked without understanding it).

export class InstrumentError extends Error {
  override name = 'InstrumentError';
}

export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  byte(): number {
    if (this.pos >= this.end) throw new InstrumentError(`unexpected end of module at offset ${this.pos}`);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 35) throw new InstrumentError(`bad LEB128 at offset ${this.pos}`);
    }
  }
  /** Skips any LEB128 (signed or unsigned, up to 64 bits). */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new InstrumentError(`bad LEB128 at offset ${this.pos}`);
  }
  skip(n: number): void {
    if (this.pos + n > this.end) throw new InstrumentError(`unexpected end of module at offset ${this.pos}`);
    this.pos += n;
  }
  name(): string {
    const len = this.u32();
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, len).toString('utf8');
    this.skip(len);
    return s;
  }
}

export class Writer {
  private chunks: Uint8Array[] = [];
  private cur: number[] = [];
  size = 0;
  byte(b: number): this {
    this.cur.push(b);
    this.size++;
    return this;
  }
  u32(v: number): this {
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }
  i32(v: number): this {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  bytes(b: Uint8Array): this {
    this.flush();
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }
  name(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.u32(b.length).bytes(b);
  }
  private flush(): void {
    if (this.cur.length > 0) {
      this.chunks.push(Uint8Array.from(this.cur));
      this.cur = [];
    }
  }
  finish(): Uint8Array {
    this.flush();
    return Buffer.concat(this.chunks);
  }
}

export interface Section {
  id: number;
  body: Uint8Array;
}

const VALTYPE_BYTES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

function readBlockType(r: Reader): void {
  const b = r.buf[r.pos]!;
  if (b === 0x40 || VALTYPE_BYTES.has(b)) r.pos++;
  else r.skipLeb(); // s33 type index
}

function readMemarg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // multi-memory: explicit memory index
  r.skipLeb(); // offset (u32, or u64 for memory64)
}

/** Decodes one instruction's immediates (the opcode already read). Returns false for unknown opcodes. */
export function skipImmediates(op: number, r: Reader): boolean {
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x19 || op === 0x1a || op === 0x1b)
    return true;
  if (op >= 0x02 && op <= 0x04) return (readBlockType(r), true);
  if (op === 0x06) return (readBlockType(r), true); // try
  if (op === 0x07 || op === 0x08 || op === 0x09 || op === 0x18) return (r.u32(), true); // catch/throw/rethrow/delegate
  if (op === 0x0c || op === 0x0d) return (r.u32(), true);
  if (op === 0x0e) {
    const n = r.u32();
    for (let i = 0; i <= n; i++) r.u32();
    return true;
  }
  if (op === 0x10 || op === 0x12) return (r.u32(), true);
  if (op === 0x11 || op === 0x13) return (r.u32(), r.u32(), true);
  if (op === 0x1c) {
    const n = r.u32();
    for (let i = 0; i < n; i++) r.byte();
    return true;
  }
  if (op >= 0x20 && op <= 0x26) return (r.u32(), true);
  if (op >= 0x28 && op <= 0x3e) return (readMemarg(r), true);
  if (op === 0x3f || op === 0x40) return (r.u32(), true);
  if (op === 0x41 || op === 0x42) return (r.skipLeb(), true);
  if (op === 0x43) return (r.skip(4), true);
  if (op === 0x44) return (r.skip(8), true);
  if (op >= 0x45 && op <= 0xc4) return true;
  if (op === 0xd0) return (r.skipLeb(), true);
  if (op === 0xd1) return true;
  if (op === 0xd2) return (r.u32(), true);
  if (op === 0xfc) {
    const sub = r.u32();
    if (sub <= 7) return true;
    if (sub === 8 || sub === 10 || sub === 12 || sub === 14) return (r.u32(), r.u32(), true);
    if (sub === 9 || sub === 11 || sub === 13 || sub === 15 || sub === 16 || sub === 17)
      return (r.u32(), true);
    return false;
  }
  if (op === 0xfd) {
    const sub = r.u32();
    if (sub <= 11 || sub === 92 || sub === 93) return (readMemarg(r), true);
    if (sub === 12 || sub === 13) return (r.skip(16), true);
    if (sub >= 21 && sub <= 34) return (r.skip(1), true);
    if (sub >= 84 && sub <= 91) return (readMemarg(r), r.skip(1), true);
    return sub <= 0x113; // every other SIMD opcode has no immediate
  }
  if (op === 0xfe) {
    const sub = r.u32();
    if (sub === 0x03) return (r.skip(1), true); // atomic.fence
    return (readMemarg(r), true);
  }
  return false;
}
