// Access log lines and plugin log export, written through pino to a real stream and parsed back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logDestination } from '../../src/admin/log-destination.js';
import { LOG_LIMITS } from '../../src/admin/limits.js';
import { AccessLog, accessLogRecord, jsonMs, jsonString } from '../../src/admin/access-log.js';
import { PluginLogBook, sampleFraction } from '../../src/admin/plugin-logs.js';
import type { PluginLogSink } from '../../src/extensions/wasm/plugin-log.js';
import { TraceRecorder, type TraceRecord } from '../../src/admin/trace.js';
import type { HttpEvent, WasmLogConfigIR, WasmPluginIR } from '../../src/ir/snapshot.js';
import type { TraceStepInput } from '../../src/dataplane/trace.js';

/** A real stream that keeps what was written; `lines` takes (and clears) it. */
class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

function lines(stream: Collector): Array<Record<string, unknown>> {
  const text = stream.text;
  stream.text = '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function withLogDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'extgate-log-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const CHAIN = 'GCPTrafficExtension/default/my-traffic-extension/chain1';

/** A recorder whose finished traces become access-log lines (`lines`), kept beside the traces (`records`). */
function lineRecorder(): { recorder: TraceRecorder; lines: string[]; records: TraceRecord[] } {
  const recorder = new TraceRecorder({ capacity: 0 });
  const log = new AccessLog({ destination: new Collector() });
  const lines: string[] = [];
  const records: TraceRecord[] = [];
  recorder.onEnd((t) => {
    lines.push(log.line(t));
    records.push(t);
  });
  return { recorder, lines, records };
}

test('one access-log line per request, with a service_extension_info entry per extension', () => {
  const out = new Collector();
  const recorder = new TraceRecorder({ capacity: 0 });
  const log = new AccessLog({ destination: out });
  recorder.onEnd((t) => log.write(t));
  const trace = recorder.begin({
    requestId: 'rid-1',
    method: 'POST',
    authority: 'store.example.com',
    path: '/cart',
    scheme: 'https',
    source: '10.0.0.1:5000',
  });
  trace.listener('default/gw/https');
  trace.chain('routing', null, 'no routing extension');
  trace.route('default/store/1/0', 'header env=canary');
  trace.chain('traffic', CHAIN, 'match[0]');
  const t0 = performance.now();
  trace.step({
    extension: `${CHAIN}/ext1`,
    event: 'RequestHeaders',
    startedAt: t0,
    latencyMs: 1.5,
    effect: 'CONTENT_MODIFIED',
  });
  trace.step({
    extension: `${CHAIN}/ext2`,
    event: 'RequestHeaders',
    startedAt: t0,
    latencyMs: 1000,
    effect: 'FAILED_OPEN',
    error: 'deadline exceeded',
    grpcStatus: 4,
  });
  trace.step({
    extension: `${CHAIN}/plug`,
    event: 'RequestHeaders',
    startedAt: t0,
    latencyMs: 0.1,
    effect: 'NONE',
    plugin: { key: 'default/p', version: 'v2' },
  });
  trace.step({
    extension: `${CHAIN}/ext1`,
    event: 'ResponseHeaders',
    startedAt: t0,
    latencyMs: 2,
    effect: 'NONE',
  });
  trace.upstream({ endpoint: '127.0.0.1:8080', status: 201, latencyMs: 4 });
  trace.end({ status: 201, bytes: 42 });
  log.flush();

  const [line, ...rest] = lines(out);
  assert.ok(line);
  assert.equal(rest.length, 0);
  assert.equal(line.msg, 'request');
  assert.equal(line.log, 'access');
  assert.equal(line.request_id, 'rid-1');
  assert.equal(line.status, 201);
  assert.equal(line.route, 'default/store/1/0');
  assert.equal(line.routing_chain, null);
  assert.equal(line.traffic_chain, CHAIN);
  assert.deepEqual(line.upstream, { endpoint: '127.0.0.1:8080', status: 201, latency_ms: 4 });
  assert.deepEqual(line.service_extension_info, [
    {
      resource: 'GCPTrafficExtension/default/my-traffic-extension',
      chain: 'chain1',
      extension: 'ext1',
      backend_target: 'callout',
      per_processing_request_info: [
        { event_type: 'RequestHeaders', latency_ms: 1.5, effect: 'CONTENT_MODIFIED' },
        { event_type: 'ResponseHeaders', latency_ms: 2, effect: 'NONE' },
      ],
      failed_open: false,
    },
    {
      resource: 'GCPTrafficExtension/default/my-traffic-extension',
      chain: 'chain1',
      extension: 'ext2',
      backend_target: 'callout',
      per_processing_request_info: [
        { event_type: 'RequestHeaders', latency_ms: 1000, effect: 'FAILED_OPEN' },
      ],
      failed_open: true,
      grpc_status: 4,
      error: 'deadline exceeded',
    },
    {
      resource: 'GCPTrafficExtension/default/my-traffic-extension',
      chain: 'chain1',
      extension: 'plug',
      backend_target: 'default/p@v2',
      per_processing_request_info: [{ event_type: 'RequestHeaders', latency_ms: 0.1, effect: 'NONE' }],
      failed_open: false,
    },
  ]);
  assert.equal(typeof line.time, 'string');
});

test('an access-log line is the JSON of accessLogRecord between pino-shaped fields, escaping what clients send', () => {
  const { recorder, lines, records } = lineRecorder();
  const trace = recorder.begin({
    requestId: 'id "quoted" \\ \u0001',
    method: 'GET',
    authority: 'h\u2028st',
    path: '/p?q="x"\n',
    scheme: 'http',
    source: '[::1]:5',
  });
  trace.listener('default/gw/http');
  trace.route(null, 'no route matched');
  trace.upstream({ endpoint: '', status: 0, latencyMs: 1.25, error: 'connect "refused"' });
  trace.end({ status: 503, bytes: 9, error: 'upstream_reset' });
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.endsWith('}\n') && !lines[0]!.slice(0, -1).includes('\n'));
  const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
  const { level, time, log: stream, msg, ...rest } = parsed;
  assert.deepEqual([level, stream, msg], [30, 'access', 'request']);
  assert.ok(!Number.isNaN(Date.parse(String(time))));
  assert.deepEqual(rest, accessLogRecord(records[0]!));
  assert.equal(rest.request_id, 'id "quoted" \\ \u0001');
  assert.equal(rest.route, null);
  assert.deepEqual(rest.upstream, { endpoint: '', status: 0, latency_ms: 1.25, error: 'connect "refused"' });
  assert.equal(rest.error, 'upstream_reset');
});

