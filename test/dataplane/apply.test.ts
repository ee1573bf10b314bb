// apply(): a bad snapshot is rejected with an error naming what to fix, and the previous one keeps serving;
// ports come and go by diff. (Data-plane workers: workers.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  echoBackend,
  echoOf,
  get,
  listener,
  port,
  rule,
  snapshot,
  tlsOf,
  type EchoBackend,
} from './fixtures.js';

let a: EchoBackend;
before(async () => {
  a = await echoBackend('a');
});
after(async () => {
  await a.close();
});

test('a listener with an invalid certificate or regex is left out and reported; the rest serves', async () => {
  const gw = new DataPlane();
  try {
    const served = port([listener([rule({ backends: [backend('default/a:80', a.port)] })])]);
    await gw.apply(snapshot([served]));
    const p = gw.ports()[0]!.boundPort;
    const badCert = snapshot([
      served,
      port(
        [listener([], { id: 'default/gw/https', tls: tlsOf('not a pem', 'nope', 'default/broken') })],
        'HTTPS',
        0,
      ),
    ]);
    const certReport = await gw.apply(badCert);
    assert.match(
      certReport.listenerErrors['default/gw/https'] ?? '',
      /listener default\/gw\/https: the certificate from Secret default\/broken cannot be loaded/,
    );
    assert.equal(gw.snapshot, badCert, 'the rest of the snapshot was applied');
    const badRegex = snapshot([
      port([
        served.listeners[0]!,
        listener([rule({ match: { path: { type: 'RegularExpression', value: '/(unclosed' } } })], {
          id: 'default/gw/regex',
          hostname: 'regex.example.com',
        }),
      ]),
    ]);
    const regexReport = await gw.apply(badRegex);
    assert.match(regexReport.listenerErrors['default/gw/regex'] ?? '', /invalid RegularExpression/);
    assert.equal(echoOf(await get(p, '/', { host: 'x' })).metadata, 'a');
  } finally {
    await gw.close(100);
  }
});

test('a port in use is left out and reported; the rest of the snapshot serves', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const taken = (blocker.address() as net.AddressInfo).port;
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
  const freePort = (free.address() as net.AddressInfo).port;
  await new Promise((r) => free.close(r));
  const gw = new DataPlane();
  try {
    const report = await gw.apply(
      snapshot([
        port([listener([])], 'HTTP', taken),
        port([listener([rule({ backends: [backend('default/a:80', a.port)] })])], 'HTTP', freePort),
      ]),
    );
    assert.match(report.portErrors[taken] ?? '', /cannot listen on 127\.0\.0\.1:\d+/);
    assert.equal(report.portErrors[freePort], undefined);
    assert.deepEqual(
      gw.ports().map((p) => p.port),
      [freePort],
    );
    assert.equal(echoOf(await get(freePort, '/', { host: 'x' })).metadata, 'a');

    // Once the port is free, the next apply binds it.
    await new Promise((r) => blocker.close(r));
    const again = await gw.apply(
      snapshot([
        port([listener([])], 'HTTP', taken),
        port([listener([rule({ backends: [backend('default/a:80', a.port)] })])], 'HTTP', freePort),
      ]),
    );
    assert.deepEqual(again.portErrors, {});
    assert.deepEqual(
      gw
        .ports()
        .map((p) => p.port)
        .sort(),
      [freePort, taken].sort(),
    );
  } finally {
    await gw.close(100);
    if (blocker.listening) await new Promise((r) => blocker.close(r));
  }
});
