// Traces on demand: in the product's mode (`recordWhen: 'asked'`) the recorder keeps nothing and captures no
// content until a dashboard client watches, a capture matches, or a sample fraction hits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceRecorder, type TraceRecord } from '../../src/admin/trace.js';
import type { TraceBegin } from '../../src/dataplane/trace.js';
import { parseCapture } from '../../src/admin/capture-api.js';

const request = (path: string, headers: string[] = []): TraceBegin => ({
  requestId: `r-${path}-${Math.random()}`,
  method: 'GET',
  authority: 'a',
  path,
  scheme: 'http',
  headers: ['Host', 'a', ...headers],
});

function run(recorder: TraceRecorder, info: TraceBegin): void {
  const trace = recorder.begin(info);
  trace.route('default/r/0/0', 'PathPrefix /');
  trace.end({ status: 200, bytes: 2 });
}

test('nobody looking: the recorder is idle, keeps nothing and captures no content; metrics still see requests', () => {
  const recorder = new TraceRecorder({ recordWhen: 'asked' });
  const ended: TraceRecord[] = [];
  const kept: TraceRecord[] = [];
  recorder.onEnd((t) => ended.push(t));
  recorder.onKept((t) => kept.push(t));
  assert.equal(recorder.demand.idle, true);
  const trace = recorder.begin(request('/a'));
  assert.equal(trace.capturing, false);
  assert.equal(trace.capture(['x', 'y']), undefined);
  trace.end({ status: 200, bytes: 0 });
  for (let i = 0; i < 5; i++) run(recorder, request('/a'));
  assert.equal(ended.length, 6, 'onEnd listeners (metrics, access log) see every request');
  assert.deepEqual(kept, []);
  assert.deepEqual(recorder.list(), []);
  // With no onEnd listener at all, an idle recorder hands out the shared no-op trace.
  assert.equal(new TraceRecorder({ recordWhen: 'asked' }).begin(request('/a')).recording, false);
});

test('a watcher makes the recorder keep traces with content; when it leaves the recorder is idle again', () => {
  const recorder = new TraceRecorder({ recordWhen: 'asked' });
  const stop = recorder.demand.watch();
  assert.equal(recorder.demand.idle, false);
  const info = request('/w');
  const trace = recorder.begin(info);
  assert.equal(trace.capturing, true);
  trace.end({ status: 200, bytes: 0 });
  assert.deepEqual(
    recorder.list().map((t) => t.requestId),
    [info.requestId],
  );
  stop();
  stop();
  assert.equal(recorder.demand.idle, true);
  run(recorder, request('/w'));
  assert.equal(recorder.list().length, 1);
});

test('a capture records exactly the next N matching requests (path prefix, header), then ends', () => {
  const recorder = new TraceRecorder({ recordWhen: 'asked' });
  const capture = recorder.demand.startCapture({ count: 5, pathPrefix: '/x', seconds: 60 });
  const wanted: string[] = [];
  for (let i = 0; i < 20; i++) {
    const info = request(i % 3 === 0 ? '/y' : `/x/${i}?q=1`);
    if (info.path.startsWith('/x')) wanted.push(info.requestId);
    run(recorder, info);
  }
  assert.deepEqual(
    recorder.list().map((t) => t.requestId),
    wanted.slice(0, 5),
  );
  assert.ok(recorder.list().every((t) => t.capture === capture.id));
  assert.deepEqual(recorder.demand.list(), []);
  assert.equal(recorder.demand.idle, true);

  recorder.demand.startCapture({ count: 2, header: { name: 'x-debug', value: '1' }, seconds: 60 });
  run(recorder, request('/h', ['X-Debug', '0']));
  const hit = request('/h', ['X-Debug', '1']);
  run(recorder, hit);
  assert.equal(recorder.list().at(-1)?.requestId, hit.requestId);
  assert.equal(recorder.demand.list()[0]?.remaining, 1);
});

test('traces recorded in another process are kept only while their capture still wants them', () => {
  const primary = new TraceRecorder({ recordWhen: 'asked' });
  const worker = new TraceRecorder({ recordWhen: 'asked', capacity: 0, worker: 2 });
  const capture = primary.demand.startCapture({ count: 2, seconds: 60 });
  worker.demand.setState(primary.demand.state());
  worker.onKept((t) => primary.keep(t));
  for (let i = 0; i < 4; i++) run(worker, request('/p'));
  assert.equal(primary.list().length, 2);
  assert.ok(primary.list().every((t) => t.worker === 2 && t.capture === capture.id));
  // Idle primary: a trace arriving late (no capture, nobody watching) is dropped.
  const late = { ...primary.list()[0]! };
  delete late.capture;
  primary.keep(late);
  assert.equal(primary.list().length, 2);
});

test('capture requests: defaults, limits and errors that name the field', () => {
  assert.deepEqual(parseCapture(''), { count: 100, seconds: 60 });
  assert.deepEqual(parseCapture('{"count":5,"path":"/x","header":"X-Debug: 1","seconds":10}'), {
    count: 5,
    seconds: 10,
    pathPrefix: '/x',
    header: { name: 'X-Debug', value: '1' },
  });
  assert.throws(() => parseCapture('{"count":0}'), /"count": expected an integer 1-10000/);
  assert.throws(() => parseCapture('{"path":"x"}'), /"path": expected a path prefix starting with "\/"/);
  assert.throws(() => parseCapture('{"header":"no colon"}'), /"header": expected "name: value"/);
  assert.throws(() => parseCapture('{"sconds":1}'), /unknown field "sconds"/);
  assert.throws(() => parseCapture('[1]'), /must be a JSON object/);
});
