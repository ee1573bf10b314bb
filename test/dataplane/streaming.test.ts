// Bodies stream in both directions without being buffered whole (backpressure holds the backend / client),
// and WebSocket upgrades are piped through.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import { backend, listener, port, rule, snapshot, startGateway } from './fixtures.js';

const MB = 1024 * 1024;
let server: http.Server;
let wss: WebSocketServer;
let gw: DataPlane;
let gwPort: number;
/** Bytes the backend has handed to its socket for the current download. */
let downloadWritten = 0;
/** Bytes the backend has read of the current upload. */
let uploadRead = 0;
let pauseUploadReads = false;

function chunkOf(i: number): Buffer {
  return Buffer.alloc(64 * 1024, i % 251);
}

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url!.startsWith('/download')) {
      const size = Number(new URL(req.url!, 'http://x').searchParams.get('size'));
      downloadWritten = 0;
      res.writeHead(200, { 'content-length': size });
      let i = 0;
      const pump = (): void => {
        while (downloadWritten < size) {
          const c = chunkOf(i++).subarray(0, Math.min(64 * 1024, size - downloadWritten));
          downloadWritten += c.length;
          if (!res.write(c)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    uploadRead = 0;
    const hash = createHash('sha256');
    const read = (): void => {
      if (pauseUploadReads) return void setTimeout(read, 20);
      let c: Buffer | null;
      while ((c = req.read() as Buffer | null) !== null) {
        uploadRead += c.length;
        hash.update(c);
      }
    };
    req.on('readable', read);
    req.on('end', () => res.end(JSON.stringify({ bytes: uploadRead, sha256: hash.digest('hex') })));
  });
  wss = new WebSocketServer({ server });
  wss.on('connection', (ws) =>
    ws.on('message', (m, isBinary) => ws.send(isBinary ? m : `echo:${m.toString()}`)),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const B = backend('default/files:80', (server.address() as AddressInfo).port);
  ({ gw, port: gwPort } = await startGateway(snapshot([port([listener([rule({ backends: [B] })])])])));
});

after(async () => {
  await gw?.close(100);
  for (const c of wss.clients) c.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('10 MB request body is streamed to the backend intact', async () => {
  const hash = createHash('sha256');
  const result = await new Promise<string>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: gwPort, method: 'POST', path: '/upload', agent: false },
      (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      },
    );
    req.on('error', reject);
    let i = 0;
    const pump = (): void => {
      while (i < 160) {
        const c = chunkOf(i++);
        hash.update(c);
        if (!req.write(c)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  assert.deepEqual(JSON.parse(result), { bytes: 10 * MB, sha256: hash.digest('hex') });
});

test('10 MB response body is streamed to the client intact', async () => {
  const expected = createHash('sha256');
  for (let i = 0; i < 160; i++) expected.update(chunkOf(i));
  const got = await new Promise<{ bytes: number; sha: string }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: gwPort, path: `/download?size=${10 * MB}`, agent: false }, (res) => {
        const h = createHash('sha256');
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          h.update(c);
        });
        res.on('end', () => resolve({ bytes, sha: h.digest('hex') }));
      })
      .on('error', reject);
  });
  assert.equal(got.bytes, 10 * MB);
  assert.equal(got.sha, expected.digest('hex'));
});

test('a slow client holds the backend back: the response is not buffered in the gateway', async () => {
  const size = 400 * MB;
  const rssBefore = process.memoryUsage().rss;
  const req = http.get({ host: '127.0.0.1', port: gwPort, path: `/download?size=${size}`, agent: false });
  const res = await new Promise<http.IncomingMessage>((resolve) => req.once('response', resolve));
  res.pause();
  await new Promise((r) => setTimeout(r, 1_500));
  const written = downloadWritten;
  const rssGrowth = (process.memoryUsage().rss - rssBefore) / MB;
  req.destroy();
  // Without backpressure the gateway would read the whole 400 MB from the backend in well under 1.5 s;
  // with it, only what fits in socket buffers (a few MB per hop) leaves the backend.
  assert.ok(written < 64 * MB, `backend wrote ${(written / MB).toFixed(1)} MB while the client was paused`);
  assert.ok(rssGrowth < 96, `RSS grew ${rssGrowth.toFixed(1)} MB`);
});

test('a slow backend holds the client back: the request is not buffered in the gateway', async () => {
  pauseUploadReads = true;
  let sent = 0;
  const req = http.request({
    host: '127.0.0.1',
    port: gwPort,
    method: 'POST',
    path: '/upload',
    agent: false,
  });
  req.on('error', () => {});
  const big = Buffer.alloc(MB);
  let blocked = false;
  const pump = (): void => {
    while (sent < 400 * MB) {
      sent += big.length;
      if (!req.write(big)) {
        blocked = true;
        return void req.once('drain', pump);
      }
    }
  };
  pump();
  await new Promise((r) => setTimeout(r, 1_500));
  const accepted = sent;
  pauseUploadReads = false;
  req.destroy();
  assert.ok(blocked, 'the client saw backpressure');
  assert.ok(
    accepted < 64 * MB,
    `the client got ${(accepted / MB).toFixed(1)} MB out while the backend did not read`,
  );
});

test('WebSocket echo through the gateway', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${gwPort}/chat`, { headers: { host: 'chat.example.com' } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const replies: string[] = [];
  const got = new Promise<void>((resolve) =>
    ws.on('message', (m) => {
      replies.push(m.toString());
      if (replies.length === 3) resolve();
    }),
  );
  ws.send('one');
  ws.send('two');
  ws.send(Buffer.from('three'), { binary: true });
  await got;
  assert.deepEqual(replies, ['echo:one', 'echo:two', 'three']);
  ws.close();
});
