// End-to-end harness: runs the real `bin/extgate` as a child process with its own state dir and ports, and the
// real kubectl against the kubeconfig it writes. Used by the walkthrough tests.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { CalloutServer, type Callout } from '../../src/sdk/server.js';
import { selfSignedCertificate } from '../../src/sdk/certs.js';
import { UNPRIVILEGED_PORT_OFFSET } from '../../src/controller/translator/listener-ports.js';
import { chownSync, mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const EXTGATE = join(REPO_ROOT, 'bin/extgate');

/** A free loopback TCP port (bound and released; good enough for tests on one machine). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface ExtgateProcess {
  readonly stateDir: string;
  readonly kubeconfig: string;
  readonly apiPort: number;
  readonly adminPort: number;
  /** What listener port 80 was moved by (the product's default when the test passed no `--port-offset`). */
  readonly portOffset: number;
  readonly child: ChildProcess;
  output(): string;
  kubectl(args: string[], opts?: { input?: string | undefined; allowFail?: boolean }): Promise<KubectlResult>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  cleanup(): Promise<void>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  args?: string[];
  /**
   * Added to every Gateway listener port; default: one that puts port 80 on a free port. `null`: no
   * `--port-offset` flag (the product's default).
   */
  portOffset?: number | null;
  /** `--address`; default 127.0.0.1. `null`: no flag (the product's default). */
  address?: string | null;
  /** Run extgate as this user (a test of what a normal user gets); default: this process's user. */
  user?: { uid: number; gid: number; node: string };
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Wait for /readyz (default true). */
  waitReady?: boolean;
}

export async function startExtgate(
  command: 'up' | 'serve',
  opts: StartOptions = {},
): Promise<ExtgateProcess> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'extgate-e2e-'));
  const apiPort = await freePort();
  const adminPort = await freePort();
  // Aim the listener on port 80 at a port that is free now (a random offset could land on a port in use).
  const portOffset = opts.portOffset === undefined ? (await freePort()) - 80 : opts.portOffset;
  const address = opts.address === undefined ? '127.0.0.1' : opts.address;
  const args = [
    EXTGATE,
    command,
    '--state-dir',
    stateDir,
    '--api-port',
    String(apiPort),
    '--admin-port',
    String(adminPort),
    ...(address === null ? [] : ['--address', address]),
    ...(portOffset === null ? [] : ['--port-offset', String(portOffset)]),
    // A test never writes the developer's ~/.kube/config.
    ...(command === 'up' ? ['--no-kubeconfig-merge'] : []),
    ...(opts.args ?? []),
  ];
  if (opts.user) chownSync(stateDir, opts.user.uid, opts.user.gid);
  const child = spawn(opts.user?.node ?? process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: 'pipe',
    ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const kubeconfig = join(stateDir, 'kubeconfig');
  const proc: ExtgateProcess = {
    stateDir,
    kubeconfig,
    apiPort,
    adminPort,
    portOffset: portOffset ?? UNPRIVILEGED_PORT_OFFSET,
    child,
    output: () => out,
    kubectl: (kargs, kopts) => kubectl(kubeconfig, kargs, kopts),
    stop: (signal = 'SIGTERM') =>
      new Promise((resolveExit) => {
        if (child.exitCode !== null) return resolveExit(child.exitCode);
        child.once('exit', (code) => resolveExit(code));
        child.kill(signal);
      }),
    cleanup: async () => {
      await proc.stop();
      if (!opts.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
  if (opts.waitReady !== false) {
    try {
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`extgate exited with ${child.exitCode}:\n${out}`);
        const res = await fetch(`http://127.0.0.1:${adminPort}/readyz`).catch(() => undefined);
        return res?.status === 200 && existsSync(kubeconfig);
      }, 60_000); // the API, the controller and one data-plane worker per CPU start on a loaded machine
    } catch (err) {
      await proc.stop('SIGKILL');
      throw new Error(`extgate did not become ready: ${(err as Error).message}\n--- output ---\n${out}`);
    }
  }
  return proc;
}

export async function kubectl(
  kubeconfig: string,
  args: string[],
  opts: { input?: string | undefined; allowFail?: boolean } = {},
): Promise<KubectlResult> {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    env: { ...process.env, KUBECACHEDIR: join(kubeconfig, '..', 'kube-cache') },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(opts.input ?? '');
  const code: number = await new Promise((r) => child.on('close', (c) => r(c ?? -1)));
  if (code !== 0 && !opts.allowFail) {
    throw new Error(`kubectl ${args.join(' ')} failed (${code}):\n${stderr}${stdout}`);
  }
  return { code, stdout, stderr };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  stepMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
      if (err instanceof Error && err.message.startsWith('extgate exited')) throw err;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

export { execFileAsync };

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One plain HTTP/1.1 request to 127.0.0.1:`port` on a fresh connection. (Not fetch: it refuses to send a
 * `Host` header, and Host is what selects the Gateway listener and route.)
 */
export function httpGet(port: number, path: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A callout served over gRPC+TLS on a free loopback port with a self-signed certificate for `myext.com` (the
 * seed's authority): what the seed deploys behind `extension-service:443`.
 */
export async function startTlsCallout(callout: Callout): Promise<{ server: CalloutServer; port: number }> {
  const cert = selfSignedCertificate(['myext.com', 'localhost']);
  const server = new CalloutServer(callout, {
    address: '127.0.0.1',
    plaintextPort: null,
    securePort: 0,
    healthPort: null,
    certChain: cert.certPem,
    privateKey: cert.keyPem,
  });
  const ports = await server.start();
  return { server, port: ports.secure! };
}

/** Pids of the data-plane worker processes `pid` (an `extgate up`/`serve`) runs (Linux: /proc). */
export function dataPlaneWorkers(pid: number): number[] {
  let children: string;
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    return [];
  }
  return children
    .split(' ')
    .filter(Boolean)
    .map(Number)
    .filter((child) => {
      try {
        return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('gateway-worker.js');
      } catch {
        return false;
      }
    });
}
