// Several Gateway listeners on one HTTP port: the request's Host picks the most specific listener
// hostname (exact, then the longest wildcard, then the listener without hostname).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataPlane } from '../../src/dataplane/gateway.js';
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

let backends: EchoBackend[];
let gw: DataPlane;
let gwPort: number;

before(async () => {
  backends = await Promise.all(['exact', 'wild', 'deep-wild', 'any'].map((n) => echoBackend(n)));
  const [exact, wild, deep, any] = backends.map((b) => backend(`default/${b.name}:80`, b.port));
  // Sorted most specific first, as the controller emits them.
  const listeners = [
    listener([rule({ backends: [exact!] })], { id: 'default/gw/exact', hostname: 'foo.example.com' }),
    listener([rule({ backends: [deep!] })], { id: 'default/gw/deep', hostname: '*.eu.example.com' }),
    listener([rule({ backends: [wild!] })], {
      id: 'other/gw2/wild',
      gateway: 'other/gw2',
      hostname: '*.example.com',
    }),
    listener([rule({ backends: [any!] })], { id: 'default/gw/any' }),
  ];
  ({ gw, port: gwPort } = await startGateway(snapshot([port(listeners)])));
});

after(async () => {
  await gw?.close(100);
  await Promise.all(backends.map((b) => b.close()));
});

test('Host picks the most specific Gateway listener on a shared port', async () => {
  const cases: Array<[string, string]> = [
    ['foo.example.com', 'exact'],
    ['FOO.example.com:8080', 'exact'],
    ['foo.example.com.', 'exact'],
    ['bar.example.com', 'wild'],
    ['a.b.example.com', 'wild'],
    ['x.eu.example.com', 'deep-wild'],
    ['example.com', 'any'],
    ['other.test', 'any'],
  ];
  for (const [host, want] of cases) {
    const r = await get(gwPort, '/', { host });
    assert.equal(echoOf(r).metadata, want, host);
  }
});
