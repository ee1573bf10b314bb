// `extgate wasm test` behaves as Google's tester (plugins/test in GoogleCloudPlatform/service-extensions), one
// test per rule, against our own C fixture test/wasm/fixtures/tester-probe.c, which reports what the tester
// hands it (end_of_stream, clock, properties, body chunks) and on request pauses, burns CPU or grows memory.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlugins, fixturePath, repoRoot } from './helpers.js';

before(() => buildPlugins());

const PROBE = () => fixturePath('tester-probe.c');

/** Runs a textproto suite (written to a fresh directory) against the probe; extra files beside it. */
function run(
  suite: string,
  args: string[] = [],
  files: Record<string, string | Buffer> = {},
): { status: number | null; out: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-google-tester-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'tests.textpb'), suite);
  const r = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'bin', 'extgate'),
      'wasm',
      'test',
      '--plugin',
      PROBE(),
      '--proto',
      join(dir, 'tests.textpb'),
      ...args,
    ],
    { encoding: 'utf8', cwd: repoRoot },
  );
  return { status: r.status, out: r.stdout + r.stderr, dir };
}

const passes = (r: { status: number | null; out: string }) => {
  assert.equal(r.status, 0, r.out);
  assert.doesNotMatch(r.out, /FAILED/);
};

test('a full-URL request line sets :scheme, :authority and :path and drops Host', () => {
  passes(
    run(`test {
  name: "FullUrl"
  request_headers {
    input { content: "GET https://example.com:8080/my/path?foo=bar HTTP/1.1\\r\\nHost: other.example\\r\\nX-A: 1\\r\\n" }
    result {
      has_header { key: ":scheme" value: "https" }
      has_header { key: ":authority" value: "example.com:8080" }
      has_header { key: ":path" value: "/my/path?foo=bar" }
      has_header { key: ":method" value: "GET" }
      has_header { key: "x-a" value: "1" }
      no_header { key: "host" }
    }
  }
}
test {
  name: "OriginForm"
  request_headers {
    input { content: "GET /p HTTP/1.1\\nHost: h.example\\n" }
    result { has_header { key: ":authority" value: "h.example" } no_header { key: "host" } no_header { key: ":scheme" } }
  }
}`),
  );
});

