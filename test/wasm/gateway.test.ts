// End to end through the data plane: a real listener, a real backend, a traffic extension chain whose
// extension is a Proxy-Wasm plugin run by WasmRuntime. (The controller/`extgate up` walkthrough with kubectl
// is wired at integration; this drives the same DataPlane with a hand-made snapshot.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { ExtensionChainIR, HttpEvent, Snapshot, WasmPluginIR } from '../../src/ir/snapshot.js';
import { compileChains } from '../../src/extensions/chain.js';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  echoBackend,
  echoOf,
  get,
  listener,
  port,
  rule,
  startGateway,
  type EchoBackend,
} from '../dataplane/fixtures.js';
import { buildPlugins, examplePath, extensionIR, fixturePath, pluginIR } from './helpers.js';

let store: EchoBackend;
let version = 1000;

before(async () => {
  buildPlugins();
  store = await echoBackend('store-v1');
});
after(async () => {
  await store?.close();
});

function snapshotWith(
  plugins: WasmPluginIR[],
  opts: { failOpen?: boolean; events?: HttpEvent[] } = {},
): Snapshot {
  const chain: ExtensionChainIR = {
    id: 'GCPTrafficExtension/default/ext/chain1',
    name: 'chain1',
    resource: 'default/ext',
    resourceKind: 'GCPTrafficExtension',
    match: [],
    extensions: plugins.map((p) =>
      extensionIR(p.key, {
        failOpen: opts.failOpen ?? false,
        events: opts.events ?? ['RequestHeaders', 'ResponseHeaders'],
      }),
    ),
  };
  const l = listener([rule({ backends: [backend('default/store-v1:8080', store.port)] })], {
    gatewayClass: 'gke-l7-global-external-managed',
    trafficChains: [chain],
  });
  return {
    version: version++,
    ports: [port([l])],
    wasmPlugins: Object.fromEntries(plugins.map((p) => [p.key, p])),
  };
}

async function gatewayFor(rt: WasmRuntime, snap: Snapshot): Promise<{ gw: DataPlane; port: number }> {
  return startGateway(snap, {
    compileChains: (chains, s) =>
      compileChains(chains, {
        callout: () => {
          throw new Error('no callouts in this test');
        },
        wasm: rt.forSnapshot(s),
      }),
  });
}

test('every example plugin works in the request path', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const plugins = {
    local: pluginIR('default/local-reply', examplePath('local-reply')),
    add: pluginIR('default/add-header', examplePath('add-header')),
    redirect: pluginIR('default/redirect', examplePath('redirect')),
    block: pluginIR('default/block-request', examplePath('block-request')),
  };
  const { gw, port: p } = await gatewayFor(rt, snapshotWith([plugins.local]));
  try {
    const hello = await get(p, '/serviceextensions');
    assert.equal(hello.status, 200);
    assert.equal(hello.body, 'Hello World');
    assert.equal(hello.headers['content-type'], 'text/plain');

    await gw.apply(snapshotWith([plugins.add]));
    const tagged = await get(p, '/x', { 'x-plugin': 'spoofed' });
    assert.equal(tagged.status, 200);
    assert.equal(echoOf(tagged).headers['x-plugin'], 'add-header');
    assert.equal(tagged.headers['hello'], 'world');

    await gw.apply(snapshotWith([plugins.redirect]));
    const moved = await get(p, '/old/a?b=c');
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, '/new/a?b=c');
    assert.equal((await get(p, '/fine')).status, 200);

    await gw.apply(snapshotWith([plugins.block]));
    const blocked = await get(p, '/admin');
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body, 'Access denied');
    assert.equal((await get(p, '/shop')).status, 200);

    // Two plugins in one chain: add-header runs, then local-reply answers.
    await gw.apply(snapshotWith([plugins.add, plugins.local]));
    assert.equal((await get(p, '/')).body, 'Hello World');
  } finally {
    await gw.close();
  }
});

