// The extension hook points, driven by a hand-written Extension (a real object implementing the interface).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  ExtensionError,
  type BodyStepResult,
  type CompiledChains,
  type Extension,
  type ExtensionStream,
  type HeaderMap,
  type RequestInfo,
  type StepResult,
} from '../../src/extensions/extension.js';
import type { ExtensionChainIR, HttpEvent } from '../../src/ir/snapshot.js';
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

/** What a test extension does, per event; unset events pass through unchanged. */
interface Script {
  requestHeaders?(h: HeaderMap, info: RequestInfo): StepResult | Promise<StepResult>;
  requestBody?(chunk: Uint8Array, eos: boolean): BodyStepResult | Promise<BodyStepResult>;
  responseHeaders?(h: HeaderMap): StepResult | Promise<StepResult>;
  responseBody?(chunk: Uint8Array, eos: boolean): BodyStepResult | Promise<BodyStepResult>;
}

class ScriptedExtension implements Extension {
  readonly failOpen = false;
  opened = 0;
  closed = 0;
  infos: RequestInfo[] = [];
  constructor(
    readonly id: string,
    readonly events: ReadonlySet<HttpEvent>,
    private readonly script: Script,
  ) {}
  open(info: RequestInfo): ExtensionStream {
    this.opened++;
    this.infos.push(info);
    const s = this.script;
    return {
      requestHeaders: async (h) => (s.requestHeaders ? s.requestHeaders(h, info) : {}),
      requestBody: async (c, eos) => (s.requestBody ? s.requestBody(c, eos) : { chunks: [c] }),
      requestTrailers: async () => ({}),
      responseHeaders: async (h) => (s.responseHeaders ? s.responseHeaders(h) : {}),
      responseBody: async (c, eos) => (s.responseBody ? s.responseBody(c, eos) : { chunks: [c] }),
      responseTrailers: async () => ({}),
      close: () => void this.closed++,
    };
  }
}

const ALL: HttpEvent[] = ['RequestHeaders', 'RequestBody', 'ResponseHeaders', 'ResponseBody'];

/** The chain for a request is chosen by the `x-ext` header naming a test extension (a stand-in CEL match). */
const extensions = new Map<string, ScriptedExtension>();
function compileChains(chains: readonly ExtensionChainIR[]): CompiledChains {
  const kind = chains[0]!.resourceKind;
  return {
    select: (_info, headers) => {
      const name = headers.get('x-ext');
      const ext = name === undefined ? undefined : extensions.get(`${kind}/${name}`);
      return ext;
    },
  };
}
function define(
  kind: 'GCPRoutingExtension' | 'GCPTrafficExtension',
  name: string,
  events: HttpEvent[],
  script: Script,
): ScriptedExtension {
  const ext = new ScriptedExtension(`${kind}/default/e/${name}`, new Set(events), script);
  extensions.set(`${kind}/${name}`, ext);
  return ext;
}

const chainIR = (kind: 'GCPRoutingExtension' | 'GCPTrafficExtension'): ExtensionChainIR => ({
  id: `${kind}/default/e/chain1`,
  name: 'chain1',
  resource: 'default/e',
  resourceKind: kind,
  match: [],
  extensions: [],
});

let a: EchoBackend;
let b: EchoBackend;
let gw: DataPlane;
let gwPort: number;

before(async () => {
  [a, b] = await Promise.all([echoBackend('store-v1'), echoBackend('store-v2')]);
  const A = backend('default/store-v1:8080', a.port);
  const B = backend('default/store-v2:8080', b.port);
  const routes = [
    rule({ match: { path: { type: 'PathPrefix', value: '/v2' } }, backends: [B] }),
    rule({ match: { headers: [{ name: 'x-route', type: 'Exact', value: 'b' }] }, backends: [B] }),
    rule({ backends: [A] }),
  ];
  const l = listener(routes, {
    routingChains: [chainIR('GCPRoutingExtension')],
    trafficChains: [chainIR('GCPTrafficExtension')],
  });
  ({ gw, port: gwPort } = await startGateway(snapshot([port([l])]), { compileChains }));
});

after(async () => {
  await gw?.close(100);
  await Promise.all([a.close(), b.close()]);
});

test('no chain selected: the request passes untouched', async () => {
  assert.equal(echoOf(await get(gwPort, '/', { host: 's' })).metadata, 'store-v1');
});

test('routing extension with clearRouteCache re-selects the route', async () => {
  define('GCPRoutingExtension', 'reroute', ['RequestHeaders'], {
    requestHeaders: (h) => {
      h.set('x-route', 'b');
      return { clearRouteCache: true };
    },
  });
  const r = echoOf(await get(gwPort, '/', { host: 's', 'x-ext': 'reroute' }));
  assert.equal(r.metadata, 'store-v2');
  assert.equal(r.headers['x-route'], 'b');
});

test('routing extension without clearRouteCache keeps the route but forwards its header changes', async () => {
  define('GCPRoutingExtension', 'no-clear', ['RequestHeaders'], {
    requestHeaders: (h) => {
      h.set('x-route', 'b');
      h.set(':path', '/v2/changed');
      return {};
    },
  });
  const r = echoOf(await get(gwPort, '/', { host: 's', 'x-ext': 'no-clear' }));
  assert.equal(r.metadata, 'store-v1');
  assert.equal(r.headers['x-route'], 'b');
});

