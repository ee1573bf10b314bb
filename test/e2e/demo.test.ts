// `npm start` end to end: the demo script brings the seed's walkthrough up, and each curl it prints answers
// what it says when run again from a shell; Ctrl-C stops everything it started.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { REPO_ROOT, freePort, waitFor } from './harness.js';

const stateDir = mkdtempSync(join(tmpdir(), 'extgate-demo-'));
const home = mkdtempSync(join(tmpdir(), 'extgate-demo-home-'));
after(() => {
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** The loopback ports examples/store/manifests names (gateway listeners + 8000, store apps, callout). */
const DEMO_PORTS = [8080, 8081, 8443, 18081, 18082, 18083, 18443];

it('npm start: every printed curl answers as printed, and Ctrl-C stops everything', async () => {
  // Another demo (a developer's own `npm start`) may hold the fixed ports for a while.
  const busy = async () => (await Promise.all(DEMO_PORTS.map(portOpen))).some(Boolean);
  await waitFor(async () => !(await busy()), 120_000, 500);
  // A fresh user's shell: no KUBECONFIG, a HOME of its own (the demo merges its context there, never into
  // the developer's ~/.kube/config).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    KUBECONFIG: undefined,
    EXTGATE_STATE_DIR: stateDir,
    EXTGATE_API_PORT: String(await freePort()),
    EXTGATE_ADMIN_PORT: String(await freePort()),
  };
  // Its own process group, so "Ctrl-C" below reaches every process of it, as a terminal's would.
  const demo = spawn('npm', ['start', '--silent'], { cwd: REPO_ROOT, env, stdio: 'pipe', detached: true });
  let out = '';
  demo.stdout.on('data', (d: Buffer) => (out += d.toString()));
  demo.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor(
      () => demo.exitCode !== null || /All demo requests answered|demo request\(s\) failed/.test(out),
      120_000,
      200,
    );
    assert.equal(demo.exitCode, null, `the demo exited early:\n${out}`);
    assert.match(out, /All demo requests answered as the seed shows/, out);

    // Each printed command, run as a user would paste it, answers with what the line below it promises.
    const lines = out.split('\n');
    let checked = 0;
    for (let i = 0; i < lines.length - 1; i++) {
      const command = lines[i]!.trim();
      const promise = /^→ answers with: (.*)$/.exec(lines[i + 1]!.trim());
      if (!command.startsWith('curl ') || !promise) continue;
      const r = spawnSync('sh', ['-c', command], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 10_000 });
      assert.ok(
        r.stdout.includes(promise[1]!),
        `${command}\nexpected ${promise[1]}\ngot ${r.stdout}${r.stderr}`,
      );
      checked++;
    }
    assert.equal(checked, 6, `expected 6 printed curl commands:\n${out}`);

    // README's next step: plain kubectl, no KUBECONFIG, no --kubeconfig.
    const printed = /^kubectl: +(kubectl .*)$/m.exec(out);
    assert.ok(printed, `the demo prints a plain kubectl command:\n${out}`);
    const describe = spawnSync('sh', ['-c', printed[1]!], {
      cwd: home,
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(describe.status, 0, `${printed[1]}: ${describe.stderr}`);
    assert.match(describe.stdout, /Reason: +ProgrammingSucceeded/);

    // The access log goes to the file the demo names, not between the curl lines; local replies and
    // immediate responses count their bytes (local-reply's "Hello World" is 11).
    assert.doesNotMatch(out, /"log":"access"/, 'no access-log lines on screen');
    const accessLog = /tail -f (\S+)/.exec(out)?.[1];
    assert.ok(
      accessLog && accessLog.startsWith('/'),
      `the demo names its access log by absolute path:\n${out}`,
    );
    await waitFor(() => {
      const records = readFileSync(accessLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { path: string; status: number; response_bytes: number });
      return records.some(
        (r) => r.path === '/serviceextensions' && r.status === 200 && r.response_bytes === 11,
      );
    }, 10_000);
    assert.match(out, /xdg-open http:\/\/127\.0\.0\.1:\d+\//);
  } finally {
    if (demo.exitCode === null) process.kill(-demo.pid!, 'SIGINT');
  }
  // npm itself dies of the SIGINT, as in a terminal; the demo under it must stop everything it started.
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    demo.exitCode !== null || demo.signalCode !== null
      ? r([demo.exitCode, demo.signalCode])
      : demo.once('exit', (c, sig) => r([c, sig])),
  );
  assert.ok(code === 0 || signal === 'SIGINT', `npm start ended with ${code ?? signal}:\n${out}`);
  await waitFor(async () => !(await busy()), 10_000, 100);
  // Ctrl-C says what it stopped.
  await waitFor(() => /stopped the store apps on 127\.0\.0\.1:18081, 18082, 18083/.test(out), 10_000);
  assert.match(out, /stopped extgate up \(pid \d+/);
  assert.match(out, /stopped the basic callout on 127\.0\.0\.1:18443/);
});
