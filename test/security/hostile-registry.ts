// A registry that attacks its client, on a loopback port: our own HTTP server speaking just enough of the OCI
// distribution API (`/v2/`, manifests, blobs) to serve images whose layers are too big, inflate to gigabytes,
// or redirect forever. It counts the bytes it managed to send, so a test can tell a refused download from one
// that was read to the end. Used by test/security and bench/security-limits.ts.
import { createHash } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';
import { tarHeader } from '../../src/extensions/wasm/oci/tar.js';

export interface HostileRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** Body bytes written per blob digest (what the client read before it stopped, plus socket buffers). */
  readonly sent: Map<string, number>;
  /** Redirects answered. */
  redirects: number;
  close(): Promise<void>;
}

interface Blob {
  readonly digest: string;
  readonly size: number;
  /** Writes the body; `chunked` leaves Content-Length out. */
  write(res: ServerResponse, chunked: boolean, count: (n: number) => void): void;
  readonly chunked?: boolean;
}

const MIB = 1024 * 1024;

function sha256(b: Uint8Array): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** A gzipped tar holding `plugin.wasm` of `inflatedBytes` zero bytes: about 1/1000 of that on the wire. */
export async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => gz.on('end', r));
  gz.write(tarHeader('plugin.wasm', inflatedBytes));
  const zero = Buffer.alloc(MIB);
  for (let left = inflatedBytes; left > 0; left -= MIB) {
    if (!gz.write(left >= MIB ? zero : zero.subarray(0, left))) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

function bytesBlob(data: Buffer): Blob {
  return {
    digest: sha256(data),
    size: data.length,
    write(res, _chunked, count) {
      res.end(data, () => count(data.length));
    },
  };
}

/**
 * A blob of `size` pseudo-random bytes generated while sending (never held): its digest is made up, which
 * does not matter since the client must refuse it for its size before any digest check.
 */
function streamedBlob(size: number, tag: string): Blob {
  const chunk = Buffer.alloc(64 * 1024, 7);
  return {
    digest: `sha256:${createHash('sha256').update(tag).digest('hex')}`,
    size,
    write(res, _chunked, count) {
      let left = size;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          const ok = res.write(n === chunk.length ? chunk : chunk.subarray(0, n), () => count(n));
          if (!ok) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => (left = 0));
      pump();
    },
  };
}

export async function startHostileRegistry(): Promise<HostileRegistry> {
  const blobs = new Map<string, Blob>();
  const manifests = new Map<string, Buffer>();
  const sent = new Map<string, number>();
  const image = (repo: string, layer: Blob, mediaType: string, declareSize: boolean, chunked = false) => {
    blobs.set(layer.digest, chunked ? { ...layer, chunked: true } : layer);
    manifests.set(
      repo,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: sha256(Buffer.from('{}')),
            size: 2,
          },
          layers: [{ mediaType, digest: layer.digest, ...(declareSize ? { size: layer.size } : {}) }],
        }),
      ),
    );
  };
  const bomb = bytesBlob(await gzipBomb(1024 * MIB));
  image('plugins/gzip-bomb', bomb, 'application/vnd.oci.image.layer.v1.tar+gzip', true);
  const wasmLayer = 'application/vnd.module.wasm.content.layer.v1+wasm';
  image('plugins/huge-declared', streamedBlob(64 * MIB, 'huge-declared'), wasmLayer, true);
  // The manifest leaves the size out: the blob's Content-Length is what refuses it.
  image('plugins/huge', streamedBlob(64 * MIB, 'huge'), wasmLayer, false);
  // The manifest says nothing of the size and the blob comes chunked: only counting while reading can stop it.
  image('plugins/huge-chunked', streamedBlob(64 * MIB, 'huge-chunked'), wasmLayer, false, true);
  image('plugins/redirect-loop', streamedBlob(10, 'loop'), wasmLayer, true);

  const registry: HostileRegistry = {
    host: '',
    sent,
    redirects: 0,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    if (url.pathname === '/v2/') return void res.writeHead(200).end('{}');
    if (url.pathname.startsWith('/hop/')) {
      registry.redirects++;
      return void res.writeHead(307, { location: `/hop/${Number(url.pathname.slice(5)) + 1}` }).end();
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m) return void res.writeHead(404).end();
    const [, repo, what, ref] = m;
    if (what === 'manifests') {
      const body = manifests.get(repo!);
      if (!body) return void res.writeHead(404).end();
      return void res
        .writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'content-length': body.length,
        })
        .end(body);
    }
    if (repo === 'plugins/redirect-loop') {
      registry.redirects++;
      return void res.writeHead(307, { location: '/hop/1' }).end();
    }
    const blob = blobs.get(ref!);
    if (!blob) return void res.writeHead(404).end();
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      ...(blob.chunked ? {} : { 'content-length': blob.size }),
    });
    blob.write(res, blob.chunked === true, (n) => sent.set(blob.digest, (sent.get(blob.digest) ?? 0) + n));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (registry as { host: string }).host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return registry;
}
