// push → pull round trip through a real registry (Debian's docker-registry on loopback): digests verified,
// modules cached by digest, token auth, clear errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { resolvePluginDirs } from '../../src/extensions/wasm/oci/plugin-files.js';
import { WasmImageResolver } from '../../src/extensions/wasm/oci/resolver.js';
import { pushPlugin } from '../../src/extensions/wasm/oci/push.js';
import { RegistryClient, MEDIA, sha256 } from '../../src/extensions/wasm/oci/registry.js';
import { parseImageReference } from '../../src/extensions/wasm/oci/reference.js';
import { writeTar } from '../../src/extensions/wasm/oci/tar.js';
import {
  credentialsFromDockerConfig,
  credentialsFromSecretData,
} from '../../src/extensions/wasm/oci/credentials.js';
import { buildPlugins, examplePath, repoRoot } from './helpers.js';
import { startRegistry, type TestRegistry } from './registry.js';

let registry: TestRegistry;
let cacheDir: string;

before(async () => {
  buildPlugins();
  registry = await startRegistry();
  cacheDir = mkdtempSync(join(tmpdir(), 'extgate-wasm-cache-'));
});

after(async () => {
  await registry?.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

test('extgate wasm push, then the resolver pulls, verifies and caches the module', async () => {
  const wasm = examplePath('local-reply');
  const ref = `${registry.host}/plugins/local-reply:main`;
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'extgate'), 'wasm', 'push', wasm, ref], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^pushed 127\.0\.0\.1:\d+\/plugins\/local-reply:main@sha256:[0-9a-f]{64}/);

  const resolver = new WasmImageResolver({ cacheDir });
  const got = await resolver.resolve(ref);
  const bytes = readFileSync(wasm);
  assert.equal(got.moduleDigest, sha256(bytes));
  assert.ok(got.modulePath.startsWith(cacheDir));
  assert.deepEqual(readFileSync(got.modulePath), bytes);
  assert.match(got.imageDigest ?? '', /^sha256:/);

  // A digest-pinned reference is answered from the cache once seen, even with the registry gone.
  const pinned = `${registry.host}/plugins/local-reply@${got.imageDigest}`;
  const first = await resolver.resolve(pinned);
  assert.equal(first.moduleDigest, got.moduleDigest);
  assert.ok(existsSync(join(cacheDir, 'pins')));
  const offline = new WasmImageResolver({ cacheDir });
  const again = await offline.resolve(pinned.replace(registry.host, '127.0.0.1:1'));
  assert.equal(again.moduleDigest, got.moduleDigest);
  // An unknown digest on an unreachable registry fails, naming the image.
  await assert.rejects(
    offline.resolve(`127.0.0.1:1/plugins/x@sha256:${'0'.repeat(64)}`),
    /pulling 127\.0\.0\.1:1\/plugins\/x@sha256:0+: /,
  );
});

test('pluginConfigURI: an image with one file plugin.config', async () => {
  const cfgFile = join(cacheDir, 'cfg.txt');
  writeFileSync(cfgFile, 'galaxy');
  await pushPlugin({
    file: cfgFile,
    reference: `${registry.host}/plugins/add-header-config:v1`,
    kind: 'config',
  });
  await pushPlugin({
    file: examplePath('add-header'),
    reference: `${registry.host}/plugins/add-header:v1`,
    kind: 'module',
  });
  const resolver = new WasmImageResolver({ cacheDir });
  const got = await resolver.resolve(
    `${registry.host}/plugins/add-header:v1`,
    `${registry.host}/plugins/add-header-config:v1`,
  );
  assert.equal(Buffer.from(got.configBase64 ?? '', 'base64').toString(), 'galaxy');
});

test('Docker v2 manifests, gzipped layers, wasm-typed layers and image indexes are understood', async () => {
  const wasm = readFileSync(examplePath('redirect'));
  const ref = parseImageReference(`${registry.host}/plugins/variants:x`);
  const client = new RegistryClient(ref.registry);
  const config = Buffer.from('{}');
  const configDigest = await client.putBlob(ref, config);

  // Docker v2 manifest, gzipped tar layer with the file in a subfolder.
  const gz = gzipSync(writeTar('plugin/plugin.wasm', wasm));
  const gzDigest = await client.putBlob(ref, gz);
  const docker = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.dockerManifest,
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: gzDigest, size: gz.length },
      ],
    }),
  );
  await client.putManifest({ ...ref, ref: 'docker' }, MEDIA.dockerManifest, docker);

  // OCI manifest whose layer is the module itself, behind an index.
  const rawDigest = await client.putBlob(ref, wasm);
  const oci = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: config.length },
      layers: [
        {
          mediaType: 'application/vnd.module.wasm.content.layer.v1+wasm',
          digest: rawDigest,
          size: wasm.length,
        },
      ],
    }),
  );
  const ociDigest = await client.putManifest({ ...ref, ref: 'wasm-layer' }, MEDIA.ociManifest, oci);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        {
          mediaType: MEDIA.ociManifest,
          digest: ociDigest,
          size: oci.length,
          platform: { os: 'wasip1', architecture: 'wasm' },
        },
      ],
    }),
  );
  await client.putManifest({ ...ref, ref: 'index' }, MEDIA.ociIndex, index);

  const resolver = new WasmImageResolver({ cacheDir });
  for (const tag of ['docker', 'wasm-layer', 'index']) {
    const got = await resolver.resolve(`${registry.host}/plugins/variants:${tag}`);
    assert.equal(got.moduleDigest, sha256(wasm), tag);
  }
});

