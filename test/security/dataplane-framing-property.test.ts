// Property test of the HTTP/1.1 framing path (fast-check): random bodies (including ones that are whole HTTP
// requests), random header sets, content-length or chunked from the client, split into random writes, through
// a route that tries to set framing headers on the way up and down, all on one kept-alive client connection
// and one pooled backend connection. Whatever the input, the backend parses exactly one request per request
// sent, with the body and headers as sent, and every answer reaches the client whole and in order.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fc from 'fast-check';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { HttpFilterIR } from '../../src/ir/snapshot.js';
import { backend, listener, port, rule, snapshot, startGateway } from '../dataplane/fixtures.js';
import { ledgerBackend, type LedgerBackend } from './dataplane-support.js';

let ledger: LedgerBackend;
let gw: DataPlane;
let gwPort: number;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

const HOSTILE: HttpFilterIR[] = [
  {
    type: 'RequestHeaderModifier',
    modifier: {
      set: [
        { name: 'content-length', value: '0' },
        { name: 'transfer-encoding', value: 'identity' },
      ],
      add: [{ name: 'connection', value: 'close' }],
      remove: [],
    },
  },
  {
    type: 'ResponseHeaderModifier',
    modifier: { set: [{ name: 'content-length', value: '1' }], add: [], remove: [] },
  },
];

before(async () => {
  ledger = await ledgerBackend();
  const store = backend('default/store:8080', ledger.port);
  ({ gw, port: gwPort } = await startGateway(
    snapshot([
      port([
        listener([
          rule({
            match: { path: { type: 'PathPrefix', value: '/hostile' } },
            filters: HOSTILE,
            backends: [store],
          }),
          rule({ backends: [store] }),
        ]),
      ]),
    ]),
  ));
});

after(async () => {
  agent.destroy();
  await gw?.close(100);
  await ledger?.close();
});

interface Case {
  readonly path: string;
  readonly body: Buffer;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly framing: 'content-length' | 'chunked';
  readonly splits: readonly number[];
}

const SMUGGLE = Buffer.from('0\r\n\r\nGET /smuggled HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n');

const caseArb: fc.Arbitrary<Case> = fc.record({
  path: fc.constantFrom('/plain', '/hostile'),
  body: fc.oneof(
    fc.uint8Array({ maxLength: 20_000 }).map((b) => Buffer.from(b)),
    fc.constant(SMUGGLE),
    fc.constant(Buffer.alloc(0)),
  ),
  headers: fc.uniqueArray(
    fc.tuple(
      fc.stringMatching(/^x-p-[a-z0-9-]{1,12}$/),
      fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,40}[\x21-\x7e])?$/),
    ),
    { maxLength: 30, selector: ([name]) => name },
  ),
  framing: fc.constantFrom('content-length' as const, 'chunked' as const),
  splits: fc.array(fc.nat(), { maxLength: 4 }),
});

function send(c: Case): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = Object.fromEntries(c.headers);
    if (c.framing === 'content-length') headers['content-length'] = String(c.body.length);
    else headers['transfer-encoding'] = 'chunked';
    const req = http.request(
      { host: '127.0.0.1', port: gwPort, path: c.path, method: 'POST', headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    // The body in random pieces, as a client or an extension might stream it.
    const cuts = [...new Set(c.splits.map((s) => (c.body.length === 0 ? 0 : s % c.body.length)))].sort(
      (a, b) => a - b,
    );
    let at = 0;
    for (const cut of cuts) {
      if (cut > at) req.write(c.body.subarray(at, cut));
      at = Math.max(at, cut);
    }
    req.end(c.body.subarray(at));
  });
}

it('the HTTP/1.1 path frames every random request and answer from the body it carries', async () => {
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const before = ledger.seen.length;
      const answer = await send(c);
      assert.equal(answer.status, 200);
      assert.equal(ledger.seen.length, before + 1, 'exactly one request parsed by the backend');
      const seen = ledger.seen.at(-1)!;
      assert.equal(seen.url, c.path);
      assert.ok(Buffer.from(seen.body, 'latin1').equals(c.body), 'the body arrived as sent');
      for (const [name, value] of c.headers) assert.equal(seen.headers[name], value, name);
      if (seen.headers['content-length'] !== undefined) {
        assert.equal(seen.headers['content-length'], String(c.body.length));
        assert.equal(seen.headers['transfer-encoding'], undefined);
      }
      assert.equal(seen.headers.connection, undefined);
      const echoed = JSON.parse(answer.body) as { url: string; body: string };
      assert.equal(echoed.url, c.path, 'the answer is whole and is this request’s');
      assert.equal(echoed.body, seen.body);
    }),
    { numRuns: 80 },
  );
  const conns = new Set(ledger.seen.map((e) => e.conn));
  assert.ok(conns.size <= 3, `the pooled backend connection stayed in step (${conns.size} connections)`);
});
