// Latency of the embedded API, one keep-alive HTTPS connection, sequential requests (what kubectl and the
// controller see): create (a durable SQLite commit each), get, merge patch, server-side apply, status patch →
// watch event, list of N HTTPRoutes as JSON and as a kubectl Table.
// Run: npx tsc -p . && node dist/bench/api-latency.js [--requests 500] [--routes 1000]
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../src/apiserver/server.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const REQUESTS = arg('requests', 500);
const ROUTES = arg('routes', 1000);
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

function client(api: ApiServer) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: api.caPem });
  return (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    accept = 'application/json',
  ) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { Authorization: `Bearer ${api.token}`, Accept: accept };
      if (payload !== undefined)
        Object.assign(headers, {
          'Content-Type': contentType,
          'Content-Length': String(Buffer.byteLength(payload)),
        });
      const req = request(new URL(path, api.url), { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(payload);
    });
}

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(2)} ms  p99 ${q(0.99).toFixed(2)} ms  (n=${s.length})`;
}

async function timed(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-bench-api-'));
  const api = await startApiServer({ stateDir: dir, port: 0 });
  const call = client(api);
  const ns = '/apis/gateway.networking.k8s.io/v1/namespaces/default';
  try {
    const expect = (r: { status: number; text: string }, code: number) => {
      if (r.status !== code) throw new Error(`HTTP ${r.status}: ${r.text}`);
    };
    const create = await timed(REQUESTS, async (i) =>
      expect(
        await call('POST', '/api/v1/namespaces/default/configmaps', {
          metadata: { name: `cm-${i}` },
          data: { i: String(i) },
        }),
        201,
      ),
    );
    console.log(`create ConfigMap (durable commit)   ${stats(create)}`);
    const get = await timed(REQUESTS, async (i) =>
      expect(await call('GET', `/api/v1/namespaces/default/configmaps/cm-${i}`), 200),
    );
    console.log(`get ConfigMap                        ${stats(get)}`);
    const patch = await timed(REQUESTS, async (i) =>
      expect(
        await call(
          'PATCH',
          `/api/v1/namespaces/default/configmaps/cm-${i}`,
          { data: { j: 'x' } },
          'application/merge-patch+json',
        ),
        200,
      ),
    );
    console.log(`merge patch ConfigMap                ${stats(patch)}`);
    // Server-side apply of a Service (keyed ports, labels), a changed value each time: the field-ownership
    // bookkeeping (managedFields) is in this path.
    const service = (i: number) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'applied',
        labels: Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`l${j}`, 'v'])),
      },
      spec: {
        selector: { app: 'web' },
        ports: [80, 81, 82].map((port) => ({
          name: `p${port}`,
          port,
          targetPort: port === 80 ? 1000 + i : port,
        })),
      },
    });
    const apply = await timed(REQUESTS, async (i) => {
      const r = await call(
        'PATCH',
        '/api/v1/namespaces/default/services/applied?fieldManager=bench',
        service(i),
        'application/apply-patch+yaml',
      );
      if (r.status !== 200 && r.status !== 201) throw new Error(`HTTP ${r.status}: ${r.text}`);
    });
    console.log(`server-side apply Service            ${stats(apply)}`);

    await timed(ROUTES, async (i) =>
      expect(
        await call('POST', `${ns}/httproutes`, {
          metadata: { name: `route-${i}` },
          spec: {
            parentRefs: [{ name: 'gw' }],
            hostnames: [`h${i}.example.com`],
            rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }],
          },
        }),
        201,
      ),
    );
    const listJson = await timed(50, async () => expect(await call('GET', `${ns}/httproutes`), 200));
    console.log(`list ${ROUTES} HTTPRoutes (JSON)        ${stats(listJson)}`);
    const listTable = await timed(50, async () =>
      expect(await call('GET', `${ns}/httproutes`, undefined, undefined, TABLE), 200),
    );
    console.log(`list ${ROUTES} HTTPRoutes (Table)       ${stats(listTable)}`);

    // Status write → MODIFIED on an open watch (what `kubectl wait` waits for).
    expect(
      await call('POST', `${ns}/gateways`, {
        metadata: { name: 'gw' },
        spec: { gatewayClassName: 'gke-l7-rilb', listeners: [] },
      }),
      201,
    );
    const watchAgent = new Agent({ ca: api.caPem });
    let onEvent: (() => void) | undefined;
    const watchReq = request(
      new URL(
        `${ns}/gateways?watch=true&fieldSelector=metadata.name%3Dgw&resourceVersion=${(JSON.parse((await call('GET', `${ns}/gateways/gw`)).text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion}`,
        api.url,
      ),
      { agent: watchAgent, headers: { Authorization: `Bearer ${api.token}` } },
      (res) => res.on('data', () => onEvent?.()),
    );
    watchReq.end();
    await new Promise((r) => setTimeout(r, 200));
    const toEvent = await timed(REQUESTS, async (i) => {
      const seen = new Promise<void>((r) => (onEvent = r));
      expect(
        await call(
          'PATCH',
          `${ns}/gateways/gw/status`,
          {
            status: {
              conditions: [
                {
                  type: 'Programmed',
                  status: 'True',
                  reason: 'Programmed',
                  message: String(i),
                  observedGeneration: 1,
                  lastTransitionTime: '2026-01-01T00:00:00Z',
                },
              ],
            },
          },
          'application/merge-patch+json',
        ),
        200,
      );
      await seen;
    });
    console.log(`status patch → watch event           ${stats(toEvent)}`);
    watchReq.destroy();
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