test('service_extension_info is written as JSON.stringify of accessLogRecord writes it, byte for byte', () => {
  const { recorder, lines, records } = lineRecorder();
  const trace = recorder.begin({ requestId: 'r', method: 'POST', authority: 'a', path: '/', scheme: 'http' });
  const routing = 'GCPRoutingExtension/default/route-ext/chain "r"';
  const traffic = 'GCPTrafficExtension/default/traffic-ext/chain1';
  trace.chain('routing', routing, 'matched');
  trace.chain('traffic', traffic, 'matched');
  const step = (extension: string, event: HttpEvent, more: Partial<TraceStepInput> = {}) =>
    trace.step({ extension, event, startedAt: 0, latencyMs: 0.125, effect: 'NONE', ...more });
  // Interleaved as the data plane records them: request path in order, response path reversed.
  step(`${routing}/callout\\1`, 'RequestHeaders', { effect: 'CONTENT_MODIFIED', latencyMs: 1 / 3 });
  step(`${traffic}/plugin`, 'RequestHeaders', { plugin: { key: 'default/p"q', version: 'v1' } });
  step(`${traffic}/callout2`, 'RequestHeaders', {
    effect: 'FAILED_OPEN',
    grpcStatus: 14,
    error: 'unreachable: "connect" refused\n',
  });
  step(`${traffic}/plugin`, 'ResponseHeaders', {
    plugin: { key: 'default/p"q', version: 'v1' },
    latencyMs: NaN,
  });
  step(`${traffic}/callout2`, 'ResponseBody', { effect: 'IMMEDIATE_RESPONSE', latencyMs: 12 });
  trace.end({ status: 200, bytes: 0 });
  const text = lines[0]!;
  const start = text.indexOf('"service_extension_info":') + '"service_extension_info":'.length;
  const expected = JSON.stringify(accessLogRecord(records[0]!).service_extension_info);
  assert.equal(text.slice(start, start + expected.length), expected);
  assert.equal(accessLogRecord(records[0]!).service_extension_info!.length, 3);
});

