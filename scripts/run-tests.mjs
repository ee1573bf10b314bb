// Runs every compiled test file (dist/**/*.test.js) with node's built-in runner.
// `npm test -- <substring>...` runs only the files whose path contains one of the substrings.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ensureNativeAddons, ensurePrerequisites, missingLine } from './prerequisites.mjs';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ['dist/src', 'dist/test', 'dist/examples']
  .filter((d) => { try { return statSync(d).isDirectory(); } catch { return false; } })
  .flatMap((d) => collect(d, []))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Tools the tests need (kubectl, nginx, a registry, Chromium, ...): installed where this run may, otherwise
// named in one line here and again after the tests, where a reader of the log looks first.
if (!ensureNativeAddons()) console.log('prerequisites: better-sqlite3 does not load in this node and did not compile: run `npm run build-release` in node_modules/better-sqlite3 and read its errors');
const prerequisites = missingLine(ensurePrerequisites());
console.log(prerequisites);
// A full run also measures line/branch/function coverage of the shipped code (dist/src) with Node's own test
// coverage, printed at the end (EXTGATE_COVERAGE=0 turns it off). It counts the modules the tests load;
// code run only inside a spawned `extgate` process is not counted.
const coverage = filters.length === 0 && process.env.EXTGATE_COVERAGE !== '0';
// A test that hangs (a server that never closes, a wait with no end) fails after 8 minutes instead of holding
// the whole run until CI's limit: the longest test here takes about 2.5 minutes on a loaded 2-core machine.
const testTimeoutMs = Number(process.env.EXTGATE_TEST_TIMEOUT_MS ?? 480_000);
const args = [
  '--test',
  '--test-reporter=spec',
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
  `--test-timeout=${testTimeoutMs}`,
];
if (coverage) args.push('--experimental-test-coverage', '--test-coverage-include=dist/src/**', '--test-coverage-exclude=**/*.test.js');
const child = spawn(process.execPath, [...args, ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
let coverageLine = '';
const counts = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString('utf8');
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    if (line.includes('all files')) coverageLine = line;
    const count = /^ℹ (pass|fail|cancelled|skipped) (\d+)$/.exec(line);
    if (count) counts[count[1]] = Number(count[2]);
  }
});
// Hooks (before/after) have no default timeout: a cleanup that never ends would hold the run past CI's limit.
const runTimeoutMs = Number(process.env.EXTGATE_RUN_TIMEOUT_MS ?? 45 * 60_000);
const watchdog = setTimeout(() => {
  console.log(`run-tests: the run exceeded ${runTimeoutMs / 60_000} minutes; stopping it (EXTGATE_RUN_TIMEOUT_MS)`);
  child.kill('SIGKILL');
}, runTimeoutMs);
const status = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
clearTimeout(watchdog);
if (coverageLine !== '') console.log(`coverage (line % | branch % | funcs %): ${coverageLine.replace(/^.*all files\s*\|/, '').trim()}`);
console.log(prerequisites);
// The runner's summary is above the coverage table; repeat it as the log's closing line.
console.log(`tests: ${counts.pass} passed, ${counts.fail + counts.cancelled} failed, ${counts.skipped} skipped`);
process.exit(status);
