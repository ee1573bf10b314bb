// HTTPS with two certificates chosen by SNI, ALPN h2 and http/1.1, h2c prior knowledge downstream, and
// h2c to a backend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import https from 'node:https';
import tls from 'node:tls';
import net from 'node:net';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  echoBackend,
  listener,
  port,
  rule,
  selfSigned,
  snapshot,
  tlsOf,
  type Echo,
  type EchoBackend,
} from './fixtures.js';
import { DataPlane as Gateway } from '../../src/dataplane/gateway.js';

let h1: EchoBackend;
let h2c: EchoBackend;
let gw: DataPlane;
let httpsPort: number;
let httpPort: number;
const storeCert = selfSigned(['store.example.com']);
const apiCert = selfSigned(['api.example.com', '*.api.example.com']);

before(async () => {
  [h1, h2c] = await Promise.all([echoBackend('h1'), echoBackend('h2c-backend', 'h2c')]);
  const H1 = backend('default/h1:80', h1.port);
  const H2C = backend('default/grpcish:80', h2c.port, 'h2c');
  const store = listener([rule({ hostnames: ['store.example.com'], backends: [H1] })], {
    id: 'default/gw/store',
    hostname: 'store.example.com',
    specPort: 443,
    tls: tlsOf(storeCert.certPem, storeCert.keyPem, 'default/store-cert'),
  });
  const api = listener([rule({ hostnames: ['*.api.example.com', 'api.example.com'], backends: [H2C] })], {
    id: 'other/gw2/api',
    gateway: 'other/gw2',
    hostname: '*.api.example.com',
    specPort: 443,
    tls: tlsOf(apiCert.certPem, apiCert.keyPem, 'other/api-cert'),
  });
  const plain = listener([
    rule({ backends: [H2C], match: { path: { type: 'PathPrefix', value: '/h2c-up' } } }),
    rule({ backends: [H1] }),
  ]);
  gw = new Gateway();
  await gw.apply(snapshot([port([store, api], 'HTTPS'), port([plain], 'HTTP', 0)]));
  // Both ports asked for port 0; tell them apart by protocol.
  httpsPort = gw.ports().find((p) => p.protocol === 'HTTPS')!.boundPort;
  httpPort = gw.ports().find((p) => p.protocol === 'HTTP')!.boundPort;
});

after(async () => {
  await gw?.close(100);
  await Promise.all([h1.close(), h2c.close()]);
});

function peerCertCN(servername: string): Promise<{ cn: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect(
      {
        host: '127.0.0.1',
        port: httpsPort,
        servername,
        rejectUnauthorized: false,
        ALPNProtocols: ['h2', 'http/1.1'],
      },
      () => {
        const cn = s.getPeerCertificate().subject.CN as string;
        resolve({ cn, alpn: s.alpnProtocol ?? false });
        s.end();
      },
    );
    s.on('error', reject);
  });
}

test('SNI picks the certificate of the matching Gateway listener', async () => {
  assert.equal((await peerCertCN('store.example.com')).cn, 'store.example.com');
  assert.equal((await peerCertCN('x.api.example.com')).cn, 'api.example.com');
  const { alpn } = await peerCertCN('store.example.com');
  assert.equal(alpn, 'h2');
});

test('HTTPS over HTTP/1.1 (ALPN http/1.1) routes by the listener', async () => {
  const body = await new Promise<string>((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: httpsPort,
        servername: 'store.example.com',
        headers: { host: 'store.example.com' },
        ca: storeCert.certPem,
        path: '/',
        agent: false,
      },
      (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      },
    );
    req.on('error', reject);
    req.end();
  });
  const echo = JSON.parse(body) as Echo;
  assert.equal(echo.metadata, 'h1');
  assert.equal(echo.headers['x-forwarded-proto'], 'https');
});

function h2get(
  authority: string,
  path: string,
  options: http2.SecureClientSessionOptions = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(authority, options);
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let status = 0;
    let body = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      session.close();
      resolve({ status, body });
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTP/2 over TLS downstream, h2c upstream', async () => {
  const r = await h2get(`https://x.api.example.com:${httpsPort}`, '/hello', {
    createConnection: () =>
      tls.connect({
        host: '127.0.0.1',
        port: httpsPort,
        servername: 'x.api.example.com',
        ca: apiCert.certPem,
        ALPNProtocols: ['h2'],
      }),
  });
  assert.equal(r.status, 200);
  const echo = JSON.parse(r.body) as Echo;
  assert.equal(echo.metadata, 'h2c-backend');
  assert.equal(echo.host_header, `x.api.example.com:${httpsPort}`);
  assert.equal(echo.headers[':scheme'], 'http');
});

