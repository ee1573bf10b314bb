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