test('a trapping plugin answers 500, or is skipped with failOpen; other requests keep flowing', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const bad = pluginIR('default/misbehave', fixturePath('misbehave'));
  const { gw, port: p } = await gatewayFor(rt, snapshotWith([bad]));
  try {
    const answers = await Promise.all([
      get(p, '/', { 'x-misbehave': 'loop' }),
      ...Array.from({ length: 10 }, () => get(p, '/')),
      get(p, '/', { 'x-misbehave': 'trap' }),
      ...Array.from({ length: 10 }, () => get(p, '/')),
    ]);
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses[0], 500);
    assert.match(answers[0]!.body, /"status": ?"INTERNAL"/);
    assert.equal(statuses[11], 500);
    assert.deepEqual(
      statuses.filter((_s, i) => i !== 0 && i !== 11),
      Array(20).fill(200),
    );

    await gw.apply(snapshotWith([bad], { failOpen: true }));
    const skipped = await get(p, '/', { 'x-misbehave': 'loop' });
    assert.equal(skipped.status, 200);
    assert.equal(echoOf(skipped).metadata, 'store-v1');
  } finally {
    await gw.close();
  }
});

test('switching the serving version under load drops no request', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const v1 = pluginIR('default/gcp-wasm-plugin', examplePath('add-header'), {
    version: 'wasm-plugin-version-v1',
    config: 'one',
  });
  const v2 = pluginIR('default/gcp-wasm-plugin', examplePath('add-header'), {
    version: 'wasm-plugin-version-v2',
    config: 'two',
  });
  const { gw, port: p } = await gatewayFor(rt, snapshotWith([v1]));
  try {
    const seen: string[] = [];
    const failures: string[] = [];
    let switched = false;
    const worker = async () => {
      for (let i = 0; i < 40; i++) {
        const a = await get(p, '/');
        if (a.status !== 200) failures.push(`${a.status} ${a.body}`);
        seen.push(String(a.headers.hello));
        if (!switched && seen.length >= 100) {
          switched = true;
          await gw.apply(snapshotWith([v2]));
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.deepEqual(failures, []);
    assert.equal(seen.length, 320);
    assert.ok(seen.slice(0, 90).every((h) => h === 'one'));
    assert.ok(
      seen.slice(-50).every((h) => h === 'two'),
      'after the switch new requests are served by v2',
    );
    const m = await rt.metrics.registry.getSingleMetricAsString('extgate_wasm_plugin_invocations_total');
    assert.match(m, /version="wasm-plugin-version-v1",callback="on_response_headers",result="ok"}/);
    assert.match(m, /version="wasm-plugin-version-v2",callback="on_response_headers",result="ok"}/);
  } finally {
    await gw.close();
  }
});

test('bodies stream through the plugin in both directions', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const abi = pluginIR('default/abi', fixturePath('abi021.wat'));
  const { gw, port: p } = await gatewayFor(
    rt,
    snapshotWith([abi], { events: ['RequestHeaders', 'RequestBody'] }),
  );
  try {
    // The request body became "<hello>" before the backend saw it.
    const a = await get(p, '/upload', { 'content-type': 'text/plain' }, 'POST', 'hello');
    assert.equal(a.status, 200);
    assert.equal(echoOf(a).bodyBytes, 7);
    assert.equal(echoOf(a).headers['x-path'], '/upload');

    await gw.apply(snapshotWith([abi], { events: ['RequestHeaders', 'ResponseHeaders', 'ResponseBody'] }));
    const b = await get(p, '/download');
    assert.equal(b.status, 200);
    assert.equal(b.body, 'REPLACED');
  } finally {
    await gw.close();
  }
});

test('a plugin gets one header pair per line the client sent (repeated X-A lines are three pairs)', async () => {
  const rt = new WasmRuntime({ logSink: () => {} });
  const plugin = pluginIR('default/c', fixturePath('c-plugin.c'));
  const { gw, port: p } = await gatewayFor(rt, snapshotWith([plugin], { events: ['RequestHeaders'] }));
  try {
    // The C fixture answers how many pairs proxy_get_header_map_pairs gave it in x-c-pairs.
    const pairsWith = async (xa: string[]): Promise<number> => {
      const head = ['GET / HTTP/1.1', 'Host: store.example.com', ...xa.map((v) => `X-A: ${v}`)];
      const text = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(p, '127.0.0.1', () =>
          socket.write(`${[...head, 'Connection: close'].join('\r\n')}\r\n\r\n`),
        );
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('error', reject);
        socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
      });
      assert.match(text, /^HTTP\/1\.1 200 /);
      const echo = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as {
        headers: Record<string, string>;
      };
      return Number(echo.headers['x-c-pairs']);
    };
    assert.equal((await pairsWith(['1', '2', '3'])) - (await pairsWith(['1'])), 2);
  } finally {
    await gw.close();
  }
});
