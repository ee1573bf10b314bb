// The request pipeline (src/dataplane/pipeline.ts), step by step, through a real gateway and real backends,
// with in-process extensions (the product's Extension interface; no callout process needed to see order).
// Each extension appends `<name>:<event>` to one log, so the order the pipeline runs things in is visible.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { compileChains } from '../../src/extensions/chain.js';
import {
  ExtensionError,
  type Extension,
  type ExtensionStream,
  type HeaderMap,
  type RequestInfo,
  type StepResult,
} from '../../src/extensions/extension.js';
import type { CalloutExtensionIR, ExtensionChainIR, HttpEvent } from '../../src/ir/snapshot.js';
import { REQUEST_PIPELINE } from '../../src/dataplane/pipeline.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
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
} from './fixtures.js';
import { calloutIR } from '../callout/support.js';

type Behaviour = Partial<{
  requestHeaders: (h: HeaderMap, info: RequestInfo) => StepResult | Promise<StepResult>;
  responseHeaders: (h: HeaderMap) => StepResult | Promise<StepResult>;
  responseBody: () => void;
  open: () => void;
}>;

const log: string[] = [];
const behaviours = new Map<string, Behaviour>();

/** An in-process extension named by its IR's `name`; what it does comes from `behaviours`. */
function inProcess(ir: CalloutExtensionIR): Extension {
  const name = ir.name;
  const events = new Set(ir.events);
  return {
    id: ir.id,
    failOpen: ir.failOpen,
    events,
    open(info: RequestInfo): ExtensionStream {
      const b = behaviours.get(name) ?? {};
      b.open?.();
      const note = (event: HttpEvent): void => {
        log.push(`${name}:${event}`);
      };
      return {
        async requestHeaders(h) {
          note('RequestHeaders');
          return (await b.requestHeaders?.(h, info)) ?? { effect: 'NONE' };
        },
        async responseHeaders(h) {
          note('ResponseHeaders');
          return (await b.responseHeaders?.(h)) ?? { effect: 'NONE' };
        },
        async requestBody(c) {
          note('RequestBody');
          return { chunks: [c] };
        },
        async responseBody(c) {
          note('ResponseBody');
          b.responseBody?.();
          return { chunks: [c] };
        },
        async requestTrailers() {
          return {};
        },
        async responseTrailers() {
          return {};
        },
        close() {},
      };
    },
  };
}

function chainOf(
  kind: 'GCPRoutingExtension' | 'GCPTrafficExtension',
  names: string[],
  events: HttpEvent[],
): ExtensionChainIR {
  return {
    id: `${kind}/default/ext/chain`,
    name: 'chain',
    resource: 'default/ext',
    resourceKind: kind,
    match: [],
    extensions: names.map((name) =>
      calloutIR({ id: `${kind}/default/ext/chain/${name}`, name, port: 1, events }),
    ),
  };
}

