// Attack (issue 9, "Why"): a GCPWasmPlugin whose `image` or `pluginConfigURI` names a host file made the
// gateway read it; with the add-header plugin (which echoes its configuration into a response header) any
// client then read the file, and its bytes showed in /api/snapshot. Here the real `extgate up` runs with one
// --plugin-dir, manifests go in with the real kubectl, and each way out of that directory is tried: a path
// outside it, a symbolic link leading out, a FIFO (which blocked the event loop), a file over the size limit.
// A plugin inside the directory still works end to end, and its configuration's bytes stay off the dashboard.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStoreApp, type StoreApp } from '../../examples/store/store-app.js';
import { buildPlugins, examplePath } from '../wasm/helpers.js';
import { httpGet, startExtgate, waitFor, type ExtgateProcess } from '../e2e/harness.js';
import { documents, httpGateway, loopbackService } from '../e2e/manifests.js';

const SECRET = `top-secret-${process.pid}-${Date.now()}`;
const CONFIG = `allowed-config-${process.pid}`;

function plugin(name: string, image: string, configUri?: string): string {
  return `kind: GCPWasmPlugin
apiVersion: networking.gke.io/v1
metadata: {name: ${name}}
spec:
  versions:
  - name: v1
    image: "${image}"
${configUri ? `    pluginConfigURI: "${configUri}"\n` : ''}    weight: 1`;
}

/** One traffic extension per plugin, each on its own path, so one refused plugin leaves the others alone. */
function extension(name: string): string {
  return `kind: GCPTrafficExtension
apiVersion: networking.gke.io/v1
metadata: {name: ext-${name}}
spec:
  targetRefs: [{group: "gateway.networking.k8s.io", kind: Gateway, name: gw}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions: [{celMatcher: 'request.path.startsWith("/${name}")'}]
    extensions:
    - name: plugin
      supportedEvents: [RequestHeaders, ResponseHeaders]
      backendRef: {group: "networking.gke.io", kind: GCPWasmPlugin, name: ${name}}`;
}

