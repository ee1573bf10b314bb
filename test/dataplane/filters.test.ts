// HTTPRoute filters, weighted backends, timeouts and the data plane's error answers, through real sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { HttpFilterIR, RouteRuleIR } from '../../src/ir/snapshot.js';
import { modifyPath } from '../../src/dataplane/url.js';
import {
  backend,
  echoBackend,
  echoOf,
  get,
  listener,
  port,
  rule,
  snapshot,
  startGateway,
  type EchoBackend,
} from './fixtures.js';

let a: EchoBackend;
let b: EchoBackend;
let mirror: EchoBackend;
let slow: http.Server;
let slowPort: number;
let deadPort: number;
let gw: DataPlane;
let gwPort: number;

const hdr = (set: Array<[string, string]>, add: Array<[string, string]>, remove: string[]) => ({
  set: set.map(([name, value]) => ({ name, value })),
  add: add.map(([name, value]) => ({ name, value })),
  remove,
});

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

before(async () => {
  [a, b, mirror] = await Promise.all([echoBackend('a'), echoBackend('b'), echoBackend('mirror')]);
  slow = http.createServer((req, res) => {
    req.resume();
    const t = setTimeout(() => res.end('late'), req.url?.includes('very-slow') ? 9_000 : 3_000);
    res.on('close', () => clearTimeout(t));
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  slowPort = (slow.address() as net.AddressInfo).port;
  deadPort = await closedPort();
  const A = backend('default/a:80', a.port);
  const B = backend('default/b:80', b.port);
  const p = (value: string) => ({ path: { type: 'PathPrefix' as const, value } });
  const f = (x: HttpFilterIR) => x;
  const routes: RouteRuleIR[] = [
    rule({
      match: p('/headers'),
      filters: [
        f({
          type: 'RequestHeaderModifier',
          modifier: hdr([['x-set', 'one']], [['x-add', 'two']], ['x-drop']),
        }),
        f({ type: 'ResponseHeaderModifier', modifier: hdr([['x-resp', 'r']], [], ['x-backend']) }),
      ],
      backends: [
        {
          backend: A,
          weight: 1,
          filters: [f({ type: 'RequestHeaderModifier', modifier: hdr([['x-per-backend', 'yes']], [], []) })],
        },
      ],
    }),
    rule({
      match: p('/redirect/scheme'),
      filters: [f({ type: 'RequestRedirect', redirect: { scheme: 'https', statusCode: 301 } })],
    }),
    rule({
      match: p('/redirect/full'),
      filters: [
        f({
          type: 'RequestRedirect',
          redirect: {
            hostname: 'new.example.com',
            port: 8443,
            path: { type: 'ReplaceFullPath', value: '/elsewhere' },
            statusCode: 302,
          },
        }),
      ],
    }),
    rule({
      match: p('/redirect/prefix'),
      filters: [
        f({
          type: 'RequestRedirect',
          redirect: {
            path: { type: 'ReplacePrefixMatch', value: '/moved', matchedPrefix: '/redirect/prefix' },
            statusCode: 302,
          },
        }),
      ],
    }),
    rule({
      match: p('/rewrite/prefix'),
      filters: [
        f({
          type: 'URLRewrite',
          rewrite: {
            hostname: 'internal.local',
            path: { type: 'ReplacePrefixMatch', value: '/v2', matchedPrefix: '/rewrite/prefix' },
          },
        }),
      ],
      backends: [A],
    }),
    rule({
      match: p('/rewrite/full'),
      filters: [f({ type: 'URLRewrite', rewrite: { path: { type: 'ReplaceFullPath', value: '/fixed' } } })],
      backends: [A],
    }),
    rule({
      match: p('/mirror'),
      filters: [f({ type: 'RequestMirror', mirror: backend('default/mirror:80', mirror.port) })],
      backends: [A],
    }),
    rule({
      match: p('/weighted'),
      backends: [
        { backend: A, weight: 3 },
        { backend: B, weight: 1 },
      ],
    }),
    rule({
      match: p('/zero-weight'),
      backends: [
        { backend: A, weight: 0 },
        { backend: B, weight: 1 },
      ],
    }),
    rule({ match: p('/all-zero'), backends: [{ backend: A, weight: 0 }] }),
    rule({
      match: p('/invalid'),
      backends: [{ ...backend('default/missing:80', []), invalid: 'Service default/missing not found' }],
    }),
    rule({ match: p('/no-endpoints'), backends: [backend('default/empty:80', [])] }),
    rule({ match: p('/no-backends') }),
    rule({ match: p('/refused'), backends: [backend('default/dead:80', deadPort)] }),
    rule({ match: p('/failover'), backends: [backend('default/mixed:80', [deadPort, a.port])] }),
    rule({
      match: p('/timeout/request'),
      backends: [backend('default/slow:80', slowPort)],
      timeouts: { requestMs: 200 },
    }),
    rule({
      match: p('/timeout/backend'),
      backends: [backend('default/slow:80', slowPort)],
      timeouts: { backendRequestMs: 200 },
    }),
    rule({ match: { path: { type: 'Exact', value: '/only' } }, backends: [A] }),
  ];
  ({ gw, port: gwPort } = await startGateway(snapshot([port([listener(routes, { specPort: 8080 })])])));
});

after(async () => {
  await gw?.close(100);
  await Promise.all([a, b, mirror].map((x) => x.close()));
  slow.closeAllConnections();
  await new Promise((r) => slow.close(r));
});

test('RequestHeaderModifier set/add/remove, per-backend filters, ResponseHeaderModifier', async () => {
  const r = await get(gwPort, '/headers', {
    host: 'h.test',
    'x-add': 'one',
    'x-drop': 'gone',
    'x-set': 'old',
  });
  const h = echoOf(r).headers;
  assert.equal(h['x-set'], 'one');
  assert.equal(h['x-add'], 'one, two');
  assert.equal(h['x-drop'], undefined);
  assert.equal(h['x-per-backend'], 'yes');
  assert.equal(r.headers['x-resp'], 'r');
  assert.equal(r.headers['x-backend'], undefined);
});

test('RequestRedirect: scheme, hostname, port, paths, status', async () => {
  const s = await get(gwPort, '/redirect/scheme/x?q=1', { host: 'h.test:8080' });
  assert.equal(s.status, 301);
  assert.equal(s.headers.location, 'https://h.test/redirect/scheme/x?q=1');
  const f = await get(gwPort, '/redirect/full/x', { host: 'h.test' });
  assert.equal(f.status, 302);
  assert.equal(f.headers.location, 'http://new.example.com:8443/elsewhere');
  const p = await get(gwPort, '/redirect/prefix/a/b', { host: 'h.test' });
  assert.equal(
    p.headers.location,
    'http://h.test:8080/moved/a/b',
    'listener port kept when scheme is not set',
  );
});

test('URLRewrite: hostname and ReplacePrefixMatch / ReplaceFullPath', async () => {
  const e = echoOf(await get(gwPort, '/rewrite/prefix/items?x=1', { host: 'h.test' }));
  assert.equal(e.host_header, 'internal.local');
  assert.equal(e.path, '/v2/items?x=1');
  assert.equal(echoOf(await get(gwPort, '/rewrite/full/a/b', { host: 'h.test' })).path, '/fixed');
});

test('ReplacePrefixMatch follows the Gateway API table', () => {
  const table: Array<[string, string, string, string]> = [
    ['/foo', '/foo/bar', '/xyz', '/xyz/bar'],
    ['/foo', '/foo/bar', '/xyz/', '/xyz/bar'],
    ['/foo/', '/foo/bar', '/xyz', '/xyz/bar'],
    ['/foo/', '/foo/bar', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo', '/foo/', '/xyz', '/xyz/'],
    ['/foo/', '/foo/', '/xyz', '/xyz/'],
    ['/foo', '/foo', '', '/'],
    ['/foo', '/foo/', '', '/'],
    ['/foo', '/foo/bar', '', '/bar'],
    ['/foo', '/foo/bar', '/', '/bar'],
    ['/foo/', '/foo/bar', '/', '/bar'],
  ];
  for (const [prefix, path, value, want] of table) {
    assert.equal(
      modifyPath(path, { type: 'ReplacePrefixMatch', value, matchedPrefix: prefix }),
      want,
      `${prefix} ${path} ${value}`,
    );
  }
});

test('RequestMirror sends a copy and ignores its answer', async () => {
  const before = mirror.requests;
  const r = await get(gwPort, '/mirror/x', { host: 'h.test' });
  assert.equal(echoOf(r).metadata, 'a');
  for (let i = 0; i < 50 && mirror.requests === before; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(mirror.requests, before + 1);
});

test('weighted backends split traffic by weight; weight 0 gets none', async () => {
  const counts: Record<string, number> = { a: 0, b: 0 };
  for (let i = 0; i < 200; i++)
    counts[echoOf(await get(gwPort, '/weighted', { host: 'h.test' })).metadata]!++;
  assert.ok(counts.a! > 110 && counts.a! < 190, `3:1 split, got ${JSON.stringify(counts)}`);
  for (let i = 0; i < 20; i++)
    assert.equal(echoOf(await get(gwPort, '/zero-weight', { host: 'h.test' })).metadata, 'b');
  assert.equal((await get(gwPort, '/all-zero', { host: 'h.test' })).status, 500);
});

test('error answers: invalid backend 500, no endpoints 503, no backendRefs 500, refused 502, no route 404', async () => {
  assert.equal((await get(gwPort, '/invalid', { host: 'h.test' })).status, 500);
  assert.equal((await get(gwPort, '/no-endpoints', { host: 'h.test' })).status, 503);
  assert.equal((await get(gwPort, '/no-backends', { host: 'h.test' })).status, 500);
  assert.equal((await get(gwPort, '/refused', { host: 'h.test' })).status, 502);
  assert.equal((await get(gwPort, '/only/not', { host: 'h.test' })).status, 404);
});

test('a refused endpoint is skipped: the request goes to another endpoint', async () => {
  for (let i = 0; i < 6; i++) {
    const r = await get(gwPort, '/failover', { host: 'h.test' });
    assert.equal(r.status, 200);
    assert.equal(echoOf(r).metadata, 'a');
  }
  const post = await get(
    gwPort,
    '/failover',
    { host: 'h.test', 'content-type': 'text/plain' },
    'POST',
    'hello',
  );
  assert.equal(echoOf(post).bodyBytes, 5);
});

test('timeouts.request and timeouts.backendRequest answer 504', async () => {
  const t0 = Date.now();
  assert.equal((await get(gwPort, '/timeout/request', { host: 'h.test' })).status, 504);
  assert.equal((await get(gwPort, '/timeout/backend', { host: 'h.test' })).status, 504);
  assert.ok(Date.now() - t0 < 2_000);
});

test(
  'without route timeouts, the default backend timeout (here 5 s) answers 504',
  { timeout: 20_000 },
  async () => {
    const { gw: local, port: p } = await startGateway(
      snapshot([port([listener([rule({ backends: [backend('default/slow:80', slowPort)] })])])]),
      { limits: { defaultBackendTimeoutMs: 5_000 } },
    );
    try {
      const t0 = Date.now();
      assert.equal((await get(p, '/very-slow', { host: 'h.test' })).status, 504);
      const took = Date.now() - t0;
      assert.ok(took >= 4_900 && took < 7_000, `answered after ${took} ms`);
    } finally {
      await local.close(100);
    }
  },
);
