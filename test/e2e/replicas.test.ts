// extgate in a cluster, on one machine: `extgate up --api-only` plays the cluster's API server and two
// `extgate serve` replicas run against it. Both serve traffic with the same config, exactly one (the Lease
// holder) writes status, and killing it hands leadership over within seconds without status flapping.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStoreApp, type StoreApp } from '../../examples/store/store-app.js';
import { REPO_ROOT, freePort, kubectl, waitFor } from './harness.js';
import { documents, httpGateway, loopbackService } from './manifests.js';

const EXTGATE = join(REPO_ROOT, 'bin/extgate');

interface Replica {
  readonly child: ChildProcess;
  readonly adminPort: number;
  readonly gatewayPort: number;
  output(): string;
}

function startProcess(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [EXTGATE, ...args], { cwd: REPO_ROOT, stdio: 'pipe' });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

function status(port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function ready(adminPort: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/readyz`).catch(() => undefined);
  return res?.status === 200;
}

describe('two extgate serve replicas against one API', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'extgate-replicas-'));
  const kubeconfig = join(stateDir, 'api', 'kubeconfig');
  let api: ReturnType<typeof startProcess>;
  let store: StoreApp;
  const replicas: Replica[] = [];

  async function startReplica(name: string): Promise<Replica> {
    const adminPort = await freePort();
    // A listener on port 80 binds 80 + offset: aim it at a port that is free now.
    const portOffset = (await freePort()) - 80;
    const p = startProcess([
      'serve',
      '--kubeconfig',
      kubeconfig,
      '--state-dir',
      join(stateDir, name),
      '--admin-port',
      String(adminPort),
      '--address',
      '127.0.0.1',
      '--port-offset',
      String(portOffset),
    ]);
    const replica = { child: p.child, adminPort, gatewayPort: 80 + portOffset, output: p.output };
    replicas.push(replica);
    return replica;
  }

  async function programmedTransitions(): Promise<string[]> {
    const out = await kubectl(kubeconfig, [
      'get',
      'gateway',
      'gw',
      '-o=jsonpath={.status.conditions[?(@.type=="Programmed")].lastTransitionTime}',
    ]);
    return [out.stdout];
  }

  before(async () => {
    store = await startStoreApp('store-v1', 0);
    api = startProcess([
      'up',
      '--api-only',
      '--no-kubeconfig-merge',
      '--state-dir',
      join(stateDir, 'api'),
      '--api-port',
      String(await freePort()),
    ]);
    await waitFor(() => existsSync(kubeconfig) && /API listening/.test(api.output()), 30_000);
    await kubectl(kubeconfig, ['apply', '-f', '-'], {
      input: `${documents(httpGateway('gw', 'gke-l7-regional-external-managed'), loopbackService('store-v1', store.port))}---
kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{kind: Gateway, name: gw}]
  hostnames: ["store.example.com"]
  rules: [{backendRefs: [{name: store-v1, port: 8080}]}]
`,
    });
  });

  after(async () => {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    if (api?.child.exitCode === null) api.child.kill('SIGTERM');
    await store?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('both replicas serve the same config; one holds the Lease; killing it hands over without flapping', async () => {
    const a = await startReplica('a');
    const b = await startReplica('b');
    await waitFor(async () => (await ready(a.adminPort)) && (await ready(b.adminPort)), 30_000, 100);

    // Both serve the route.
    for (const r of [a, b]) {
      await waitFor(async () => (await status(r.gatewayPort, 'store.example.com')) === 200, 10_000).catch(
        (err: Error) => {
          throw new Error(`replica on port ${r.gatewayPort} does not serve: ${err.message}\n${r.output()}`);
        },
      );
    }
    assert.equal(await status(a.gatewayPort, 'unknown.example.com'), 404);
    assert.equal(await status(b.gatewayPort, 'unknown.example.com'), 404);

    // Exactly one holds the Lease, and status was written (by it).
    await kubectl(kubeconfig, ['wait', '--for=condition=Programmed', 'gateway/gw', '--timeout=30s']);
    const holder = async () =>
      (
        await kubectl(kubeconfig, ['get', 'leases', '-o=jsonpath={.items[*].spec.holderIdentity}'])
      ).stdout.trim();
    await waitFor(async () => (await holder()) !== '', 10_000);
    const first = await holder();
    const leader = replicas.find((r) => first.endsWith(`_${r.child.pid}`));
    assert.ok(
      leader,
      `lease holder ${first} is one of the replicas (pids ${replicas.map((r) => r.child.pid)})`,
    );
    const standby = leader === a ? b : a;
    const transitionsBefore = await programmedTransitions();
    const gatewayStatus = async () =>
      (await kubectl(kubeconfig, ['get', 'gateway', 'gw', '-o=jsonpath={.status}'])).stdout;
    const statusBefore = await gatewayStatus();

    // Kill the leader hard: the standby takes the Lease once it expires and keeps serving throughout.
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await waitFor(async () => (await holder()).endsWith(`_${standby.child.pid}`), 30_000, 200);
    const handoverMs = Date.now() - killedAt;
    assert.ok(handoverMs < 20_000, `handover took ${handoverMs} ms`);
    assert.equal(await status(standby.gatewayPort, 'store.example.com'), 200);

    // The new leader finds status already right: no condition flips, no rewrite of the Gateway's status.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await programmedTransitions(), transitionsBefore);
    const programmed = await kubectl(kubeconfig, [
      'get',
      'gateway',
      'gw',
      '-o=jsonpath={.status.conditions[?(@.type=="Programmed")].status}',
    ]);
    assert.equal(programmed.stdout, 'True');
    assert.equal(await gatewayStatus(), statusBefore, 'the new leader changed an unchanged Gateway status');

    // And a change made after the handover is programmed by the new leader and served.
    await kubectl(kubeconfig, [
      'patch',
      'httproute',
      'store',
      '--type=merge',
      '-p',
      '{"spec":{"hostnames":["shop.example.com"]}}',
    ]);
    await waitFor(async () => (await status(standby.gatewayPort, 'shop.example.com')) === 200, 10_000);
    const routeStatus = await kubectl(kubeconfig, [
      'get',
      'httproute',
      'store',
      '-o=jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].observedGeneration}',
    ]);
    assert.equal(routeStatus.stdout, '2');
  });
});
