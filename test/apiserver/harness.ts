// Test helpers: an API server on port 0 with its own state dir, the real kubectl against it, raw HTTPS calls.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/apiserver/server.js';

export const KUBECTL = '/usr/bin/kubectl';
/** Debian's kubernetes-client 1.20, unpacked by .ci/run (`apt-get download` + `dpkg -x`); tests skip without it. */
export const KUBECTL_120 = process.env.EXTGATE_KUBECTL_120 ?? '/tmp/extgate-kubectl-1.20/usr/bin/kubectl';
export const HAVE_KUBECTL_120 = existsSync(KUBECTL_120);

export interface TestApi {
  api: ApiServer;
  dir: string;
  /** Runs kubectl with this server's kubeconfig and a private HOME (own discovery cache). */
  kubectl(
    args: string[],
    /** `bin` undefined: the kubectl on PATH (1.32). */
    opts?: { bin?: string | undefined; env?: Record<string, string>; input?: string; allowFail?: boolean },
  ): Promise<Run>;
  /** Raw HTTPS request with the bearer token (unless `token` overrides it). */
  call(
    method: string,
    path: string,
    opts?: {
      body?: string | Buffer;
      contentType?: string;
      token?: string | null;
      accept?: string;
      headers?: Record<string, string>;
    },
  ): Promise<Reply>;
  /** Writes a file in the test's temp dir and returns its path. */
  file(name: string, text: string, mode?: number): string;
  close(): Promise<void>;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, any>;
}

export async function startTestApi(extra: Partial<ApiServerOptions> = {}): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-api-'));
  const api = await startApiServer({ stateDir: join(dir, 'state'), port: 0, ...extra });
  return {
    api,
    dir,
    kubectl: (args, opts = {}) =>
      new Promise((resolve, reject) => {
        const child = execFile(
          opts.bin ?? KUBECTL,
          args,
          {
            cwd: dir,
            timeout: 60_000,
            env: {
              PATH: process.env.PATH ?? '/usr/bin:/bin',
              HOME: dir,
              KUBECONFIG: api.kubeconfigPath,
              ...opts.env,
            },
          },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
            const run = { code, stdout: String(stdout), stderr: String(stderr) };
            if (code !== 0 && !opts.allowFail)
              reject(new Error(`kubectl ${args.join(' ')} exited ${code}:\n${run.stderr}${run.stdout}`));
            else resolve(run);
          },
        );
        if (opts.input !== undefined) child.stdin?.end(opts.input);
      }),
    call: (method, path, opts = {}) => httpsCall(api, method, path, opts),
    file: (name, text, mode) => {
      const p = join(dir, name);
      writeFileSync(p, text, mode === undefined ? undefined : { mode });
      return p;
    },
    close: async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function httpsCall(
  api: Pick<ApiServer, 'url' | 'caPem' | 'token'>,
  method: string,
  path: string,
  opts: {
    body?: string | Buffer;
    contentType?: string;
    token?: string | null;
    accept?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? api.token : opts.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
    if (opts.accept) headers.Accept = opts.accept;
    // Node sends DELETE bodies without framing unless told the length.
    if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    const req = request(new URL(path, api.url), { method, ca: api.caPem, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true (bounded). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
