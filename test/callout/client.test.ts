// The ext_proc client against a real SDK callout server over real sockets (TLS and h2c).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import type { ExtensionStream } from '../../src/extensions/extension.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import {
  bodyReply,
  headersReply,
  immediateReply,
  streamedBody,
  trailersReply,
  withDynamicForwarding,
  type Callout,
  type CalloutContext,
  type Reply,
} from '../../src/sdk/index.js';
import {
  calloutIR,
  requestHeaders,
  requestInfo,
  responseHeaders,
  startCallout,
  testCertificate,
  text,
  type IrOptions,
  type RunningCallout,
} from './support.js';

interface Seen {
  kind: string;
  headers?: Array<readonly [string, string]>;
  body?: string;
  endOfStream: boolean;
  ctx: Pick<CalloutContext, 'metadata' | 'requestBodyMode' | 'responseBodyMode' | 'observabilityMode'>;
}

/** Records every event; answers by the request's `x-test` header (kept in per-stream state). */
function recordingCallout(seen: Seen[]): Callout {
  const note = (
    kind: string,
    ctx: CalloutContext,
    e: { entries?: ReadonlyArray<readonly [string, string]>; body?: Buffer; endOfStream: boolean },
  ) =>
    seen.push({
      kind,
      ...(e.entries ? { headers: [...e.entries] } : {}),
      ...(e.body ? { body: e.body.toString() } : {}),
      endOfStream: e.endOfStream,
      ctx: {
        metadata: ctx.metadata,
        requestBodyMode: ctx.requestBodyMode,
        responseBodyMode: ctx.responseBodyMode,
        observabilityMode: ctx.observabilityMode,
      },
    });
  return {
    onRequestHeaders(h, ctx) {
      note('request_headers', ctx, h);
      const mode = h.get('x-test') ?? '';
      ctx.state.set('mode', mode);
      switch (mode) {
        case 'mutations':
          return headersReply({
            set: { 'x-set': 'one', 'x-existing': 'replaced' },
            add: { 'x-multi': 'second' },
            addIfAbsent: { 'x-existing': 'ignored', 'x-absent': 'added' },
            remove: ['x-remove-me'],
          });
        case 'overwrite-if-exists':
          return {
            continue: {
              header_mutation: {
                set_headers: [
                  { header: { key: 'x-existing', raw_value: Buffer.from('over') }, append_action: 3 },
                  { header: { key: 'x-not-there', raw_value: Buffer.from('no') }, append_action: 3 },
                  { header: { key: 'x-value-only', value: 'from-value' } },
                ],
              },
            },
          };
        case 'unsafe':
          return headersReply({
            set: { 'x-envoy-original': 'x', connection: 'close', ':scheme': 'https' },
            add: { ':path': '/appended' },
            remove: [':path', 'host', ':method'],
          });
        case 'invalid-name':
          return headersReply({ set: { 'bad header': 'x' } });
        case 'both-values':
          return {
            continue: {
              header_mutation: {
                set_headers: [{ header: { key: 'x-b', value: 'a', raw_value: Buffer.from('b') } }],
              },
            },
          };
        case 'immediate':
          return immediateReply(403, {
            headers: { 'x-denied': 'yes' },
            body: 'denied',
            details: 'policy says no',
          });
        case 'forward-flat':
          return withDynamicForwarding(headersReply(), '10.0.0.7:8443');
        case 'forward-nested':
          return {
            continue: {},
            dynamicMetadata: {
              'com.google.envoy.dynamic_forwarding': { selected_endpoints: { primary: '10.0.0.8:80' } },
            },
          };
        case 'replace':
          return headersReply({ replace: true, body: 'whole new body', set: { ':method': 'POST' } });
        default:
          return headersReply({ set: { 'x-seen-by': 'callout' }, clearRouteCache: true });
      }
    },
    onRequestBody(b, ctx) {
      note('request_body', ctx, b);
      if (ctx.requestBodyMode === 'FullDuplexStreamed') {
        // Buffer everything, answer with the upper-cased body in two pieces at the end.
        const acc = ((ctx.state.get('acc') as string | undefined) ?? '') + b.body.toString();
        ctx.state.set('acc', acc);
        if (!b.endOfStream) return [];
        const up = acc.toUpperCase();
        return [streamedBody(up.slice(0, 3), false), streamedBody(up.slice(3), true)];
      }
      if (b.body.toString() === 'stop') return immediateReply(413, { body: 'too much' });
      return bodyReply({ body: `[${b.body.toString()}]` });
    },
    onRequestTrailers(t, ctx) {
      note('request_trailers', ctx, t);
      return trailersReply({ set: { 'x-trailer-set': 'yes' }, remove: ['x-drop'] });
    },
    onResponseHeaders(h, ctx) {
      note('response_headers', ctx, h);
      return headersReply({
        add: { hello: 'service-extensions' },
        set: { ':status': '201' },
        clearRouteCache: true,
      });
    },
    onResponseBody(b, ctx): Reply | Reply[] {
      note('response_body', ctx, b);
      if (ctx.responseBodyMode === 'FullDuplexStreamed')
        return streamedBody(b.body.toString().replace(/o/g, '0'), b.endOfStream);
      return b.body.toString() === 'clear' ? bodyReply({ clear: true }) : bodyReply();
    },
    onResponseTrailers(t, ctx) {
      note('response_trailers', ctx, t);
      return trailersReply({ add: { 'grpc-message': 'ok' } });
    },
  };
}

