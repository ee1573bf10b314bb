// The assembled observability (recorder → metrics + access log) and the CLI flags that configure it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { createObservability } from '../../src/admin/observability.js';
import { addObservabilityFlags, observabilityFromFlags } from '../../src/admin/cli-flags.js';

test('createObservability: one finished trace feeds the metrics and one access-log line', async () => {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const obs = createObservability({ traceBuffer: 5, accessLog: out, processMetrics: false });
  const trace = obs.recorder.begin({
    requestId: 'x1',
    method: 'GET',
    authority: 'a',
    path: '/',
    scheme: 'http',
  });
  trace.route('default/store/0/0', 'PathPrefix /');
  trace.end({ status: 204, bytes: 0 });
  obs.flush();
  assert.equal(JSON.parse(text).request_id, 'x1');
  assert.match(
    await obs.metrics.registry.metrics(),
    /extgate_requests_total\{listener="none",route="default\/store\/0",status="204"\} 1/,
  );
  assert.equal(obs.recorder.list().length, 1);
  const off = createObservability({ traceBuffer: 0, accessLog: false, processMetrics: false });
  assert.equal(off.accessLog, undefined);
  assert.equal(
    off.recorder.begin({ requestId: 'y', method: 'GET', authority: 'a', path: '/', scheme: 'http' })
      .capturing,
    false,
  );
});

test('observability flags: defaults, values, and errors that name the flag', () => {
  const parse = (...args: string[]) => {
    const cmd = addObservabilityFlags(new Command('serve').exitOverride());
    cmd.parse(args, { from: 'user' });
    return observabilityFromFlags(cmd.opts());
  };
  assert.deepEqual(parse(), {
    traceBuffer: 500,
    maxBodyBytes: 4096,
    accessLog: true,
    recordWhen: 'asked',
    traceSample: 0,
  });
  assert.deepEqual(
    parse(
      '--trace-buffer',
      '0',
      '--no-access-log',
      '--redact-header',
      'X-Api-Key',
      '--redact-header',
      'cookie',
    ),
    {
      traceBuffer: 0,
      maxBodyBytes: 4096,
      accessLog: false,
      recordWhen: 'asked',
      traceSample: 0,
      redactHeaders: ['X-Api-Key', 'cookie'],
    },
  );
  assert.equal(parse('--trace-sample', '0.01').traceSample, 0.01);
  assert.throws(() => parse('--trace-sample', '2'), /--trace-sample "2": expected a number 0-1/);
  assert.throws(() => parse('--trace-buffer', '-3'), /--trace-buffer "-3": expected an integer/);
  assert.throws(() => parse('--trace-max-body', 'lots'), /--trace-max-body "lots"/);
  assert.throws(
    () => parse('--redact-header', 'bad name'),
    /--redact-header "bad name": not an HTTP header name/,
  );
});
