// A capture started while a dashboard watches (the dashboard's own Capture tab: the page is open, so its live
// log already asks for every trace): the capture still counts exactly its requests and tags their traces,
// which is how the dashboard lists what the capture caught (GET /api/requests?capture=<id>).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceRecorder } from '../../src/admin/trace.js';
import type { TraceBegin } from '../../src/dataplane/trace.js';

const request = (path: string): TraceBegin => ({
  requestId: `r-${path}`,
  method: 'GET',
  authority: 'a',
  path,
  scheme: 'http',
  headers: ['Host', 'a'],
});

test('with a watcher, a capture of the next 3 requests to /x tags exactly those and then ends', () => {
  const recorder = new TraceRecorder({ recordWhen: 'asked' });
  const unwatch = recorder.demand.watch();
  const capture = recorder.demand.startCapture({ count: 3, pathPrefix: '/x', seconds: 60 });
  for (let i = 0; i < 6; i++)
    for (const path of [`/y/${i}`, `/x/${i}`]) recorder.begin(request(path)).end({ status: 200, bytes: 0 });
  const traces = recorder.list();
  assert.equal(traces.length, 12, 'the watcher still gets every request');
  assert.deepEqual(
    traces.filter((t) => t.capture === capture.id).map((t) => t.path),
    ['/x/0', '/x/1', '/x/2'],
  );
  assert.deepEqual(recorder.demand.list(), [], 'the capture ended at its count');
  unwatch();
  assert.equal(recorder.demand.idle, true);
});

test('traces from workers past the capture count are still kept for a watching dashboard, without the capture id', () => {
  // The dashboard's process: a capture of 2 and a watcher. Two workers each counted the capture locally,
  // so three tagged traces arrive for a count of 2.
  const primary = new TraceRecorder({ recordWhen: 'asked' });
  const unwatch = primary.demand.watch();
  const capture = primary.demand.startCapture({ count: 2, pathPrefix: '/x', seconds: 60 });
  const worker = new TraceRecorder({ recordWhen: 'asked' });
  worker.demand.setState(primary.demand.state());
  worker.onKept((t) => primary.keep(t));
  for (const path of ['/x/a', '/x/b']) worker.begin(request(path)).end({ status: 200, bytes: 0 });
  const other = new TraceRecorder({ recordWhen: 'asked' });
  other.demand.setState({ watchers: 1, sample: 0, captures: [{ ...capture, remaining: 2 }] });
  other.onKept((t) => primary.keep(t));
  other.begin(request('/x/c')).end({ status: 200, bytes: 0 });
  assert.deepEqual(
    primary.list().map((t) => [t.path, t.capture]),
    [
      ['/x/a', capture.id],
      ['/x/b', capture.id],
      ['/x/c', undefined],
    ],
  );
  unwatch();
  // Nobody watching: one past the count is dropped.
  primary.demand.startCapture({ count: 1, seconds: 60 });
  const late = { ...primary.list()[0]!, capture: 99 };
  primary.keep(late);
  assert.equal(primary.list().length, 3);
});
