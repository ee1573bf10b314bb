// Attack (issue 9, "Why"): a registry layer that inflates to 1 GiB, or a 64 MiB (or 2 GiB) blob, was buffered
// in memory whole. Pulled here from a hostile registry on loopback (hostile-registry.ts), each must be refused
// with a message naming the limit, without the process holding it: the registry sees the download stopped,
// and the process's memory stays far below the size of what was offered. Redirects are followed a bounded
// number of times.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WasmImageResolver } from '../../src/extensions/wasm/oci/resolver.js';
import { REGISTRY_LIMITS } from '../../src/extensions/wasm/oci/registry.js';
import { startHostileRegistry, type HostileRegistry } from './hostile-registry.js';

const MIB = 1024 * 1024;
let registry: HostileRegistry;
let cacheDir: string;
let resolver: WasmImageResolver;

before(async () => {
  registry = await startHostileRegistry();
  cacheDir = mkdtempSync(join(tmpdir(), 'extgate-registry-limits-'));
  resolver = new WasmImageResolver({ cacheDir });
});

after(async () => {
  await registry.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** Resolves `repo` expecting a refusal matching `message`; returns the RSS growth seen meanwhile. */
async function refused(repo: string, message: RegExp): Promise<number> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    await assert.rejects(resolver.resolve(`${registry.host}/${repo}:v1`), message);
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, process.memoryUsage().rss) - base;
}

test('a gzip layer that inflates to 1 GiB is refused at the output cap', async () => {
  const grew = await refused('plugins/gzip-bomb', /inflates to more than \d+ bytes.*GKE: 5 MiB/);
  assert.ok(grew < 256 * MIB, `RSS grew ${grew} bytes`);
});

test('a 64 MiB blob is refused: by the manifest size, by Content-Length, or while streaming', async () => {
  await refused('plugins/huge-declared', /is 67108864 bytes, over the 5242880-byte limit.*not downloaded/);
  await refused('plugins/huge', /is 67108864 bytes, over the \d+-byte limit; it was not downloaded/);
  const grew = await refused(
    'plugins/huge-chunked',
    /larger than the \d+-byte limit; the download was stopped/,
  );
  assert.ok(grew < 48 * MIB, `RSS grew ${grew} bytes`);
  // The registry could not push the blobs through: the client stopped reading.
  for (const [digest, n] of registry.sent) assert.ok(n < 32 * MIB, `${digest}: ${n} bytes sent`);
});

test('redirects are followed a bounded number of times', async () => {
  registry.redirects = 0;
  await refused('plugins/redirect-loop', new RegExp(`more than ${REGISTRY_LIMITS.redirects} redirects`));
  assert.equal(registry.redirects, REGISTRY_LIMITS.redirects + 1);
});
