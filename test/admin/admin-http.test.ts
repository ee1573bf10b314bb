// The admin port over real HTTP: /metrics fed from traces, the dashboard's JSON API, the live SSE feed, and
// the Host check that keeps other sites from reading traces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { WasmMetrics } from '../../src/extensions/wasm/metrics.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { GatewayMetrics } from '../../src/admin/metrics.js';
import { TraceRecorder } from '../../src/admin/trace.js';
import { dashboardRoutes } from '../../src/admin/dashboard.js';
import { EMPTY_SNAPSHOT, type Snapshot } from '../../src/ir/snapshot.js';
import { staticSource } from './fixtures.js';
import { HeaderList } from '../../src/extensions/header-map.js';

const CHAIN = 'GCPTrafficExtension/default/my-traffic-extension/chain1';
const SNAPSHOT: Snapshot = {
  ...EMPTY_SNAPSHOT,
  version: 3,
  ports: [
    {
      address: '0.0.0.0',
      port: 443,
      protocol: 'HTTPS',
      listeners: [
        {
          id: 'default/gw/https',
          gateway: 'default/gw',
          gatewayClass: 'gke-l7-global-external-managed',
          specPort: 443,
          tls: {
            certificates: [
              { secret: 'default/cert', certPem: 'CERT', keyPem: '-----BEGIN PRIVATE KEY-----secret' },
            ],
          },
          routes: [],
          routingChains: [],
          trafficChains: [],
        },
      ],
    },
  ],
};

let admin: AdminServer;
let recorder: TraceRecorder;
let metrics: GatewayMetrics;

before(async () => {
  recorder = new TraceRecorder({ capacity: 10 });
  metrics = new GatewayMetrics();
  recorder.onEnd((t) => metrics.observe(t));
  admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    isReady: () => true,
    metrics: metrics.registry,
    routes: [dashboardRoutes({ recorder, source: staticSource(SNAPSHOT), allowedHosts: ['extgate.local'] })],
  });
});

after(async () => {
  await admin.close();
});

function get(
  path: string,
  host = `127.0.0.1:${admin.port}`,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: admin.port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    })
      .on('error', reject)
      .end();
  });
}

function serve(
  path: string,
  status: number,
  effect: 'CONTENT_MODIFIED' | 'ERROR' = 'CONTENT_MODIFIED',
): void {
  const trace = recorder.begin({
    requestId: `r-${path}`,
    method: 'GET',
    authority: 'store.example.com',
    path,
    scheme: 'http',
    headers: new HeaderList([['authorization', 'Bearer x']]),
  });
  trace.listener('default/gw/http');
  trace.chain('traffic', CHAIN, 'match[0]');
  trace.route('default/store/0/0', 'PathPrefix /');
  trace.step({
    extension: `${CHAIN}/ext1`,
    event: 'RequestHeaders',
    startedAt: performance.now(),
    latencyMs: 2,
    effect,
    ...(effect === 'ERROR' ? { grpcStatus: 13 } : {}),
  });
  if (status !== 500) trace.upstream({ endpoint: '127.0.0.1:9', status, latencyMs: 7 });
  trace.end({ status, bytes: 5 });
}

test('metrics: requests by route and status, upstream and per-extension latency, errors, snapshots, Wasm runtime and other collectors', async () => {
  serve('/a', 200);
  serve('/b', 500, 'ERROR');
  // The Wasm runtime's own collectors, on the shared registry, and a registry made elsewhere.
  const wasm = new WasmMetrics(metrics.registry);
  wasm.callback('default/p', 'v1', 'on_http_request_headers').observe(0.0002, true);
  wasm.callback('default/p', 'v1', 'on_http_request_headers').observe(0.002, false);
  wasm.memoryUsed('default/p', 'v1', 1_048_576);
  const elsewhere = new Registry();
  new Counter({
    name: 'extgate_elsewhere_total',
    help: 'a registry made by another component',
    registers: [elsewhere],
  }).inc(2);
  metrics.include(elsewhere);
  metrics.snapshotProgrammed(4, 35);
  const wasmOwn = new Counter({
    name: 'extgate_wasm_module_compilations_total',
    help: 'test collector from elsewhere',
    registers: [],
  });
  metrics.register(wasmOwn);
  wasmOwn.inc(3);

  const res = await get('/metrics');
  assert.equal(res.status, 200);
  const m = res.body;
  assert.match(
    m,
    /extgate_requests_total\{listener="default\/gw\/http",route="default\/store\/0",status="200"\} 1/,
  );
  assert.match(
    m,
    /extgate_requests_total\{listener="default\/gw\/http",route="default\/store\/0",status="500"\} 1/,
  );
  assert.match(
    m,
    /extgate_upstream_latency_seconds_bucket\{route="default\/store\/0",status="200",le="0.01"\} 1/,
  );
  assert.match(
    m,
    new RegExp(
      `extgate_extension_latency_seconds_count\\{chain="${CHAIN}",extension="${CHAIN}/ext1",event="RequestHeaders"\\} 2`,
    ),
  );
  assert.match(m, /extgate_extension_events_total\{[^}]*effect="ERROR"\} 1/);
  assert.match(m, /extgate_extension_errors_total\{[^}]*grpc_status="13"\} 1/);
  assert.match(
    m,
    /extgate_wasm_plugin_invocations_total\{plugin="default\/p",version="v1",callback="on_http_request_headers",result="ok"\} 1/,
  );
  assert.match(m, /extgate_wasm_plugin_invocations_total\{[^}]*result="error"\} 1/);
  assert.match(m, /extgate_wasm_plugin_memory_max_bytes\{plugin="default\/p",version="v1"\} 1048576/);
  assert.match(m, /extgate_elsewhere_total 2/);
  assert.match(m, /extgate_snapshot_version 4/);
  assert.match(m, /extgate_snapshots_programmed_total 1/);
  assert.match(m, /extgate_snapshot_programming_seconds_sum 0.035/);
  assert.match(m, /extgate_wasm_module_compilations_total 3/);
  assert.match(m, /extgate_process_cpu_seconds_total/);
  assert.match(m, /# TYPE extgate_extension_latency_seconds histogram/);
  assert.match(
    m,
    /extgate_upstream_latency_seconds_bucket\{route="default\/store\/0",status="200",le="\+Inf"\} 1/,
  );
  assert.match(m, /extgate_upstream_latency_seconds_sum\{route="default\/store\/0",status="200"\} 0.007/);
});

