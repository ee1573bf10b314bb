// Proxy-Wasm ABI numbers (docs/spec/proxy-wasm.md §5) and the pairs serialization (§6.1), in the header codec.

import { headerBytes, headerText } from '../header-codec.js';

export const enum Status {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  InternalFailure = 10,
  Unimplemented = 12,
}

export const enum MapType {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
}

export const enum BufferType {
  RequestBody = 0,
  ResponseBody = 1,
  VmConfiguration = 6,
  PluginConfiguration = 7,
}

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export const ABI_VERSIONS = ['proxy_abi_version_0_2_1', 'proxy_abi_version_0_2_0'] as const;
export type AbiVersion = '0.2.0' | '0.2.1';

/** cpp-host's parser limits for pairs coming from a module. */
const MAX_PAIRS = 1024;
const MAX_PAIRS_BYTES = 1024 * 1024;

export function serializePairs(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  const keys = pairs.map(([k]) => headerBytes(k));
  const values = pairs.map(([, v]) => headerBytes(v));
  let size = 4;
  for (let i = 0; i < pairs.length; i++) size += 8 + keys[i]!.length + 1 + values[i]!.length + 1;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(pairs.length, 0);
  let off = 4;
  for (let i = 0; i < pairs.length; i++) {
    out.writeUInt32LE(keys[i]!.length, off);
    out.writeUInt32LE(values[i]!.length, off + 4);
    off += 8;
  }
  for (let i = 0; i < pairs.length; i++) {
    off += keys[i]!.copy(out, off) + 1;
    off += values[i]!.copy(out, off) + 1;
  }
  return out;
}

/** Strict like cpp-host: anything malformed parses as an empty list. */
export function deserializePairs(buf: Uint8Array): Array<[string, string]> {
  if (buf.length < 4 || buf.length > MAX_PAIRS_BYTES) return [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = view.getUint32(0, true);
  if (n > MAX_PAIRS || 4 + n * 8 > buf.length) return [];
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) sizes.push(view.getUint32(4 + i * 8, true), view.getUint32(8 + i * 8, true));
  let off = 4 + n * 8;
  const out: Array<[string, string]> = [];
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < n; i++) {
    const kl = sizes[2 * i]!;
    const vl = sizes[2 * i + 1]!;
    if (off + kl + 1 + vl + 1 > b.length || b[off + kl] !== 0 || b[off + kl + 1 + vl] !== 0) return [];
    out.push([headerText(b, off, off + kl), headerText(b, off + kl + 1, off + kl + 1 + vl)]);
    off += kl + 1 + vl + 1;
  }
  return off === b.length ? out : [];
}
