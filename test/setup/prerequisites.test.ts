// README's test command installs what the tests need, or names what it could not install in one line.
// Runs the real installer script with tools hidden from PATH (installing disabled, as for a user without root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const SCRIPT = join(ROOT, 'scripts', 'prerequisites.mjs');

function runWithPath(path: string): string {
  const r = spawnSync(process.execPath, [SCRIPT], {
    env: { PATH: path, HOME: tmpdir(), EXTGATE_NO_INSTALL: '1' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('a tool hidden from PATH is named in one line with the package that brings it', () => {
  // A PATH holding only node: every tool the tests use is missing.
  const bin = mkdtempSync(join(tmpdir(), 'extgate-prereq-'));
  try {
    symlinkSync(process.execPath, join(bin, 'node'));
    const out = runWithPath(bin);
    const lines = out.trim().split('\n');
    assert.equal(lines.length, 1, out);
    assert.match(lines[0]!, /^prerequisites: MISSING /);
    assert.match(lines[0]!, /nginx \(/);
    assert.match(lines[0]!, /docker-registry \(/);
    assert.match(lines[0]!, /install with: sudo apt-get install .*\bnginx\b/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
