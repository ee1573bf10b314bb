// Turns a GCPWasmPlugin version's `image` (and `pluginConfigURI`) into the module file the data plane loads.
//
// Sources: an OCI/Docker image in a registry (a layer holding `plugin.wasm`, plain or gzipped tar, or a
// wasm-typed layer whose blob is the module; an index picks the wasm/wasi platform or the first manifest),
// or for development `file:///abs/path.wasm` and local paths. Modules are stored by content digest under
// `<cacheDir>/blobs/sha256/`, and a digest-pinned reference already seen is answered from the cache without
// the network.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseImageReference, formatReference, type ImageReference } from './reference.js';
import { MEDIA, RegistryClient, RegistryError, type RegistryCredentials } from './registry.js';
import { readTar } from './tar.js';

export interface WasmImageResolverOptions {
  /** Usually `<state-dir>/wasm`. */
  readonly cacheDir: string;
  /** `--insecure-registry HOST[:PORT]` values. */
  readonly insecureRegistries?: readonly string[];
  readonly credentials?: RegistryCredentials;
  readonly timeoutMs?: number;
}

export interface ResolvedPlugin {
  /** `sha256:` of the module bytes. */
  readonly moduleDigest: string;
  /** Absolute path in the cache. */
  readonly modulePath: string;
  readonly configBase64?: string;
  /** Manifest digest when pulled from a registry (what the image reference resolved to). */
  readonly imageDigest?: string;
}

interface Manifest {
  mediaType?: string;
  layers?: Array<{ mediaType: string; digest: string; size?: number; annotations?: Record<string, string> }>;
  manifests?: Array<{ mediaType: string; digest: string; platform?: { os?: string; architecture?: string } }>;
}

export class WasmImageResolver {
  private readonly clients = new Map<string, RegistryClient>();

  constructor(private readonly opts: WasmImageResolverOptions) {}

  async resolve(image: string, configUri?: string): Promise<ResolvedPlugin> {
    const mod = await this.fetchFile(image, 'plugin.wasm');
    const moduleDigest = sha256(mod.bytes);
    const modulePath = this.store(moduleDigest, mod.bytes);
    let configBase64: string | undefined;
    if (configUri) configBase64 = (await this.fetchFile(configUri, 'plugin.config')).bytes.toString('base64');
    return {
      moduleDigest,
      modulePath,
      ...(configBase64 !== undefined ? { configBase64 } : {}),
      ...(mod.imageDigest ? { imageDigest: mod.imageDigest } : {}),
    };
  }

  private async fetchFile(uri: string, fileName: string): Promise<{ bytes: Buffer; imageDigest?: string }> {
    const local = localPath(uri);
    if (local !== undefined) {
      try {
        return { bytes: readFileSync(local) };
      } catch (err) {
        throw new RegistryError(`cannot read ${uri}: ${(err as Error).message}`);
      }
    }
    let ref: ImageReference;
    try {
      ref = parseImageReference(uri);
    } catch (err) {
      throw new RegistryError((err as Error).message);
    }
    const pinned = ref.digest ? this.cachedPin(ref.digest, fileName) : undefined;
    if (pinned) return { bytes: pinned, imageDigest: ref.digest };
    try {
      return await this.pull(ref, fileName);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new RegistryError(`pulling ${formatReference(ref)}: ${msg}`);
    }
  }

