// The seed's `store` HTTPRoute (step 3 of its walkthrough, docs/spec/README.md), served from a snapshot built here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataPlane, RequestRecord } from '../../src/dataplane/gateway.js';
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

let backends: EchoBackend[] = [];
let gw: DataPlane;
let gwPort: number;
const records: RequestRecord[] = [];

before(async () => {
  backends = await Promise.all(['store-v1', 'store-v2', 'store-german'].map((n) => echoBackend(n)));
  const [v1, v2, german] = backends.map((b) => backend(`default/${b.name}:8080`, b.port));
  const hostnames = ['store.example.com', 'service-extensions.example.com'];
  // Controller order: Exact/longer prefix first, then more header matches, then rule order.
  const routes = [
    rule({
      route: 'default/store',
      hostnames,
      match: { path: { type: 'PathPrefix', value: '/de' } },
      backends: [german!],
    }),
    rule({
      route: 'default/store',
      hostnames,
      match: { headers: [{ name: 'env', type: 'Exact', value: 'canary' }] },
      backends: [v2!],
    }),
    rule({ route: 'default/store', hostnames, backends: [v1!] }),
  ];
  ({ gw, port: gwPort } = await startGateway(snapshot([port([listener(routes)])]), {
    observer: { requestEnd: (r) => void records.push(r) },
  }));
});

after(async () => {
  await gw?.close(100);
  await Promise.all(backends.map((b) => b.close()));
});

test('Host store.example.com goes to store-v1', async () => {
  const a = await get(gwPort, '/', { host: 'store.example.com' });
  assert.equal(a.status, 200);
  assert.equal(echoOf(a).metadata, 'store-v1');
  assert.equal(echoOf(a).host_header, 'store.example.com');
});

test('header env: canary goes to store-v2', async () => {
  const a = await get(gwPort, '/', { host: 'store.example.com', env: 'canary' });
  assert.equal(echoOf(a).metadata, 'store-v2');
});

test('path /de goes to store-german', async () => {
  const a = await get(gwPort, '/de', { host: 'store.example.com' });
  assert.equal(echoOf(a).metadata, 'store-german');
  const b = await get(gwPort, '/de/products', { host: 'service-extensions.example.com' });
  assert.equal(echoOf(b).metadata, 'store-german');
  const c = await get(gwPort, '/desk', { host: 'store.example.com' });
  assert.equal(echoOf(c).metadata, 'store-v1', 'PathPrefix matches whole path segments only');
});

test('an absolute-form request target routes by its authority', async () => {
  const a = await get(gwPort, 'http://store.example.com/de/x?y=1', { host: 'ignored.example.com' });
  assert.equal(echoOf(a).metadata, 'store-german');
  assert.equal(echoOf(a).path, '/de/x?y=1');
  assert.equal(echoOf(a).host_header, 'store.example.com');
});

test('an unknown host is answered 404', async () => {
  const a = await get(gwPort, '/', { host: 'unknown.example.com' });
  assert.equal(a.status, 404);
});

test('proxy headers: x-forwarded-for/-proto, via, x-request-id; hop-by-hop removed', async () => {
  const a = await get(gwPort, '/', {
    host: 'store.example.com',
    connection: 'keep-alive, x-secret',
    'x-secret': '1',
    te: 'trailers',
  });
  const h = echoOf(a).headers;
  assert.equal(h['x-forwarded-for'], '127.0.0.1');
  assert.equal(h['x-forwarded-proto'], 'http');
  assert.match(String(h.via), /extgate/);
  assert.match(String(h['x-request-id']), /^[0-9a-f-]{36}$/);
  assert.equal(h['x-secret'], undefined);
  assert.equal(h.te, undefined);
  const b = await get(gwPort, '/', {
    host: 'store.example.com',
    'x-request-id': 'abc',
    'x-forwarded-for': '10.0.0.1',
  });
  assert.equal(echoOf(b).headers['x-request-id'], 'abc');
  assert.equal(echoOf(b).headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
});

test('the observer sees one record per request with route, backend, status and details', async () => {
  records.length = 0;
  await get(gwPort, '/de', { host: 'store.example.com' });
  await get(gwPort, '/', { host: 'nope.example.com' });
  assert.equal(records.length, 2);
  assert.equal(records[0]!.route, 'default/store');
  assert.equal(records[0]!.backend, 'default/store-german:8080');
  assert.equal(records[0]!.status, 200);
  assert.equal(records[0]!.details, 'via_upstream');
  assert.equal(records[1]!.status, 404);
  assert.ok(records[0]!.durationMs > 0);
});
