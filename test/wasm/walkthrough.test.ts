// The seed's GCPWasmPlugin walkthrough (steps 6–8) end to end: `extgate wasm push` local-reply to a real
// registry on loopback, `extgate up` as a real process, manifests applied with the real kubectl, curl-like
// requests through the real listener; then the two-version update under load with zero failed requests,
// and the per-version metrics on the admin port.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStoreApp, type StoreApp } from '../../examples/store/store-app.js';
import {
  httpGet as get,
  startExtgate,
  waitFor,
  type ExtgateProcess,
  type HttpAnswer as Answer,
} from '../e2e/harness.js';
import { buildPlugins, examplePath, repoRoot } from './helpers.js';
import { startRegistry, type TestRegistry } from './registry.js';

function getTls(port: number, path: string, ca: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: 'store.example.com',
        headers: { host: 'store.example.com' },
        ca,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function push(file: string, ref: string): void {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'extgate'), 'wasm', 'push', file, ref], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
}

function baseManifests(storePort: number): string {
  return `kind: Gateway
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: external-http}
spec:
  gatewayClassName: gke-l7-global-external-managed
  listeners:
  - {name: http, protocol: HTTP, port: 80}
  - name: https
    protocol: HTTPS
    port: 443
    tls: {mode: Terminate, certificateRefs: [{kind: Secret, name: store-example-com}]}
---
apiVersion: v1
kind: Service
metadata: {name: store-v1}
spec:
  ports: [{name: http, port: 8080, targetPort: ${storePort}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: store-v1-local
  labels: {kubernetes.io/service-name: store-v1}
addressType: IPv4
ports: [{name: http, port: ${storePort}, protocol: TCP}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
---
kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{kind: Gateway, name: external-http}]
  hostnames: ["store.example.com", "service-extensions.example.com"]
  rules:
  - backendRefs: [{name: store-v1, port: 8080}]
---
kind: GCPTrafficExtension
apiVersion: networking.gke.io/v1
metadata: {name: gcp-traffic-extension-with-plugin, namespace: default}
spec:
  targetRefs: [{group: "gateway.networking.k8s.io", kind: Gateway, name: external-http}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions:
      - celMatcher: request.path.contains("serviceextensions")
    extensions:
    - name: ext1
      supportedEvents: [RequestHeaders, ResponseHeaders]
      backendRef: {group: "networking.gke.io", kind: GCPWasmPlugin, name: gcp-wasm-plugin}
`;
}

function plugin(versions: Array<{ name: string; image: string; weight: number }>): string {
  return `kind: GCPWasmPlugin
apiVersion: networking.gke.io/v1
metadata: {name: gcp-wasm-plugin}
spec:
  versions:
${versions.map((v) => `  - name: ${v.name}\n    description: "Test wasm plugin version"\n    image: "${v.image}"\n    weight: ${v.weight}`).join('\n')}
  logConfig:
    enabled: true
    sampleRate: 1000000
    minLogLevel: INFO
`;
}