const ALL_EVENTS = [
  'RequestHeaders',
  'RequestBody',
  'RequestTrailers',
  'ResponseHeaders',
  'ResponseBody',
  'ResponseTrailers',
] as const;

describe('ext_proc client against the SDK server', () => {
  const seen: Seen[] = [];
  let callout: RunningCallout;
  const client = new CalloutClient();
  const open = (o: Omit<IrOptions, 'port'> & { tls?: boolean }): ExtensionStream =>
    client
      .extension(
        calloutIR({ port: o.tls === false ? callout.plaintext : callout.secure, tls: o.tls ?? true, ...o }),
      )
      .open(requestInfo());

  before(async () => {
    callout = await startCallout(recordingCallout(seen));
  });
  after(async () => {
    client.close();
    await callout.stop();
  });

  for (const tls of [true, false]) {
    it(`runs all six events in Streamed mode (${tls ? 'TLS' : 'h2c'})`, async () => {
      seen.length = 0;
      const s = open({ tls, events: [...ALL_EVENTS], metadata: { tenant: 'a', team: 'b' } });
      try {
        const req = requestHeaders();
        const r = await s.requestHeaders(req, false);
        assert.equal(req.get('x-seen-by'), 'callout');
        assert.equal(r.clearRouteCache, true);
        assert.equal(text((await s.requestBody(Buffer.from('abc'), false)).chunks), '[abc]');
        assert.equal(text((await s.requestBody(Buffer.from('def'), false)).chunks), '[def]');
        const rt = new HeaderList([
          ['x-drop', '1'],
          ['x-keep', '2'],
        ]);
        await s.requestTrailers(rt);
        assert.deepEqual(rt.entries(), [
          ['x-keep', '2'],
          ['x-trailer-set', 'yes'],
        ]);
        const res = responseHeaders();
        const r2 = await s.responseHeaders(res, false);
        assert.equal(res.get('hello'), 'service-extensions');
        assert.equal(res.get(':status'), '201');
        assert.equal(r2.clearRouteCache, undefined, 'clear_route_cache counts only on the request path');
        assert.equal(text((await s.responseBody(Buffer.from('keep'), false)).chunks), 'keep');
        assert.deepEqual((await s.responseBody(Buffer.from('clear'), false)).chunks, []);
        const tt = new HeaderList([['grpc-status', '0']]);
        await s.responseTrailers(tt);
        assert.equal(tt.get('grpc-message'), 'ok');
      } finally {
        s.close();
      }
      assert.deepEqual(
        seen.map((e) => e.kind),
        [
          'request_headers',
          'request_body',
          'request_body',
          'request_trailers',
          'response_headers',
          'response_body',
          'response_body',
          'response_trailers',
        ],
      );
      // Header values arrive as raw_value with pseudo-headers; protocol_config and metadata_context on the stream.
      assert.deepEqual(
        seen[0]!.headers!.find(([k]) => k === ':path'),
        [':path', '/serviceextensions'],
      );
      assert.equal(seen[0]!.ctx.requestBodyMode, 'Streamed');
      assert.equal(seen[0]!.ctx.responseBodyMode, 'Streamed');
      for (const e of seen) {
        assert.deepEqual(e.ctx.metadata, {
          'com.google.lb_traffic_extension.test.chain1.ext': { tenant: 'a', team: 'b' },
        });
      }
    });
  }

  it('pipelines Streamed body chunks and answers them in order', async () => {
    const s = open({ events: ['RequestHeaders', 'RequestBody'] });
    try {
      await s.requestHeaders(requestHeaders(), false);
      const results = await Promise.all(
        ['1', '2', '3', '4'].map((c, i) => s.requestBody(Buffer.from(c), i === 3)),
      );
      assert.deepEqual(
        results.map((r) => text(r.chunks)),
        ['[1]', '[2]', '[3]', '[4]'],
      );
    } finally {
      s.close();
    }
  });

  it('an immediate response to a pipelined chunk answers the request; later chunks pass without failing', async () => {
    const s = open({ events: ['RequestHeaders', 'RequestBody'], timeoutMs: 200 });
    try {
      await s.requestHeaders(requestHeaders(), false);
      const results = await Promise.all(
        ['a', 'stop', 'c'].map((c, i) => s.requestBody(Buffer.from(c), i === 2)),
      );
      assert.equal(text(results[0]!.chunks), '[a]');
      assert.equal(results[1]!.immediate?.status, 413);
      assert.equal(results[2]!.effect, 'NONE');
      await new Promise((r) => setTimeout(r, 250)); // past the timeout: nothing may fail late
      assert.equal((await s.responseHeaders(responseHeaders(), true)).effect, 'NONE');
    } finally {
      s.close();
    }
  });

  it('half-closes with the last message it can send, and still passes through an unannounced event', async () => {
    seen.length = 0;
    const s = open({ events: ['RequestHeaders'] });
    try {
      const h = requestHeaders();
      await s.requestHeaders(h, true);
      assert.equal(h.get('x-seen-by'), 'callout');
      // Not in `events`, so the stream already half-closed: this must not wait for an answer.
      const late = await s.requestBody(Buffer.from('x'), true);
      assert.equal(text(late.chunks), 'x');
    } finally {
      s.close();
    }
    assert.deepEqual(
      seen.map((e) => e.kind),
      ['request_headers'],
    );
  });

  it('FullDuplexStreamed: chunks go out without waiting; the callout streams the new body back', async () => {
    seen.length = 0;
    const s = open({
      events: ['RequestHeaders', 'RequestBody', 'RequestTrailers'],
      requestBodySendMode: 'FullDuplexStreamed',
    });
    try {
      await s.requestHeaders(requestHeaders(), false);
      const a = await s.requestBody(Buffer.from('hello '), false);
      const b = await s.requestBody(Buffer.from('world'), true);
      assert.equal(text([...a.chunks, ...b.chunks]), 'HELLO WORLD');
    } finally {
      s.close();
    }
    assert.equal(seen[0]!.ctx.requestBodyMode, 'FullDuplexStreamed');
  });

  it('FullDuplexStreamed on the response path', async () => {
    const s = open({
      events: ['ResponseHeaders', 'ResponseBody', 'ResponseTrailers'],
      responseBodySendMode: 'FullDuplexStreamed',
    });
    try {
      await s.responseHeaders(responseHeaders(), false);
      const out = [
        ...(await s.responseBody(Buffer.from('foo'), false)).chunks,
        ...(await s.responseBody(Buffer.from('boo'), true)).chunks,
      ];
      assert.equal(text(out), 'f00b00');
    } finally {
      s.close();
    }
  });

  it('header mutations: set, append, add-if-absent, overwrite-if-exists, remove, value fallback', async () => {
    const s = open({});
    try {
      const h = requestHeaders('/', [
        ['x-test', 'mutations'],
        ['x-existing', 'old'],
        ['x-multi', 'first'],
        ['x-remove-me', '1'],
      ]);
      await s.requestHeaders(h, true);
      assert.equal(h.get('x-set'), 'one');
      assert.deepEqual(h.getAll('x-existing'), ['replaced']);
      assert.deepEqual(h.getAll('x-multi'), ['first', 'second']);
      assert.equal(h.get('x-absent'), 'added');
      assert.equal(h.has('x-remove-me'), false);
    } finally {
      s.close();
    }
    const s2 = open({});
    try {
      const h = requestHeaders('/', [
        ['x-test', 'overwrite-if-exists'],
        ['x-existing', 'old'],
      ]);
      await s2.requestHeaders(h, true);
      assert.equal(h.get('x-existing'), 'over');
      assert.equal(h.has('x-not-there'), false);
      assert.equal(h.get('x-value-only'), 'from-value');
    } finally {
      s2.close();
    }
  });

  it('ignores unsafe mutations (x-envoy-*, hop-by-hop, removing or appending pseudo-headers) but applies routing ones', async () => {
    const s = open({});
    try {
      const h = requestHeaders('/orig', [['x-test', 'unsafe']]);
      await s.requestHeaders(h, true);
      assert.equal(h.has('x-envoy-original'), false);
      assert.equal(h.has('connection'), false);
      assert.deepEqual(h.getAll(':path'), ['/orig']);
      assert.equal(h.get(':method'), 'GET');
      assert.equal(h.get(':scheme'), 'https');
    } finally {
      s.close();
    }
  });

  for (const mode of ['invalid-name', 'both-values']) {
    it(`fails the answer as out of protocol: ${mode}`, async () => {
      const s = open({});
      try {
        await assert.rejects(s.requestHeaders(requestHeaders('/', [['x-test', mode]]), true), {
          name: 'ExtensionError',
          failure: 'protocol',
        });
      } finally {
        s.close();
      }
    });
  }

  it('immediate_response becomes a local response and ends the stream', async () => {
    const s = open({ events: ['RequestHeaders', 'RequestBody', 'ResponseHeaders'] });
    try {
      const r = await s.requestHeaders(requestHeaders('/', [['x-test', 'immediate']]), false);
      assert.equal(r.effect, 'IMMEDIATE_RESPONSE');
      assert.equal(r.immediate?.status, 403);
      assert.deepEqual(r.immediate?.headers, [['x-denied', 'yes']]);
      assert.equal(Buffer.from(r.immediate!.body).toString(), 'denied');
      assert.equal(r.immediate?.details, 'policy_says_no');
      const later = await s.requestBody(Buffer.from('x'), true);
      assert.equal(later.effect, 'NONE');
    } finally {
      s.close();
    }
  });

  for (const [mode, endpoint] of [
    ['forward-flat', '10.0.0.7:8443'],
    ['forward-nested', '10.0.0.8:80'],
  ] as const) {
    it(`dynamic forwarding metadata selects the endpoint (${mode})`, async () => {
      const s = open({});
      try {
        const r = await s.requestHeaders(requestHeaders('/', [['x-test', mode]]), true);
        assert.equal(r.selectedEndpoint, endpoint);
      } finally {
        s.close();
      }
    });
  }

  it('CONTINUE_AND_REPLACE: the body mutation becomes the whole body, no more body events are sent', async () => {
    seen.length = 0;
    const s = open({ events: ['RequestHeaders', 'RequestBody'] });
    try {
      const h = requestHeaders('/', [
        ['x-test', 'replace'],
        ['content-length', '8'],
      ]);
      await s.requestHeaders(h, false);
      assert.equal(h.get(':method'), 'POST');
      assert.equal(h.has('content-length'), false);
      assert.equal(text((await s.requestBody(Buffer.from('orig-1'), false)).chunks), 'whole new body');
      assert.equal(text((await s.requestBody(Buffer.from('orig-2'), true)).chunks), '');
    } finally {
      s.close();
    }
    assert.deepEqual(
      seen.map((e) => e.kind),
      ['request_headers'],
    );
  });

  it('forwardHeaders: only the listed headers (and pseudo-headers) reach the callout', async () => {
    seen.length = 0;
    const s = open({ forwardHeaders: ['x-keep'] });
    try {
      await s.requestHeaders(
        requestHeaders('/', [
          ['x-keep', '1'],
          ['x-secret', '2'],
        ]),
        true,
      );
    } finally {
      s.close();
    }
    assert.deepEqual(seen[0]!.headers!.map(([k]) => k).sort(), [
      ':authority',
      ':method',
      ':path',
      ':scheme',
      'x-keep',
    ]);
  });

  it('observabilityMode: messages are sent, nothing waits, answers are ignored', async () => {
    seen.length = 0;
    const s = open({ observabilityMode: true, events: ['RequestHeaders', 'RequestBody'] });
    const h = requestHeaders('/', [['x-test', 'immediate']]);
    const r = await s.requestHeaders(h, false);
    assert.equal(r.effect, 'NONE');
    assert.equal(text((await s.requestBody(Buffer.from('body'), true)).chunks), 'body');
    s.close();
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((res) => setTimeout(res, 10));
    assert.deepEqual(
      seen.map((e) => [e.kind, e.ctx.observabilityMode]),
      [
        ['request_headers', true],
        ['request_body', true],
      ],
    );
  });

  it('TLS with verification (BackendTLSPolicy): accepts the right CA and hostname, refuses a wrong hostname', async () => {
    const ca = testCertificate().certPem;
    const ok = open({ verify: true, caPem: ca, hostname: 'callout.test' });
    try {
      const h = requestHeaders();
      await ok.requestHeaders(h, true);
      assert.equal(h.get('x-seen-by'), 'callout');
    } finally {
      ok.close();
    }
    const bad = open({ verify: true, caPem: ca, hostname: 'other.example' });
    try {
      await assert.rejects(bad.requestHeaders(requestHeaders(), true), {
        name: 'ExtensionError',
        failure: 'unreachable',
      });
    } finally {
      bad.close();
    }
  });
});