  private client(registry: string): RegistryClient {
    let c = this.clients.get(registry);
    if (!c) {
      c = new RegistryClient(registry, {
        ...(this.opts.insecureRegistries ? { insecureRegistries: this.opts.insecureRegistries } : {}),
        ...(this.opts.credentials ? { credentials: this.opts.credentials } : {}),
        ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}),
      });
      this.clients.set(registry, c);
    }
    return c;
  }

  private async pull(ref: ImageReference, fileName: string): Promise<{ bytes: Buffer; imageDigest: string }> {
    const client = this.client(ref.registry);
    let m = await client.getManifest(ref);
    let manifest = JSON.parse(m.body.toString('utf8')) as Manifest;
    if (manifest.manifests) {
      const pick =
        manifest.manifests.find(
          (x) =>
            x.platform?.architecture === 'wasm' || x.platform?.os === 'wasip1' || x.platform?.os === 'wasi',
        ) ?? manifest.manifests[0];
      if (!pick) throw new RegistryError('the image index lists no manifests');
      m = await client.getManifest(ref, pick.digest);
      manifest = JSON.parse(m.body.toString('utf8')) as Manifest;
    }
    const layers = manifest.layers ?? [];
    if (layers.length === 0)
      throw new RegistryError(`manifest ${m.digest} (${m.mediaType || 'unknown type'}) has no layers`);
    const wasmTyped = layers.find((l) => /wasm/.test(l.mediaType) && !/tar/.test(l.mediaType));
    let bytes: Buffer | undefined;
    if (wasmTyped && fileName === 'plugin.wasm') {
      bytes = await client.getBlob(ref, wasmTyped.digest);
    } else {
      for (const layer of layers) {
        const blob = await client.getBlob(ref, layer.digest);
        let files: Map<string, Buffer>;
        try {
          files = readTar(blob);
        } catch {
          continue;
        }
        const hit = [...files.entries()].find(([name]) => name === fileName || name.endsWith(`/${fileName}`));
        if (hit) {
          bytes = hit[1];
          break;
        }
        // GCP's generic form: one layer holding exactly one file (for a module: one that is WebAssembly).
        const only = files.size === 1 && layers.length === 1 ? [...files.values()][0]! : undefined;
        if (only && (fileName !== 'plugin.wasm' || only.subarray(0, 4).toString('latin1') === '\0asm'))
          bytes = only;
      }
      if (!bytes && layers.length === 1 && fileName === 'plugin.config')
        bytes = await client.getBlob(ref, layers[0]!.digest);
    }
    if (!bytes)
      throw new RegistryError(
        `no ${fileName} in the image (expected a layer that is a tar holding ${fileName}, or a wasm-typed layer)`,
      );
    if (ref.digest) this.rememberPin(ref.digest, fileName, bytes);
    return { bytes, imageDigest: m.digest };
  }

  private store(digest: string, bytes: Uint8Array): string {
    const dir = join(this.opts.cacheDir, 'blobs', 'sha256');
    const path = join(dir, digest.slice('sha256:'.length));
    if (!existsSync(path)) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    }
    return resolvePath(path);
  }

  private pinPath(manifestDigest: string, fileName: string): string {
    return join(this.opts.cacheDir, 'pins', `${manifestDigest.slice('sha256:'.length)}.${fileName}`);
  }

  private cachedPin(manifestDigest: string, fileName: string): Buffer | undefined {
    const p = this.pinPath(manifestDigest, fileName);
    if (!existsSync(p)) return undefined;
    const target = readFileSync(p, 'utf8').trim();
    const blob = join(this.opts.cacheDir, 'blobs', 'sha256', target.slice('sha256:'.length));
    if (!existsSync(blob)) return undefined;
    const bytes = readFileSync(blob);
    return sha256(bytes) === target ? bytes : undefined;
  }

  private rememberPin(manifestDigest: string, fileName: string, bytes: Buffer): void {
    const digest = sha256(bytes);
    this.store(digest, bytes);
    mkdirSync(join(this.opts.cacheDir, 'pins'), { recursive: true });
    writeFileSync(this.pinPath(manifestDigest, fileName), digest);
  }
}

function sha256(b: Uint8Array): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** `file://...`, an absolute path, or `./`/`../` relative path: a development module on disk. */
function localPath(uri: string): string | undefined {
  // `file:///abs/plugin.wasm` is a file URL; `file://examples/x/plugin.wasm` (no third slash) is taken as a
  // path relative to the working directory, which is what people write in a development manifest.
  if (uri.startsWith('file:///')) return fileURLToPath(uri);
  if (uri.startsWith('file://')) return resolvePath(decodeURIComponent(uri.slice('file://'.length)));
  if (isAbsolute(uri) || uri.startsWith('./') || uri.startsWith('../')) return resolvePath(uri);
  return undefined;
}

export { MEDIA };
