// Repeated request headers at a real backend over real sockets, on each path the data plane has for the
// upstream head: no chain, a chain that edits nothing, one whose only edit is a remove of a header that is not
// there (a chain taking the body removes content-length; a chunked request has none), and one that edits; and
// on each upstream: HTTP/1.1 (Node's llhttp on raw sockets, and undici) and h2c. The backends record the header
// lines they received (Node's rawHeaders, not its joined object).
//
// Every line the client sent is forwarded as Envoy forwards it (docs/dataplane.md, "Repeated request headers";
// src/dataplane/client-headers.ts): a repeated field that is not one of Envoy's inline headers as separate
// lines (`x-a`, `set-cookie`, HTTP/1.1 `cookie`), an inline one folded into one `,`-joined line
// (`authorization`), HTTP/2 cookie crumbs joined with `; `. Two Host lines are answered 400.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { CompiledChains, Extension } from '../../src/extensions/extension.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import { backend, listener, member, MEMBER_CHAIN, port, rule, snapshot, startGateway } from './fixtures.js';

/** The client's head: every repeated field written as its own line, in this order. */
const HEAD = [
  'Host: store.example.com',
  'X-A: 1',
  'Set-Cookie: s=1',
  'Authorization: Bearer first',
  'Cookie: c=1',
  'X-A: 2',
  'Set-Cookie: t=2',
  'Authorization: Bearer second',
  'Cookie: d=2',
  'X-A: 3',
];

/**
 * What the backend gets of the repeated fields of HEAD on every path: each line, a field's lines together at
 * its first line's place; `authorization` (one of Envoy's inline headers) folded with `,`.
 */
const REPEATS = [
  ['x-a', '1'],
  ['x-a', '2'],
  ['x-a', '3'],
  ['set-cookie', 's=1'],
  ['set-cookie', 't=2'],
  ['authorization', 'Bearer first,Bearer second'],
  ['cookie', 'c=1'],
  ['cookie', 'd=2'],
];
/** The same from an h2c client (sendH2c): one authorization field; the cookie crumbs joined (RFC 9113 §8.2.3). */
const REPEATS_H2 = [
  ['x-a', '1'],
  ['x-a', '2'],
  ['x-a', '3'],
  ['set-cookie', 's=1'],
  ['set-cookie', 't=2'],
  ['authorization', 'Bearer first'],
  ['cookie', 'c=1; d=2'],
];
const REPEATED = new Set(['x-a', 'set-cookie', 'authorization', 'cookie', 'range']);

/** rawHeaders as [name, value] pairs, names lowercased, x-request-id's value blanked. */
function pairs(raw: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    out.push([name, name === 'x-request-id' ? '' : raw[i + 1]!]);
  }
  return out;
}

