// The data plane's path for headers an extension edited: the upstream headers built in one walk over the
// header list equal what the list's Node object through proxyRequestHeaders gave, and the request line is
// taken back from the list only when an extension edited it. Through a real gateway, real sockets and an
// in-process extension (a real object implementing the interface).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { HeaderList } from '../../src/extensions/header-map.js';
import {
  proxyRequestHeaders,
  proxyRequestHeadersFromList,
  type ProxyHeaderValues,
} from '../../src/dataplane/headers.js';
import { Exchange } from '../../src/dataplane/exchange.js';
import type { CompiledChains, Extension } from '../../src/extensions/extension.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  echoBackend,
  listener,
  port,
  rule,
  snapshot,
  startGateway,
  type Echo,
  type EchoBackend,
  member,
  MEMBER_CHAIN,
} from './fixtures.js';

const VALUES: ProxyHeaderValues = {
  authority: 'edited.example.com:8080',
  hostname: 'client.example.com',
  client: '10.0.0.7',
  scheme: 'https',
  via: '1.1 extgate',
  requestId: 'req-1',
  keepTeTrailers: false,
};

/** Request header lists as extensions may leave them (pseudo-headers first, as the data plane builds them). */
const LISTS: Record<string, Array<[string, string]>> = {
  'duplicates, set-cookie, cookie': [
    [':method', 'GET'],
    [':authority', 'client.example.com'],
    ['x-dup', 'a'],
    ['accept', '*/*'],
    ['x-dup', 'b'],
    ['set-cookie', 'one=1'],
    ['cookie', 'a=1'],
    ['cookie', 'b=2'],
    ['x-dup', 'c'],
  ],
  'hop-by-hop fields': [
    [':path', '/'],
    ['keep-alive', 'timeout=5'],
    ['transfer-encoding', 'chunked'],
    ['x-kept', '1'],
    ['upgrade', 'websocket'],
    ['proxy-authorization', 'Basic eA=='],
    ['te', 'trailers'],
    ['expect', '100-continue'],
    ['connection', 'keep-alive'],
    ['http2-settings', 'AAMAAABkAAQAAP__'],
  ],
  'fields Connection names, before and after it, repeated Connection': [
    ['x-secret', 'drop me'],
    ['connection', 'X-Secret, close'],
    ['x-other', 'drop me too'],
    ['x-kept', 'kept'],
    ['connection', 'x-other'],
  ],
  'Connection names x-forwarded-for, via and host': [
    ['x-forwarded-for', '192.0.2.1'],
    ['via', '1.0 edge'],
    ['host', 'listed.example.com'],
    ['x-kept', '1'],
    ['connection', 'x-forwarded-for, via, host'],
  ],
  'x-forwarded-for and via repeated, an x-request-id of its own': [
    ['x-forwarded-for', '192.0.2.1'],
    ['via', '1.0 a'],
    ['x-request-id', 'from-client'],
    ['x-forwarded-for', '192.0.2.2'],
    ['via', '1.1 b'],
  ],
  'te repeated': [
    ['te', 'trailers'],
    ['x-kept', '1'],
    ['te', 'trailers'],
  ],
  'te other than trailers, te named by Connection': [
    ['te', 'gzip'],
    ['connection', 'te'],
  ],
  'host in the list, only pseudo-headers otherwise': [
    [':method', 'GET'],
    [':status', '200'],
    ['host', 'listed.example.com'],
    ['host', 'second.example.com'],
  ],
  empty: [],
  'forty headers with repeats': Array.from({ length: 40 }, (_, i): [string, string] => [
    i % 7 === 0 ? 'set-cookie' : `x-h${i % 13}`,
    `v${i}`,
  ]),
};

describe('upstream headers from an edited header list', () => {
  for (const [name, entries] of Object.entries(LISTS))
    for (const keepTeTrailers of [false, true])
      for (const authority of [VALUES.authority, undefined])
        it(`${name} (te kept for HTTP/2: ${keepTeTrailers}, authority from ${authority ?? 'the list'})`, () => {
          const list = new HeaderList(entries);
          list.append('X-Added', 'yes');
          const p = { ...VALUES, keepTeTrailers, authority };
          const expected = proxyRequestHeaders(list.toObject(), p);
          const actual = proxyRequestHeadersFromList(list, p);
          assert.deepEqual(actual, expected);
          // Order is what the HTTP/1.1 head is written in.
          assert.deepEqual(Object.keys(actual), Object.keys(expected));
        });

  it('drops what Connection names, keeps set-cookie a list and repeats as arrays', () => {
    const list = new HeaderList(LISTS['duplicates, set-cookie, cookie']!);
    list.append('connection', 'x-added');
    list.append('x-added', 'yes');
    const out = proxyRequestHeadersFromList(list, VALUES);
    assert.deepEqual(out, {
      'x-dup': ['a', 'b', 'c'],
      accept: '*/*',
      'set-cookie': ['one=1'],
      cookie: ['a=1', 'b=2'],
      host: 'edited.example.com:8080',
      'x-forwarded-for': '10.0.0.7',
      'x-forwarded-proto': 'https',
      via: '1.1 extgate',
      'x-request-id': 'req-1',
    });
  });
});