describe('seed GCPWasmPlugin walkthrough through extgate up, a loopback registry and kubectl', () => {
  let registry: TestRegistry;
  let store: StoreApp;
  let extgate: ExtgateProcess;
  let port = 0;
  let localReply = '';
  let addHeader = '';
  let cacert = '';

  before(async () => {
    buildPlugins();
    registry = await startRegistry();
    localReply = `${registry.host}/plugins/local-reply:main`;
    addHeader = `${registry.host}/plugins/add-header:main`;
    push(examplePath('local-reply'), localReply);
    push(examplePath('add-header'), addHeader);
    store = await startStoreApp('store-v1', 0);
    extgate = await startExtgate('up');
    port = 80 + extgate.portOffset;
    // Step 1 of the seed: the TLS secret, made with kubectl from a self-signed certificate.
    const dir = mkdtempSync(join(tmpdir(), 'extgate-walkthrough-'));
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=store.example.com',
        '-addext',
        'subjectAltName=DNS:store.example.com',
      ],
      { stdio: 'ignore' },
    );
    assert.equal(r.status, 0, 'openssl');
    cacert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    await extgate.kubectl([
      'create',
      'secret',
      'tls',
      'store-example-com',
      `--cert=${join(dir, 'cert.pem')}`,
      `--key=${join(dir, 'key.pem')}`,
    ]);
    await extgate.kubectl(['apply', '-f', '-'], { input: baseManifests(store.port) });
  });

  after(async () => {
    await extgate?.cleanup();
    await store?.close();
    await registry?.close();
  });

  it('local-reply answers Hello World; describe shows the seed conditions', async () => {
    await extgate.kubectl(['apply', '-f', '-'], {
      input: plugin([{ name: 'wasm-plugin-version', image: localReply, weight: 1_000_000 }]),
    });
    let answer: Answer | undefined;
    await waitFor(
      async () => {
        answer = await get(port, '/serviceextensions', { host: 'store.example.com' });
        return answer.body === 'Hello World';
      },
      30_000,
      200,
    );
    assert.equal(answer!.status, 200);
    // The seed's check, over HTTPS with the listener's certificate.
    await waitFor(
      async () =>
        (await getTls(443 + extgate.portOffset, '/serviceextensions', cacert)).body === 'Hello World',
      30_000,
      200,
    );
    // Requests the chain does not match still reach the store.
    const plain = await get(port, '/', { host: 'store.example.com' });
    assert.equal(JSON.parse(plain.body).metadata, 'store-v1');

    // logConfig enabled at INFO: the plugin's line, with plugin, version, callback and request id. Log lines
    // are buffered and flushed at least once a second (src/admin/log-destination.ts).
    const pluginLine = () =>
      extgate
        .output()
        .split('\n')
        .find((l) => l.includes('local-reply: answering Hello World'));
    await waitFor(() => pluginLine() !== undefined, 5_000, 100).catch(() => undefined);
    const line = pluginLine();
    assert.ok(line, 'plugin log line in the output');
    const entry = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, string>;
    assert.equal(entry.plugin, 'default/gcp-wasm-plugin');
    assert.equal(entry.version, 'wasm-plugin-version');
    assert.equal(entry.callback, 'on_request_headers');
    assert.ok(entry.request_id, 'the line carries the request id, as the access log does');

    const describePlugin = await extgate.kubectl([
      'describe',
      'gcpwasmplugins.networking.gke.io',
      'gcp-wasm-plugin',
    ]);
    assert.match(describePlugin.stdout, /Type:\s+Accepted/);
    assert.match(describePlugin.stdout, /Reason:\s+ResolvedRefs/);
    assert.match(describePlugin.stdout, /Reason:\s+ProgrammingSucceeded/);
    const describeExt = await extgate.kubectl([
      'describe',
      'gcptrafficextension',
      'gcp-traffic-extension-with-plugin',
    ]);
    assert.match(describeExt.stdout, /Reason:\s+ProgrammingSucceeded/);
  });

  it('updating the plugin switches the serving version under load with zero failed requests', async () => {
    await extgate.kubectl(['apply', '-f', '-'], {
      input: plugin([
        { name: 'wasm-plugin-version-v1', image: localReply, weight: 1_000_000 },
        { name: 'wasm-plugin-version-v2', image: addHeader, weight: 0 },
      ]),
    });
    await waitFor(
      async () =>
        (await get(port, '/serviceextensions', { host: 'store.example.com' })).body === 'Hello World',
      30_000,
      200,
    );

    const failures: string[] = [];
    const served = { v1: 0, v2: 0 };
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const a = await get(port, '/serviceextensions', { host: 'store.example.com' });
        if (a.status !== 200) failures.push(`${a.status} ${a.body.slice(0, 100)}`);
        else if (a.body === 'Hello World') served.v1++;
        else if (a.headers.hello === 'world') served.v2++;
        else failures.push(`unexpected answer ${a.body.slice(0, 100)}`);
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    await new Promise((r) => setTimeout(r, 300));
    await extgate.kubectl(['apply', '-f', '-'], {
      input: plugin([
        { name: 'wasm-plugin-version-v1', image: localReply, weight: 0 },
        { name: 'wasm-plugin-version-v2', image: addHeader, weight: 1_000_000 },
      ]),
    });
    await waitFor(() => served.v2 >= 50, 30_000, 50);
    stop = true;
    await load;
    assert.deepEqual(failures, []);
    assert.ok(served.v1 > 0 && served.v2 >= 50, JSON.stringify(served));

    // Per-version metrics on the admin port.
    const metrics = await (await fetch(`http://127.0.0.1:${extgate.adminPort}/metrics`)).text();
    assert.match(
      metrics,
      /extgate_wasm_plugin_invocations_total\{plugin="default\/gcp-wasm-plugin",version="wasm-plugin-version-v1",callback="on_request_headers",result="ok"\} [1-9]/,
    );
    assert.match(
      metrics,
      /extgate_wasm_plugin_invocations_total\{plugin="default\/gcp-wasm-plugin",version="wasm-plugin-version-v2",callback="on_response_headers",result="ok"\} [1-9]/,
    );
  });

  it('a version whose image cannot be pulled is reported and the previous one keeps serving', async () => {
    await extgate.kubectl(['apply', '-f', '-'], {
      input: plugin([
        { name: 'wasm-plugin-version-v2', image: addHeader, weight: 0 },
        { name: 'wasm-plugin-version-v3', image: `${registry.host}/plugins/missing:main`, weight: 1_000_000 },
      ]),
    });
    let status = '';
    await waitFor(
      async () => {
        status = (
          await extgate.kubectl(['get', 'gcpwasmplugins.networking.gke.io', 'gcp-wasm-plugin', '-o', 'json'])
        ).stdout;
        return status.includes('could not be loaded');
      },
      30_000,
      200,
    );
    assert.match(
      status,
      /wasm-plugin-version-v3.*could not be loaded: pulling 127\.0\.0\.1:\d+\/plugins\/missing:main: .*not found/,
    );
    assert.match(status, /still serving version \\"wasm-plugin-version-v2\\"/);
    const a = await get(port, '/serviceextensions', { host: 'store.example.com' });
    assert.equal(a.status, 200);
    assert.equal(a.headers.hello, 'world');
  });

  it('a plugin with no loaded version is never bypassed: its requests fail as failOpen says, and its status says so', async () => {
    const extension = (failOpen: boolean) => `kind: GCPTrafficExtension
apiVersion: networking.gke.io/v1
metadata: {name: blocking-extension}
spec:
  targetRefs: [{group: "gateway.networking.k8s.io", kind: Gateway, name: external-http}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions: [{celMatcher: 'request.path.contains("blocked")'}]
    extensions:
    - name: blocker
      failOpen: ${failOpen}
      supportedEvents: [RequestHeaders]
      backendRef: {group: "networking.gke.io", kind: GCPWasmPlugin, name: never-loaded}
`;
    const programmed = async () =>
      (
        await extgate.kubectl([
          'get',
          'gcptrafficextension',
          'blocking-extension',
          '-o=jsonpath={.status.ancestors[0].conditions[?(@.type=="Programmed")].message}',
        ])
      ).stdout;
    // The traffic extension on external-http now points at a plugin whose only image does not exist.
    await extgate.kubectl(['delete', 'gcptrafficextension', 'gcp-traffic-extension-with-plugin']);
    await extgate.kubectl(['apply', '-f', '-'], {
      input: `${plugin([{ name: 'v1', image: `${registry.host}/plugins/never-there:main`, weight: 1_000_000 }]).replace('name: gcp-wasm-plugin', 'name: never-loaded')}---\n${extension(false)}`,
    });
    await waitFor(async () => /could not be loaded/.test(await programmed()), 30_000, 200);
    assert.match(
      await programmed(),
      /requests extension "blocker" sees are answered 500 \(failOpen: false\)/,
    );
    let a: Answer | undefined;
    await waitFor(
      async () => (a = await get(port, '/blocked', { host: 'store.example.com' })).status === 500,
      15_000,
      200,
    );
    assert.deepEqual(JSON.parse(a!.body), {
      error: { code: 500, message: 'Internal server error.', status: 'INTERNAL' },
    });
    // Requests the chain does not match are not affected.
    assert.equal((await get(port, '/', { host: 'store.example.com' })).status, 200);

    await extgate.kubectl(['apply', '-f', '-'], { input: extension(true) });
    await waitFor(
      async () => /passed on without it \(failOpen: true\)/.test(await programmed()),
      30_000,
      200,
    );
    await waitFor(
      async () => (await get(port, '/blocked', { host: 'store.example.com' })).status === 200,
      15_000,
      200,
    );
  });

  it('pulling is progress, not failure: Normal Pulling/Pulled events, nothing red, "(serving)" only once it serves', async () => {
    // The registry behind a proxy that holds connections until released: a pull that takes a while.
    const held: Socket[] = [];
    let release = (): void => undefined;
    const released = new Promise<void>((r) => (release = r));
    const proxy = createServer((client) => {
      held.push(client);
      void released.then(() => {
        const upstream = connect(Number(registry.host.split(':')[1]), '127.0.0.1');
        client.pipe(upstream).pipe(client);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const slowImage = `127.0.0.1:${(proxy.address() as AddressInfo).port}/plugins/local-reply:main`;
    try {
      await extgate.kubectl(['delete', 'gcptrafficextension', 'blocking-extension']);
      await extgate.kubectl(['apply', '-f', '-'], {
        input: `${plugin([{ name: 'slow-v1', image: slowImage, weight: 1_000_000 }]).replace('name: gcp-wasm-plugin', 'name: slow-plugin')}---\n${trafficExtension('slow-plugin')}`,
      });
      const events = async () =>
        (
          await extgate.kubectl([
            'get',
            'events',
            '--field-selector',
            'involvedObject.name=slow-plugin',
            '-o',
            'jsonpath={range .items[*]}{.type} {.reason}: {.message}{"\\n"}{end}',
          ])
        ).stdout;
      await waitFor(async () => /Normal Pulling: .*being pulled/.test(await events()), 30_000, 200);
      assert.doesNotMatch(await events(), /^Warning/m, 'no Warning while the image is being pulled');
      const tree = async () =>
        (await (await fetch(`http://127.0.0.1:${extgate.adminPort}/api/tree`)).json()) as {
          gateways: TreeNode[];
        };
      const pluginNode = async () => findNode((await tree()).gateways, 'GCPWasmPlugin', 'slow-plugin');
      await waitFor(async () => (await pluginNode()) !== undefined, 10_000, 200);
      assert.equal((await pluginNode())!.problem, false, 'a pull in progress is not painted red');
      assert.match(
        (await pluginNode())!.children[0]!.detail ?? '',
        /slow-v1|local-reply:main weight 1000000 \(selected, not loaded/,
      );
      assert.doesNotMatch((await pluginNode())!.children[0]!.detail ?? '', /\(serving\)/);

      release();
      await waitFor(async () => /Normal Pulled: /.test(await events()), 30_000, 200);
      await waitFor(
        async () => /\(serving\)/.test((await pluginNode())?.children[0]?.detail ?? ''),
        10_000,
        200,
      );
      assert.doesNotMatch(await events(), /^Warning/m);
    } finally {
      release();
      for (const s of held) s.destroy();
      proxy.close();
    }
  });
});

interface TreeNode {
  kind: string;
  name: string;
  detail?: string;
  problem: boolean;
  children: TreeNode[];
}

function findNode(nodes: TreeNode[], kind: string, name: string): TreeNode | undefined {
  for (const n of nodes) {
    if (n.kind === kind && n.name === name) return n;
    const below = findNode(n.children, kind, name);
    if (below) return below;
  }
  return undefined;
}

function trafficExtension(pluginName: string): string {
  return `kind: GCPTrafficExtension
apiVersion: networking.gke.io/v1
metadata: {name: slow-extension}
spec:
  targetRefs: [{group: "gateway.networking.k8s.io", kind: Gateway, name: external-http}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions: [{celMatcher: 'request.path.contains("slow")'}]
    extensions:
    - name: ext1
      supportedEvents: [RequestHeaders]
      backendRef: {group: "networking.gke.io", kind: GCPWasmPlugin, name: ${pluginName}}
`;
}