test('routing extension rewriting :path with clearRouteCache; selectedEndpoint only among the backend endpoints', async () => {
  define('GCPRoutingExtension', 'path', ['RequestHeaders'], {
    requestHeaders: (h) => {
      h.set(':path', '/v2/x');
      return { clearRouteCache: true };
    },
  });
  const r = echoOf(await get(gwPort, '/', { host: 's', 'x-ext': 'path' }));
  assert.equal(r.metadata, 'store-v2');
  assert.equal(r.path, '/v2/x');
  define('GCPRoutingExtension', 'pin', ['RequestHeaders'], {
    requestHeaders: () => ({ selectedEndpoint: `127.0.0.1:${b.port}` }),
  });
  // `/` routes to store-v1: store-v2's endpoint is not one of its endpoints, so the pin is ignored.
  assert.equal(echoOf(await get(gwPort, '/', { host: 's', 'x-ext': 'pin' })).metadata, 'store-v1');
  assert.equal(echoOf(await get(gwPort, '/v2/x', { host: 's', 'x-ext': 'pin' })).metadata, 'store-v2');
});

test('traffic extension: sees the selected backend, edits request and response headers', async () => {
  const ext = define('GCPTrafficExtension', 'hello', ['RequestHeaders', 'ResponseHeaders'], {
    requestHeaders: (h) => {
      h.set('x-from-ext', '1');
      return { effect: 'CONTENT_MODIFIED' };
    },
    responseHeaders: (h) => {
      h.set('hello', 'service-extensions');
      return {};
    },
  });
  const r = await get(gwPort, '/', { host: 's', 'x-ext': 'hello' });
  assert.equal(r.headers.hello, 'service-extensions');
  assert.equal(echoOf(r).headers['x-from-ext'], '1');
  assert.equal(ext.infos.at(-1)!.backendService, 'default/store-v1:8080');
  assert.match(ext.infos.at(-1)!.route ?? '', /^default\/route-\d+$/);
  assert.equal(ext.opened, ext.closed, 'every stream is closed');
});

test('traffic extension: request and response bodies go through the chain chunk by chunk', async () => {
  define('GCPTrafficExtension', 'upper', ALL, {
    requestBody: (c) => ({ chunks: [Buffer.from(Buffer.from(c).toString().toUpperCase())] }),
    responseBody: (c, eos) => ({ chunks: eos ? [Buffer.from('\n-- appended')] : [c] }),
  });
  const r = await get(
    gwPort,
    '/',
    { host: 's', 'x-ext': 'upper', 'content-type': 'text/plain' },
    'POST',
    'hello body',
  );
  assert.ok(r.body.endsWith('\n-- appended'));
  const echo = JSON.parse(r.body.replace('\n-- appended', '')) as {
    bodyBytes: number;
    headers: Record<string, string>;
  };
  assert.equal(echo.bodyBytes, 10);
  assert.equal(echo.headers['content-length'], undefined, 'length may change: the body is re-framed');
});

test('immediate response answers the client without reaching the backend', async () => {
  const before = a.requests + b.requests;
  define('GCPTrafficExtension', 'deny', ['RequestHeaders'], {
    requestHeaders: () => ({
      immediate: {
        status: 403,
        headers: [
          ['content-type', 'text/plain'],
          ['x-denied', 'yes'],
        ],
        body: Buffer.from('denied'),
      },
    }),
  });
  const r = await get(gwPort, '/', { host: 's', 'x-ext': 'deny' });
  assert.equal(r.status, 403);
  assert.equal(r.body, 'denied');
  assert.equal(r.headers['x-denied'], 'yes');
  assert.equal(a.requests + b.requests, before);
});

test('ExtensionError before response headers: 404 NOT_FOUND JSON when unreachable, 500 INTERNAL otherwise', async () => {
  define('GCPRoutingExtension', 'unreachable', ['RequestHeaders'], {
    requestHeaders: () => {
      throw new ExtensionError('unreachable', 'connect ECONNREFUSED');
    },
  });
  const nf = await get(gwPort, '/', { host: 's', 'x-ext': 'unreachable' });
  assert.equal(nf.status, 404);
  assert.deepEqual(JSON.parse(nf.body), {
    error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' },
  });
  for (const failure of ['timeout', 'error', 'protocol'] as const) {
    define('GCPTrafficExtension', `fail-${failure}`, ['RequestHeaders'], {
      requestHeaders: () => {
        throw new ExtensionError(failure, 'boom');
      },
    });
    const r = await get(gwPort, '/', { host: 's', 'x-ext': `fail-${failure}` });
    assert.equal(r.status, 500);
    assert.deepEqual(JSON.parse(r.body), {
      error: { code: 500, message: 'Internal server error.', status: 'INTERNAL' },
    });
  }
  define('GCPTrafficExtension', 'fail-response-headers', ['ResponseHeaders'], {
    responseHeaders: () => {
      throw new ExtensionError('timeout', 'late');
    },
  });
  assert.equal((await get(gwPort, '/', { host: 's', 'x-ext': 'fail-response-headers' })).status, 500);
});

test('ExtensionError after response headers went out resets the stream', async () => {
  define('GCPTrafficExtension', 'fail-body', ['ResponseBody'], {
    responseBody: () => {
      throw new ExtensionError('error', 'broken mid-body');
    },
  });
  const outcome = await new Promise<string>((resolve) => {
    http
      .get(
        {
          host: '127.0.0.1',
          port: gwPort,
          path: '/',
          agent: false,
          headers: { host: 's', 'x-ext': 'fail-body' },
        },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve(`end ${res.statusCode}`));
          res.on('error', () => resolve('reset'));
          res.on('aborted', () => resolve('reset'));
        },
      )
      .on('error', () => resolve('reset'));
  });
  assert.equal(outcome, 'reset');
});
