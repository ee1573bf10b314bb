// kill -9 in the middle of a stream of writes: every acknowledged object survives, resourceVersion never goes back.
// Runs the real CLI (bin/extgate → dist/), so `npx tsc -p .` must have run.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { httpsCall } from './harness.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const BIN = join(ROOT, 'bin/extgate');

interface Running {
  child: ChildProcess;
  api: { url: string; token: string; caPem: string };
}

function startUp(stateDir: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    [BIN, 'up', '--api-only', '--no-kubeconfig-merge', '--state-dir', stateDir, '--api-port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`extgate up did not start:\n${out}${err}`)), 60_000);
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /API listening on (https:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        done({
          child,
          api: {
            url: m[1],
            token: readFileSync(join(stateDir, 'token'), 'utf8').trim(),
            caPem: readFileSync(join(stateDir, 'ca.crt'), 'utf8'),
          },
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`extgate up exited ${code}:\n${out}${err}`));
    });
  });
}

describe('kill -9 durability of `extgate up --api-only`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-durable-'));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged create and a monotonic resourceVersion across kill -9', async () => {
    const stateDir = join(dir, 'state');
    const first = await startUp(stateDir);
    children.push(first.child);
    const acked = new Map<string, number>();
    let killed = false;
    let n = 0;
    // Four writers stream creates; the process is killed while requests are in flight.
    const writer = async () => {
      while (!killed) {
        const name = `cm-${n++}`;
        try {
          const r = await httpsCall(first.api, 'POST', '/api/v1/namespaces/default/configmaps', {
            body: JSON.stringify({
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name },
              data: { n: name },
            }),
            contentType: 'application/json',
          });
          if (r.status === 201) acked.set(name, Number(r.json().metadata.resourceVersion));
        } catch {
          // connection reset by the kill: not acknowledged
        }
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    while (acked.size < 200) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(writers);
    await new Promise((r) =>
      first.child.exitCode !== null || first.child.signalCode !== null
        ? r(null)
        : first.child.once('exit', r),
    );
    assert.equal(first.child.signalCode, 'SIGKILL');

    const second = await startUp(stateDir);
    children.push(second.child);
    try {
      const list = (await httpsCall(second.api, 'GET', '/api/v1/namespaces/default/configmaps')).json();
      const stored = new Map<string, number>(
        list.items.map((o: { metadata: { name: string; resourceVersion: string } }) => [
          o.metadata.name,
          Number(o.metadata.resourceVersion),
        ]),
      );
      const lost = [...acked.keys()].filter((name) => !stored.has(name));
      assert.deepEqual(lost, [], `acknowledged creates lost after kill -9 (${acked.size} acknowledged)`);
      for (const [name, rv] of acked)
        assert.equal(stored.get(name), rv, `${name} kept the resourceVersion it was acknowledged with`);
      const maxAcked = Math.max(...acked.values());
      assert.ok(
        Number(list.metadata.resourceVersion) >= maxAcked,
        'list resourceVersion did not go backwards',
      );
      const next = await httpsCall(second.api, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: JSON.stringify({ metadata: { name: 'after-restart' } }),
        contentType: 'application/json',
      });
      assert.equal(next.status, 201, next.text);
      assert.ok(
        Number(next.json().metadata.resourceVersion) > Number(list.metadata.resourceVersion),
        'the next write takes a new, higher resourceVersion',
      );
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => (second.child.exitCode !== null ? r(null) : second.child.once('exit', r)));
    }
    assert.equal(second.child.exitCode, 0, 'SIGTERM: clean exit');
  });
});
