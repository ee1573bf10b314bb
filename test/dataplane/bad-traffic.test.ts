// Bad traffic is answered and never takes the process down: malformed requests, oversized headers,
// smuggling attempts, slow clients, a backend that resets mid-body.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  echoBackend,
  get,
  listener,
  port,
  rule,
  snapshot,
  startGateway,
  type EchoBackend,
} from './fixtures.js';

let echo: EchoBackend;
let resetter: http.Server;
let gw: DataPlane;
let gwPort: number;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  echo = await echoBackend('echo');
  // Sends headers and half the promised body, then resets the connection.
  resetter = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-length': 1_000_000 });
    res.write(Buffer.alloc(100_000));
    setTimeout(() => res.socket?.resetAndDestroy(), 50);
  });
  await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
  const routes = [
    rule({
      match: { path: { type: 'PathPrefix', value: '/reset' } },
      backends: [backend('default/reset:80', (resetter.address() as net.AddressInfo).port)],
    }),
    rule({ backends: [backend('default/echo:80', echo.port)] }),
  ];
  ({ gw, port: gwPort } = await startGateway(snapshot([port([listener(routes)])]), {
    limits: { headersTimeoutMs: 500, clientKeepAliveTimeoutMs: 500, maxHeaderBytes: 8 * 1024 },
  }));
});

after(async () => {
  await gw?.close(100);
  await echo.close();
  resetter.closeAllConnections();
  await new Promise((r) => resetter.close(r));
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

/** Writes raw bytes, returns everything the gateway answers until it closes (or `waitMs` passes). */
function raw(data: string, waitMs = 2_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(gwPort, '127.0.0.1', () => s.write(data));
    let text = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false });
    }, waitMs);
    s.on('data', (c) => (text += c.toString()));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve({ text, closed: true });
    });
  });
}

const status = (text: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);

test('malformed request line and headers answer 400', async () => {
  assert.equal(status((await raw('GARBAGE\r\n\r\n')).text), 400);
  assert.equal(status((await raw('GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n')).text), 400);
  assert.equal(status((await raw('GET / HTTP/1.1\r\nHost: a\r\nx: a\u0000b\r\n\r\n')).text), 400);
});

test('oversized headers answer 431', async () => {
  const r = await raw(`GET / HTTP/1.1\r\nHost: a\r\nx-big: ${'a'.repeat(16 * 1024)}\r\n\r\n`);
  assert.equal(status(r.text), 431);
});

test('conflicting Content-Length / Transfer-Encoding answer 400 and close (no smuggling)', async () => {
  const before = echo.requests;
  const both = await raw(
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n',
  );
  assert.equal(status(both.text), 400);
  assert.ok(both.closed);
  const twoLengths = await raw(
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
  );
  assert.equal(status(twoLengths.text), 400);
  const badTe = await raw(
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  );
  assert.equal(status(badTe.text), 400);
  assert.equal(echo.requests, before, 'nothing reached the backend');
});

test('a client that never finishes its headers is answered 408 and closed', async () => {
  const r = await raw('GET / HTTP/1.1\r\nHost: a\r\nx-slow: ', 5_000);
  assert.ok(r.closed, 'connection closed by the gateway');
  assert.ok(r.text === '' || status(r.text) === 408, r.text);
});

test('a connection that sends nothing, or idles after a request, is closed', async () => {
  const silent = await raw('', 5_000);
  assert.ok(silent.closed);
  const idle = await raw('GET / HTTP/1.1\r\nHost: a\r\n\r\n', 5_000);
  assert.equal(status(idle.text), 200);
  assert.ok(idle.closed, 'idle keep-alive connection closed after the idle timeout');
});

test('a backend that resets mid-body resets the client and nothing crashes', async () => {
  const outcome = await new Promise<string>((resolve) => {
    http
      .get({ host: '127.0.0.1', port: gwPort, path: '/reset', agent: false }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve('end'));
        res.on('error', () => resolve('error'));
        res.on('aborted', () => resolve('aborted'));
      })
      .on('error', () => resolve('error'));
  });
  assert.notEqual(outcome, 'end', 'the client must not see a complete response');
  const ok = await get(gwPort, '/', { host: 'a' });
  assert.equal(ok.status, 200, 'the gateway still serves');
  assert.deepEqual(unhandled, []);
});
