// The SDK's `stream_context.headers` / `.trailers` calls for single headers (add, replace, remove, get),
// without allocating per call. The SDK's versions UTF-8-encode every name and value into a new ArrayBuffer
// (`String.UTF8.encode`) and free it again: for add-header four allocations, four frees and four encodings
// per request, a good part of what made it cost more than a hand-written module. Here each header map keeps
// the last name and value it sent, encoded, and reuses them when called with the same strings again.
// Results are handled as the SDK does: add ignores the host's status, replace and remove log it at CRITICAL
// and abort on anything but Ok, get answers '' when the header is absent. Whole maps (get_headers,
// set_headers) still go through the SDK's own `stream_context`.
import { free } from '@solo-io/proxy-runtime/malloc';
import * as imports from '@solo-io/proxy-runtime/imports';
import { HeaderMapTypeValues, log, LogLevelValues, WasmResultValues } from '@solo-io/proxy-runtime/runtime';

function check(result: u32): void {
  if (result != WasmResultValues.Ok) {
    log(LogLevelValues.critical, result.toString());
    throw new Error('header map call failed');
  }
}

/** Where the host puts the value proxy_get_header_map_value answers (allocated with our malloc). */
class Answer {
  ptr: usize = 0;
  size: usize = 0;
}
const answer = new Answer();

class StreamHeaders {
  // The last pair encoded. Holding the strings keeps them alive, so the same address means the same string
  // (AssemblyScript strings are immutable): a plugin passing literals or strings read at configure time
  // (add-header) encodes them once per VM. The buffer grows to the largest pair seen and never shrinks.
  private key: string = '';
  private value: string = '';
  private encoded: ArrayBuffer = new ArrayBuffer(64);
  private keyBytes: usize = 0;
  private valueBytes: usize = 0;

  constructor(private readonly typ: HeaderMapTypeValues) {}

  /** Makes `encoded` hold `key` then `value` as UTF-8. */
  private encode(key: string, value: string): void {
    if (
      changetype<usize>(key) == changetype<usize>(this.key) &&
      changetype<usize>(value) == changetype<usize>(this.value)
    ) {
      return;
    }
    const keyBytes = <usize>String.UTF8.byteLength(key);
    const valueBytes = <usize>String.UTF8.byteLength(value);
    if (keyBytes + valueBytes > <usize>this.encoded.byteLength) {
      this.encoded = new ArrayBuffer(<i32>(keyBytes + valueBytes));
    }
    const base = changetype<usize>(this.encoded);
    String.UTF8.encodeUnsafe(changetype<usize>(key), key.length, base);
    String.UTF8.encodeUnsafe(changetype<usize>(value), value.length, base + keyBytes);
    this.key = key;
    this.value = value;
    this.keyBytes = keyBytes;
    this.valueBytes = valueBytes;
  }

  add(key: string, value: string): void {
    this.encode(key, value);
    const base = changetype<usize>(this.encoded);
    imports.proxy_add_header_map_value(this.typ, base, this.keyBytes, base + this.keyBytes, this.valueBytes);
  }

  replace(key: string, value: string): void {
    this.encode(key, value);
    const base = changetype<usize>(this.encoded);
    check(
      imports.proxy_replace_header_map_value(
        this.typ,
        base,
        this.keyBytes,
        base + this.keyBytes,
        this.valueBytes,
      ),
    );
  }

  remove(key: string): void {
    this.encode(key, '');
    check(imports.proxy_remove_header_map_value(this.typ, changetype<usize>(this.encoded), this.keyBytes));
  }

  get(key: string): string {
    this.encode(key, '');
    const at = changetype<usize>(answer);
    answer.ptr = 0;
    answer.size = 0;
    const result = imports.proxy_get_header_map_value(
      this.typ,
      changetype<usize>(this.encoded),
      this.keyBytes,
      at + offsetof<Answer>('ptr'),
      at + offsetof<Answer>('size'),
    );
    const ptr = answer.ptr;
    const value = result == WasmResultValues.Ok && ptr != 0 ? String.UTF8.decodeUnsafe(ptr, answer.size) : '';
    // The host allocated the value with our malloc (one ArrayBuffer reference): give it back.
    if (ptr != 0) free(ptr);
    return value;
  }
}

class StreamMaps {
  constructor(
    readonly request: StreamHeaders,
    readonly response: StreamHeaders,
  ) {}
}

class StreamContext {
  constructor(
    readonly headers: StreamMaps,
    readonly trailers: StreamMaps,
  ) {}
}

/** Use like the SDK's `stream_context`: `stream_context.headers.request.replace('x-plugin', 'add-header')`. */
export const stream_context = new StreamContext(
  new StreamMaps(
    new StreamHeaders(HeaderMapTypeValues.RequestHeaders),
    new StreamHeaders(HeaderMapTypeValues.ResponseHeaders),
  ),
  new StreamMaps(
    new StreamHeaders(HeaderMapTypeValues.RequestTrailers),
    new StreamHeaders(HeaderMapTypeValues.ResponseTrailers),
  ),
);
