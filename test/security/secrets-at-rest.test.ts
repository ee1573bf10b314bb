// Attack (issue 9, "Why"): the state dir was 0755 and store.db/-wal (every Secret's private key), the token,
// the kubeconfig and the Wasm blobs 0644: any local user could read them. Started on a state dir an older
// version left open, the API server closes it and says so; new files are private from the start. Also the
// admin port's DNS-rebinding guard on /metrics (scope 8): a page that rebinds its own name to 127.0.0.1
// cannot read the metrics.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { startAdminServer } from '../../src/admin/server.js';
import { startApiServer } from '../../src/apiserver/server.js';
import { resolvePluginDirs } from '../../src/extensions/wasm/oci/plugin-files.js';
import { WasmImageResolver } from '../../src/extensions/wasm/oci/resolver.js';
import { buildPlugins, examplePath, repoRoot } from '../wasm/helpers.js';

const mode = (p: string) => statSync(p).mode & 0o777;
const SECRET_FILES = ['store.db', 'store.db-wal', 'token', 'apiserver.key', 'kubeconfig'];

async function withStderr<T>(run: () => Promise<T>): Promise<{ result: T; lines: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let lines = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await run(), lines };
  } finally {
    process.stderr.write = write;
  }
}

test('the state dir is 0700 and its secrets 0600, from the start and after an older version left them open', async () => {
  const root = mkdtempSync(join(tmpdir(), 'extgate-modes-'));
  const stateDir = join(root, 'state');
  try {
    const first = await startApiServer({ stateDir, port: 0 });
    assert.equal(mode(stateDir), 0o700);
    for (const f of SECRET_FILES) assert.equal(mode(join(stateDir, f)), 0o600, f);
    await first.close();

    chmodSync(stateDir, 0o755);
    // The WAL is checkpointed away on a clean close; one left by a crash (empty here) is as readable.
    writeFileSync(join(stateDir, 'store.db-wal'), '', { mode: 0o644 });
    for (const f of SECRET_FILES) chmodSync(join(stateDir, f), 0o644);
    const { result: again, lines } = await withStderr(() => startApiServer({ stateDir, port: 0 }));
    try {
      assert.equal(mode(stateDir), 0o700);
      for (const f of SECRET_FILES) assert.equal(mode(join(stateDir, f)), 0o600, f);
      assert.match(lines, /state: .*\/state was mode 0755, readable by others; set to 0700/);
      assert.match(lines, /token was mode 0644, readable by others; set to 0600/);
      assert.match(lines, /store\.db was mode 0644/);
    } finally {
      await again.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('cached Wasm modules are 0600 in 0700 directories', async () => {
  buildPlugins();
  const cacheDir = join(mkdtempSync(join(tmpdir(), 'extgate-modes-wasm-')), 'wasm');
  try {
    const resolver = new WasmImageResolver({
      cacheDir,
      pluginDirs: resolvePluginDirs([join(repoRoot, 'examples', 'plugins')]),
    });
    const got = await resolver.resolve(`file://${examplePath('add-header')}`);
    assert.equal(mode(got.modulePath), 0o600);
    assert.equal(mode(join(cacheDir, 'blobs', 'sha256')), 0o700);
    assert.equal(mode(cacheDir), 0o700);
  } finally {
    rmSync(join(cacheDir, '..'), { recursive: true, force: true });
  }
});

function get(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('/metrics refuses a rebound public Host name; IPs, localhost and cluster Service names are served', async () => {
  const admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    isReady: () => true,
    metrics: new Registry(),
  });
  try {
    assert.equal(await get(admin.port, '/metrics', `attacker.example.com:${admin.port}`), 403);
    assert.equal(await get(admin.port, '/metrics', `127.0.0.1:${admin.port}`), 200);
    assert.equal(await get(admin.port, '/metrics', `localhost:${admin.port}`), 200);
    assert.equal(await get(admin.port, '/metrics', 'extgate.extgate-system.svc.cluster.local:9901'), 200);
  } finally {
    await admin.close();
  }
});