/** Writes `request` on a fresh connection and answers everything the gateway sent back until it closed. */
function exchange(p: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(p, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

describe('repeated request headers at the backend', () => {
  let gw: DataPlane;
  let gwPort: number;
  let undiciGw: DataPlane;
  let undiciPort: number;
  let server: http.Server;
  let h2Server: http2.Http2Server;
  let backendRequests = 0;
  let current: Extension | undefined;
  const chains: CompiledChains = { select: () => current };

  before(async () => {
    server = http.createServer((req, res) => {
      backendRequests++;
      req.resume();
      req.on('end', () => res.end(JSON.stringify(req.rawHeaders)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    h2Server = http2.createServer((req, res) => {
      backendRequests++;
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify(req.rawHeaders);
        res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((r) => h2Server.listen(0, '127.0.0.1', r));
    const l = listener(
      [
        rule({
          match: { path: { type: 'PathPrefix', value: '/h2' } },
          backends: [backend('default/h2:8080', (h2Server.address() as AddressInfo).port, 'h2c')],
        }),
        rule({ backends: [backend('default/store:8080', (server.address() as AddressInfo).port)] }),
      ],
      { trafficChains: [MEMBER_CHAIN] },
    );
    ({ gw, port: gwPort } = await startGateway(snapshot([port([l])]), { compileChains: () => chains }));
    ({ gw: undiciGw, port: undiciPort } = await startGateway(snapshot([port([l])]), {
      compileChains: () => chains,
      http1Client: 'undici',
    }));
  });
  after(async () => {
    await gw?.close(100);
    await undiciGw?.close(100);
    server?.closeAllConnections();
    server?.close();
    h2Server?.close();
  });

  /**
   * Writes the head (and a chunked body for POST) on a raw socket, so each repeated field is its own line;
   * answers the backend's received lines as [name, value] pairs.
   */
  async function send(
    method: 'GET' | 'POST',
    o: { port?: number; path?: string; extra?: string[] } = {},
  ): Promise<string[][]> {
    const lines = [`${method} ${o.path ?? '/p'} HTTP/1.1`, ...HEAD, ...(o.extra ?? []), 'Connection: close'];
    if (method === 'POST') lines.push('Transfer-Encoding: chunked');
    const request = `${lines.join('\r\n')}\r\n\r\n${method === 'POST' ? '4\r\nbody\r\n0\r\n\r\n' : ''}`;
    const text = await exchange(o.port ?? gwPort, request);
    assert.match(text, /^HTTP\/1\.1 200 /);
    return pairs(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as string[]);
  }

  const repeats = (lines: string[][]): string[][] => lines.filter(([n]) => REPEATED.has(n!));

  /** An h2c POST with the repeated fields as separate header fields, and no content-length (as usual on h2). */
  function sendH2c(): Promise<string[][]> {
    const session = http2.connect(`http://127.0.0.1:${gwPort}`);
    return new Promise<string[][]>((resolve, reject) => {
      session.on('error', reject);
      const req = session.request({
        ':method': 'POST',
        ':path': '/p',
        ':authority': 'store.example.com',
        'x-a': ['1', '2', '3'],
        'set-cookie': ['s=1', 't=2'],
        // One field: node:http2 sends only one of a field it keeps once.
        authorization: 'Bearer first',
        cookie: ['c=1', 'd=2'],
      });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(pairs(JSON.parse(Buffer.concat(chunks).toString()) as string[])));
      req.on('error', reject);
      req.end('body');
    }).finally(() => session.close());
  }

  it('h2c client: each field forwarded, the cookie crumbs as one line; a body chain keeps the head unedited', async () => {
    current = undefined;
    const noChain = await sendH2c();
    assert.deepEqual(repeats(noChain), REPEATS_H2);
    current = member(['RequestHeaders', 'RequestBody']);
    assert.deepEqual(await sendH2c(), noChain);
    current = member(['RequestHeaders', 'RequestBody'], (h) => h.append('x-edited', 'yes'));
    assert.deepEqual(repeats(await sendH2c()), REPEATS_H2);
  });

  for (const method of ['GET', 'POST'] as const)
    it(`${method}: each line on every path; a remove of an absent header keeps the head as sent`, async () => {
      current = undefined;
      const noChain = await send(method);
      assert.deepEqual(repeats(noChain), REPEATS);
      // undici writes the same lines as the native HTTP/1.1 client.
      assert.deepEqual(repeats(await send(method, { port: undiciPort })), REPEATS);

      // Unedited: the client's fields, in the client's order (host first).
      current = member(['RequestHeaders']);
      assert.deepEqual(await send(method), noChain);
      current = member(['RequestHeaders'], (h) => h.remove('x-absent'));
      assert.deepEqual(await send(method), noChain);
      // The body chain removes content-length, which a chunked request does not have: still unedited.
      current = member(['RequestHeaders', 'RequestBody']);
      assert.deepEqual(await send(method), noChain);

      // Edited: rebuilt from the list, the same lines.
      current = member(['RequestHeaders'], (h) => h.append('x-edited', 'yes'));
      const edited = await send(method);
      assert.deepEqual(repeats(edited), REPEATS);
      assert.deepEqual(
        edited.filter(([n]) => n === 'x-edited'),
        [['x-edited', 'yes']],
      );
      current = member(['RequestHeaders', 'RequestBody'], (h) => h.remove('authorization'));
      assert.deepEqual(
        repeats(await send(method)),
        REPEATS.filter(([n]) => n !== 'authorization'),
      );
    });

  it('h2c backend: each line a field; fields node:http2 keeps once joined with ", "', async () => {
    current = undefined;
    const extra = ['Range: bytes=0-1', 'Range: bytes=2-3'];
    const expected = [...REPEATS, ['range', 'bytes=0-1, bytes=2-3']];
    assert.deepEqual(repeats(await send('GET', { path: '/h2', extra })), expected);
    current = member(['RequestHeaders'], (h) => h.append('x-edited', 'yes'));
    assert.deepEqual(repeats(await send('POST', { path: '/h2', extra })), expected);
  });

  it('two Host lines: 400, nothing forwarded (RFC 9112 §3.2); two Content-Length lines: 400 (Node, as Envoy)', async () => {
    const before = backendRequests;
    let edits = 0;
    // Without a chain (found while the upstream head is built) and with one (before its extension runs).
    for (const chain of [undefined, member(['RequestHeaders'], () => edits++)]) {
      current = chain;
      const twoHosts = await exchange(
        gwPort,
        'GET /p HTTP/1.1\r\nHost: store.example.com\r\nHost: other.example.com\r\nConnection: close\r\n\r\n',
      );
      assert.match(twoHosts, /^HTTP\/1\.1 400 /);
    }
    assert.equal(edits, 0, 'no extension saw it');
    current = undefined;
    // Node's HTTP/1.1 parser refuses a second Content-Length, equal or not, before the data plane sees it;
    // Envoy's parser does too (balsa_parser.cc: disallow_multiple_content_length).
    for (const second of ['4', '5']) {
      const text = await exchange(
        gwPort,
        `POST /p HTTP/1.1\r\nHost: store.example.com\r\nContent-Length: 4\r\nContent-Length: ${second}\r\n\r\nbody`,
      );
      assert.match(text, /^HTTP\/1\.1 400 /);
    }
    assert.equal(backendRequests, before, 'no backend saw any of them');
  });
});
