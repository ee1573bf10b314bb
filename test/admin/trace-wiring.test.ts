// tracedExtension around real ext_proc callouts (the SDK's CalloutServer over gRPC), run by the real
// ExtensionChain: one trace step per member and event, in chain order, with the mutations as diffs, and
// fail-open / fail-closed failures with their gRPC status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { compileChains, type ExtensionFactory } from '../../src/extensions/chain.js';
import type { Extension, RequestInfo } from '../../src/extensions/extension.js';
import { bodyReply, CalloutError, headersReply, type Callout } from '../../src/sdk/index.js';
import { TraceRecorder, type TraceRecord } from '../../src/admin/trace.js';
import type { RequestTrace } from '../../src/dataplane/trace.js';
import { describeChainMatch, describeRouteMatch } from '../../src/dataplane/trace.js';
import { chainKindOf, tracedExtension } from '../../src/dataplane/traced-extension.js';
import {
  calloutIR,
  chainIR,
  requestHeaders,
  requestInfo,
  responseHeaders,
  startCallout,
  text,
  type RunningCallout,
} from '../callout/support.js';

const callout: Callout = {
  onRequestHeaders(h) {
    if (h.get(':path') === '/explode') throw new CalloutError(grpc.status.PERMISSION_DENIED, 'no entry');
    return headersReply({ set: { 'x-added': 'yes' }, remove: ['x-remove-me'] });
  },
  onResponseHeaders() {
    return headersReply({ set: { hello: 'service-extensions' } });
  },
  onRequestBody(b) {
    return bodyReply({ body: b.body.toString().toUpperCase() });
  },
};

let server: RunningCallout;
let deadPort: number;
const client = new CalloutClient();
const traces = new WeakMap<RequestInfo, RequestTrace>();
const runtime: ExtensionFactory = {
  callout: (ir, chain) => tracedExtension(client.extension(ir), (r) => traces.get(r), chainKindOf(chain)),
};

