// `file://` plugin sources (a GCPWasmPlugin's `image` or `pluginConfigURI` on the host's disk). A manifest is
// hostile input, so a file is read only when the operator named a directory holding it with `--plugin-dir`
// (none by default; GKE itself takes plugins only from an image registry). The checks run before any byte is
// read: the real path (symlinks resolved) lies inside such a directory, it is a regular file (a FIFO or a
// device would block or never end), and it is no larger than the byte limit. All I/O is asynchronous, on
// libuv's thread pool, so a slow disk never stalls the API, the admin port or the listeners. Error messages
// name the rule and the flag, never the file's contents.
import { constants, realpathSync, statSync } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Why a `file://` source is not read; the message names the rule and `--plugin-dir`. */
export class PluginSourceError extends Error {
  override name = 'PluginSourceError';
}

/**
 * `file:///abs/plugin.wasm`, `file://relative/plugin.wasm` (relative to the working directory, as people
 * write it in a development manifest), an absolute path, or a `./`/`../` path: the file it names. Anything
 * else (a registry reference) gives undefined.
 */
export function localPluginPath(uri: string): string | undefined {
  if (uri.startsWith('file:///')) return fileURLToPath(uri);
  if (uri.startsWith('file://')) return resolvePath(decodeURIComponent(uri.slice('file://'.length)));
  if (isAbsolute(uri) || uri.startsWith('./') || uri.startsWith('../')) return resolvePath(uri);
  return undefined;
}

/**
 * Checks `--plugin-dir` values at start-up (each must be an existing directory) and returns their real paths.
 * Start-up may stat synchronously: nothing is being served yet, and stat never opens the file.
 */
export function resolvePluginDirs(dirs: readonly string[]): string[] {
  return dirs.map((dir) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (err) {
      throw new Error(
        `--plugin-dir ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    if (!statSync(real).isDirectory()) throw new Error(`--plugin-dir ${dir}: not a directory`);
    return real;
  });
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' ? false : !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** Reads one `file://` source under the rules above. `dirs` are real paths (resolvePluginDirs). */
export async function readPluginFile(
  uri: string,
  path: string,
  dirs: readonly string[],
  maxBytes: number,
): Promise<Buffer> {
  const rule = 'extgate reads file:// plugin sources only inside a directory given with --plugin-dir DIR';
  if (dirs.length === 0)
    throw new PluginSourceError(
      `${uri}: file:// plugin sources are off (${rule}; none was given). Push the plugin to a registry ` +
        `(extgate wasm push), or start extgate with --plugin-dir naming the directory that holds it`,
    );
  // The lexical check first, so a path outside every directory is refused without touching the disk (its
  // existence is not revealed either).
  if (!dirs.some((d) => inside(d, path)))
    throw new PluginSourceError(`${uri}: not inside a --plugin-dir directory (${rule})`);
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    throw new PluginSourceError(`${uri}: cannot read it: ${errnoText(err)}`);
  }
  if (!dirs.some((d) => inside(d, real)))
    throw new PluginSourceError(
      `${uri}: resolves (through a symbolic link) outside every --plugin-dir directory (${rule})`,
    );
  const before = await stat(real);
  checkFile(uri, before, maxBytes);
  // O_NOFOLLOW: the last component cannot have been swapped for a link since realpath; O_NONBLOCK: should it
  // have become a FIFO, open does not wait for a writer. fstat then proves the opened file is the checked one.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (err: unknown) => {
      throw new PluginSourceError(`${uri}: cannot read it: ${errnoText(err)}`);
    },
  );
  try {
    const opened = await handle.stat();
    if (opened.ino !== before.ino || opened.dev !== before.dev)
      throw new PluginSourceError(`${uri}: the file changed while it was being checked; try again`);
    checkFile(uri, opened, maxBytes);
    // Read at most one byte past the limit: a file that grew after the check is refused, not buffered whole.
    const buf = Buffer.alloc(Math.min(opened.size, maxBytes) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buf.length) break;
    }
    if (filled > maxBytes) throw tooLarge(uri, filled, maxBytes);
    return buf.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

function checkFile(uri: string, s: { isFile(): boolean; size: number }, maxBytes: number): void {
  if (!s.isFile())
    throw new PluginSourceError(
      `${uri}: not a regular file (plugin sources under --plugin-dir must be regular files)`,
    );
  if (s.size > maxBytes) throw tooLarge(uri, s.size, maxBytes);
}

function tooLarge(uri: string, size: number, maxBytes: number): PluginSourceError {
  return new PluginSourceError(
    `${uri}: ${size} bytes is over the ${maxBytes}-byte limit for ` +
      `a plugin module plus its configuration (GKE: 5 MiB); it was not read`,
  );
}

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'ENOENT' ? 'no such file' : (e.code ?? e.message);
}
