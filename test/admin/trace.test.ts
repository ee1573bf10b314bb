import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, TraceRecorder, type TraceRecord } from '../../src/admin/trace.js';
import type { RequestTrace } from '../../src/dataplane/trace.js';
import { TRACE_DEFAULTS } from '../../src/admin/limits.js';
import { HeaderList } from '../../src/extensions/header-map.js';

function begin(recorder: TraceRecorder, n = 1): RequestTrace {
  return recorder.begin({
    requestId: `req-${n}`,
    method: 'GET',
    authority: 'store.example.com',
    path: `/p/${n}`,
    scheme: 'http',
  });
}

function finish(trace: RequestTrace): void {
  trace.end({ status: 200, bytes: 2 });
}

test('a recorder with no buffer and no listener hands out one shared no-op trace', () => {
  const recorder = new TraceRecorder({ capacity: 0 });
  assert.equal(recorder.enabled, false);
  const a = begin(recorder, 1);
  const b = begin(recorder, 2);
  assert.equal(a, b, 'the same object: nothing is allocated per request');
  assert.equal(a.recording, false);
  assert.equal(a.capture(new HeaderList([['a', 'b']])), undefined);
  a.step({ extension: 'c/e', event: 'RequestHeaders', startedAt: 0, latencyMs: 1, effect: 'NONE' });
  finish(a);
  assert.deepEqual(recorder.list(), []);
});

test('with only a listener (metrics, access log) traces are recorded but content is not captured', () => {
  const recorder = new TraceRecorder({ capacity: 0 });
  const seen: TraceRecord[] = [];
  recorder.onEnd((t) => seen.push(t));
  const trace = begin(recorder);
  assert.equal(trace.recording, true);
  assert.equal(trace.capturing, false);
  assert.equal(trace.capture(new HeaderList([['a', 'b']])), undefined);
  trace.step({
    extension: 'GCPTrafficExtension/default/x/chain1/ext1',
    event: 'RequestHeaders',
    startedAt: performance.now(),
    latencyMs: 1.23456,
    effect: 'NONE',
  });
  finish(trace);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.steps[0]?.chain, 'GCPTrafficExtension/default/x/chain1');
  assert.equal(seen[0]?.steps[0]?.latencyMs, 1.235);
  assert.equal(recorder.get(seen[0]?.id), undefined, 'no ring buffer');
});

test('credential header values are redacted at capture time, case-insensitively, and the list is configurable', () => {
  const headers = new HeaderList([
    ['Authorization', 'Bearer abc'],
    ['cookie', 'a=1'],
    ['set-cookie', 's=2'],
    ['proxy-authorization', 'Basic xyz'],
    ['x-api-key', 'k'],
    ['accept', '*/*'],
  ]);
  const byDefault = begin(new TraceRecorder()).capture(headers)!;
  assert.deepEqual(byDefault.headers, [
    'authorization',
    REDACTED,
    'cookie',
    REDACTED,
    'set-cookie',
    REDACTED,
    'proxy-authorization',
    REDACTED,
    'x-api-key',
    'k',
    'accept',
    '*/*',
  ]);
  const custom = begin(new TraceRecorder({ redactHeaders: ['X-API-Key'] })).capture(headers)!;
  assert.deepEqual(custom.headers.slice(0, 2), ['authorization', 'Bearer abc']);
  assert.deepEqual(custom.headers.slice(8, 10), ['x-api-key', REDACTED]);
  // Plain arrays with mixed-case names are redacted too.
  const fromArray = begin(new TraceRecorder()).capture([
    ['Cookie', 'c=1'],
    ['Accept', 'x'],
  ])!;
  assert.deepEqual(fromArray.headers, ['Cookie', REDACTED, 'Accept', 'x']);
  // Node's rawHeaders (flat, names as sent) are lowercased and redacted too.
  const raw = begin(new TraceRecorder()).capture(['Host', 'a', 'Set-Cookie', 's=1', 'X-Y', 'z'])!;
  assert.deepEqual(raw.headers, ['host', 'a', 'set-cookie', REDACTED, 'x-y', 'z']);
  // The captured copy does not follow later changes to the live map.
  headers.set('accept', 'text/html');
  assert.deepEqual(byDefault.headers.slice(10), ['accept', '*/*']);
});

