// `extgate wasm test`: every example passes its tests file; failures, bad files and typos are reported
// clearly; the text-format parser handles the syntax Google's samples use.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTextProto, Ident } from '../../src/extensions/wasm/tester/textproto.js';
import { parseSuite } from '../../src/extensions/wasm/tester/suite.js';
import { buildPlugins, examplePath, fixturePath, repoRoot } from './helpers.js';

before(() => buildPlugins());

function extgate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(repoRoot, 'bin', 'extgate'), ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
}

const EXAMPLES: Array<[string, string[]]> = [
  ['local-reply', ['--proto', 'examples/plugins/local-reply/tests.textpb']],
  ['add-header', ['--yaml', 'examples/plugins/add-header/tests.yaml']],
  ['add-header', ['--proto', 'examples/plugins/add-header/tests-configured.textpb']],
  ['redirect', ['--proto', 'examples/plugins/redirect/tests.textpb']],
  ['block-request', ['--proto', 'examples/plugins/block-request/tests.textpb']],
];

for (const [name, args] of EXAMPLES) {
  test(`example ${name} passes ${args[1]}`, () => {
    const bench = name === 'local-reply' ? [] : ['--nobench'];
    const r = extgate('wasm', 'test', '--plugin', examplePath(name), ...args, ...bench);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\d+ test\(s\): (\d+) passed, 0 failed/);
    assert.doesNotMatch(r.stdout, /FAILED/);
    if (bench.length === 0)
      assert.match(r.stdout, /^Bench_v8\.AnswersHelloWorld +\d+ ns +\d+ ns +\d+ LogEntries=0 /m);
  });
}

test('a failed expectation exits 1 and says what differed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-tester-'));
  const file = join(dir, 'tests.textpb');
  writeFileSync(
    file,
    `test {
  name: "WrongBody"
  request_headers {
    input { header { key: ":path" value: "/" } }
    result { immediate { http_status: 201 } body { exact: "Goodbye" } log { regex: "nothing like this" } }
  }
  response_headers { result { has_header { key: "x" } } }
}`,
  );
  const r = extgate('wasm', 'test', '--plugin', examplePath('local-reply'), '--proto', file);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /\[  FAILED  \] WrongBody/);
  assert.match(r.stdout, /\[request_headers\] HTTP status is 200, expected 201/);
  assert.match(
    r.stdout,
    /\[request_headers\] expected presence of exact body: 'Goodbye', actual: \nHello World/,
  );
  assert.match(r.stdout, /\[request_headers\] expected presence of regex log: 'nothing like this'/);
  // After an immediate reply later phases see nothing (Google: "later expectations will fail").
  assert.match(r.stdout, /\[response_headers\] Missing header 'x'/);
});

test('bad test files get errors naming the line or field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-tester-'));
  const syntax = join(dir, 'syntax.textpb');
  writeFileSync(
    syntax,
    'test {\n  name: "x"\n  request_headers {\n    input { header { key: ":path" value: "/ }\n',
  );
  let r = extgate('wasm', 'test', '--plugin', examplePath('local-reply'), '--proto', syntax);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /syntax\.textpb: line 4: unterminated string/);

  const typo = join(dir, 'typo.textpb');
  writeFileSync(typo, 'test {\n  name: "x"\n  request_headers {\n    reslt { }\n  }\n}\n');
  r = extgate('wasm', 'test', '--plugin', examplePath('local-reply'), '--proto', typo);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /suite\.test\[0\]\.request_headers\.reslt \(line 4\): unknown field 'reslt' \(known: input, result\)/,
  );

  const yaml = join(dir, 'bad.yaml');
  writeFileSync(yaml, 'test:\n  - name: x\n    benchmark: maybe\n');
  r = extgate('wasm', 'test', '--plugin', examplePath('local-reply'), '--yaml', yaml);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /suite\.test\[0\]\.benchmark: expected true or false, got "maybe"/);

  r = extgate('wasm', 'test', '--plugin', join(dir, 'missing.wasm'), '--yaml', yaml);
  assert.equal(r.status, 1);
});

test('text format: escapes, concatenation, lists, comments, angle brackets', () => {
  const m = parseTextProto(`
    # comment
    a: "x\\ty" 'z' "\\x41\\101\\n"   # two adjacent literals concatenate
    b: [1, 2.5, -3]
    c < d: true e: FOO >
    c: { d: false };
  `);
  assert.deepEqual(m.fields.get('a'), ['x\tyzAA\n']);
  assert.deepEqual(m.fields.get('b'), [1, 2.5, -3]);
  const c = m.fields.get('c')!;
  assert.equal(c.length, 2);
  const first = c[0] as ReturnType<typeof parseTextProto>;
  assert.deepEqual(first.fields.get('d'), [true]);
  assert.ok(first.fields.get('e')![0] instanceof Ident);
  assert.equal(m.lines.get('b'), 4);
});

test('Google-style suites: env, content headers, time_secs, invert as a string', () => {
  const suite = parseSuite(
    `env:\n  log_level: DEBUG\n  time_secs: 123456789\ntest:\n- name: T\n  request_headers:\n    input:\n      content: "GET /p HTTP/1.1\\nHost: h\\n"\n    result:\n      headers:\n      - regex: ":scheme:.*"\n        invert: 'true'\n`,
    'yaml',
  );
  assert.equal(suite.env.timeSecs, 123456789);
  assert.equal(suite.env.logLevel, 'DEBUG');
  assert.equal(suite.tests[0]!.requestHeaders!.result!.headers[0]!.invert, true);
});

test('properties answer get_property; time_secs freezes the clock; plugin_init/stream_destroy see logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-tester-'));
  const file = join(dir, 'props.textpb');
  writeFileSync(
    file,
    `env { time_secs: 1700000000 }
test {
  name: "Props"
  properties { path: "request.path" value: "/from-properties" }
  plugin_init { log { exact: "init" } }
  request_headers {
    input { header { key: ":path" value: "/real" } }
    result { has_header { key: "x-path" value: "/from-properties" } has_header { key: "x-time-frozen" value: "yes" } }
  }
  stream_destroy { log { exact: "on_log" } log { exact: "on_delete" } }
}`,
  );
  const r = extgate('wasm', 'test', '--plugin', fixturePath('abi021.wat'), '--proto', file);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\[       OK \] Props/);
});

test('a benchmark runs many streams on one VM and reports a plugin whose state breaks after the first', () => {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-tester-'));
  const file = join(dir, 'tests.textpb');
  writeFileSync(join(dir, 'config.txt'), 'galaxy');
  writeFileSync(
    file,
    `env { config_path: "config.txt" num_additional_streams: 2 }
test {
  name: "Hello"
  benchmark: true
  response_headers { input { header { key: ":status" value: "200" } } result { has_header { key: "hello" value: "galaxy" } } }
}`,
  );
  const broken = extgate('wasm', 'test', '--plugin', fixturePath('stale-config'), '--proto', file);
  assert.equal(broken.status, 0, 'the functional test passes; benchmarks report, as in Google Benchmark');
  assert.match(broken.stdout, /^Bench_v8\.Hello +ERROR OCCURRED: 'VM failed! .*in on_response_headers/m);
  // The example that reads its configuration once runs the same benchmark cleanly.
  const fixed = extgate('wasm', 'test', '--plugin', examplePath('add-header'), '--proto', file);
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stdout, /^Bench_v8\.Hello +\d+ ns +\d+ ns +\d+ /m);
});
