// Just enough tar (ustar) to read a plugin out of an image layer and to write a one-file layer.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** A layer whose content (inflated, when gzipped) is over the limit. */
export class LayerTooLargeError extends Error {
  override name = 'LayerTooLargeError';
}

/**
 * The layer's bytes, inflated when gzipped: on zlib's thread pool (not the event loop) and stopped at
 * `maxBytes` of output, so a small layer that inflates to gigabytes is refused, not held.
 */
export async function maybeGunzip(data: Uint8Array, maxBytes: number): Promise<Buffer> {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!(b.length > 2 && b[0] === 0x1f && b[1] === 0x8b)) return b;
  try {
    return await gunzipAsync(b, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new LayerTooLargeError(`inflates to more than ${maxBytes} bytes; inflating was stopped there`);
    throw err;
  }
}

function field(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

/** Lists regular files of an (inflated) tar: name → contents. Handles ustar prefixes and PAX `path` records. */
export function readTar(b: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  let paxPath: string | undefined;
  while (off + 512 <= b.length) {
    const header = b.subarray(off, off + 512);
    if (header.every((x) => x === 0)) break;
    const name = field(b, off, 100);
    const size = parseInt(field(b, off + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(b[off + 156] || 0x30);
    const prefix = field(b, off + 345, 155);
    const body = b.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      paxPath = m?.[1];
      continue;
    }
    if (type === '0' || type === '\0') {
      const full = paxPath ?? (prefix ? `${prefix}/${name}` : name);
      out.set(full.replace(/^\.\//, '').replace(/^\//, ''), Buffer.from(body));
    }
    paxPath = undefined;
  }
  return out;
}

/** The ustar header of one regular file of `size` bytes, deterministic (mtime 0, root-owned, mode 0644). */
export function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148); // checksum placeholder
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const x of header) sum += x;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** A tar with one regular file, deterministic (see tarHeader). */
export function writeTar(name: string, content: Uint8Array): Buffer {
  const header = tarHeader(name, content.length);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, Buffer.from(content), pad, Buffer.alloc(1024)]);
}