function plugin(log: WasmLogConfigIR): Record<string, WasmPluginIR> {
  return {
    'default/p': {
      key: 'default/p',
      serving: { name: 'v1', image: 'i', moduleDigest: 'sha256:0', modulePath: '/x' },
      log,
    },
  };
}

test('plugin logs are exported per logConfig: enabled, minLogLevel, and sampleRate per request', () => {
  const out = new Collector();
  const book = new PluginLogBook({ destination: out, linesPerVersion: 1000 });

  book.configure(plugin({ enabled: false, sampleRate: 1, minLogLevel: 'INFO' }));
  book.log({ plugin: 'default/p', version: 'v1', level: 'ERROR', message: 'off', requestId: 'a' });
  book.flush();
  assert.deepEqual(lines(out), [], 'logging disabled exports nothing');
  assert.equal(book.read('default/p', 'v1')[0]?.exported, false, 'but the dashboard still has it');

  book.configure(plugin({ enabled: true, sampleRate: 1, minLogLevel: 'WARN' }));
  book.log({ plugin: 'default/p', version: 'v1', level: 'INFO', message: 'too low', requestId: 'a' });
  book.log({
    plugin: 'default/p',
    version: 'v1',
    level: 'WARN',
    message: 'kept',
    requestId: 'a',
    callback: 'on_http_request_headers',
  });
  book.log({ plugin: 'default/p', version: 'v1', level: 'CRITICAL', message: 'kept too' });
  book.flush();
  const exported = lines(out);
  assert.deepEqual(
    exported.map((l) => [l.msg, l.level, l.callback, l.request_id, l.plugin, l.version]),
    [
      ['kept', 40, 'on_http_request_headers', 'a', 'default/p', 'v1'],
      ['kept too', 60, undefined, undefined, 'default/p', 'v1'],
    ],
  );

  // sampleRate 0.25: about a quarter of requests, and all lines of a sampled request.
  book.configure(plugin({ enabled: true, sampleRate: 0.25, minLogLevel: 'TRACE' }));
  let sampled = 0;
  for (let i = 0; i < 2000; i++) {
    const requestId = `req-${i}`;
    book.log({ plugin: 'default/p', version: 'v1', level: 'INFO', message: 'one', requestId });
    book.log({ plugin: 'default/p', version: 'v1', level: 'INFO', message: 'two', requestId });
    if (sampleFraction(requestId) < 0.25) sampled++;
  }
  book.flush();
  const got = lines(out);
  assert.equal(got.length, sampled * 2);
  assert.ok(sampled > 400 && sampled < 600, `about 25% of 2000 sampled, got ${sampled}`);
  const perRequest = new Map<unknown, number>();
  for (const l of got) perRequest.set(l.request_id, (perRequest.get(l.request_id) ?? 0) + 1);
  assert.ok(
    [...perRequest.values()].every((n) => n === 2),
    'a sampled request keeps all its lines',
  );
});