test('bodies are kept up to maxBodyBytes, as text when UTF-8 and base64 otherwise', () => {
  const trace = begin(new TraceRecorder({ maxBodyBytes: 8 }));
  const h = new HeaderList();
  assert.deepEqual(trace.capture(h, new TextEncoder().encode('hello'))!.body, {
    text: 'hello',
    size: 5,
    truncated: false,
  });
  assert.deepEqual(trace.capture(h, new TextEncoder().encode('0123456789abcdef'))!.body, {
    text: '01234567',
    size: 16,
    truncated: true,
  });
  // A cut inside a multi-byte character keeps the whole characters before it.
  assert.deepEqual(trace.capture(h, new TextEncoder().encode('ééééé'))!.body, {
    text: 'éééé',
    size: 10,
    truncated: true,
  });
  const binary = new Uint8Array([0, 1, 2, 0xff, 0xfe, 5, 6, 7, 8, 9]);
  assert.deepEqual(trace.capture(h, binary)!.body, {
    base64: Buffer.from(binary.subarray(0, 8)).toString('base64'),
    size: 10,
    truncated: true,
  });
});

test('a body step answered with several chunks is kept as one prefix of their concatenation', () => {
  const trace = begin(new TraceRecorder({ maxBodyBytes: 6 }));
  const enc = (t: string) => new TextEncoder().encode(t);
  assert.deepEqual(trace.capture([], [enc('abc'), enc('def'), enc('ghi')])!.body, {
    text: 'abcdef',
    size: 9,
    truncated: true,
  });
  assert.deepEqual(trace.capture([], [enc('ab'), enc('c')])!.body, {
    text: 'abc',
    size: 3,
    truncated: false,
  });
  assert.deepEqual(trace.capture([], [])!.body, { text: '', size: 0, truncated: false });
});

test('the ring buffer keeps the last N traces and forgets older ones', () => {
  const recorder = new TraceRecorder({ capacity: 3 });
  const ids: number[] = [];
  recorder.onEnd((t) => ids.push(t.id));
  for (let i = 1; i <= 10; i++) finish(begin(recorder, i));
  assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(
    recorder.list().map((t) => t.path),
    ['/p/8', '/p/9', '/p/10'],
  );
  assert.equal(recorder.get(7), undefined);
  assert.equal(recorder.get(9)?.path, '/p/9');
  assert.deepEqual(
    recorder.list(8).map((t) => t.id),
    [9, 10],
  );
  assert.deepEqual(
    recorder.list(0, 1).map((t) => t.id),
    [10],
  );
});

test('a trace records route, chains, steps, upstream and end once; a listener that throws does not break it', () => {
  const recorder = new TraceRecorder({ capacity: 4 });
  recorder.onEnd(() => {
    throw new Error('sink is broken');
  });
  const trace = begin(recorder);
  const headers = new HeaderList([[':path', '/a']]);
  trace.listener('default/gw/http');
  trace.chain('routing', null, 'no chain matched');
  trace.route('default/store/0/0', 'PathPrefix /');
  trace.chain('traffic', 'GCPTrafficExtension/default/t/c', 'match[0]');
  const before = trace.capture(headers);
  headers.set('x-a', '1');
  trace.step({
    extension: 'GCPTrafficExtension/default/t/c/e',
    event: 'RequestHeaders',
    startedAt: performance.now(),
    latencyMs: 0.5,
    effect: 'CONTENT_MODIFIED',
    before,
    after: trace.capture(headers),
  });
  trace.upstream({ endpoint: '127.0.0.1:1', status: 200, latencyMs: 3 });
  trace.end({ status: 200, bytes: 10 });
  trace.end({ status: 500, bytes: 0 });
  trace.step({ extension: 'late/e', event: 'ResponseHeaders', startedAt: 0, latencyMs: 0, effect: 'NONE' });
  const t = recorder.list()[0];
  assert.ok(t);
  assert.equal(t.status, 200);
  assert.equal(t.steps.length, 1);
  assert.deepEqual(
    t.chains.map((c) => c.id),
    [null, 'GCPTrafficExtension/default/t/c'],
  );
  assert.deepEqual(t.steps[0]?.after?.headers, [':path', '/a', 'x-a', '1']);
  assert.deepEqual(t.steps[0]?.before?.headers, [':path', '/a']);
  assert.equal(t.done, true);
  assert.ok(JSON.parse(JSON.stringify(t)), 'plain JSON');
});

