// Integration-test plumbing: the embedded API server (src/apiserver, built on another branch; tests skip
// until it is merged), the real kubectl against it, and polling.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface ApiServerHandle {
  url: string;
  kubeconfigPath: string;
  token: string;
  caPem: string;
  close(): Promise<void>;
}

type StartApiServer = (opts: { stateDir: string; port: number; admit?: unknown }) => Promise<ApiServerHandle>;

// A variable, not a literal: this file must compile before src/apiserver exists on this branch.
const API_SERVER_MODULE = '../../src/apiserver/server.js';
const ADMISSION_MODULE = '../../src/api/admission.js';

export async function loadApiServer(): Promise<StartApiServer | undefined> {
  try {
    const mod = (await import(API_SERVER_MODULE)) as { startApiServer?: StartApiServer };
    return mod.startApiServer;
  } catch {
    return undefined;
  }
}

/** The product's admission, when merged (the seed's reference checks run at create). */
export async function loadAdmission(): Promise<unknown> {
  try {
    const mod = (await import(ADMISSION_MODULE)) as { admit?: unknown };
    return mod.admit;
  } catch {
    return undefined;
  }
}

export interface TestCluster {
  api: ApiServerHandle;
  dir: string;
  kubeConfig: KubeConfig;
  kubectl(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startTestCluster(start: StartApiServer): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-controller-'));
  const admit = await loadAdmission();
  const api = await start({ stateDir: join(dir, 'state'), port: 0, ...(admit ? { admit } : {}) });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(api.kubeconfigPath);
  const kubectl = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        'kubectl',
        ['--kubeconfig', api.kubeconfigPath, '--cache-dir', join(dir, 'kube-cache'), ...args],
        { timeout: 60_000, env: { ...process.env, HOME: dir } },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`));
          else resolve(stdout);
        },
      );
    });
  const cluster: TestCluster = {
    api,
    dir,
    kubeConfig,
    kubectl,
    async close() {
      await cluster.api.close(); // the current one: a test may have restarted it
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A self-signed certificate for `kubectl create secret tls`. */
export function makeCertificate(dir: string, cn: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${cn}.crt`);
  const key = join(dir, `${cn}.key`);
  return new Promise((resolve, reject) => {
    execFile(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${cn}`,
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { timeout: 20_000 },
      (err, _o, stderr) => (err ? reject(new Error(`openssl: ${stderr}`)) : resolve({ cert, key })),
    );
  });
}
