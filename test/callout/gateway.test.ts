// End to end through the gateway (DataPlane): the seed's two walkthroughs with the basic example callout over
// TLS, plus dynamic forwarding, a failing callout's JSON errors and a traffic chain with body events.
import { after, before, describe, it } from 'node:test';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { chainCompiler } from '../../src/extensions/chain.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { ExtensionChainIR, GatewayListenerIR } from '../../src/ir/snapshot.js';
import { basic } from '../../examples/callouts/basic/callout.js';
import { dynamicForwarding } from '../../examples/callouts/dynamic-forwarding/callout.js';
import {
  backend,
  echoBackend,
  echoOf,
  get,
  listener,
  port,
  rule,
  snapshot,
  startGateway,
  type EchoBackend,
} from '../dataplane/fixtures.js';
import { calloutIR, startCallout, type RunningCallout } from './support.js';
import { headerMutation, headersReply, streamedBody, trailersReply } from '../../src/sdk/index.js';

const SEED_MATCHER = 'request.path.contains("serviceextensions")';

describe('callouts through the gateway', () => {
  const client = new CalloutClient();
  let basicCallout: RunningCallout;
  let forwarding: RunningCallout;
  let storeV1: EchoBackend;
  let storeV2: EchoBackend;
  const gateways: DataPlane[] = [];

  before(async () => {
    basicCallout = await startCallout(basic);
    forwarding = await startCallout(dynamicForwarding);
    storeV1 = await echoBackend('store-v1');
    storeV2 = await echoBackend('store-v2');
  });
  after(async () => {
    for (const gw of gateways) await gw.close();
    client.close();
    await Promise.all([basicCallout.stop(), forwarding.stop(), storeV1.close(), storeV2.close()]);
  });

  const chain = (
    kind: ExtensionChainIR['resourceKind'],
    calloutPort: number,
    o: Partial<Parameters<typeof calloutIR>[0]> = {},
  ): ExtensionChainIR => ({
    id: `${kind}/default/my-ext/chain1`,
    name: 'chain1',
    resource: 'default/my-ext',
    resourceKind: kind,
    match: [{ celMatcher: SEED_MATCHER }],
    extensions: [
      calloutIR({
        id: `${kind}/default/my-ext/chain1/ext1`,
        name: 'ext1',
        authority: 'myext.com',
        port: calloutPort,
        tls: true,
        events: kind === 'GCPRoutingExtension' ? ['RequestHeaders'] : ['RequestHeaders', 'ResponseHeaders'],
        ...o,
      }),
    ],
  });

  async function gateway(l: GatewayListenerIR): Promise<number> {
    const { gw, port: p } = await startGateway(snapshot([port([l])]), {
      compileChains: chainCompiler(client),
    });
    gateways.push(gw);
    return p;
  }

  it('traffic extension (seed): the response carries hello: service-extensions', async () => {
    const p = await gateway(
      listener(
        [
          rule({
            hostnames: ['store.example.com'],
            backends: [backend('default/store-v1:8080', storeV1.port)],
          }),
        ],
        {
          trafficChains: [chain('GCPTrafficExtension', basicCallout.secure)],
        },
      ),
    );
    const a = await get(p, '/serviceextensions', { host: 'store.example.com' });
    assert.equal(a.status, 200);
    assert.equal(a.headers.hello, 'service-extensions');
    const other = await get(p, '/other', { host: 'store.example.com' });
    assert.equal(other.headers.hello, undefined, 'the chain runs only when its CEL matcher holds');
  });

  it('routing extension (seed): the callout rewrites the host and the route the new host selects answers', async () => {
    const p = await gateway(
      listener(
        [
          rule({
            hostnames: ['store.example.com'],
            backends: [backend('default/store-v2:8080', storeV2.port)],
          }),
          rule({
            hostnames: ['service-extensions.com'],
            backends: [backend('default/store-v1:8080', storeV1.port)],
          }),
        ],
        { routingChains: [chain('GCPRoutingExtension', basicCallout.secure)] },
      ),
    );
    const a = await get(p, '/serviceextensions', { host: 'store.example.com' });
    assert.equal(a.status, 200);
    const echo = echoOf(a);
    assert.equal(echo.metadata, 'store-v1');
    assert.equal(echo.host_header, 'service-extensions.com');
    assert.equal(echo.path, '/');
    assert.equal(echo.headers['header-request'], 'request');
    const untouched = echoOf(await get(p, '/elsewhere', { host: 'store.example.com' }));
    assert.equal(untouched.metadata, 'store-v2');
  });

  it('routing extension with dynamic forwarding: the request goes to the endpoint the callout names', async () => {
    const p = await gateway(
      listener([rule({ backends: [backend('default/store:8080', [storeV1.port, storeV2.port])] })], {
        routingChains: [chain('GCPRoutingExtension', forwarding.secure)],
      }),
    );
    for (const target of [storeV2, storeV1, storeV2]) {
      const a = await get(p, '/serviceextensions', {
        host: 'store.example.com',
        'ip-to-return': `127.0.0.1:${target.port}`,
      });
      assert.equal(echoOf(a).metadata, target.name);
    }
  });

  it('failOpen: false — unreachable callout answers 404 NOT_FOUND, a failing one 500 INTERNAL', async () => {
    const p404 = await gateway(
      listener([rule({ backends: [backend('default/store-v1:8080', storeV1.port)] })], {
        trafficChains: [chain('GCPTrafficExtension', 1)],
      }),
    );
    const a = await get(p404, '/serviceextensions');
    assert.equal(a.status, 404);
    assert.deepEqual(JSON.parse(a.body), {
      error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' },
    });

    const crash = await startCallout({
      onRequestHeaders: () => {
        throw new Error('boom');
      },
    });
    try {
      const p500 = await gateway(
        listener([rule({ backends: [backend('default/store-v1:8080', storeV1.port)] })], {
          trafficChains: [chain('GCPTrafficExtension', crash.secure)],
        }),
      );
      const b = await get(p500, '/serviceextensions');
      assert.equal(b.status, 500);
      assert.deepEqual(JSON.parse(b.body), {
        error: { code: 500, message: 'Internal server error.', status: 'INTERNAL' },
      });
    } finally {
      await crash.stop();
    }
  });

  it('failOpen: true — the request reaches the backend without the extension', async () => {
    const p = await gateway(
      listener([rule({ backends: [backend('default/store-v1:8080', storeV1.port)] })], {
        trafficChains: [chain('GCPTrafficExtension', 1, { failOpen: true })],
      }),
    );
    const a = await get(p, '/serviceextensions');
    assert.equal(a.status, 200);
    assert.equal(echoOf(a).metadata, 'store-v1');
  });

  it('traffic extension with body events: request body replaced, response body cleared', async () => {
    const p = await gateway(
      listener([rule({ backends: [backend('default/store-v1:8080', storeV1.port)] })], {
        trafficChains: [
          chain('GCPTrafficExtension', basicCallout.plaintext, {
            tls: false,
            events: ['RequestHeaders', 'RequestBody', 'ResponseHeaders', 'ResponseBody'],
          }),
        ],
      }),
    );
    const a = await get(p, '/serviceextensions', { 'content-type': 'text/plain' }, 'POST', 'original body');
    assert.equal(a.status, 200);
    assert.equal(a.headers.hello, 'service-extensions');
    assert.equal(a.body, '', 'the callout clears the response body');
  });

  it('FullDuplexStreamed request body through the gateway: the callout streams a new body to the backend', async () => {
    const upper = await startCallout({
      onRequestBody(b, ctx) {
        const acc = ((ctx.state.get('acc') as string | undefined) ?? '') + b.body.toString();
        ctx.state.set('acc', acc);
        return b.endOfStream ? [streamedBody(acc.toUpperCase(), true)] : [];
      },
      onResponseHeaders: () => headersReply({ set: { 'x-duplex': 'done' } }),
    });
    const bodyEcho = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(Buffer.concat(chunks)));
    });
    await new Promise<void>((r) => bodyEcho.listen(0, '127.0.0.1', r));
    try {
      const p = await gateway(
        listener(
          [rule({ backends: [backend('default/echo:8080', (bodyEcho.address() as AddressInfo).port)] })],
          {
            trafficChains: [
              chain('GCPTrafficExtension', upper.plaintext, {
                tls: false,
                events: ['RequestHeaders', 'RequestBody', 'RequestTrailers', 'ResponseHeaders'],
                requestBodySendMode: 'FullDuplexStreamed',
              }),
            ],
          },
        ),
      );
      const a = await get(
        p,
        '/serviceextensions',
        { 'content-type': 'text/plain' },
        'POST',
        'stream me please',
      );
      assert.equal(a.status, 200);
      assert.equal(a.body, 'STREAM ME PLEASE');
      assert.equal(a.headers['x-duplex'], 'done');
    } finally {
      bodyEcho.close();
      await upper.stop();
    }
  });

  it('FullDuplexStreamed with trailers: body streamed with the trailers answer reaches the client, then the trailers', async () => {
    // The callout holds the whole body back and streams it, upper-cased, only when it answers the trailers;
    // the trailers end the stream (no empty end_of_stream body before them, as in Envoy).
    const late = await startCallout({
      onResponseBody(b, ctx) {
        ctx.state.set('acc', ((ctx.state.get('acc') as string | undefined) ?? '') + b.body.toString());
        return [];
      },
      onResponseTrailers: (_t, ctx) => [
        streamedBody(((ctx.state.get('acc') as string | undefined) ?? '').toUpperCase(), true),
        trailersReply({ set: { 'x-checked': 'yes' } }),
      ],
    });
    const withTrailers = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-sum' });
      res.write('late ');
      res.addTrailers({ 'x-sum': '42' });
      res.end('body');
    });
    await new Promise<void>((r) => withTrailers.listen(0, '127.0.0.1', r));
    try {
      const p = await gateway(
        listener(
          [rule({ backends: [backend('default/t:8080', (withTrailers.address() as AddressInfo).port)] })],
          {
            trafficChains: [
              chain('GCPTrafficExtension', late.plaintext, {
                tls: false,
                events: ['ResponseHeaders', 'ResponseBody', 'ResponseTrailers'],
                responseBodySendMode: 'FullDuplexStreamed',
              }),
            ],
          },
        ),
      );
      const answer = await new Promise<{ body: string; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: p, path: '/serviceextensions', agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ body, trailers: res.trailers }));
          })
          .on('error', reject);
      });
      assert.equal(answer.body, 'LATE BODY');
      assert.equal(answer.trailers['x-sum'], '42');
      assert.equal(answer.trailers['x-checked'], 'yes');
    } finally {
      withTrailers.close();
      await late.stop();
    }
  });

  it('request trailers reach the backend, with the mutations of a RequestTrailers callout', async () => {
    const stamp = await startCallout({
      onRequestTrailers: () => trailersReply({ set: { 'x-checked': 'yes' }, remove: ['x-drop'] }),
    });
    const trailerEcho = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(JSON.stringify(req.trailers)));
    });
    await new Promise<void>((r) => trailerEcho.listen(0, '127.0.0.1', r));
    const send = (port: number) =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/serviceextensions',
            method: 'POST',
            agent: false,
            headers: { 'transfer-encoding': 'chunked', trailer: 'x-sum, x-drop' },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve(JSON.parse(body) as Record<string, string>));
          },
        );
        req.on('error', reject);
        req.write('some body');
        req.addTrailers({ 'x-sum': '42', 'x-drop': 'me' });
        req.end();
      });
    try {
      const backendRef = backend('default/t:8080', (trailerEcho.address() as AddressInfo).port);
      const plain = await gateway(listener([rule({ backends: [backendRef] })]));
      assert.deepEqual(
        await send(plain),
        { 'x-sum': '42', 'x-drop': 'me' },
        'forwarded as the client sent them',
      );
      const withCallout = await gateway(
        listener([rule({ backends: [backendRef] })], {
          trafficChains: [
            chain('GCPTrafficExtension', stamp.plaintext, {
              tls: false,
              events: ['RequestHeaders', 'RequestTrailers'],
            }),
          ],
        }),
      );
      assert.deepEqual(await send(withCallout), { 'x-sum': '42', 'x-checked': 'yes' });

      // An h2c backend gets them in the stream's trailing HEADERS frame.
      const h2Echo = http2.createServer((req, res) => {
        req.resume();
        req.on('end', () => res.end(JSON.stringify(req.trailers)));
      });
      await new Promise<void>((r) => h2Echo.listen(0, '127.0.0.1', r));
      try {
        const h2Backend = backend('default/h2:8080', (h2Echo.address() as AddressInfo).port, 'h2c');
        const toH2 = await gateway(listener([rule({ backends: [h2Backend] })]));
        assert.deepEqual(await send(toH2), { 'x-sum': '42', 'x-drop': 'me' });
      } finally {
        h2Echo.close();
      }
    } finally {
      trailerEcho.close();
      await stamp.stop();
    }
  });

  // Before, immediate() assigned the headers to a plain object: `__proto__` set its prototype, the lines vanished.
  it('an ImmediateResponse header named __proto__ reaches the client like any other, repeats as lines', async () => {
    const answering = await startCallout({
      onRequestHeaders: () => ({
        immediate: {
          status: { code: 200 },
          headers: headerMutation({
            add: [
              ['__proto__', 'a'],
              ['x-a', '1'],
              ['__proto__', 'b'],
              ['x-a', '2'],
            ],
          }),
          body: Buffer.from('ok'),
        },
      }),
    });
    try {
      const p = await gateway(
        listener([rule({ backends: [backend('default/store-v1:8080', storeV1.port)] })], {
          trafficChains: [chain('GCPTrafficExtension', answering.secure)],
        }),
      );
      const raw = await new Promise<string[]>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: p, path: '/serviceextensions', agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.rawHeaders));
          })
          .on('error', reject);
      });
      const lines: string[][] = [];
      for (let i = 0; i < raw.length; i += 2)
        if (raw[i] === '__proto__' || raw[i] === 'x-a') lines.push([raw[i]!, raw[i + 1]!]);
      assert.deepEqual(lines, [
        ['__proto__', 'a'],
        ['__proto__', 'b'],
        ['x-a', '1'],
        ['x-a', '2'],
      ]);
    } finally {
      await answering.stop();
    }
  });

  it('observabilityMode through the gateway: the callout sees the request, the client is unaffected', async () => {
    const seen: string[] = [];
    const observer = await startCallout({
      onRequestHeaders(h) {
        seen.push(h.get(':path') ?? '');
        return { immediate: { status: { code: 403 } } };
      },
    });
    try {
      const p = await gateway(
        listener([rule({ backends: [backend('default/store-v1:8080', storeV1.port)] })], {
          trafficChains: [chain('GCPTrafficExtension', observer.secure, { observabilityMode: true })],
        }),
      );
      const a = await get(p, '/serviceextensions/observed');
      assert.equal(a.status, 200, 'answers are ignored in observability mode');
      for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(seen, ['/serviceextensions/observed']);
    } finally {
      await observer.stop();
    }
  });
});