test('pull failures say what went wrong', async () => {
  const resolver = new WasmImageResolver({ cacheDir });
  await assert.rejects(
    resolver.resolve(`${registry.host}/plugins/nope:main`),
    /not found \(no such repository or tag\)/,
  );
  await assert.rejects(
    resolver.resolve('file:///nonexistent/plugin.wasm'),
    /file:\/\/\/nonexistent\/plugin\.wasm: file:\/\/ plugin sources are off .*--plugin-dir/,
  );
  await assert.rejects(resolver.resolve('Bad Reference'), /invalid/);
  const cfg = join(cacheDir, 'notwasm.txt');
  writeFileSync(cfg, 'hello');
  await pushPlugin({ file: cfg, reference: `${registry.host}/plugins/confonly:v1`, kind: 'config' });
  await assert.rejects(
    resolver.resolve(`${registry.host}/plugins/confonly:v1`),
    /no plugin\.wasm in the image/,
  );
  // A non-loopback registry is never tried over plain HTTP.
  await assert.rejects(
    new WasmImageResolver({ cacheDir, timeoutMs: 2000 }).resolve('registry.invalid/plugins/x:1'),
    /over HTTPS/,
  );
});

test('file:// and local paths work for development, under --plugin-dir', async () => {
  const resolver = new WasmImageResolver({
    cacheDir,
    pluginDirs: resolvePluginDirs([join(repoRoot, 'examples', 'plugins')]),
  });
  const wasm = examplePath('block-request');
  const a = await resolver.resolve(`file://${wasm}`);
  const b = await resolver.resolve(wasm);
  assert.equal(a.moduleDigest, sha256(readFileSync(wasm)));
  assert.equal(a.modulePath, b.modulePath);
});

test('credentials come from Docker config JSON (file or dockerconfigjson Secret)', () => {
  const auth = Buffer.from('dev:s3cret').toString('base64');
  const creds = credentialsFromDockerConfig(
    JSON.stringify({
      auths: { 'https://index.docker.io/v1/': { auth }, 'localhost:5000': { username: 'a', password: 'b' } },
    }),
  );
  assert.deepEqual(creds['registry-1.docker.io'], { username: 'dev', password: 's3cret' });
  assert.deepEqual(creds['localhost:5000'], { username: 'a', password: 'b' });
  const secret = {
    '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { 'r.example:443': { auth } } })).toString(
      'base64',
    ),
  };
  assert.deepEqual(credentialsFromSecretData(secret, 'default/pull')['r.example:443'], {
    username: 'dev',
    password: 's3cret',
  });
  assert.throws(
    () => credentialsFromSecretData({}, 'default/pull'),
    /Secret default\/pull has no \.dockerconfigjson key/,
  );
  assert.throws(() => credentialsFromDockerConfig('{', 'x.json'), /x\.json: not valid JSON/);
});

test('token auth: the Bearer realm flow with credentials', async () => {
  const secured = await startRegistry({ token: { username: 'dev', password: 's3cret' } });
  try {
    const ref = `${secured.host}/plugins/local-reply:main`;
    const credentials = { [secured.host]: { username: 'dev', password: 's3cret' } };
    await assert.rejects(
      pushPlugin({ file: examplePath('local-reply'), reference: ref, kind: 'module' }),
      /token request .* answered 401 \(no credentials configured/,
    );
    await pushPlugin({ file: examplePath('local-reply'), reference: ref, kind: 'module', credentials });
    const got = await new WasmImageResolver({ cacheDir, credentials }).resolve(ref);
    assert.equal(got.moduleDigest, sha256(readFileSync(examplePath('local-reply'))));
    assert.ok(
      secured.tokenRequests.some((q) => q.includes('scope=repository%3Aplugins%2Flocal-reply%3Apull')),
      secured.tokenRequests.join(' '),
    );
  } finally {
    await secured.close();
  }
});
