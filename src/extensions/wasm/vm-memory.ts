// Linear memory as the hostcalls see it. Views are re-derived whenever the module grew its memory (growth
// detaches the old ArrayBuffer); data handed to the module goes through its own allocator (docs/spec/proxy-wasm.md §2).
import { Status } from './abi.js';

export class VmMemory {
  memory: WebAssembly.Memory | undefined;
  alloc: (size: number) => number = () => 0;
  private view?: DataView;
  private bytes?: Uint8Array;
  private nodeBuf?: Buffer;

  u8(): Uint8Array | undefined {
    if (!this.memory) return undefined;
    if (!this.bytes || this.bytes.buffer !== this.memory.buffer) {
      this.bytes = new Uint8Array(this.memory.buffer);
      this.view = new DataView(this.memory.buffer);
    }
    return this.bytes;
  }

  dataView(): DataView | undefined {
    this.u8();
    return this.view;
  }

  size(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  inBounds(ptr: number, len: number): boolean {
    const b = this.u8();
    return b !== undefined && ptr >= 0 && len >= 0 && ptr + len <= b.length;
  }

  read(ptr: number, len: number): Uint8Array | undefined {
    if (!this.inBounds(ptr, len)) return undefined;
    return this.bytes!.slice(ptr, ptr + len);
  }

  readString(ptr: number, len: number): string | undefined {
    if (!this.inBounds(ptr, len)) return undefined;
    if (!this.nodeBuf || this.nodeBuf.buffer !== this.bytes!.buffer)
      this.nodeBuf = Buffer.from(this.bytes!.buffer);
    return this.nodeBuf.toString('utf8', ptr, ptr + len);
  }

  /** A header name or value: latin1, the header codec (header-codec.ts). */
  readHeader(ptr: number, len: number): string | undefined {
    if (!this.inBounds(ptr, len)) return undefined;
    if (!this.nodeBuf || this.nodeBuf.buffer !== this.bytes!.buffer)
      this.nodeBuf = Buffer.from(this.bytes!.buffer);
    return this.nodeBuf.toString('latin1', ptr, ptr + len);
  }

  writeU32(ptr: number, v: number): boolean {
    if (!this.inBounds(ptr, 4)) return false;
    this.view!.setUint32(ptr, v >>> 0, true);
    return true;
  }

  /** Copies data into module memory through its allocator and writes (ptr, size) to the out-params. */
  give(data: Uint8Array, retPtr: number, retSize: number): Status {
    if (data.length === 0)
      return this.writeU32(retPtr, 0) && this.writeU32(retSize, 0) ? Status.Ok : Status.InvalidMemoryAccess;
    const ptr = this.alloc(data.length);
    if (!ptr || !this.inBounds(ptr, data.length)) return Status.InvalidMemoryAccess;
    this.bytes!.set(data, ptr);
    return this.writeU32(retPtr, ptr) && this.writeU32(retSize, data.length)
      ? Status.Ok
      : Status.InvalidMemoryAccess;
  }
}