test('h2c prior knowledge downstream on an HTTP port', async () => {
  const r = await h2get(`http://127.0.0.1:${httpPort}`, '/plain');
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.body) as Echo).metadata, 'h1');
  const up = await h2get(`http://127.0.0.1:${httpPort}`, '/h2c-up');
  assert.equal((JSON.parse(up.body) as Echo).metadata, 'h2c-backend');
});

test('h2c backend: a refused endpoint fails over to the next one', async () => {
  const dead = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const local = new Gateway();
  try {
    await local.apply(
      snapshot([
        port([listener([rule({ backends: [backend('default/grpc:80', [dead, h2c.port], 'h2c')] })])]),
      ]),
    );
    const p = local.ports()[0]!.boundPort;
    for (let i = 0; i < 4; i++) {
      const r = await h2get(`http://127.0.0.1:${p}`, '/');
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.body) as Echo).metadata, 'h2c-backend');
    }
  } finally {
    await local.close(100);
  }
});

test('HTTP/2 over TLS to a backend (protocol h2, certificate not verified, as Google does for backends)', async () => {
  const cert = selfSigned(['backend.internal']);
  const tlsBackend = http2.createSecureServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    res.end(JSON.stringify({ metadata: 'h2-tls', version: req.httpVersion, scheme: req.headers[':scheme'] }));
  });
  await new Promise<void>((r) => tlsBackend.listen(0, '127.0.0.1', r));
  const bp = (tlsBackend.address() as import('node:net').AddressInfo).port;
  const local = new Gateway();
  try {
    await local.apply(
      snapshot([port([listener([rule({ backends: [backend('default/secure:443', bp, 'h2')] })])])]),
    );
    const r = await h2get(`http://127.0.0.1:${local.ports()[0]!.boundPort}`, '/x');
    assert.deepEqual(JSON.parse(r.body), { metadata: 'h2-tls', version: '2.0', scheme: 'https' });
  } finally {
    await local.close(100);
    await new Promise((r) => tlsBackend.close(r));
  }
});

test('WebSocket over HTTPS (wss) through the gateway', async () => {
  const { WebSocketServer, WebSocket } = await import('ws');
  const plain = (await import('node:http')).createServer();
  const wss = new WebSocketServer({ server: plain });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`secure:${m.toString()}`)));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const wp = (plain.address() as net.AddressInfo).port;
  const cert = selfSigned(['chat.example.com']);
  const local = new Gateway();
  try {
    await local.apply(
      snapshot([
        port(
          [
            listener([rule({ backends: [backend('default/chat:80', wp)] })], {
              hostname: 'chat.example.com',
              tls: tlsOf(cert.certPem, cert.keyPem),
            }),
          ],
          'HTTPS',
        ),
      ]),
    );
    const p = local.ports()[0]!.boundPort;
    // SNI for the listener's certificate (ws passes TLS options through to tls.connect).
    const tlsOptions = {
      servername: 'chat.example.com',
      ca: cert.certPem,
      headers: { host: 'chat.example.com' },
    };
    const ws = new WebSocket(`wss://127.0.0.1:${p}/`, tlsOptions);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const reply = new Promise<string>((resolve) => ws.once('message', (m) => resolve(m.toString())));
    ws.send('hello');
    assert.equal(await reply, 'secure:hello');
    ws.close();
  } finally {
    await local.close(100);
    for (const c of wss.clients) c.terminate();
    wss.close();
    await new Promise((r) => plain.close(r));
  }
});

test('certificates are replaced in place by a new snapshot, without rebinding', async () => {
  const renewed = selfSigned(['store.example.com', 'renewed.example.com']);
  const snap = gw.snapshot!;
  const ports = snap.ports.map((p) =>
    p.protocol !== 'HTTPS'
      ? p
      : {
          ...p,
          listeners: p.listeners.map((l) =>
            l.hostname === 'store.example.com' ? { ...l, tls: tlsOf(renewed.certPem, renewed.keyPem) } : l,
          ),
        },
  );
  await gw.apply({ ...snap, version: snap.version + 1, ports });
  assert.equal(gw.ports().find((p) => p.protocol === 'HTTPS')!.boundPort, httpsPort);
  const cert = await new Promise<tls.PeerCertificate>((resolve, reject) => {
    const s = tls.connect(
      { host: '127.0.0.1', port: httpsPort, servername: 'store.example.com', rejectUnauthorized: false },
      () => {
        resolve(s.getPeerCertificate());
        s.end();
      },
    );
    s.on('error', reject);
  });
  assert.match(cert.subjectaltname ?? '', /renewed\.example\.com/);
});
