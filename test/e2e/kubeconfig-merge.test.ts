// `extgate up` makes plain kubectl work, as kind does (issue 15, "kubectl just works"): the context
// `extgate` is merged into $KUBECONFIG or ~/.kube/config and made current, the user's other entries and the
// file's mode stay; `--no-kubeconfig-merge` leaves the user's files alone. Real kubectl, a temp HOME.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { REPO_ROOT, waitFor } from './harness.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** `extgate up --api-only` in a user's shell whose environment is `env` (HOME, KUBECONFIG). */
async function up(env: NodeJS.ProcessEnv, extra: string[] = []): Promise<string> {
  const stateDir = tempDir('extgate-kcm-state-');
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin/extgate'),
      'up',
      '--api-only',
      '--state-dir',
      stateDir,
      '--api-port',
      '0',
      ...extra,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`extgate exited ${child.exitCode}:\n${out}`);
    return (
      /API listening on/.test(out) &&
      /^kubeconfig: /m.test(out) &&
      (extra.length > 0 || /kubectl: /.test(out))
    );
  }, 90_000);
  return out;
}

/** The real kubectl with no --kubeconfig: what it finds in `env` is all it has. */
function kubectl(
  env: NodeJS.ProcessEnv,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('kubectl', args, { env, encoding: 'utf8', timeout: 20_000 });
}

function shellEnv(home: string, kubeconfig?: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) };
}

const OTHER_CONFIG = `apiVersion: v1
kind: Config
clusters:
- name: work
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: work-admin
  user: {token: keep-me}
contexts:
- name: work
  context: {cluster: work, user: work-admin, namespace: team}
current-context: work
preferences: {}
`;

it('merges into ~/.kube/config without KUBECONFIG: kubectl talks to extgate, other entries and the mode stay', async () => {
  const home = tempDir('extgate-kcm-home-');
  const config = join(home, '.kube', 'config');
  mkdirSync(join(home, '.kube'), { mode: 0o700 });
  writeFileSync(config, OTHER_CONFIG, { mode: 0o640 });
  const env = shellEnv(home);
  const out = await up(env);
  assert.match(out, new RegExp(`context "extgate" merged into ${config}`));

  const get = kubectl(env, ['get', 'gatewayclasses', '-o', 'name']);
  assert.equal(get.status, 0, get.stderr);
  assert.match(get.stdout, /gatewayclass.gateway.networking.k8s.io\/gke-l7-rilb/);
  assert.equal(kubectl(env, ['config', 'current-context']).stdout.trim(), 'extgate');
  assert.deepEqual(kubectl(env, ['config', 'get-contexts', '-o', 'name']).stdout.trim().split('\n').sort(), [
    'extgate',
    'work',
  ]);
  const text = readFileSync(config, 'utf8');
  assert.match(text, /token: keep-me/);
  assert.match(text, /namespace: team/);
  assert.equal(statSync(config).mode & 0o777, 0o640);

  // A second start (new CA, new token) replaces the extgate entries instead of adding more.
  await up(env);
  assert.equal(kubectl(env, ['get', 'gatewayclasses', '-o', 'name']).status, 0);
  assert.equal(readFileSync(config, 'utf8').match(/name: extgate/g)?.length, 3);
});

it('merges into the first file of $KUBECONFIG, creating it 0600', async () => {
  const home = tempDir('extgate-kcm-home-');
  const config = join(tempDir('extgate-kcm-kc-'), 'nested', 'my-config');
  const env = shellEnv(home, `${config}:${join(home, 'second')}`);
  await up(env);
  assert.equal(statSync(config).mode & 0o777, 0o600);
  assert.equal(existsSync(join(home, '.kube')), false, '~/.kube is not touched when KUBECONFIG is set');
  const get = kubectl(env, ['get', 'gatewayclasses', '-o', 'name']);
  assert.equal(get.status, 0, get.stderr);
});

it("--no-kubeconfig-merge leaves the user's kubeconfig alone", async () => {
  const home = tempDir('extgate-kcm-home-');
  const out = await up(shellEnv(home), ['--no-kubeconfig-merge']);
  assert.doesNotMatch(out, /merged into/);
  assert.equal(existsSync(join(home, '.kube')), false);
});
