// The two writers that own framing, driven directly over real sockets: a body that does not match its
// declared length ends that exchange only. Upstream (H1Upstream): the connection is closed before a wrong
// byte reaches the backend and never returns to the pool. Downstream (FramedResponse): the client's response
// is aborted instead of leaving its keep-alive connection out of step; other connections are untouched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { H1Upstream } from '../../src/dataplane/upstream/h1.js';
import type { UpstreamHandler, UpstreamRequest } from '../../src/dataplane/upstream/dispatcher.js';
import { FramedResponse, type NodeResponse } from '../../src/dataplane/framed-response.js';
import { ledgerBackend, onOneConnection, type LedgerBackend } from './dataplane-support.js';

interface Outcome {
  status?: number;
  body: string;
  error?: Error & { code?: string };
}

/** Dispatches one request and resolves with its outcome. */
function send(pool: H1Upstream, request: Partial<UpstreamRequest> & { path: string }): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { body: '' };
    const handler: UpstreamHandler = {
      onConnect: () => {},
      onHeaders: (status) => {
        out.status = status;
        return true;
      },
      onData: (chunk) => {
        out.body += chunk.toString('latin1');
        return true;
      },
      onComplete: () => resolve(out),
      onError: (err) => resolve({ ...out, error: err }),
    };
    pool.dispatch(
      { method: 'POST', headers: { host: 'backend' }, body: null, headersTimeout: 5_000, ...request },
      handler,
    );
  });
}

describe('upstream writer (H1Upstream)', () => {
  let ledger: LedgerBackend;
  let pool: H1Upstream;
  before(async () => {
    ledger = await ledgerBackend();
    pool = new H1Upstream('127.0.0.1', ledger.port, 10_000, 64 * 1024);
  });
  after(async () => {
    await pool.destroy();
    await ledger.close();
  });

  it('a body longer than its content-length fails that exchange; the backend never reads the rest', async () => {
    const smuggled = 'GET /smuggled HTTP/1.1\r\nhost: backend\r\n\r\n';
    const first = await send(pool, {
      path: '/first',
      headers: { host: 'backend', 'content-length': '0' },
      body: Readable.from([Buffer.from(smuggled)]),
    });
    assert.equal(first.error?.code, 'EXTGATE_BODY_LENGTH_MISMATCH');
    const second = await send(pool, { path: '/second', method: 'GET' });
    assert.equal(second.status, 200);
    assert.equal(JSON.parse(second.body).url, '/second');
    const urls = ledger.seen.map((e) => e.url);
    assert.ok(!urls.includes('/smuggled'), `the backend parsed ${urls.join(', ')}`);
    const conns = new Set(ledger.seen.map((e) => e.conn));
    assert.equal(ledger.seen.at(-1)!.conn, Math.max(...conns), 'the next request went on a fresh connection');
  });

  it('a body shorter than its content-length fails that exchange and closes its connection', async () => {
    const before = ledger.seen.length;
    const short = await send(pool, {
      path: '/short',
      headers: { host: 'backend', 'content-length': '20' },
      body: Readable.from([Buffer.from('only 12 byte')]),
    });
    assert.equal(short.error?.code, 'EXTGATE_BODY_LENGTH_MISMATCH');
    const next = await send(pool, { path: '/next', method: 'GET' });
    assert.equal(JSON.parse(next.body).url, '/next');
    assert.deepEqual(
      ledger.seen.slice(before).map((e) => e.url),
      ['/next'],
      'the short request never completed at the backend, and the next one was not read as its body',
    );
  });

  it('without a usable content-length the body goes chunked, whole', async () => {
    const r = await send(pool, {
      path: '/chunked',
      headers: {
        host: 'backend',
        'content-length': 'nope',
        'transfer-encoding': 'identity',
        connection: 'close',
      },
      body: Readable.from([Buffer.from('abc'), Buffer.from('defg')]),
    });
    assert.equal(r.status, 200);
    const seen = ledger.seen.at(-1)!;
    assert.equal(seen.body, 'abcdefg');
    assert.equal(seen.headers['transfer-encoding'], 'chunked');
    assert.equal(seen.headers['content-length'], undefined);
  });

  it('a method, target or value that could split the head refuses the request', async () => {
    const before = ledger.seen.length;
    for (const bad of [
      { path: '/x HTTP/1.1\r\nx: y', method: 'GET' },
      { path: '/x', method: 'GET /y' },
      { path: '/x', method: 'GET', headers: { host: 'backend', 'x-a': 'b\r\nx-injected: 1' } },
      { path: '/x', method: 'GET', headers: { host: 'backend', 'x-a': 'b\u010ax-injected: 1' } },
    ]) {
      const r = await send(pool, bad);
      assert.equal(r.error?.code, 'UND_ERR_INVALID_ARG', JSON.stringify(bad));
    }
    assert.equal(ledger.seen.length, before);
  });
});

describe('downstream writer (FramedResponse)', () => {
  let server: http.Server;
  let serverPort: number;
  before(async () => {
    // Each path writes a head declaring 5 bytes, then a body of another length (or the right one).
    server = http.createServer((req, res) => {
      const framed = new FramedResponse(res as unknown as NodeResponse, req.method === 'HEAD');
      framed.writeHead(200, { 'content-length': '5', 'transfer-encoding': 'chunked', connection: 'close' });
      if (req.url === '/longer') framed.end(Buffer.from('hello, and more'));
      else if (req.url === '/shorter') framed.end(Buffer.from('hel'));
      else {
        framed.write(Buffer.from('hel'));
        framed.end(Buffer.from('lo'));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    serverPort = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a whole body goes out framed by its length, connection fields dropped, on a kept-alive connection', async () => {
    const { replies, sockets } = await onOneConnection(serverPort, [{ path: '/ok' }, { path: '/ok' }]);
    assert.equal(sockets, 1);
    for (const r of replies) {
      assert.equal(r.body, 'hello');
      assert.equal(r.headers['content-length'], '5');
      assert.equal(r.headers['transfer-encoding'], undefined);
    }
  });

  for (const path of ['/longer', '/shorter']) {
    it(`a body ${path.slice(1)} than declared aborts that response; the next connection is fine`, async () => {
      await assert.rejects(onOneConnection(serverPort, [{ path }, { path: '/ok' }]));
      const { replies } = await onOneConnection(serverPort, [{ path: '/ok' }]);
      assert.equal(replies[0]!.body, 'hello');
    });
  }
});