test("GKE's limits are off by default with one warning line per limit exceeded; --gke-limits enforces them", () => {
  const suite = `env { config_path: "big.cfg" }
test {
  name: "Heavy"
  request_headers { input { header { key: "x-spin" value: "1" } header { key: "x-grow" value: "1" } } }
}`;
  const files = { 'big.cfg': Buffer.alloc(6 * 1024 * 1024, 'x') };
  const off = run(suite, [], files);
  passes(off);
  const warnings = off.out.split('\n').filter((l) => l.startsWith('WARNING: '));
  assert.equal(warnings.length, 3, off.out);
  assert.match(off.out, /WARNING: module \+ configuration is 6\.\d+ MiB, over the 5 MiB limit/);
  assert.match(off.out, /WARNING: test Heavy used [\d.]+ ms of CPU in one request, over the 1 ms limit/);
  assert.match(off.out, /WARNING: test Heavy grew the VM's memory to [\d.]+ MiB, over the 16 MiB limit/);

  const tooBig = run(suite, ['--gke-limits'], files);
  assert.equal(tooBig.status, 1, tooBig.out);
  assert.match(tooBig.out, /\[plugin_init\] .*5 MiB limit/);
  const cpu = run(`test { name: "Spin" request_headers { input { header { key: "x-spin" value: "1" } } } }`, [
    '--gke-limits',
  ]);
  assert.equal(cpu.status, 1, cpu.out);
  assert.match(cpu.out, /\[request_headers\] Wasm VM failed! .*exceeded its CPU budget of 1 ms/);
  const mem = run(`test { name: "Grow" request_headers { input { header { key: "x-grow" value: "1" } } } }`, [
    '--gke-limits',
  ]);
  assert.equal(mem.status, 1, mem.out);
  assert.match(mem.out, /\[request_headers\] Wasm VM failed! .*16 MiB per-VM limit/);
});

test('regex matchers are RE2 full matches: (?s), [[:xdigit:]], . and newlines; a bad regex fails the check', () => {
  const body = 'line one\\nline two';
  passes(
    run(`test {
  name: "Re2"
  request_headers {
    input { header { key: "x-hex" value: "00fF" } }
    result {
      headers { regex: "x-hex: [[:xdigit:]]+" }
      headers { regex: "x-hex: [[:xdigit:]]" invert: true }
    }
  }
  response_body {
    input { content: "${body}" }
    result { body { regex: "(?s)line.*two" } body { regex: "line.*two" invert: true } }
  }
}`),
  );
  const bad = run(`test {
  name: "BadRegex"
  request_headers { input { header { key: "a" value: "b" } } result { headers { regex: "a(?=b)" } } }
}`);
  assert.equal(bad.status, 1, bad.out);
  assert.match(
    bad.out,
    /\[request_headers\] Bad regex: a\(\?=b\): RE2 rejects it at position 2: invalid perl operator: \(\?=/,
  );
});

test('num_chunks rounds the chunk size down and puts the remainder in the last chunk', () => {
  const chunks = (sizes: number[]) =>
    sizes.map((n, i) => `log { exact: "request chunk ${n} eos ${i === sizes.length - 1}" }`).join(' ');
  passes(
    run(`test {
  name: "Four"
  num_chunks: 4
  request_body { input { content: "0123456789" } result { ${chunks([2, 2, 2, 4])} } }
}
test {
  name: "Six"
  num_chunks: 6
  request_body { input { content: "0123456789" } result { ${chunks([1, 1, 1, 1, 1, 5])} } }
}
test {
  name: "ChunkSize"
  chunk_size: 4
  request_body { input { content: "0123456789" } result { ${chunks([4, 4, 2])} } }
}`),
  );
  const extra = run(`test {
  name: "NotFive"
  num_chunks: 6
  request_body { input { content: "0123456789" } result { log { exact: "request chunk 2 eos false" } } }
}`);
  assert.equal(extra.status, 1, extra.out);
});

test('without time_secs the clock is frozen at the Unix epoch + 1 ms; with it, at that second', () => {
  passes(
    run(`test {
  name: "Epoch"
  request_headers { input { header { key: "a" value: "b" } } result { has_header { key: "x-now-ns" value: "1000000" } } }
}`),
  );
  passes(
    run(`env { time_secs: 1700000000 }
test {
  name: "Fixed"
  request_headers { input { header { key: "a" value: "b" } } result { has_header { key: "x-now-ns" value: "1700000000000000000" } } }
}`),
  );
});

test('has_header without a value requires an empty value', () => {
  const r = run(`test {
  name: "NoValue"
  request_headers { input { header { key: "x-a" value: "set" } header { key: "x-empty" value: "" } } result { has_header { key: "x-a" } } }
}
test {
  name: "Empty"
  request_headers { input { header { key: "x-empty" value: "" } } result { has_header { key: "x-empty" } } }
}`);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /\[request_headers\] Header 'x-a' value is 'set', expected ''/);
  assert.match(r.out, /\[       OK \] Empty/);
});

test('header phases get end_of_stream=false; a phase that pauses without a reply fails', () => {
  passes(
    run(`test {
  name: "Eos"
  request_headers { input { header { key: "a" value: "b" } } result { has_header { key: "x-eos" value: "false" } } }
  response_headers { input { header { key: ":status" value: "200" } } result { has_header { key: "x-eos" value: "false" } } }
}`),
  );
  const paused = run(`test {
  name: "Paused"
  request_headers { input { header { key: "x-pause" value: "1" } } }
}`);
  assert.equal(paused.status, 1, paused.out);
  assert.match(
    paused.out,
    /\[request_headers\] Expected no immediate reply \(continue status\), the plugin paused \(returned 1\) without replying/,
  );
});

test('properties not listed in the test answer NotFound', () => {
  passes(
    run(`test {
  name: "Props"
  properties { path: "listed.prop" value: "here" }
  request_headers {
    input { header { key: "a" value: "b" } }
    result { has_header { key: "x-listed-prop" value: "here" } has_header { key: "x-source-address" value: "NotFound" } }
  }
}`),
  );
});

test('log_path receives the plugin logs between test markers (--logfile overrides it); test_path is accepted', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'extgate-google-tester-logs-'));
  const envLog = join(logDir, 'env.log');
  const suite = `env { log_path: "${envLog}" test_path: "ignored.textpb" }
test { name: "Logged" request_body { input { content: "abc" } } }`;
  const expected =
    '--- Starting test: Logged ---\nconfigured\nrequest chunk 3 eos true\n--- Finished test: Logged ---\n';
  passes(run(suite));
  assert.equal(readFileSync(envLog, 'utf8'), expected);
  const flagLog = join(logDir, 'flag.log');
  passes(run(suite, ['--logfile', flagLog]));
  assert.equal(readFileSync(flagLog, 'utf8'), expected);
  assert.equal(readFileSync(envLog, 'utf8'), expected, 'the flag wins over env.log_path');
});

test("num_additional_streams keeps background streams open during benchmarks; Google Benchmark's output", () => {
  const suite = (n: number) => `env { num_additional_streams: ${n} additional_stream_advance_rate: 2 }
test { name: "Bench" benchmark: true request_headers { input { header { key: "a" value: "b" } } } }`;
  const memory = (out: string) => {
    const row = /^Bench_v8\.Bench +\d+ ns +\d+ ns +\d+ .*WasmMemoryB=([\d.]+)(ki|Mi)/m.exec(out);
    assert.ok(row, out);
    return Number(row[1]) * (row[2] === 'Mi' ? 1024 : 1);
  };
  const none = run(suite(0));
  passes(none);
  assert.match(none.out, /^Benchmark +Time +CPU +Iterations$/m);
  assert.match(
    none.out,
    /^Bench_v8\.PluginLifecycle +\d+ ns +\d+ ns +\d+ LogEntries=\d+ LogsSizeB=\S+ WasmMemoryB=\S+ WasmSizeB=\S+$/m,
  );
  assert.match(none.out, /^Bench_v8\.StreamLifecycle +\d+ ns +\d+ ns +\d+ /m);
  const many = run(suite(64));
  passes(many);
  // Each open stream holds 256 KiB in the probe: 64 of them need about 16 MiB more than none.
  assert.ok(
    memory(many.out) >= memory(none.out) + 12 * 1024,
    `${memory(none.out)} KiB vs ${memory(many.out)} KiB`,
  );
});
