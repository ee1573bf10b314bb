// A local response encoded once and sent with one hostcall per request, where the SDK's send_local_response
// costs ~65k fuel per call (local-reply: 70.6k fuel per request before, most of it here). Per call the SDK
// UTF-8-encodes the details into a new buffer, serializes the header pairs into another (a Uint32Array and a
// Uint8Array view, one subarray per name and value, copied a byte at a time) and the plugin has built the
// pairs (two encodings and a HeaderPair each) and the body before calling it: allocations, frees and loops
// whose whole bodies the fuel meter charges on every entry. A response that is the same for every request
// (local-reply's `200 Hello World`, a fixed deny page) needs none of that after the first time.
//
// Bytes to the host are the SDK's: details, body and the Proxy-Wasm pair list (count, then each name and value
// length, then each name and value NUL-terminated), so the host sees the same call.
import * as imports from '@solo-io/proxy-runtime/imports';
import { GrpcStatusValues, WasmResultValues } from '@solo-io/proxy-runtime/runtime';

export class LocalResponse {
  private details: ArrayBuffer;
  private body: ArrayBuffer;
  private names: Array<ArrayBuffer> = [];
  private values: Array<ArrayBuffer> = [];
  /**
   * The pair list for proxy_send_local_response, rebuilt by header() (set-up time, never per request). Four
   * zero bytes: no pairs. (Initialized as `serialize([], [])`, AssemblyScript 0.17's reference counting freed
   * the body's buffer, which the pair list then overwrote: keep this initializer a plain allocation.)
   */
  private pairs: ArrayBuffer = new ArrayBuffer(4);

  /** `body` is sent as its UTF-8 bytes, as `String.UTF8.encode(body)` passed to the SDK would be. */
  constructor(
    readonly status: u32,
    detailsText: string,
    bodyText: string,
    readonly grpcStatus: GrpcStatusValues = GrpcStatusValues.InvalidCode,
  ) {
    this.details = String.UTF8.encode(detailsText);
    this.body = String.UTF8.encode(bodyText);
  }

  /** Adds a response header (in order; repeats allowed). Returns this, to chain at set-up. */
  header(name: string, value: string): LocalResponse {
    this.names.push(String.UTF8.encode(name));
    this.values.push(String.UTF8.encode(value));
    this.pairs = LocalResponse.serialize(this.names, this.values);
    return this;
  }

  /** Asks the host to answer the current stream with this response; the host's status, as the SDK returns. */
  send(): WasmResultValues {
    return imports.proxy_send_local_response(
      this.status,
      changetype<usize>(this.details),
      this.details.byteLength,
      changetype<usize>(this.body),
      this.body.byteLength,
      changetype<usize>(this.pairs),
      this.pairs.byteLength,
      this.grpcStatus,
    ) as WasmResultValues;
  }

  private static serialize(names: Array<ArrayBuffer>, values: Array<ArrayBuffer>): ArrayBuffer {
    const count = names.length;
    let size = 4 + 8 * count;
    for (let i = 0; i < count; i++) size += names[i].byteLength + 1 + values[i].byteLength + 1;
    // Zero-filled: the NUL after each name and value is already there.
    const out = new ArrayBuffer(size);
    const base = changetype<usize>(out);
    store<u32>(base, <u32>count);
    let at = base + 4 + 8 * <usize>count;
    for (let i = 0; i < count; i++) {
      const name = names[i];
      const value = values[i];
      store<u32>(base + 4 + 8 * <usize>i, <u32>name.byteLength);
      store<u32>(base + 8 + 8 * <usize>i, <u32>value.byteLength);
      memory.copy(at, changetype<usize>(name), <usize>name.byteLength);
      at += <usize>name.byteLength + 1;
      memory.copy(at, changetype<usize>(value), <usize>value.byteLength);
      at += <usize>value.byteLength + 1;
    }
    return out;
  }
}
