// Runs every compiled test file (dist/**/*.test.js) with node's built-in runner.
// `npm test -- <substring>...` runs only the files whose path contains one of the substrings.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensurePrerequisites, missingLine } from './prerequisites.mjs';

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
const prerequisites = missingLine(ensurePrerequisites());
console.log(prerequisites);
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit' },
);
console.log(prerequisites);
process.exit(result.status ?? 1);
