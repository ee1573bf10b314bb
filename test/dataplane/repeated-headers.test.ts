// Repeated request headers at a real backend over real sockets, on each path the data plane has for the
// upstream head: no chain, a chain that edits nothing, one whose only edit is a remove of a header that is not
// there (a chain taking the body removes content-length; a chunked request has none), and one that edits. The
// backend records the header lines it received (Node's rawHeaders, not its joined object).
//
// What the backend gets of repeats is decided before any of these paths: the data plane reads the client's
// headers as node:http parsed them, which joins a repeated `x-a` into one `1, 2` line, joins `cookie` lines
// with `; `, keeps `set-cookie` lines apart and drops the second line of the fields Node keeps once
// (`authorization`, `user-agent`, ...). The header list extensions edit is built from the same parse, so every
// path sends the same lines; only their order differs once the head is rebuilt from the list.
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
 * What the backend gets of the repeated fields on every path (see the header comment): each field at its first
 * line's place, `set-cookie`'s lines together there.
 */
const REPEATS = [
  ['x-a', '1, 2, 3'],
  ['set-cookie', 's=1'],
  ['set-cookie', 't=2'],
  ['authorization', 'Bearer first'],
  ['cookie', 'c=1; d=2'],
];
const REPEATED = new Set(REPEATS.map(([n]) => n!));

describe('repeated request headers at the backend', () => {
  let gw: DataPlane;
  let gwPort: number;
  let server: http.Server;
  let current: Extension | undefined;
  const chains: CompiledChains = { select: () => current };

  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(JSON.stringify(req.rawHeaders)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const l = listener(
      [rule({ backends: [backend('default/store:8080', (server.address() as AddressInfo).port)] })],
      {
        trafficChains: [MEMBER_CHAIN],
      },
    );
    ({ gw, port: gwPort } = await startGateway(snapshot([port([l])]), { compileChains: () => chains }));
  });
  after(async () => {
    await gw?.close(100);
    server?.closeAllConnections();
    server?.close();
  });

  /**
   * Writes the head (and a chunked body for POST) on a raw socket, so each repeated field is its own line;
   * answers the backend's received lines as [name, value] pairs, names lowercased, x-request-id's value blanked.
   */
  function send(method: 'GET' | 'POST'): Promise<string[][]> {
    const lines = [`${method} /p HTTP/1.1`, ...HEAD, 'Connection: close'];
    if (method === 'POST') lines.push('Transfer-Encoding: chunked');
    const request = `${lines.join('\r\n')}\r\n\r\n${method === 'POST' ? '4\r\nbody\r\n0\r\n\r\n' : ''}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect(gwPort, '127.0.0.1', () => socket.write(request));
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        assert.match(text, /^HTTP\/1\.1 200 /);
        const raw = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as string[];
        const out: string[][] = [];
        for (let i = 0; i < raw.length; i += 2) {
          const name = raw[i]!.toLowerCase();
          out.push([name, name === 'x-request-id' ? '' : raw[i + 1]!]);
        }
        resolve(out);
      });
    });
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
        // One field each: node:http2 sends an array of a field it keeps once as one joined value.
        authorization: 'Bearer first',
        cookie: ['c=1', 'd=2'],
      });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = JSON.parse(Buffer.concat(chunks).toString()) as string[];
        const out: string[][] = [];
        for (let i = 0; i < raw.length; i += 2) {
          const name = raw[i]!.toLowerCase();
          out.push([name, name === 'x-request-id' ? '' : raw[i + 1]!]);
        }
        resolve(out);
      });
      req.on('error', reject);
      req.end('body');
    }).finally(() => session.close());
  }

  it('h2c: a body chain on a request without content-length keeps the head unedited', async () => {
    current = undefined;
    const noChain = await sendH2c();
    assert.deepEqual(repeats(noChain), REPEATS);
    current = member(['RequestHeaders', 'RequestBody']);
    assert.deepEqual(await sendH2c(), noChain);
    current = member(['RequestHeaders', 'RequestBody'], (h) => h.append('x-edited', 'yes'));
    assert.deepEqual(repeats(await sendH2c()), REPEATS);
  });

  for (const method of ['GET', 'POST'] as const)
    it(`${method}: the same lines on every path; a remove of an absent header keeps the head as sent`, async () => {
      current = undefined;
      const noChain = await send(method);
      assert.deepEqual(repeats(noChain), REPEATS);

      // Unedited: the client's parsed headers, in the client's order (host first).
      current = member(['RequestHeaders']);
      assert.deepEqual(await send(method), noChain);
      current = member(['RequestHeaders'], (h) => h.remove('x-absent'));
      assert.deepEqual(await send(method), noChain);
      // The body chain removes content-length, which a chunked request does not have: still unedited (before,
      // the head was rebuilt from the list, host moved after the client's fields).
      current = member(['RequestHeaders', 'RequestBody']);
      assert.deepEqual(await send(method), noChain);

      // Edited: rebuilt from the list, the same repeated lines.
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
});