describe('a __proto__ header an extension added', () => {
  it('is an own field of the upstream headers, repeated as an array; the prototype stays', () => {
    const list = new HeaderList([
      ['__proto__', 'a'],
      ['x-kept', '1'],
      ['__proto__', 'b'],
    ]);
    for (const out of [proxyRequestHeadersFromList(list, VALUES), list.toObject()]) {
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, ['a', 'b']);
      assert.equal(Object.keys(out)[0], '__proto__');
    }
  });
});

describe('through the gateway', () => {
  let echo: EchoBackend;
  let gw: DataPlane;
  let gwPort: number;
  let current: Extension | undefined;
  const chains: CompiledChains = { select: () => current };
  // Counts Exchange.adoptRequestLine calls (the real method runs): route selection makes one per request.
  const adopt = Exchange.prototype.adoptRequestLine;
  let adopted = 0;

  before(async () => {
    echo = await echoBackend('store');
    const l = listener([rule({ backends: [backend('default/store:8080', echo.port)] })], {
      trafficChains: [MEMBER_CHAIN],
    });
    ({ gw, port: gwPort } = await startGateway(snapshot([port([l])]), { compileChains: () => chains }));
    Exchange.prototype.adoptRequestLine = function (this: Exchange): void {
      adopted++;
      adopt.call(this);
    };
  });
  after(async () => {
    Exchange.prototype.adoptRequestLine = adopt;
    await gw?.close(100);
    await echo?.close();
  });

  /** One request with repeated and connection fields; what the backend received. */
  function send(method: string, body?: string): Promise<Echo> {
    const headers: http.OutgoingHttpHeaders = {
      host: 'store.example.com',
      'x-dup': ['a', 'b'],
      cookie: 'a=1',
      connection: 'keep-alive, x-secret',
      'x-secret': 'drop me',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      'x-forwarded-for': '192.0.2.1',
      via: '1.0 edge',
    };
    if (body !== undefined) headers['transfer-encoding'] = 'chunked';
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: gwPort, path: '/p?q=1', method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as Echo));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('an edited request goes upstream with the proxy fields, without hop-by-hop and Connection-named ones', async () => {
    current = member(['RequestHeaders'], (h) => h.append('X-Added', 'yes'));
    const r = await send('GET');
    assert.equal(r.path, '/p?q=1');
    assert.equal(r.headers['x-added'], 'yes');
    // Repeats go upstream as repeated lines; Node's server joins them.
    assert.equal(r.headers['x-dup'], 'a, b');
    assert.equal(r.headers.cookie, 'a=1');
    for (const gone of ['x-secret', 'keep-alive', 'te', 'connection'])
      assert.equal(r.headers[gone], undefined);
    assert.equal(r.headers['x-forwarded-for'], '192.0.2.1, 127.0.0.1');
    assert.equal(r.headers.via, '1.0 edge, 1.1 extgate');
    assert.equal(r.host_header, 'store.example.com');
    assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  // Before, the upstream headers got an array as prototype, writing the head threw and the request hung.
  it(
    'a repeated __proto__ field from an extension goes upstream like any other',
    { timeout: 5000 },
    async () => {
      current = member(['RequestHeaders'], (h) => {
        h.append('__proto__', 'a');
        h.append('__proto__', 'b');
        h.append('x-after', 'yes');
      });
      const r = await send('GET');
      assert.equal(r.headers['x-after'], 'yes');
      assert.equal(r.path, '/p?q=1');
    },
  );

  // Before, HeaderList.remove counted as an edit whatever it removed: a chunked request through a chain taking
  // the body (which removes content-length) was always rebuilt from the list and its request line re-read.
  it('a remove that removes nothing is no edit: the request stays on the unedited path', async () => {
    current = member(['RequestHeaders', 'RequestBody']);
    adopted = 0;
    assert.equal((await send('POST', 'body')).bodyBytes, 4);
    assert.equal(adopted, 1);
    current = member(['RequestHeaders'], (h) => h.remove('x-absent'));
    adopted = 0;
    await send('GET');
    assert.equal(adopted, 1);
    // A remove that removes something still counts.
    current = member(['RequestHeaders'], (h) => h.remove('x-dup'));
    adopted = 0;
    assert.equal((await send('GET')).headers['x-dup'], undefined);
    assert.equal(adopted, 2);
  });

  it('with body events, the request line is taken back from the list only after an edit', async () => {
    // Trailers only: nothing edits the list, route selection's adoption is the only one.
    current = member(['RequestHeaders', 'RequestTrailers']);
    adopted = 0;
    assert.equal((await send('POST', 'body')).bodyBytes, 4);
    assert.equal(adopted, 1);
    // An edit in the headers answer is adopted, and reaches the backend.
    current = member(['RequestHeaders', 'RequestTrailers'], (h) => {
      h.set(':path', '/edited');
      h.set(':method', 'PUT');
    });
    adopted = 0;
    const r = await send('POST', 'body');
    assert.equal(adopted, 2);
    assert.equal(r.path, '/edited');
    assert.equal(r.method, 'PUT');
    assert.equal(r.bodyBytes, 4);
  });
});
