// A normal (non-root) user to run the product as, so a test sees what a user without root gets: ports below
// 1024 refused by the kernel, no access to root's files. Running as root, the test creates a system user
// once (`useradd`); running as a normal user already, it is that user.
import { execFileSync } from 'node:child_process';

const NAME = 'extgate-test-user';

export interface NormalUser {
  readonly uid: number;
  readonly gid: number;
}

function lookup(): NormalUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', NAME], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', NAME], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

export function normalUser(): NormalUser {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? uid };
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