test('the dashboard keeps a bounded number of plugin log lines per version', () => {
  const book = new PluginLogBook({ destination: new Collector(), linesPerVersion: 5 });
  for (let i = 0; i < 12; i++)
    book.log({ plugin: 'default/p', version: i % 2 ? 'v2' : 'v1', level: 'INFO', message: `m${i}` });
  assert.deepEqual(
    book.read('default/p', 'v1').map((l) => l.message),
    ['m2', 'm4', 'm6', 'm8', 'm10'],
  );
  assert.equal(book.read('default/p').length, 10);
  assert.deepEqual(
    book
      .versions()
      .map((v) => [v.version, v.lines])
      .sort(),
    [
      ['v1', 5],
      ['v2', 5],
    ],
  );
  book.log({ plugin: 'default/p', version: 'v1', level: 'INFO', message: 'x'.repeat(10_000) });
  const last = book.read('default/p', 'v1').at(-1)!;
  assert.equal(last.truncated, true);
  assert.equal(last.message.length, 2048);
});

test("as the Wasm runtime's log sink, entries it already filtered are kept and exported as they come", () => {
  const out = new Collector();
  const book = new PluginLogBook({ destination: out });
  const sink: PluginLogSink = book.sink;
  sink({
    time: '2026-01-01T00:00:00.000Z',
    plugin: 'default/p',
    version: 'v2',
    callback: 'on_http_request_headers',
    requestId: 'r9',
    level: 'WARN',
    message: 'slow',
  });
  book.flush();
  const [line] = lines(out);
  assert.ok(line);
  assert.deepEqual(
    [line.msg, line.level, line.plugin, line.version, line.callback, line.request_id],
    ['slow', 40, 'default/p', 'v2', 'on_http_request_headers', 'r9'],
  );
  const kept = book.read('default/p', 'v2');
  assert.equal(kept.length, 1);
  assert.equal(kept[0]?.time, Date.parse('2026-01-01T00:00:00.000Z'));
  assert.equal(kept[0]?.exported, true);
});

test('the default log writer batches lines yet a lone line reaches the file within the flush interval', async () => {
  await withLogDir(async (dir) => {
    const file = join(dir, 'access.log');
    const destination = logDestination(file);
    const log = new AccessLog({ destination });
    const recorder = new TraceRecorder({ capacity: 0 });
    recorder.onEnd((t) => log.write(t));
    recorder
      .begin({ requestId: 'lone', method: 'GET', authority: 'a', path: '/', scheme: 'http' })
      .end({ status: 200, bytes: 0 });
    await new Promise((resolve) => setTimeout(resolve, LOG_LIMITS.flushIntervalMs + 500));
    const text = await readFile(file, 'utf8');
    assert.equal(JSON.parse(text.trim()).request_id, 'lone');
    destination.end();
  });
});

test('the log writer measures each line once, not the whole pending batch again per line', async () => {
  // The batch grows to LOG_LIMITS.minBufferedBytes before the first write. A writer that re-measured the
  // pending batch per line (sonic-boom's string mode: Buffer.byteLength of it all) did work proportional to
  // the batch per request: ~64 MB measured for these 2,000 lines instead of ~0.6 MB.
  const dir = await mkdtemp(join(tmpdir(), 'extgate-log-'));
  const byteLength = Buffer.byteLength;
  let measured = 0;
  try {
    const file = join(dir, 'access.log');
    const destination = logDestination(file);
    const line = `${JSON.stringify({ msg: 'request', path: '/'.padEnd(280, 'x') })}\n`;
    Buffer.byteLength = ((s: Parameters<typeof byteLength>[0], e?: BufferEncoding) => {
      const n = byteLength(s, e);
      measured += n;
      return n;
    }) as typeof byteLength;
    const lines = 2_000;
    for (let i = 0; i < lines; i++) destination.write(line);
    Buffer.byteLength = byteLength;
    assert.ok(
      measured <= 2 * lines * line.length,
      `measured ${measured} bytes for ${lines * line.length} bytes of lines`,
    );
    destination.end();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await readFile(file, 'utf8')).split('\n').length - 1, lines);
  } finally {
    Buffer.byteLength = byteLength;
    await rm(dir, { recursive: true, force: true });
  }
});