test('dashboard API: page, script, tree, snapshot without private keys, requests and one trace', async () => {
  serve('/c', 200);
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.type, /text\/html/);
  assert.match(page.body, /<script type="module" src="\/dashboard.js">/);
  const script = await get('/dashboard.js');
  assert.equal(script.status, 200);
  assert.match(script.type, /javascript/);
  assert.doesNotMatch(script.body, /^import /m, 'the browser module has no runtime imports');

  const tree = JSON.parse((await get('/api/tree')).body) as {
    snapshotVersion: number;
    gateways: Array<{ name: string; problem: boolean }>;
  };
  assert.equal(tree.snapshotVersion, 3);
  assert.deepEqual(
    tree.gateways.map((g) => [g.name, g.problem]),
    [['internal-http', true]],
  );

  const snap = (await get('/api/snapshot')).body;
  assert.ok(!snap.includes('PRIVATE KEY'), 'private keys never leave the process');
  assert.match(snap, /"certPem":"CERT"/);

  const list = JSON.parse((await get('/api/requests?after=0&limit=100')).body) as {
    requests: Array<{ id: number; path: string; problem: boolean }>;
  };
  const c = list.requests.find((r) => r.path === '/c')!;
  assert.equal(c.problem, false);
  const trace = JSON.parse((await get(`/api/requests/${c.id}`)).body) as { request: { headers: string[] } };
  assert.deepEqual(trace.request.headers, ['authorization', '[redacted]']);
  assert.equal((await get('/api/requests/999999')).status, 404);
  assert.equal((await get('/api/plugins/logs')).status, 400);
  assert.equal((await get('/api/nope')).status, 404);
});

test('dashboard refuses Hosts that are not an IP, localhost or allowed (DNS rebinding)', async () => {
  assert.equal((await get('/api/requests', 'evil.example.com')).status, 403);
  assert.equal((await get('/', `evil.example.com:${admin.port}`)).status, 403);
  assert.equal((await get('/api/requests', `localhost:${admin.port}`)).status, 200);
  assert.equal((await get('/api/requests', 'extgate.local')).status, 200);
  assert.equal((await get('/api/requests', '[::1]:9901')).status, 200);
  // Metrics: IPs, localhost and cluster-internal Service names (scrapers); not a rebound public name.
  assert.equal((await get('/metrics', 'extgate.extgate-system.svc')).status, 200);
  assert.equal((await get('/metrics', `127.0.0.1:${admin.port}`)).status, 200);
  assert.equal((await get('/metrics', `evil.example.com:${admin.port}`)).status, 403);
  // Health stays reachable by any name (probes).
  assert.equal((await get('/healthz', 'evil.example.com')).status, 200);
});

test('the live feed streams each finished request as a Server-Sent Event', async () => {
  const events: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: admin.port, path: '/api/requests/stream', headers: { host: '127.0.0.1' } },
      (res) => {
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /text\/event-stream/);
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = frame.split('\n').find((l) => l.startsWith('data: '));
            if (data) events.push(data.slice(6));
            if (events.length === 2) {
              req.destroy();
              resolve();
            }
          }
        });
        // Sent after the subscription is in place.
        setImmediate(() => {
          serve('/live-1', 200);
          serve('/live-2', 502);
        });
      },
    );
    req.on('error', (err) => (events.length === 2 ? resolve() : reject(err)));
    req.end();
  });
  const parsed = events.map(
    (e) => JSON.parse(e) as { path: string; status: number; problem: boolean; chains: string[] },
  );
  assert.deepEqual(
    parsed.map((e) => [e.path, e.status, e.problem]),
    [
      ['/live-1', 200, false],
      ['/live-2', 502, true],
    ],
  );
  assert.deepEqual(parsed[0]?.chains, [CHAIN]);
});