before(async () => {
  server = await startCallout(callout);
  const dead = new grpc.Server();
  deadPort = await new Promise<number>((resolve, reject) =>
    dead.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  dead.forceShutdown();
});
after(async () => {
  client.close();
  await server.stop();
});

const ext = (name: string, o: { failOpen?: boolean; port?: number } = {}) =>
  calloutIR({
    name,
    port: o.port ?? server.plaintext,
    failOpen: o.failOpen ?? false,
    events: ['RequestHeaders', 'RequestBody', 'ResponseHeaders'],
  });

async function run(
  path: string,
  members: ReturnType<typeof ext>[],
): Promise<{ trace: TraceRecord; error: Error | undefined }> {
  const recorder = new TraceRecorder({ capacity: 10 });
  const info = requestInfo();
  const trace = recorder.begin({
    requestId: 'r',
    method: 'GET',
    authority: 'store.example.com',
    path,
    scheme: 'http',
  });
  traces.set(info, trace);
  const chain = compileChains([chainIR('c', undefined, members)], runtime).select(
    info,
    requestHeaders(path),
  )!;
  const stream = chain.open(info);
  let error: Error | undefined;
  try {
    await stream.requestHeaders(
      requestHeaders(path, [
        ['x-remove-me', '1'],
        ['authorization', 'Bearer s3cret'],
      ]),
      false,
    );
    await stream.requestBody(Buffer.from('hello'), true);
    await stream.responseHeaders(responseHeaders(), false);
  } catch (err) {
    error = err as Error;
  } finally {
    stream.close();
  }
  trace.end({ status: error ? 500 : 200, bytes: 0 });
  const recorded = recorder.list()[0];
  assert.ok(recorded, 'the request left a trace');
  return { trace: recorded, error };
}

test('each member and event of a chain of real callouts becomes a trace step with its diff', async () => {
  const { trace, error } = await run('/serviceextensions', [ext('a'), ext('b')]);
  assert.equal(error, undefined);
  assert.deepEqual(
    trace.steps.map((s) => `${s.extension.split('/').pop()} ${s.event} ${s.effect}`),
    [
      'a RequestHeaders CONTENT_MODIFIED',
      'b RequestHeaders CONTENT_MODIFIED',
      'a RequestBody CONTENT_MODIFIED',
      'b RequestBody CONTENT_MODIFIED',
      'b ResponseHeaders CONTENT_MODIFIED',
      'a ResponseHeaders CONTENT_MODIFIED',
    ],
  );
  const first = trace.steps[0];
  assert.ok(first);
  assert.equal(first.chain, 'GCPTrafficExtension/default/test/chain1');
  assert.ok(first.before!.headers.includes('x-remove-me'));
  assert.ok(!first.after!.headers.includes('x-remove-me'));
  assert.deepEqual(
    first.after!.headers.slice(
      first.after!.headers.indexOf('x-added'),
      first.after!.headers.indexOf('x-added') + 2,
    ),
    ['x-added', 'yes'],
  );
  assert.ok(!JSON.stringify(trace).includes('s3cret'), 'authorization redacted');
  assert.equal(trace.steps[2]?.before!.body!.text, 'hello');
  assert.equal(trace.steps[2]?.after!.body!.text, 'HELLO');
  assert.ok(trace.steps.every((s) => s.latencyMs > 0 && s.atMs >= 0));
});

test('a fail-open callout that cannot be reached is FAILED_OPEN once, then skipped; a fail-closed error is ERROR with its gRPC status', async () => {
  const open = await run('/x', [ext('dead', { failOpen: true, port: deadPort }), ext('a')]);
  assert.equal(open.error, undefined);
  const dead = open.trace.steps.filter((s) => s.extension.endsWith('/dead'));
  assert.equal(dead.length, 1, 'skipped for the rest of the request');
  assert.equal(dead[0]?.effect, 'FAILED_OPEN');
  assert.match(dead[0]?.error ?? '', /unreachable/);
  assert.equal(open.trace.steps.filter((s) => s.extension.endsWith('/a')).length, 3);

  const closed = await run('/explode', [ext('a')]);
  assert.ok(closed.error);
  assert.equal(closed.trace.steps.length, 1);
  assert.equal(closed.trace.steps[0]?.effect, 'ERROR');
  assert.equal(closed.trace.steps[0]?.grpcStatus, grpc.status.PERMISSION_DENIED);
  assert.match(closed.trace.steps[0]?.error ?? '', /no entry/);
});

test('without a recording trace the wrapper hands out the extension’s own stream', () => {
  const inner = client.extension(ext('a'));
  const wrapped = tracedExtension(inner, () => undefined, 'traffic');
  const s = wrapped.open(requestInfo());
  assert.equal(s.constructor.name === 'TracedStream', false);
  s.close();
  assert.equal(text([]), '');
});

test('clear_route_cache is worded by the chain kind the IR gives, not by the extension id', async () => {
  // The same in-process extension (its id names neither kind) asks to clear the route cache.
  const clearing: Extension = {
    id: 'some-chain/ext',
    failOpen: false,
    events: new Set(['RequestHeaders']),
    open: () => ({
      requestHeaders: async () => ({ effect: 'CONTENT_MODIFIED', clearRouteCache: true }),
      requestBody: async (c) => ({ chunks: [c] }),
      requestTrailers: async () => ({}),
      responseHeaders: async () => ({}),
      responseBody: async (c) => ({ chunks: [c] }),
      responseTrailers: async () => ({}),
      close: () => undefined,
    }),
  };
  const details: Record<string, string | undefined> = {};
  for (const resourceKind of ['GCPRoutingExtension', 'GCPTrafficExtension'] as const) {
    const recorder = new TraceRecorder({ capacity: 4 });
    const trace = recorder.begin({
      requestId: 'r',
      method: 'GET',
      authority: 'a',
      path: '/',
      scheme: 'http',
    });
    const kind = chainKindOf({ ...chainIR('c', undefined, []), resourceKind });
    const s = tracedExtension(clearing, () => trace, kind).open(requestInfo());
    await s.requestHeaders(requestHeaders(), true);
    trace.end({ status: 200, bytes: 0 });
    details[resourceKind] = recorder.list()[0]?.steps[0]?.details;
  }
  assert.equal(details.GCPRoutingExtension, 'clear_route_cache: route re-selected');
  assert.equal(
    details.GCPTrafficExtension,
    'clear_route_cache ignored: a traffic extension does not change the route',
  );
});

test('route and chain choices are worded from the IR', () => {
  assert.equal(
    describeChainMatch(chainIR('c', 'request.path.contains("x")', [])),
    'match[0]: request.path.contains("x")',
  );
  assert.equal(describeChainMatch(chainIR('c', undefined, [])), 'no matchCondition: every request');
  assert.equal(
    describeChainMatch({
      ...chainIR('c', undefined, []),
      match: [{ celMatcher: 'a', backendService: 'default/s:80' }, {}],
    }),
    'match[0]: a && backend default/s:80 || match[1]: true',
  );
  assert.equal(
    describeRouteMatch({
      id: 'default/store/1/0',
      ruleId: 'default/store/1',
      route: 'default/store',
      hostnames: ['store.example.com'],
      match: {
        path: { type: 'PathPrefix', value: '/' },
        headers: [{ name: 'env', type: 'Exact', value: 'canary' }],
        queryParams: [],
      },
      filters: [],
      backends: [],
      timeouts: {},
    }),
    'PathPrefix /, header env = canary on store.example.com',
  );
});