test('requests that end in one turn of the event loop reach the destination as one write, in order', async () => {
  const writes: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  const recorder = new TraceRecorder({ capacity: 0 });
  const log = new AccessLog({ destination: out });
  recorder.onEnd((t) => log.write(t));
  const end = (requestId: string): void =>
    recorder
      .begin({ requestId, method: 'GET', authority: 'a', path: '/', scheme: 'http' })
      .end({ status: 200, bytes: 0 });
  for (const id of ['r1', 'r2', 'r3']) end(id);
  await new Promise((resolve) => setImmediate(resolve));
  end('r4');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 2);
  const ids = writes.map((w) =>
    w
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { request_id: string }).request_id),
  );
  assert.deepEqual(ids, [['r1', 'r2', 'r3'], ['r4']]);
});

test('durations are written as JSON.stringify writes them, from their microseconds when on that grid', () => {
  const values = [
    0, 0.001, 0.01, 0.1, 0.125, 0.5, 1, 1.5, 2.25, 12, 999.999, 1000, 86_400_000, 999_999_999.999,
  ];
  for (let us = 0; us < 5000; us += 7) values.push(Math.round(us * 1.37) / 1000);
  for (let i = 0; i < 2000; i++) values.push(Math.round(Math.random() * 1e9) / 1000);
  // Off the microsecond grid, negative, huge or not finite: the general path.
  values.push(1 / 3, 0.0001, 1e-9, -1, -0.5, 1e9, 1e21, 1e300, NaN, Infinity, -Infinity);
  for (const v of values) assert.equal(jsonMs(v), JSON.stringify(v), `jsonMs(${v})`);
});

test("an extension's service_extension_info names the plugin version each request ran", () => {
  const recorder = new TraceRecorder({ capacity: 0 });
  const log = new AccessLog({ destination: new Collector() });
  const targets: unknown[] = [];
  recorder.onEnd((t) => {
    const line = JSON.parse(log.line(t)) as { service_extension_info: Array<{ backend_target: string }> };
    targets.push(line.service_extension_info.map((i) => i.backend_target));
  });
  const v1 = { key: 'default/p', version: 'v1' };
  const v2 = { key: 'default/p', version: 'v2' };
  for (const plugin of [v1, v1, v2, v1]) {
    const trace = recorder.begin({
      requestId: 'r',
      method: 'GET',
      authority: 'a',
      path: '/',
      scheme: 'http',
    });
    trace.chain('traffic', 'GCPTrafficExtension/default/t/c', 'matched');
    trace.step({
      extension: 'GCPTrafficExtension/default/t/c/plugin',
      event: 'RequestHeaders',
      startedAt: 0,
      latencyMs: 0.25,
      effect: 'NONE',
      plugin,
    });
    trace.end({ status: 200, bytes: 0 });
  }
  assert.deepEqual(targets, [['default/p@v1'], ['default/p@v1'], ['default/p@v2'], ['default/p@v1']]);
});

test('a file destination writes a full batch in the same turn, without a thread-pool write', async () => {
  // Files (and /dev/null, terminals) are written synchronously, as Node writes process.stdout to them: an
  // asynchronous write wakes a libuv pool thread and then the loop, which under load cost more CPU than the
  // write. Without it the file is still empty when the batch is handed over.
  await withLogDir(async (dir) => {
    const file = join(dir, 'access.log');
    const destination = logDestination(file);
    const line = `${JSON.stringify({ msg: 'request', path: '/'.padEnd(1000, 'x') })}\n`;
    const count = Math.ceil(LOG_LIMITS.minBufferedBytes / line.length) + 1;
    for (let i = 0; i < count; i++) destination.write(line);
    const written = readFileSync(file, 'utf8');
    assert.ok(written.length >= LOG_LIMITS.minBufferedBytes, `${written.length} bytes in the file`);
    assert.ok(written.endsWith('\n'), 'whole lines only');
    destination.end();
  });
});

