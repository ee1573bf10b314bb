// Run time of `extgate wasm test` for a 100-test suite (headers, a chunked body and response headers per test)
// against our C fixture test/wasm/fixtures/tester-probe.c; the whole CLI process, as a user runs it.
// Usage: node scripts/build-plugins.mjs tester-probe && node dist/bench/wasm-tester.js
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function suite(tests: number): string {
  const out: string[] = [];
  for (let i = 0; i < tests; i++)
    out.push(`test {
  name: "T${i}"
  num_chunks: 4
  properties { path: "listed.prop" value: "v${i}" }
  request_headers {
    input { content: "GET https://example.com/p/${i}?q=1 HTTP/1.1\\nX-Id: ${i}\\n" }
    result { has_header { key: "x-listed-prop" value: "v${i}" } headers { regex: "x-id: [[:digit:]]+" } }
  }
  request_body { input { content: "0123456789" } result { log { exact: "request chunk 4 eos true" } } }
  response_headers { input { content: "HTTP/1.1 200 OK\\ncontent-type: text/plain\\n" } result { has_header { key: "x-eos" value: "false" } } }
}`);
  return out.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'extgate-tester-bench-'));
const file = join(dir, 'tests.textpb');
writeFileSync(file, suite(100));
const plugin = join(root, 'test', 'wasm', 'fixtures', 'build', 'tester-probe.wasm');
const runs: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin', 'extgate'), 'wasm', 'test', '--plugin', plugin, '--proto', file],
    {
      encoding: 'utf8',
    },
  );
  runs.push(performance.now() - t0);
  if (r.status !== 0) throw new Error(`the suite failed:\n${r.stdout}${r.stderr}`);
}
console.log(
  `100-test suite: best ${Math.min(...runs).toFixed(0)} ms of ${runs.map((r) => r.toFixed(0)).join(', ')} ms (whole CLI process)`,
);