describe('request pipeline', () => {
  let a: EchoBackend;
  let b: EchoBackend;
  const gateways: DataPlane[] = [];
  before(async () => {
    a = await echoBackend('a');
    b = await echoBackend('b');
  });
  after(async () => {
    for (const gw of gateways) await gw.close();
    await Promise.all([a.close(), b.close()]);
  });

  async function gateway(routing: ExtensionChainIR[], traffic: ExtensionChainIR[]): Promise<number> {
    const { gw, port: p } = await startGateway(
      snapshot([
        port([
          listener(
            [
              rule({
                match: { path: { type: 'PathPrefix', value: '/b' } },
                backends: [backend('default/b:80', b.port)],
              }),
              rule({
                match: { path: { type: 'PathPrefix', value: '/a' } },
                backends: [backend('default/a:80', a.port)],
                filters: [
                  {
                    type: 'ResponseHeaderModifier',
                    modifier: { set: [{ name: 'x-route-filter', value: 'yes' }], add: [], remove: [] },
                  },
                ],
              }),
            ],
            { routingChains: routing, trafficChains: traffic },
          ),
        ]),
      ]),
      { compileChains: (chains) => compileChains(chains, { callout: inProcess }) },
    );
    gateways.push(gw);
    return p;
  }

  const reset = (): void => {
    log.length = 0;
    behaviours.clear();
  };

  it('one ordered list of request steps', () => {
    assert.deepEqual(
      REQUEST_PIPELINE.map((s) => s.name),
      [
        'listener',
        'routing chain',
        'route selection',
        'route filters',
        'traffic chain (request)',
        'upstream',
      ],
    );
  });

  it('request path in order, response path reversed, route filters before the traffic chain sees the response', async () => {
    reset();
    const seenRoute: Array<string | undefined> = [];
    behaviours.set('r', { requestHeaders: (_h, info) => (seenRoute.push(info.route), { effect: 'NONE' }) });
    behaviours.set('t1', { requestHeaders: (_h, info) => (seenRoute.push(info.route), { effect: 'NONE' }) });
    let filterSeen: string | undefined;
    behaviours.set('t2', {
      responseHeaders: (h) => {
        filterSeen = h.get('x-route-filter');
        return { effect: 'NONE' };
      },
    });
    const p = await gateway(
      [chainOf('GCPRoutingExtension', ['r'], ['RequestHeaders'])],
      [chainOf('GCPTrafficExtension', ['t1', 't2'], ['RequestHeaders', 'ResponseHeaders'])],
    );
    const answer = await get(p, '/a/x');
    assert.equal(answer.status, 200);
    assert.equal(echoOf(answer).metadata, 'a');
    assert.deepEqual(log, [
      'r:RequestHeaders',
      't1:RequestHeaders',
      't2:RequestHeaders',
      't2:ResponseHeaders',
      't1:ResponseHeaders',
    ]);
    assert.equal(seenRoute.length, 2);
    assert.equal(seenRoute[0], undefined, 'routing runs before route selection');
    assert.match(seenRoute[1] ?? '', /^default\/route-/, 'traffic runs after route selection');
    assert.equal(filterSeen, 'yes', 'the route response filter ran before the traffic chain');
  });

  it('routing re-selection: clear_route_cache re-selects; a rewrite matching nothing keeps the first route', async () => {
    reset();
    behaviours.set('r', {
      requestHeaders: (h) => {
        const to = h.get('x-go');
        if (to === undefined) return { effect: 'NONE' };
        h.set(':path', to);
        return { effect: 'CONTENT_MODIFIED', clearRouteCache: h.get('x-clear') === '1' };
      },
    });
    const p = await gateway([chainOf('GCPRoutingExtension', ['r'], ['RequestHeaders'])], []);
    const cleared = echoOf(await get(p, '/a/1', { 'x-go': '/b/1', 'x-clear': '1' }));
    assert.equal(cleared.metadata, 'b');
    assert.equal(cleared.path, '/b/1');
    const kept = echoOf(await get(p, '/a/1', { 'x-go': '/b/1' }));
    assert.equal(kept.metadata, 'a', 'without clear_route_cache the route stands');
    assert.equal(kept.path, '/b/1', 'the request still goes upstream as the extension left it');
    const nowhere = echoOf(await get(p, '/a/1', { 'x-go': '/nowhere', 'x-clear': '1' }));
    assert.equal(nowhere.metadata, 'a', 'a rewrite no rule matches keeps the route chosen before');
  });

  it('immediate response: a routing answer stops the pipeline; a traffic answer on the response replaces it', async () => {
    reset();
    const before = a.requests;
    behaviours.set('r', {
      requestHeaders: () => ({
        effect: 'IMMEDIATE_RESPONSE',
        immediate: { status: 403, headers: [['x-by', 'routing']], body: Buffer.from('no') },
      }),
    });
    const p = await gateway(
      [chainOf('GCPRoutingExtension', ['r'], ['RequestHeaders'])],
      [chainOf('GCPTrafficExtension', ['t'], ['RequestHeaders', 'ResponseHeaders'])],
    );
    const denied = await get(p, '/a/x');
    assert.equal(denied.status, 403);
    assert.equal(denied.body, 'no');
    assert.deepEqual(log, ['r:RequestHeaders'], 'no later step ran');
    assert.equal(a.requests, before, 'nothing went upstream');

    reset();
    behaviours.set('t', {
      responseHeaders: () => ({
        effect: 'IMMEDIATE_RESPONSE',
        immediate: { status: 418, headers: [], body: Buffer.from('teapot') },
      }),
    });
    const replaced = await get(p, '/a/x');
    assert.equal(replaced.status, 418);
    assert.equal(replaced.body, 'teapot');
  });

  it('failure answers: unreachable → 404 JSON, other failures → 500 JSON, after response headers → reset', async () => {
    reset();
    const p = await gateway(
      [],
      [chainOf('GCPTrafficExtension', ['t'], ['RequestHeaders', 'ResponseHeaders', 'ResponseBody'])],
    );
    behaviours.set('t', {
      requestHeaders: () => {
        throw new ExtensionError('unreachable', 'gone');
      },
    });
    const unreachable = await get(p, '/a/x');
    assert.equal(unreachable.status, 404);
    assert.equal((JSON.parse(unreachable.body) as { error: { status: string } }).error.status, 'NOT_FOUND');
    behaviours.set('t', {
      requestHeaders: () => {
        throw new ExtensionError('timeout', 'slow');
      },
    });
    const timedOut = await get(p, '/a/x');
    assert.equal(timedOut.status, 500);
    assert.equal((JSON.parse(timedOut.body) as { error: { status: string } }).error.status, 'INTERNAL');

    // Once the response headers went out nothing can be answered: a failing body event resets the response.
    const late = await gateway([], [chainOf('GCPTrafficExtension', ['late'], ['ResponseBody'])]);
    const fetchOutcome = (): Promise<string> =>
      new Promise<string>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: late, path: '/a/x', agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(`complete ${res.statusCode}`));
          res.on('error', () => resolve(`reset after ${res.statusCode}`));
        });
        req.on('error', () => resolve('reset'));
      });
    behaviours.set('late', {});
    assert.equal(await fetchOutcome(), 'complete 200');
    behaviours.set('late', {
      responseBody: () => {
        throw new ExtensionError('error', 'body event failed');
      },
    });
    assert.match(await fetchOutcome(), /^reset/, 'the client never gets a complete response');
  });

  it('a step that throws (an extension whose open() throws) answers 500, and the next request is served', async () => {
    reset();
    const p = await gateway([], [chainOf('GCPTrafficExtension', ['t'], ['RequestHeaders'])]);
    behaviours.set('t', {
      open: () => {
        throw new TypeError('a bug in an extension factory');
      },
    });
    const failed = await get(p, '/a/x');
    assert.equal(failed.status, 500);
    assert.equal(failed.body, 'internal error\n');
    behaviours.set('t', {});
    assert.equal((await get(p, '/a/x')).status, 200);
  });
});