test('a pipe destination never blocks the loop when nobody reads, and writes whole lines of at most PIPE_BUF', async () => {
  // A container runtime reads the workers' shared stdout through a pipe; a reader that falls behind must not
  // stall the data plane, and no write may be long enough to interleave with another worker's lines.
  const dir = await mkdtemp(join(tmpdir(), 'extgate-log-'));
  const fifo = join(dir, 'stdout.fifo');
  execFileSync('mkfifo', [fifo]);
  // Read end opened first (non-blocking), so the write end opens at once; nothing reads it until the end.
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY);
  try {
    const destination = logDestination(writer);
    const line = `${JSON.stringify({ msg: 'request', path: '/'.padEnd(300, 'x') })}\n`;
    // Far more than a pipe holds (64 KiB on Linux): a blocking writer would hang here.
    const lines = 2_000;
    for (let i = 0; i < lines; i++) destination.write(line);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The loop still turns; now drain the pipe and check what came out.
    let text = '';
    const chunk = Buffer.alloc(65536);
    const deadline = Date.now() + 10_000;
    while (text.split('\n').length - 1 < lines && Date.now() < deadline) {
      let n = 0;
      try {
        n = readSync(reader, chunk);
      } catch {
        // EAGAIN: the writer has not caught up yet.
      }
      if (n > 0) text += chunk.toString('utf8', 0, n);
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(text.split('\n').length - 1, lines);
    assert.ok(
      text
        .split('\n')
        .slice(0, -1)
        .every((l) => l === line.slice(0, -1)),
      'lines arrive whole',
    );
    destination.end();
  } finally {
    closeSync(reader);
    await rm(dir, { recursive: true, force: true });
  }
});

test('strings from the client are written as JSON.stringify writes them', () => {
  const samples = [
    '',
    '/',
    'store.example.com',
    '/a b?c=d&e=%22',
    'quote " inside',
    'back\\slash',
    'tab\there',
    'nul\u0000byte',
    'del\u007f',
    'caf\u00e9 \u4e2d\u6587',
    'emoji \ud83d\ude00',
    'lone high \ud83d end',
    'lone low \ude00 end',
    '\u2028\u2029',
    '/'.padEnd(600, 'x'),
    '/'.padEnd(600, '"'),
  ];
  for (let c = 0; c < 0x10000; c += 0x3f) samples.push(`a${String.fromCharCode(c)}b`);
  for (const s of samples) assert.equal(jsonString(s), JSON.stringify(s), JSON.stringify(s));
});

test('a terminal destination never blocks the loop when the terminal stops reading', async () => {
  // A terminal can stop reading for as long as its user likes (XOFF, a paused pager): lines to it are written
  // asynchronously, so the gateway goes on. A pseudo-terminal whose master nobody reads stands in for it;
  // with a synchronous writer the child below never reaches its timer and the run times out.
  await withLogDir(async (dir) => {
    const child = join(dir, 'writer.mjs');
    const module = new URL('../../src/admin/log-destination.js', import.meta.url).href;
    await writeFile(
      child,
      `import { logDestination } from ${JSON.stringify(module)};
const out = logDestination(1);
const line = JSON.stringify({ msg: 'request', path: '/'.padEnd(300, 'x') }) + '\\n';
for (let i = 0; i < 2000; i++) out.write(line);
setTimeout(() => { process.stderr.write('alive\\n'); out.end(); }, 50);
`,
    );
    // Python's pty module gives the child a terminal as stdout; the master is read only after "alive".
    const driver = `
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen([sys.argv[1], sys.argv[2]], stdout=slave, stderr=subprocess.PIPE)
os.close(slave)
print(p.stderr.readline().decode().strip(), flush=True)
got = 0
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    got += chunk.count(b'\\n')
p.wait()
print(got, flush=True)
`;
    // Debian's python3, as the other tests with Python peers use (scripts/prerequisites.mjs installs it).
    const result = spawnSync('/usr/bin/python3', ['-c', driver, process.execPath, child], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 0, `driver: ${result.stderr} ${String(result.error ?? '')}`);
    const [first, lines] = result.stdout.trim().split('\n');
    assert.equal(first, 'alive');
    assert.equal(Number(lines), 2000, 'every line reached the terminal once it read again');
  });
});
