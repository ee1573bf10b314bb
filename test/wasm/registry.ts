// A real registry for the tests: Debian's `docker-registry` (distribution 2.8) on a free loopback port with
// a throw-away storage dir, optionally behind token auth served by a small token server in this process
// (RS256 JWTs signed with a throw-away certificate the registry trusts), so the Bearer flow runs for real.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createSign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly dir: string;
  /** Token requests seen (token auth only). */
  readonly tokenRequests: string[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

export async function startRegistry(
  opts: { token?: { username: string; password: string } } = {},
): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-registry-'));
  const port = await freePort();
  const tokenRequests: string[] = [];
  let tokenServer: Server | undefined;
  let auth = '';
  if (opts.token) {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=extgate-test-token',
      ],
      { stdio: 'ignore' },
    );
    if (r.status !== 0) throw new Error('openssl failed to make the token certificate');
    const keyPem = readFileSync(key, 'utf8');
    const der = new X509Certificate(readFileSync(cert)).raw;
    const { username, password } = opts.token;
    tokenServer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      tokenRequests.push(url.search);
      const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      const access = (url.searchParams.getAll('scope') ?? []).flatMap((s) => {
        const [type, name, actions] = s.split(':');
        return type && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
      });
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] };
      const claims = {
        iss: 'extgate-test-issuer',
        sub: username,
        aud: 'extgate-test',
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: String(Math.random()),
        access,
      };
      const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const sig = createSign('RSA-SHA256').update(signingInput).sign(keyPem);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: `${signingInput}.${b64url(sig)}` }));
    });
    await new Promise<void>((r) => tokenServer!.listen(0, '127.0.0.1', r));
    const tport = (tokenServer.address() as AddressInfo).port;
    auth = `auth:\n  token:\n    realm: http://127.0.0.1:${tport}/token\n    service: extgate-test\n    issuer: extgate-test-issuer\n    rootcertbundle: ${cert}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    dir,
    tokenRequests,
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      if (tokenServer) await new Promise((r) => tokenServer!.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
