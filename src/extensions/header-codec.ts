// The one codec between header bytes and header strings: latin1, everywhere (data plane, ext_proc, Proxy-Wasm).
//
// Node's HTTP parsers hand header names and values over as latin1 strings (one char per byte) and write them
// back the same way, so latin1 is the only decoding under which every header byte a client, a backend, a
// callout or a plugin sends survives the trip through the gateway unchanged. UTF-8 text in a header (common in
// practice) is carried as its bytes and arrives as the same bytes.

/** The bytes of a header name or value as held in a string. */
export function headerBytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** A header name or value from its bytes (`start`/`end` within `bytes`). */
export function headerText(bytes: Uint8Array, start = 0, end = bytes.byteLength): string {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b.toString('latin1', start, end);
}

/** A header name or value as an HTTP parser hands it over: a latin1 string already, or its bytes. */
export function headerString(v: Buffer | string): string {
  return typeof v === 'string' ? v : headerText(v);
}

/**
 * Every (name, value) of a flat raw header list `[name, value, name, value, ...]`, the shape Node's
 * `rawHeaders`, llhttp and undici hand headers and trailers over in; names as sent (callers lowercase), a
 * trailing name without a value ignored. The one loop over that shape.
 */
export function forEachRawHeader(
  raw: ReadonlyArray<Buffer | string>,
  each: (name: string, value: string) => void,
): void {
  for (let i = 0; i + 1 < raw.length; i += 2) each(headerString(raw[i]!), headerString(raw[i + 1]!));
}
