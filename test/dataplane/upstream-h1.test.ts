// The native HTTP/1.1 upstream client against backends that do awkward but legal (and some illegal) things.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import { backend, get, listener, port, rule, snapshot, startGateway } from './fixtures.js';

let httpBackend: http.Server;
let rawBackend: net.Server;
let gw: DataPlane;
let gwPort: number;

/** Raw responses by path, for what node:http would not send. */
const RAW: Record<string, string> = {
  '/close-delimited': 'HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end',
  '/garbage': 'NOT HTTP AT ALL\r\n\r\n',
  '/early-hints':
    'HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfinal',
  '/trailers':
    'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-checksum\r\n\r\n5\r\nhello\r\n0\r\nx-checksum: abc\r\n\r\n',
};

before(async () => {
  httpBackend = http.createServer({ keepAliveTimeout: 100 }, (req, res) => {
    req.resume();
    if (req.url === '/many-headers') {
      const headers: Record<string, string> = {};
      for (let i = 0; i < 100; i++) headers[`x-h-${i}`] = String(i);
      res.writeHead(200, headers);
      return void res.end('ok');
    }
    if (req.url === '/no-content') {
      res.writeHead(204);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5 });
    res.end(req.method === 'HEAD' ? undefined : 'hello');
  });
  await new Promise<void>((r) => httpBackend.listen(0, '127.0.0.1', r));
  rawBackend = net.createServer((s) => {
    s.once('data', (d) => {
      const path = d.toString().split(' ')[1]!;
      s.end(RAW[path] ?? 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => rawBackend.listen(0, '127.0.0.1', r));
  const H = backend('default/h:80', (httpBackend.address() as net.AddressInfo).port);
  const R = backend('default/raw:80', (rawBackend.address() as net.AddressInfo).port);
  const routes = Object.keys(RAW).map((p) =>
    rule({ match: { path: { type: 'Exact', value: p } }, backends: [R] }),
  );
  routes.push(rule({ backends: [H] }));
  ({ gw, port: gwPort } = await startGateway(snapshot([port([listener(routes)])]), {
    http1Client: 'native',
  }));
});

after(async () => {
  await gw?.close(100);
  httpBackend.closeAllConnections();
  await new Promise((r) => httpBackend.close(r));
  await new Promise((r) => rawBackend.close(r));
});

/** Keep-alive agent so the gateway sees several requests on one client connection too. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
after(() => agent.destroy());

function request(
  path: string,
  method = 'GET',
): Promise<{
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  trailers: NodeJS.Dict<string>;
}> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: gwPort, path, method, agent, headers: { host: 'x' } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body, headers: res.headers, trailers: res.trailers }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('reused connections the backend closed while idle are replaced transparently', async () => {
  for (let i = 0; i < 5; i++) {
    assert.equal((await request('/')).body, 'hello');
    await new Promise((r) => setTimeout(r, 150)); // past the backend's 100 ms keep-alive timeout
  }
});

test('HEAD, 204 and many response headers', async () => {
  const head = await request('/', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], '5');
  assert.equal((await request('/no-content')).status, 204);
  const many = await request('/many-headers');
  assert.equal(many.headers['x-h-0'], '0');
  assert.equal(many.headers['x-h-99'], '99');
  assert.equal((await request('/')).body, 'hello', 'the connection is still usable');
});

test('close-delimited bodies, 1xx before the final answer, trailers', async () => {
  assert.equal((await get(gwPort, '/close-delimited', { host: 'x' })).body, 'until the end');
  const hints = await get(gwPort, '/early-hints', { host: 'x' });
  assert.equal(hints.status, 200);
  assert.equal(hints.body, 'final');
  const t = await request('/trailers');
  assert.equal(t.body, 'hello');
  assert.equal(t.trailers['x-checksum'], 'abc');
});

test('an invalid response answers 502 and nothing crashes', async () => {
  assert.equal((await get(gwPort, '/garbage', { host: 'x' })).status, 502);
  assert.equal((await request('/')).body, 'hello');
});
