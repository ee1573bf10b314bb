// A normal (non-root) user to run the product as, so a test sees what a user without root gets: ports below
// 1024 refused by the kernel, no access to root's files. Running as root, the test creates a system user
// once (`useradd`); running as a normal user already, it is that user.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NAME = 'extgate-test-user';

export interface NormalUser {
  readonly uid: number;
  readonly gid: number;
  /** A node binary this user may execute (this process's own, or a copy of it when that one is not). */
  readonly node: string;
}

function lookup(): NormalUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', NAME], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', NAME], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid, gid, node: nodeFor(uid, gid) };
  } catch {
    return undefined;
  }
}

/**
 * The running node may live where a normal user cannot reach it (scripts/use-node.sh unpacks Node 24 under
 * root's 0700 home): then the user gets a copy of the same binary in a world-readable temporary folder.
 */
function nodeFor(uid: number, gid: number): string {
  try {
    execFileSync(process.execPath, ['-e', ''], { uid, gid, stdio: 'pipe' });
    return process.execPath;
  } catch {
    const dir = join(tmpdir(), `extgate-node-${process.version}`);
    const copy = join(dir, 'node');
    if (!existsSync(copy)) {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      chmodSync(dir, 0o755);
      const partial = `${copy}.${process.pid}`;
      copyFileSync(process.execPath, partial);
      chmodSync(partial, 0o755);
      renameSync(partial, copy); // another test file may copy at the same moment: rename is atomic
    }
    return copy;
  }
}

export function normalUser(): NormalUser {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? uid, node: process.execPath };
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', NAME], {
      stdio: 'pipe',
    });
  } catch (err) {
    // Another test file may have created it at the same moment.
    if (!lookup()) throw err;
  }
  return lookup()!;
}
