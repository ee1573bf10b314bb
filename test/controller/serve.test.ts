// `extgate serve --kubeconfig FILE` as a process against the embedded API: readiness after the first sync,
// snapshots logged, status written under the Lease, clean exit on SIGTERM.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { availableParallelism } from 'node:os';
import { loadApiServer, startTestCluster, waitFor } from './harness.js';
import { dataPlaneWorkers } from '../e2e/harness.js';

const startApiServer = await loadApiServer();
const bin = fileURLToPath(new URL('../../../bin/extgate', import.meta.url));

describe('extgate serve', { skip: startApiServer ? false : 'src/apiserver not merged yet' }, () => {
  test('serves readiness, programs a Gateway, exits 0 on SIGTERM', async () => {
    if (!startApiServer) return;
    const cluster = await startTestCluster(startApiServer);
    // A random offset on loopback: the gateway really binds the listener, next to other tests.
    const offset = 10000 + Math.floor(Math.random() * 20000); // below the ephemeral range (32768+)
    const child = spawn(
      process.execPath,
      [
        bin,
        'serve',
        '--kubeconfig',
        cluster.api.kubeconfigPath,
        '--admin-port',
        '0',
        '--address',
        '127.0.0.1',
        '--port-offset',
        String(offset),
        '--state-dir',
        `${cluster.dir}/serve-state`,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const adminUrl = await waitFor(
        'admin port',
        () => /admin on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1],
        20_000,
      );
      await waitFor(
        'ready',
        async () => ((await fetch(`${adminUrl}/readyz`)).status === 200 ? true : undefined),
        20_000,
      );
      const file = `${cluster.dir}/gw.yaml`;
      writeFileSync(
        file,
        'kind: Gateway\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: served, namespace: default}\nspec:\n  gatewayClassName: gke-l7-rilb\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n',
      );
      await cluster.kubectl('apply', '-f', file);
      await cluster.kubectl('wait', '--for=condition=Programmed', 'gateway/served', '--timeout=30s');
      await waitFor('snapshot logged', () =>
        new RegExp(`snapshot v\\d+: 1 port\\(s\\) \\[HTTP 127\\.0\\.0\\.1:${80 + offset}\\]`).test(stderr)
          ? true
          : undefined,
      );
      const lease = JSON.parse(
        await cluster.kubectl('get', 'leases.coordination.k8s.io', 'extgate-controller', '-o', 'json'),
      ) as { spec: { holderIdentity: string } };
      assert.match(lease.spec.holderIdentity, new RegExp(`_${child.pid}$`));
      // One data-plane worker per CPU by default, each stopped with serve.
      const workers = dataPlaneWorkers(child.pid!);
      assert.equal(workers.length, availableParallelism(), stderr);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      for (const w of workers) assert.throws(() => process.kill(w, 0), `worker ${w} exited with serve`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await cluster.close();
    }
  });

  test('a bad flag is a clear error', async () => {
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--kubeconfig', '/nonexistent', '--port-offset', 'abc'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.notEqual(code, 0);
    assert.match(stderr, /--port-offset "abc": expected an integer 0-65535/);
  });
});
