// Zero-drop reloads: under constant load, 50 snapshots that change routes (and add/remove a second port)
// cause no failed request and no reset connection; a WebSocket and an in-flight slow request survive them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { RouteRuleIR, Snapshot } from '../../src/ir/snapshot.js';
import {
  backend,
  echoBackend,
  echoOf,
  listener,
  port,
  rule,
  snapshot,
  startGateway,
  type EchoBackend,
} from './fixtures.js';
import { autocannon } from '../support/autocannon.js';

const SECONDS = Number(process.env.RELOAD_TEST_SECONDS ?? 20);
let a: EchoBackend;
let b: EchoBackend;
let slowServer: http.Server;
let wss: WebSocketServer;
let gw: DataPlane;
let gwPort: number;

function routesFor(i: number, slowPort: number, wsPort: number): RouteRuleIR[] {
  const target = i % 2 === 0 ? backend('default/a:80', a.port) : backend('default/b:80', b.port);
  const extra = Array.from({ length: i % 7 }, (_, k) =>
    rule({
      route: `default/extra-${k}`,
      hostnames: [`extra-${k}.example.com`],
      backends: [backend('default/b:80', b.port)],
    }),
  );
  // The slow route exists only in even snapshots: a request that started on it must still finish.
  const slow =
    i % 2 === 0
      ? [
          rule({
            route: 'default/slow',
            match: { path: { type: 'PathPrefix', value: '/slow' } },
            backends: [backend('default/slow:80', slowPort)],
          }),
        ]
      : [];
  return [
    ...slow,
    rule({
      route: 'default/ws',
      match: { path: { type: 'PathPrefix', value: '/ws' } },
      backends: [backend('default/ws:80', wsPort)],
    }),
    ...extra,
    rule({ route: 'default/store', hostnames: ['store.example.com'], backends: [target] }),
  ];
}

function snapshotFor(i: number, slowPort: number, wsPort: number): Snapshot {
  const main = port([listener(routesFor(i, slowPort, wsPort))], 'HTTP', 0);
  // Every third snapshot adds a second port: listeners come and go by diff, the main one stays.
  const ports =
    i % 3 === 1
      ? [
          main,
          {
            ...port([listener([rule({ backends: [backend('default/a:80', a.port)] })])], 'HTTP', 0),
            address: '127.0.0.2',
          },
        ]
      : [main];
  return snapshot(ports);
}

before(async () => {
  [a, b] = await Promise.all([echoBackend('a'), echoBackend('b')]);
  slowServer = http.createServer((req, res) => {
    req.resume();
    setTimeout(() => res.end('slow done'), 1_500);
  });
  wss = new WebSocketServer({ server: slowServer });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m.toString())));
  await new Promise<void>((r) => slowServer.listen(0, '127.0.0.1', r));
  const sp = (slowServer.address() as AddressInfo).port;
  ({ gw, port: gwPort } = await startGateway(snapshotFor(0, sp, sp)));
});

after(async () => {
  await gw?.close(100);
  await Promise.all([a.close(), b.close()]);
  for (const c of wss.clients) c.terminate();
  wss.close();
  slowServer.closeAllConnections();
  await new Promise((r) => slowServer.close(r));
});

test(
  `50 route changes under ${SECONDS} s of constant load: zero failed requests, zero resets`,
  { timeout: (SECONDS + 30) * 1000 },
  async () => {
    const sp = (slowServer.address() as AddressInfo).port;
    const ws = new WebSocket(`ws://127.0.0.1:${gwPort}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    let wsClosed = false;
    ws.on('close', () => (wsClosed = true));

    const load = autocannon({
      url: `http://127.0.0.1:${gwPort}/`,
      headers: { host: 'store.example.com' },
      connections: 8,
      duration: SECONDS,
    });
    let reqErrors = 0;
    load.on('reqError', () => reqErrors++);
    const seen = new Set<string>();
    load.on('response', () => {});

    const slowDone: Array<Promise<string>> = [];
    // One kept-alive client connection that makes a request after every apply: it must never be cut.
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const probeSockets = new Set<unknown>();
    const interval = (SECONDS * 1000 - 2_000) / 50;
    for (let i = 1; i <= 50; i++) {
      await new Promise((r) => setTimeout(r, interval));
      if (i % 10 === 1) {
        // Starts on an even snapshot (which has the /slow route); the next apply removes the route.
        slowDone.push(
          new Promise<string>((resolve) => {
            http
              .get({ host: '127.0.0.1', port: gwPort, path: '/slow', agent: false }, (res) => {
                let body = '';
                res.on('data', (c) => (body += c));
                res.on('end', () => resolve(`${res.statusCode} ${body}`));
                res.on('error', () => resolve('error'));
              })
              .on('error', () => resolve('error'));
          }),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      await gw.apply(snapshotFor(i, sp, sp));
      const answer = await new Promise<string>((resolve) =>
        http.get(
          {
            host: '127.0.0.1',
            port: gwPort,
            path: '/',
            headers: { host: 'store.example.com' },
            agent: keepAlive,
          },
          (res) => {
            probeSockets.add(res.socket);
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve(body));
          },
        ),
      );
      seen.add(echoOf({ status: 200, headers: {}, body: answer }).metadata);
    }
    const result = await load;

    ws.send('still here');
    const echoed = await new Promise<string>((resolve) => ws.once('message', (m) => resolve(m.toString())));
    ws.close();

    assert.ok(result.requests.total > 1000, `load ran (${result.requests.total} requests)`);
    assert.equal(result.errors, 0, 'connection errors');
    assert.equal(result.timeouts, 0, 'timeouts');
    assert.equal(result.non2xx, 0, 'non-2xx answers');
    assert.equal(reqErrors, 0, 'request errors');
    assert.equal(gw.stats.resets, 0, 'streams reset by the gateway');
    assert.equal(gw.stats.upstreamErrors, 0, 'upstream errors');
    assert.deepEqual([...seen].sort(), ['a', 'b'], 'the route changes took effect');
    assert.deepEqual(
      await Promise.all(slowDone),
      slowDone.map(() => '200 slow done'),
      'in-flight requests finished on their snapshot',
    );
    assert.equal(echoed, 'still here');
    assert.equal(probeSockets.size, 1, 'the kept-alive probe connection served all 50 snapshots');
    keepAlive.destroy();
    assert.equal(wsClosed, false, 'the WebSocket survived every reload');
  },
);
