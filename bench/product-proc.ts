// The product under test, as a user runs it: `extgate up` (or `extgate serve` against an `up --api-only`)
// with the given flags, one Gateway whose catch-all HTTPRoute goes to the bench backend.
//
//   node dist/bench/product-proc.js <up|serve> <backendPort> [extgate flags...]
//
// Prints `port <n>` once the route answers and `pids <primary> <worker>...` before it; stops everything on
// SIGTERM. The access log goes to /dev/null (a file, as when stdout is redirected), written as in production.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './nginx.js';
import { stop } from './procs.js';

const [mode, backendArg, ...args] = process.argv.slice(2);
if (mode !== 'up' && mode !== 'serve')
  throw new Error('usage: product-proc.js <up|serve> <backendPort> [--bench-plugin=<module.wasm>] [flags]');
// `--bench-plugin=<module.wasm>` (ours, not extgate's): a GCPWasmPlugin serving that module from its file and a
// GCPTrafficExtension running it on request and response headers of every request, as the walkthrough applies one.
const pluginArg = args.find((a) => a.startsWith('--bench-plugin='));
const pluginPath = pluginArg === undefined ? undefined : resolve(pluginArg.slice('--bench-plugin='.length));
const flags = args.filter((a) => a !== pluginArg);
const backendPort = Number(backendArg);
const bin = fileURLToPath(new URL('../../bin/extgate', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'extgate-bench-product-'));
const listenPort = await freePort();

const manifests = `apiVersion: v1
kind: Service
metadata: {name: backend, namespace: default}
spec:
  ports: [{name: http, port: 8080, targetPort: ${backendPort}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: backend-local
  namespace: default
  labels: {kubernetes.io/service-name: backend}
addressType: IPv4
ports: [{name: http, port: ${backendPort}, protocol: TCP}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
---
kind: Gateway
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: bench, namespace: default}
spec:
  # The class that takes GCPWasmPlugin backends (--bench-plugin), for every run alike.
  gatewayClassName: gke-l7-global-external-managed
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: bench, namespace: default}
spec:
  parentRefs: [{name: bench}]
  hostnames: [store.example.com]
  rules: [{backendRefs: [{name: backend, port: 8080}]}]
${pluginPath === undefined ? '' : pluginManifests(pluginPath)}`;
const file = join(dir, 'bench.yaml');
writeFileSync(file, manifests);
const devNull = openSync('/dev/null', 'w');
const children: ChildProcess[] = [];
const start = (args: string[]): ChildProcess => {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', devNull, 'inherit'],
    env: { ...process.env, HOME: dir },
  });
  children.push(child);
  return child;
};
const common = [
  '--address',
  '127.0.0.1',
  '--port-offset',
  String(listenPort - 80),
  ...(pluginPath === undefined ? [] : ['--plugin-dir', dirname(pluginPath)]),
];
const apiPort = await freePort();
let gateway: ChildProcess;
if (mode === 'up') {
  gateway = start([
    'up',
    '--state-dir',
    join(dir, 'state'),
    '--api-port',
    String(apiPort),
    '--admin-port',
    String(await freePort()),
    '--no-kubeconfig-merge',
    '-f',
    file,
    ...common,
    ...flags,
  ]);
} else {
  start([
    'up',
    '--api-only',
    '--state-dir',
    join(dir, 'state'),
    '--api-port',
    String(apiPort),
    '--no-kubeconfig-merge',
    '-f',
    file,
  ]);
  await until(async () => existsSync(join(dir, 'state', 'kubeconfig')));
  gateway = start([
    'serve',
    '--kubeconfig',
    join(dir, 'state', 'kubeconfig'),
    '--no-leader-election',
    '--admin-port',
    String(await freePort()),
    '--state-dir',
    join(dir, 'serve-state'),
    ...common,
    ...flags,
  ]);
}
await until(() => answers(listenPort));
process.stdout.write(`pids ${gateway.pid} ${workerPids(gateway.pid!).join(' ')}\nport ${listenPort}\n`);

process.on('SIGTERM', () => {
  void Promise.all(children.reverse().map((c) => stop(c))).then(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    for (const c of children)
      if (c.exitCode !== null) throw new Error(`extgate exited with ${c.exitCode} before it served`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('extgate did not serve the bench route within 60 s');
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    request({ host: '127.0.0.1', port, path: '/', headers: { host: 'store.example.com' } }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    })
      .once('error', () => resolve(false))
      .end();
  });
}

/** Direct children of `pid` (the data-plane workers of an `up`/`serve`). */
function workerPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function pluginManifests(path: string): string {
  return `---
kind: GCPWasmPlugin
apiVersion: networking.gke.io/v1
metadata: {name: bench-plugin, namespace: default}
spec:
  versions: [{name: v1, image: "file://${path}", weight: 1000000}]
---
kind: GCPTrafficExtension
apiVersion: networking.gke.io/v1
metadata: {name: bench-plugin, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: bench}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions: [{celMatcher: 'request.path.startsWith("/")'}]
    extensions:
    - name: ext1
      supportedEvents: [RequestHeaders, ResponseHeaders]
      backendRef: {group: networking.gke.io, kind: GCPWasmPlugin, name: bench-plugin}
`;
}
