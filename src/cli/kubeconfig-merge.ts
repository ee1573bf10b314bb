// `extgate up` makes plain `kubectl` talk to it, as `kind create cluster` does: the context `extgate` (with
// its cluster and user) goes into the user's kubeconfig and becomes current. Without this, kubectl in a new
// shell falls back to localhost:8080 — the demo's Gateway listener — and prints API discovery errors.
//
// The file is the user's: every other cluster, user, context and preference stays as it was, the file keeps
// its mode (a new one is 0600 in a 0700 ~/.kube, as kubectl creates them), and it is replaced atomically so
// a kubectl running at the same moment never reads half a file.
import { chmodSync, chownSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

/** The name of the cluster, user and context `up` adds. */
export const CONTEXT_NAME = 'extgate';

/** Where kubectl looks first: the first file of `$KUBECONFIG`, else `~/.kube/config`. */
export function userKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.trim() !== '');
  return first ?? join(env.HOME || homedir(), '.kube', 'config');
}

type NamedEntry = { name?: unknown } & Record<string, unknown>;
type Kubeconfig = Record<string, unknown>;

const SECTIONS = ['clusters', 'users', 'contexts'] as const;

function readKubeconfig(path: string): Kubeconfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const doc: unknown = parse(text);
  if (doc === null || doc === undefined) return undefined;
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(`${path} is not a kubeconfig (expected a YAML mapping)`);
  return doc as Kubeconfig;
}

function entries(config: Kubeconfig, section: string, path: string): NamedEntry[] {
  const list = config[section];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error(`${path}: "${section}" is not a list`);
  return list as NamedEntry[];
}

/**
 * Puts the `extgate` cluster, user and context of `generatedPath` (the state dir's kubeconfig) into
 * `targetPath` and makes that context current. Returns the path written.
 */
export function mergeKubeconfig(generatedPath: string, targetPath: string): string {
  const generated = readKubeconfig(generatedPath);
  if (!generated) throw new Error(`${generatedPath} is empty`);
  const existing = readKubeconfig(targetPath);
  const before = existing ? statSync(targetPath) : undefined;
  const mode = before ? before.mode & 0o777 : 0o600;
  const merged: Kubeconfig = existing ?? { apiVersion: 'v1', kind: 'Config', preferences: {} };
  for (const section of SECTIONS) {
    const ours = entries(generated, section, generatedPath).filter((e) => e.name === CONTEXT_NAME);
    const theirs = entries(merged, section, targetPath).filter((e) => e.name !== CONTEXT_NAME);
    merged[section] = [...theirs, ...ours];
  }
  merged['current-context'] = CONTEXT_NAME;
  mkdirSync(dirname(targetPath), { recursive: true, mode: 0o700 });
  const temp = `${targetPath}.extgate-${process.pid}.tmp`;
  writeFileSync(temp, stringify(merged), { mode });
  chmodSync(temp, mode); // writeFileSync's mode is masked by the umask; the user's mode is not
  if (before && (before.uid !== process.getuid?.() || before.gid !== process.getgid?.())) {
    try {
      chownSync(temp, before.uid, before.gid); // e.g. `sudo extgate up` keeps the user's file theirs
    } catch {
      // Not allowed (not root): the file becomes ours, as kubectl would leave it.
    }
  }
  renameSync(temp, targetPath);
  return targetPath;
}
