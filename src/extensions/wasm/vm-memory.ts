// Linear memory as the hostcalls see it. Data handed to the module goes through its own allocator
// (docs/spec/proxy-wasm.md §2).
//
// The views are cached: asking a WebAssembly.Memory or a typed array for its buffer is a call into C++ (tens of
// ns), several per hostcall. Growth detaches the old ArrayBuffer, and a detached view has length 0, so "inside
// the cached view" is a complete check: a pointer past it (or any pointer after a growth) takes the slow path,
// which re-derives the views from the memory and checks again. Every out-of-bounds pointer still fails.
//
// Header names and values are decoded through a small cache keyed by their bytes: a plugin edits the same few
// headers on every request, and hashing and comparing a few bytes in JS is several times cheaper than decoding
// them again (a C++ call and a new string), then lowercasing and checking that new string. Keyed by content,
// not address, so it also hits when an SDK's allocator puts the same string somewhere else each time.
import { Status } from './abi.js';

const NO_BYTES = new Uint8Array(0);
/** Header strings up to this long are cached; longer ones are rare and decoded every time. */
const CACHED_HEADER_BYTES = 64;
const HEADER_CACHE_SLOTS = 64;

/** One decoded header string, found by a hash of its bytes and used only when they are all equal. */
interface CachedHeader {
  readonly text: string;
  /** `text` lowercased, when it was read as a name. */
  lower: string | undefined;
}

export class VmMemory {
  memory: WebAssembly.Memory | undefined;
  alloc: (size: number) => number = () => 0;
  private bytes: Uint8Array = NO_BYTES;
  private view = new DataView(NO_BYTES.buffer);
  private nodeBuf = Buffer.alloc(0);
  private readonly headers: Array<CachedHeader | undefined> = new Array<CachedHeader | undefined>(
    HEADER_CACHE_SLOTS,
  ).fill(undefined);

  /** Views of the current buffer; false when there is no memory yet. Only the slow path calls this. */
  private refresh(): boolean {
    const memory = this.memory;
    if (!memory) return false;
    const buffer = memory.buffer;
    if (this.bytes.buffer !== buffer) {
      this.bytes = new Uint8Array(buffer);
      this.view = new DataView(buffer);
      this.nodeBuf = Buffer.from(buffer);
    }
    return true;
  }

  u8(): Uint8Array | undefined {
    if (this.bytes.length === 0 && !this.refresh()) return undefined;
    return this.bytes;
  }

  dataView(): DataView | undefined {
    if (this.bytes.length === 0 && !this.refresh()) return undefined;
    return this.view;
  }

  /** Bytes of linear memory now. */
  size(): number {
    if (this.bytes.length === 0) this.refresh();
    return this.bytes.length;
  }

  inBounds(ptr: number, len: number): boolean {
    if (ptr < 0 || len < 0) return false;
    const end = ptr + len;
    const n = this.bytes.length;
    if (end <= n && n !== 0) return true;
    return this.refresh() && end <= this.bytes.length;
  }

  read(ptr: number, len: number): Uint8Array | undefined {
    if (!this.inBounds(ptr, len)) return undefined;
    return this.bytes.slice(ptr, ptr + len);
  }

  readString(ptr: number, len: number): string | undefined {
    if (!this.inBounds(ptr, len)) return undefined;
    return this.nodeBuf.toString('utf8', ptr, ptr + len);
  }

  /** A header value: latin1, the header codec (header-codec.ts). */
  readHeader(ptr: number, len: number): string | undefined {
    if (!this.inBounds(ptr, len)) return undefined;
    return this.cachedHeader(ptr, len).text;
  }

  /** A header name, lowercased (header maps hold names in lowercase). */
  readHeaderName(ptr: number, len: number): string | undefined {
    if (!this.inBounds(ptr, len)) return undefined;
    const h = this.cachedHeader(ptr, len);
    return (h.lower ??= h.text.toLowerCase());
  }

  /** The string memory holds at [ptr, ptr+len) (in bounds), from the cache when a string of those bytes is there. */
  private cachedHeader(ptr: number, len: number): CachedHeader {
    if (len > CACHED_HEADER_BYTES)
      return { text: this.nodeBuf.toString('latin1', ptr, ptr + len), lower: undefined };
    const bytes = this.bytes;
    const end = ptr + len;
    let hash = len;
    for (let i = ptr; i < end; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
    hash = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b); // mix the high bits into the low ones the slot takes
    const slot = (hash ^ (hash >>> 16)) & (HEADER_CACHE_SLOTS - 1);
    const hit = this.headers[slot];
    if (hit !== undefined && hit.text.length === len) {
      const text = hit.text;
      let i = 0;
      while (i < len && bytes[ptr + i] === text.charCodeAt(i)) i++;
      if (i === len) return hit;
    }
    const fresh: CachedHeader = { text: this.nodeBuf.toString('latin1', ptr, end), lower: undefined };
    this.headers[slot] = fresh;
    return fresh;
  }

  writeU32(ptr: number, v: number): boolean {
    if (!this.inBounds(ptr, 4)) return false;
    this.view.setUint32(ptr, v >>> 0, true);
    return true;
  }

  /** Copies data into module memory through its allocator and writes (ptr, size) to the out-params. */
  give(data: Uint8Array, retPtr: number, retSize: number): Status {
    if (data.length === 0)
      return this.writeU32(retPtr, 0) && this.writeU32(retSize, 0) ? Status.Ok : Status.InvalidMemoryAccess;
    const ptr = this.alloc(data.length);
    if (!ptr || !this.inBounds(ptr, data.length)) return Status.InvalidMemoryAccess;
    this.bytes.set(data, ptr);
    return this.writeU32(retPtr, ptr) && this.writeU32(retSize, data.length)
      ? Status.Ok
      : Status.InvalidMemoryAccess;
  }
}
