// `extgate wasm push`: one-layer OCI image, the layer a tar holding `plugin.wasm` (or `plugin.config`), the way
// GCP expects plugin images (docs/spec/gke-service-extensions.md §4.1).
import { readFileSync } from 'node:fs';
import { parseImageReference, formatReference } from './reference.js';
import { MEDIA, RegistryClient, sha256, type RegistryCredentials } from './registry.js';
import { writeTar } from './tar.js';

export interface PushOptions {
  readonly file: string;
  readonly reference: string;
  readonly kind: 'module' | 'config';
  readonly plainHttp?: boolean;
  readonly insecureRegistries?: readonly string[];
  readonly credentials?: RegistryCredentials;
}

export interface PushResult {
  readonly reference: string;
  readonly manifestDigest: string;
  readonly layerDigest: string;
  readonly size: number;
}

export async function pushPlugin(opts: PushOptions): Promise<PushResult> {
  const ref = parseImageReference(opts.reference);
  if (ref.digest && !ref.tag)
    throw new Error(`${opts.reference}: push to a tag (REGISTRY/REPO:TAG), not a digest`);
  let content: Buffer;
  try {
    content = readFileSync(opts.file);
  } catch (err) {
    throw new Error(`cannot read ${opts.file}: ${(err as Error).message}`);
  }
  const name = opts.kind === 'module' ? 'plugin.wasm' : 'plugin.config';
  if (opts.kind === 'module' && (content.length < 8 || content.readUInt32LE(0) !== 0x6d736100)) {
    throw new Error(
      `${opts.file} is not a WebAssembly module (use --config-file to push a plugin configuration)`,
    );
  }
  const layer = writeTar(name, content);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'wasm',
      os: 'wasip1',
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    }),
  );
  const client = new RegistryClient(ref.registry, {
    ...(opts.plainHttp ? { plainHttp: true } : {}),
    ...(opts.insecureRegistries ? { insecureRegistries: opts.insecureRegistries } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
  const target = { ...ref, ref: ref.tag ?? 'latest' };
  const configDigest = await client.putBlob(target, config);
  const layerDigest = await client.putBlob(target, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: config.length },
      layers: [
        {
          mediaType: MEDIA.ociLayerTar,
          digest: layerDigest,
          size: layer.length,
          annotations: { 'org.opencontainers.image.title': name },
        },
      ],
    }),
  );
  const manifestDigest = await client.putManifest(target, MEDIA.ociManifest, manifest);
  return { reference: formatReference(ref), manifestDigest, layerDigest, size: content.length };
}