test('consecutive snapshots of unchanged headers share one copy; a change makes a new one', () => {
  const trace = begin(new TraceRecorder());
  const headers = new HeaderList([
    ['a', '1'],
    ['authorization', 'x'],
  ]);
  const first = trace.capture(headers)!;
  assert.equal(trace.capture(headers), first);
  headers.set('b', '2');
  const second = trace.capture(headers)!;
  assert.notEqual(second, first);
  assert.deepEqual(second.headers, ['a', '1', 'authorization', REDACTED, 'b', '2']);
  assert.deepEqual(first.headers, ['a', '1', 'authorization', REDACTED]);
  assert.notEqual(trace.capture(headers, new Uint8Array([104])), second, 'a body is always its own snapshot');
});

test('one request cannot fill the buffer: steps past maxSteps are counted, content past maxCapturedBytes is not kept', () => {
  const recorder = new TraceRecorder({ capacity: 2, maxBodyBytes: 4096 });
  const trace = begin(recorder);
  const chunk = new Uint8Array(4096).fill(97);
  for (let i = 0; i < TRACE_DEFAULTS.maxSteps + 10; i++) {
    const before = trace.capture([], chunk);
    trace.step({
      extension: 'c/e',
      event: 'RequestBody',
      startedAt: performance.now(),
      latencyMs: 0,
      effect: 'NONE',
      before,
      after: before,
    });
  }
  finish(trace);
  const t = recorder.list()[0];
  assert.ok(t);
  assert.equal(t.steps.length, TRACE_DEFAULTS.maxSteps);
  assert.equal(t.stepsDropped, 10);
  assert.equal(t.contentTruncated, true);
  const withContent = t.steps.filter((s) => s.before !== undefined).length;
  assert.ok(
    withContent > 0 && withContent <= TRACE_DEFAULTS.maxCapturedBytes / 4096 + 1,
    `${withContent} steps with content`,
  );
  // before and after share one copy here; JSON writes it twice.
  assert.ok(JSON.stringify(t).length < 2 * TRACE_DEFAULTS.maxCapturedBytes + 64 * 1024, 'bounded');
});

test('bad options are refused with the field named', () => {
  assert.throws(() => new TraceRecorder({ capacity: -1 }), /capacity must be a non-negative integer/);
  assert.throws(() => new TraceRecorder({ maxBodyBytes: 1.5 }), /maxBodyBytes/);
});

test('the upstream latency is kept to the microsecond, like every other duration of a trace', () => {
  const recorder = new TraceRecorder({ capacity: 0 });
  let finished: TraceRecord | undefined;
  recorder.onEnd((t) => (finished = t));
  const trace = recorder.begin({ requestId: 'r', method: 'GET', authority: 'a', path: '/', scheme: 'http' });
  trace.upstream({ endpoint: '127.0.0.1:1', status: 200, latencyMs: 0.123456789 });
  trace.end({ status: 200, bytes: 0 });
  assert.equal(finished?.upstream?.latencyMs, 0.123);
  assert.equal(finished?.upstream?.endpoint, '127.0.0.1:1');
});