describe('file:// plugin sources are read only inside --plugin-dir', () => {
  let root: string;
  let pluginDir: string;
  let secretFile: string;
  let store: StoreApp;
  let extgate: ExtgateProcess;
  let port: number;
  const plugins: Record<string, [image: string, config?: string]> = {};

  before(async () => {
    buildPlugins();
    root = mkdtempSync(join(tmpdir(), 'extgate-plugin-sources-'));
    pluginDir = join(root, 'plugins');
    mkdirSync(pluginDir);
    secretFile = join(root, 'secret.txt');
    writeFileSync(secretFile, SECRET);
    copyFileSync(examplePath('add-header'), join(pluginDir, 'add-header.wasm'));
    copyFileSync(examplePath('add-header'), join(root, 'outside.wasm'));
    writeFileSync(join(pluginDir, 'config.txt'), CONFIG);
    symlinkSync(secretFile, join(pluginDir, 'link.txt'));
    execFileSync('mkfifo', [join(pluginDir, 'fifo.txt')]);
    writeFileSync(join(pluginDir, 'big.wasm'), Buffer.alloc(6 * 1024 * 1024, 1));
    const inDir = (f: string) => `file://${join(pluginDir, f)}`;
    Object.assign(plugins, {
      good: [inDir('add-header.wasm'), inDir('config.txt')],
      outside: [inDir('add-header.wasm'), `file://${secretFile}`],
      outsideimage: [`file://${join(root, 'outside.wasm')}`],
      dotdot: [inDir('add-header.wasm'), `file://${pluginDir}/../secret.txt`],
      symlink: [inDir('add-header.wasm'), inDir('link.txt')],
      fifo: [inDir('add-header.wasm'), inDir('fifo.txt')],
      big: [inDir('big.wasm')],
    });
    store = await startStoreApp('store-v1', 0);
    extgate = await startExtgate('up', { args: ['--plugin-dir', pluginDir] });
    port = 80 + extgate.portOffset;
    const docs = [
      httpGateway('gw', 'gke-l7-global-external-managed'),
      loopbackService('store-v1', store.port),
    ];
    docs.push(`kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{kind: Gateway, name: gw}]
  rules: [{backendRefs: [{name: store-v1, port: 8080}]}]`);
    for (const [name, [image, config]] of Object.entries(plugins)) docs.push(plugin(name, image, config));
    await extgate.kubectl(['apply', '-f', '-'], { input: documents(...docs) });
    await extgate.kubectl(['apply', '-f', '-'], { input: documents(...Object.keys(plugins).map(extension)) });
  });

  after(async () => {
    await extgate?.cleanup();
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function programmed(name: string): Promise<{ status: string; message: string }> {
    const out = await extgate.kubectl([
      'get',
      'gcpwasmplugin',
      name,
      '-o=jsonpath={.status.ancestors[0].conditions[?(@.type=="Programmed")]}',
    ]);
    if (!out.stdout) return { status: '', message: '' };
    const c = JSON.parse(out.stdout) as { status: string; message: string };
    return { status: c.status, message: c.message };
  }

  async function settled(name: string): Promise<{ status: string; message: string }> {
    let last = { status: '', message: '' };
    await waitFor(
      async () => {
        last = await programmed(name);
        return last.status === 'True' || (last.status === 'False' && !/being pulled/.test(last.message));
      },
      30_000,
      200,
    ).catch((err: Error) => {
      throw new Error(`${name}: ${err.message} (last ${JSON.stringify(last)})\n${extgate.output()}`);
    });
    return last;
  }

  it('serves a plugin and its configuration from inside the directory', async () => {
    assert.equal((await settled('good')).status, 'True');
    await waitFor(async () => (await httpGet(port, '/good', {})).headers.hello === CONFIG, 15_000, 100);
  });

  const refusals: Array<[string, RegExp]> = [
    ['outside', /not inside a --plugin-dir directory/],
    ['outsideimage', /not inside a --plugin-dir directory/],
    ['dotdot', /not inside a --plugin-dir directory/],
    ['symlink', /symbolic link\) outside every --plugin-dir directory/],
    ['fifo', /not a regular file/],
    ['big', /over the 5242880-byte limit/],
  ];
  for (const [name, rule] of refusals) {
    it(`refuses ${name}: Programmed=False naming the rule and the flag`, async () => {
      const c = await settled(name);
      assert.equal(c.status, 'False');
      assert.match(c.message, rule);
      if (name !== 'big') assert.match(c.message, /--plugin-dir/);
      // No version of the plugin loaded: its requests fail closed (failOpen: false), never echoing a file.
      const answer = await httpGet(port, `/${name}`, {});
      assert.equal(answer.status, 500);
      assert.equal(answer.headers.hello, undefined);
      assert.ok(!answer.body.includes(SECRET));
    });
  }

  it('the API and admin port kept answering while the FIFO was refused', async () => {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${extgate.adminPort}/healthz`);
    assert.equal(res.status, 200);
    assert.ok(performance.now() - started < 5000);
  });

  it("the secret's bytes appear nowhere: status, events, logs, dashboard", async () => {
    const places = [
      (await extgate.kubectl(['get', 'gcpwasmplugins', '-o', 'yaml'])).stdout,
      (await extgate.kubectl(['get', 'events', '-o', 'yaml'])).stdout,
      (await extgate.kubectl(['describe', 'gcptrafficextensions'])).stdout,
      extgate.output(),
      await (await fetch(`http://127.0.0.1:${extgate.adminPort}/api/snapshot`)).text(),
      await (await fetch(`http://127.0.0.1:${extgate.adminPort}/api/tree`)).text(),
    ];
    const base64 = Buffer.from(SECRET).toString('base64');
    for (const text of places) {
      assert.ok(!text.includes(SECRET), text.slice(0, 2000));
      assert.ok(!text.includes(base64));
    }
  });

  it('the dashboard shows a plugin configuration as size and digest, never its bytes', async () => {
    const snapshot = await (await fetch(`http://127.0.0.1:${extgate.adminPort}/api/snapshot`)).text();
    assert.ok(!snapshot.includes(CONFIG));
    assert.ok(!snapshot.includes(Buffer.from(CONFIG).toString('base64')));
    const parsed = JSON.parse(snapshot) as {
      wasmPlugins: Record<string, { serving: { config?: { bytes: number; digest: string } } }>;
    };
    assert.deepEqual(parsed.wasmPlugins['default/good']?.serving.config, {
      bytes: CONFIG.length,
      digest: `sha256:${createHash('sha256').update(CONFIG).digest('hex')}`,
    });
    assert.ok(readFileSync(join(pluginDir, 'config.txt'), 'utf8') === CONFIG);
  });
});
