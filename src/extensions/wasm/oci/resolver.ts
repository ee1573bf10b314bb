// Turns a GCPWasmPlugin version's `image` (and `pluginConfigURI`) into the module file the data plane loads.
//
// Sources: an OCI/Docker image in a registry (a layer holding `plugin.wasm`, plain or gzipped tar, or a
// wasm-typed layer whose blob is the module; an index picks the wasm/wasi platform or the first manifest),
// or for development `file://` paths inside a `--plugin-dir` directory (plugin-files.ts). The module and its
// configuration together stay within GKE's byte limit, checked before they are held in memory. Modules are
// stored by content digest under `<cacheDir>/blobs/sha256/` (0600: a plugin may embed secrets), and a
// digest-pinned reference already seen is answered from the cache without the network.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { GKE_WASM_LIMITS } from '../limits.js';
import { localPluginPath, readPluginFile } from './plugin-files.js';
import { parseImageReference, formatReference, type ImageReference } from './reference.js';
import { MEDIA, RegistryClient, RegistryError, type RegistryCredentials } from './registry.js';
import { LayerTooLargeError, maybeGunzip, readTar } from './tar.js';

/** Tar headers, padding and end blocks around the one file a plugin layer holds. */
const TAR_SLACK_BYTES = 64 * 1024;

export interface WasmImageResolverOptions {
  /** Usually `<state-dir>/wasm`. */
  readonly cacheDir: string;
  /** `--insecure-registry HOST[:PORT]` values. */
  readonly insecureRegistries?: readonly string[];
  readonly credentials?: RegistryCredentials;
  readonly timeoutMs?: number;
  /** Real paths of the `--plugin-dir` directories (resolvePluginDirs); none: `file://` sources are refused. */
  readonly pluginDirs?: readonly string[];
  /** Module plus configuration, in bytes. Default: GKE's 5 MiB. */
  readonly maxBytes?: number;
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
    const limit = this.opts.maxBytes ?? GKE_WASM_LIMITS.moduleAndConfigBytes;
    const mod = await this.fetchFile(image, 'plugin.wasm', limit);
    const moduleDigest = sha256(mod.bytes);
    const modulePath = await this.store(moduleDigest, mod.bytes);
    let configBase64: string | undefined;
    if (configUri) {
      // The configuration gets what the module left of the shared limit.
      const config = await this.fetchFile(configUri, 'plugin.config', limit - mod.bytes.length);
      configBase64 = config.bytes.toString('base64');
    }
    return {
      moduleDigest,
      modulePath,
      ...(configBase64 !== undefined ? { configBase64 } : {}),
      ...(mod.imageDigest ? { imageDigest: mod.imageDigest } : {}),
    };
  }

  private async fetchFile(
    uri: string,
    fileName: string,
    maxBytes: number,
  ): Promise<{ bytes: Buffer; imageDigest?: string }> {
    const local = localPluginPath(uri);
    if (local !== undefined)
      return { bytes: await readPluginFile(uri, local, this.opts.pluginDirs ?? [], maxBytes) };
    let ref: ImageReference;
    try {
      ref = parseImageReference(uri);
    } catch (err) {
      throw new RegistryError((err as Error).message);
    }
    const pinned = ref.digest ? await this.cachedPin(ref.digest, fileName) : undefined;
    if (pinned && ref.digest) return { bytes: pinned, imageDigest: ref.digest };
    try {
      return await this.pull(ref, fileName, maxBytes);
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

  private async pull(
    ref: ImageReference,
    fileName: string,
    maxBytes: number,
  ): Promise<{ bytes: Buffer; imageDigest: string }> {
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
    // Each layer may hold the file plus tar headers and padding; the file itself is checked against maxBytes.
    const layerCap = maxBytes + TAR_SLACK_BYTES;
    const blob = async (layer: { digest: string; size?: number }): Promise<Buffer> => {
      if (layer.size !== undefined && layer.size > layerCap)
        throw new RegistryError(
          `layer ${layer.digest} is ${layer.size} bytes, over the ${maxBytes}-byte limit for a plugin module ` +
            `plus its configuration (GKE: 5 MiB); it was not downloaded`,
        );
      return client.getBlob(ref, layer.digest, layerCap);
    };
    const wasmTyped = layers.find((l) => /wasm/.test(l.mediaType) && !/tar/.test(l.mediaType));
    let bytes: Buffer | undefined;
    if (wasmTyped && fileName === 'plugin.wasm') {
      bytes = await blob(wasmTyped);
    } else {
      for (const layer of layers) {
        const data = await blob(layer);
        let files: Map<string, Buffer>;
        try {
          files = readTar(await maybeGunzip(data, layerCap));
        } catch (err) {
          if (err instanceof LayerTooLargeError)
            throw new RegistryError(
              `layer ${layer.digest} ${err.message} (the limit for a plugin module plus its configuration; GKE: 5 MiB)`,
            );
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
      if (!bytes && layers.length === 1 && fileName === 'plugin.config') bytes = await blob(layers[0]!);
    }
    if (bytes && bytes.length > maxBytes)
      throw new RegistryError(
        `${fileName} is ${bytes.length} bytes, over the ${maxBytes}-byte limit for a plugin module plus its ` +
          `configuration (GKE: 5 MiB)`,
      );
    if (!bytes)
      throw new RegistryError(
        `no ${fileName} in the image (expected a layer that is a tar holding ${fileName}, or a wasm-typed layer)`,
      );
    if (ref.digest) await this.rememberPin(ref.digest, fileName, bytes);
    return { bytes, imageDigest: m.digest };
  }

  private async store(digest: string, bytes: Uint8Array): Promise<string> {
    const dir = join(this.opts.cacheDir, 'blobs', 'sha256');
    const path = join(dir, digest.slice('sha256:'.length));
    if (!(await exists(path))) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // A name of its own: two plugins with the same module may be stored at the same time.
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, bytes, { mode: 0o600 });
      await rename(tmp, path);
    }
    return resolvePath(path);
  }

  private pinPath(manifestDigest: string, fileName: string): string {
    return join(this.opts.cacheDir, 'pins', `${manifestDigest.slice('sha256:'.length)}.${fileName}`);
  }

  private async cachedPin(manifestDigest: string, fileName: string): Promise<Buffer | undefined> {
    const target = await readFile(this.pinPath(manifestDigest, fileName), 'utf8').catch(() => undefined);
    if (target === undefined) return undefined;
    const digest = target.trim();
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
    const blob = join(this.opts.cacheDir, 'blobs', 'sha256', digest.slice('sha256:'.length));
    const bytes = await readFile(blob).catch(() => undefined);
    return bytes && sha256(bytes) === digest ? bytes : undefined;
  }

  private async rememberPin(manifestDigest: string, fileName: string, bytes: Buffer): Promise<void> {
    const digest = sha256(bytes);
    await this.store(digest, bytes);
    await mkdir(join(this.opts.cacheDir, 'pins'), { recursive: true, mode: 0o700 });
    await writeFile(this.pinPath(manifestDigest, fileName), digest, { mode: 0o600 });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function sha256(b: Uint8Array): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export { MEDIA };
