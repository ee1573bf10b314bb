// The state dir holds secrets at rest: store.db and its -wal (every Secret's data, TLS private keys among
// them), the API's private key and bearer token, the kubeconfig that carries the token, and Wasm modules
// (which may embed credentials). The dir is 0700 and those files 0600, also when an older extgate (or a copy)
// left them looser: the mode is fixed and the fix is logged, so an operator learns the files were readable.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type ModeLog = (line: string) => void;

const defaultLog: ModeLog = (line) => process.stderr.write(`${line}\n`);

function tighten(path: string, mode: number, log: ModeLog): void {
  const current = statSync(path).mode & 0o777;
  if ((current & ~mode) === 0) return;
  chmodSync(path, mode);
  log(
    `state: ${path} was mode ${current.toString(8).padStart(4, '0')}, readable by others; set to ` +
      `${mode.toString(8).padStart(4, '0')}`,
  );
}

/** Creates `dir` (0700) or brings an existing one to 0700. */
export function privateDir(dir: string, log: ModeLog = defaultLog): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700, log);
}

/** Brings each existing file to 0600; `create` files that do not exist yet are created empty with 0600. */
export function privateFiles(paths: readonly string[], log: ModeLog = defaultLog, create = false): void {
  for (const path of paths) {
    if (!existsSync(path)) {
      if (create) closeSync(openSync(path, 'a', 0o600));
      continue;
    }
    tighten(path, 0o600, log);
  }
}

/** Every directory (0700) and file (0600) under `dir`, for caches filled by earlier versions. */
export function privateTree(dir: string, log: ModeLog = defaultLog): void {
  if (!existsSync(dir)) return;
  tighten(dir, 0o700, log);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) privateTree(path, log);
    else if (entry.isFile()) tighten(path, 0o600, log);
  }
}
