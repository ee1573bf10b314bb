// GCPWasmPlugin image resolution: the provider-stage cache (WasmImageStage) and the translator keeping the
// last good version serving when a new version fails to load.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { translate } from '../../src/controller/translator/translate.js';
import { wasmImageKey, type WasmImageState } from '../../src/controller/translator/wasm.js';
import { WasmImageStage } from '../../src/controller/wasm-images.js';
import { loadFixture } from './fixtures.js';

const seedWasm = readFileSync(
  new URL('../../../test/controller/testdata/seed-wasm.in.yaml', import.meta.url),
  'utf8',
);
const V1 = 'us-docker.pkg.dev/service-extensions-samples/plugins/local-reply:main';
const V2 = 'registry.local/local-reply:v2';

test('a failed pull of a new version keeps the last good version serving and says so on the plugin', () => {
  const fixture = loadFixture(seedWasm);
  const first = translate(fixture.resources, fixture.options, fixture.wasm, 1);
  const good = first.snapshot.wasmPlugins['default/gcp-wasm-plugin'];
  assert.equal(good?.serving.moduleDigest, 'sha256:1111');

  // The user switches the weight to a version whose image cannot be pulled.
  const plugin = structuredClone(fixture.resources.wasmPlugins[0]);
  assert.ok(plugin?.spec?.versions);
  plugin.spec.versions = [{ name: 'v2', image: V2, weight: 1000000 }];
  plugin.metadata.generation = 2;
  const images = new Map<string, WasmImageState>([
    [wasmImageKey(V2, undefined), { state: 'failed', error: 'manifest unknown' }],
  ]);
  const second = translate(
    { ...fixture.resources, wasmPlugins: [plugin] },
    fixture.options,
    { images, lastGood: new Map(Object.entries(first.snapshot.wasmPlugins)) },
    2,
  );

  assert.deepEqual(second.snapshot.wasmPlugins['default/gcp-wasm-plugin']?.serving, good?.serving);
  const status = second.statuses.policies.find((p) => p.kind === 'GCPWasmPlugin');
  const programmed = status?.ancestors[0]?.conditions.find((c) => c.type === 'Programmed');
  assert.equal(programmed?.status, 'False');
  assert.equal(programmed?.observedGeneration, 2);
  assert.match(
    programmed?.message ?? '',
    /version "v2" \(image registry.local\/local-reply:v2\) could not be loaded: manifest unknown; still serving version "wasm-plugin-version-v1"/,
  );
  // The extension stays programmed: traffic keeps flowing through the old module.
  const ext = second.statuses.policies.find((p) => p.key === 'default/gcp-traffic-extension-with-plugin');
  assert.equal(ext?.ancestors[0]?.conditions.find((c) => c.type === 'Programmed')?.status, 'True');
});

test('WasmImageStage resolves each image once, reports pending, and forgets images no longer used', async () => {
  const calls: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let settled = 0;
  const stage = new WasmImageStage(
    {
      resolve: async (image) => {
        calls.push(image);
        await gate;
        if (image === V2) throw new Error('unauthorized: authentication required');
        return { moduleDigest: 'sha256:aa', modulePath: '/blobs/aa' };
      },
    },
    () => settled++,
  );
  const fixture = loadFixture(seedWasm);
  const withV2 = structuredClone(fixture.resources.wasmPlugins[0]);
  assert.ok(withV2?.spec?.versions);
  withV2.metadata.name = 'second';
  withV2.spec.versions = [{ name: 'v2', image: V2, weight: 1 }];
  const resources = { ...fixture.resources, wasmPlugins: [...fixture.resources.wasmPlugins, withV2] };

  stage.update(resources);
  stage.update(resources);
  assert.equal(stage.pending, true);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls.sort(), [V2, V1].sort());
  release();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(settled, 2);
  const states = stage.update(resources);
  assert.equal(states.get(wasmImageKey(V1, undefined))?.state, 'ready');
  const failed = states.get(wasmImageKey(V2, undefined));
  assert.equal(
    failed?.state === 'failed' ? failed.error : undefined,
    'unauthorized: authentication required',
  );
  assert.equal(calls.length, 2, 'a failed image is not retried on every translation');
  assert.equal(stage.pending, false);

  const after = stage.update(fixture.resources);
  assert.equal(after.has(wasmImageKey(V2, undefined)), false);
  stage.close();
});

test('without a resolver the plugin is not programmed and says why', () => {
  const fixture = loadFixture(seedWasm);
  const t = translate(fixture.resources, fixture.options, { images: new Map(), lastGood: new Map() }, 1);
  assert.deepEqual(t.snapshot.wasmPlugins, {});
  const plugin = t.statuses.policies.find((p) => p.kind === 'GCPWasmPlugin');
  assert.match(
    plugin?.ancestors[0]?.conditions.find((c) => c.type === 'Programmed')?.message ?? '',
    /no Wasm image resolver is configured/,
  );
  // Never silently unfiltered: the extension stays in the chain (its requests fail as the extension's
  // failOpen says) and its own status says so.
  const chains = t.snapshot.ports.flatMap((p) => p.listeners.flatMap((l) => l.trafficChains));
  assert.equal(chains.length, 1);
  assert.equal(chains[0]?.extensions[0]?.kind, 'wasm');
  const extension = t.statuses.policies.find((p) => p.kind === 'GCPTrafficExtension');
  const programmed = extension?.ancestors[0]?.conditions.find((c) => c.type === 'Programmed');
  assert.equal(programmed?.status, 'False');
  assert.match(
    programmed?.message ?? '',
    /requests extension "ext1" sees are answered 500 \(failOpen: false\)/,
  );
});
