// `npm start`: the seed's whole walkthrough on this machine.
//
// Starts the store backends (store-v1, store-v2, store-german), the `basic` callout over gRPC+TLS, builds the
// `local-reply` plugin, then runs `extgate up -f examples/store/manifests` (the seed's Gateways, the store
// HTTPRoute, the routing and traffic extensions, the GCPWasmPlugin), waits until it is programmed, checks
// each curl of the walkthrough and prints it with its expected answer. Ctrl-C stops everything.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { basic } from '../callouts/basic/callout.js';
import { CalloutServer } from '../../src/sdk/server.js';
import { selfSignedCertificate } from '../../src/sdk/certs.js';
import { startStoreApp, type StoreApp } from './store-app.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** Fixed by examples/store/manifests (EndpointSlices name these loopback ports). */
export const DEMO_PORTS = { storeV1: 18081, storeV2: 18082, storeGerman: 18083, callout: 18443 } as const;

export interface DemoCheck {
  /** What the seed shows this command doing. */
  readonly title: string;
  /** The curl command a user can paste (paths relative to the repository root). */
  readonly curl: string[];
  /** Text the answer (headers + body, as `curl -i` prints them) must contain. */
  readonly expect: string;
}

export function demoChecks(stateDir: string): DemoCheck[] {
  const http = ['--resolve', 'store.example.com:8080:127.0.0.1'];
  const cacert = join(stateDir, 'demo', 'cacert.pem');
  return [
    {
      title: 'store HTTPRoute: Host store.example.com → store-v1',
      curl: ['curl', '-s', ...http, 'http://store.example.com:8080/'],
      expect: '"metadata": "store-v1"',
    },
    {
      title: 'header env: canary → store-v2',
      curl: ['curl', '-s', ...http, '-H', 'env: canary', 'http://store.example.com:8080/'],
      expect: '"metadata": "store-v2"',
    },
    {
      title: 'path /de → store-german',
      curl: ['curl', '-s', ...http, 'http://store.example.com:8080/de'],
      expect: '"metadata": "store-german"',
    },
    {
      title:
        'GCPRoutingExtension on internal-http: the callout rewrites Host to service-extensions.com (store-v1 answers)',
      curl: ['curl', '-s', ...http, 'http://store.example.com:8080/serviceextensions'],
      expect: '"host_header": "service-extensions.com"',
    },
    {
      title: 'GCPTrafficExtension on external-http: the callout adds a response header',
      curl: [
        'curl',
        '-si',
        '--resolve',
        'store.example.com:8081:127.0.0.1',
        'http://store.example.com:8081/serviceextensions',
      ],
      expect: 'hello: service-extensions',
    },
    {
      title: 'GCPWasmPlugin local-reply on the global Gateway (HTTPS)',
      curl: [
        'curl',
        '-s',
        '--resolve',
        'store.example.com:8443:127.0.0.1',
        '--cacert',
        cacert,
        'https://store.example.com:8443/serviceextensions',
      ],
      expect: 'Hello World',
    },
  ];
}

/**
 * Runs one check with the real curl; returns what curl printed. Asynchronously: the store apps and the
 * callout answer from this very process.
 */
export function runCheck(check: DemoCheck): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolveCheck) => {
    execFile(
      check.curl[0]!,
      check.curl.slice(1),
      { encoding: 'utf8', timeout: 10_000 },
      (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        resolveCheck({ ok: err === null && output.includes(check.expect), output });
      },
    );
  });
}

/** The TLS Secret of the global Gateway's HTTPS listener, and the CA file curl trusts. */
function writeGatewayCertificate(stateDir: string): string {
  const dir = join(stateDir, 'demo');
  mkdirSync(dir, { recursive: true });
  const cert = selfSignedCertificate(['store.example.com', 'service-extensions.example.com']);
  writeFileSync(join(dir, 'cacert.pem'), cert.certPem);
  const manifest = join(dir, 'store-example-com-secret.yaml');
  writeFileSync(
    manifest,
    [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: store-example-com, namespace: default}',
      'type: kubernetes.io/tls',
      'data:',
      `  tls.crt: ${Buffer.from(cert.certPem).toString('base64')}`,
      `  tls.key: ${Buffer.from(cert.keyPem).toString('base64')}`,
      '',
    ].join('\n'),
  );
  return manifest;
}

async function waitReady(adminPort: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`extgate up exited with code ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${adminPort}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`extgate up was not ready after ${timeoutMs} ms`);
}

async function retryCheck(check: DemoCheck, timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = await runCheck(check);
  while (!last.ok && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = await runCheck(check);
  }
  return last;
}

async function main(): Promise<void> {
  const stateDir = resolve(process.env.EXTGATE_STATE_DIR ?? join(REPO_ROOT, '.extgate'));
  const apiPort = process.env.EXTGATE_API_PORT ?? '6443';
  const adminPort = Number(process.env.EXTGATE_ADMIN_PORT ?? '9901');
  const say = (line: string) => process.stdout.write(`${line}\n`);

  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build-plugins.mjs'), 'local-reply'], {
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('building examples/plugins/local-reply failed');

  const stores: StoreApp[] = [
    await startStoreApp('store-v1', DEMO_PORTS.storeV1),
    await startStoreApp('store-v2', DEMO_PORTS.storeV2),
    await startStoreApp('store-german', DEMO_PORTS.storeGerman),
  ];
  const calloutCert = selfSignedCertificate(['myext.com']);
  const callout = new CalloutServer(basic, {
    address: '127.0.0.1',
    plaintextPort: null,
    securePort: DEMO_PORTS.callout,
    healthPort: null,
    certChain: calloutCert.certPem,
    privateKey: calloutCert.keyPem,
  });
  await callout.start();
  say(
    `store apps on 127.0.0.1:${stores.map((s) => s.port).join(', ')}; basic callout (gRPC+TLS) on 127.0.0.1:${DEMO_PORTS.callout}`,
  );

  const secret = writeGatewayCertificate(stateDir);
  const upLogPath = join(stateDir, 'extgate-up.log');
  const accessLogPath = join(stateDir, 'access.log');
  const upLog = openSync(upLogPath, 'w');
  // `up`'s defaults: listeners on 127.0.0.1, ports below 1024 moved by 8000 (80 → 8080, 443 → 8443), no root.
  const up = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin/extgate'),
      'up',
      '--state-dir',
      stateDir,
      '--api-port',
      apiPort,
      '--admin-port',
      String(adminPort),
      // 60-plugin.yaml names the built example plugin with file://: only this directory may be read.
      '--plugin-dir',
      join(REPO_ROOT, 'examples/plugins'),
      '--access-log',
      accessLogPath,
      '-f',
      secret,
      '-f',
      join(REPO_ROOT, 'examples/store/manifests'),
    ],
    // Its log and the access log go to files, so the walkthrough printed below stays on screen.
    { cwd: REPO_ROOT, stdio: ['ignore', upLog, upLog] },
  );

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('');
    if (up.exitCode === null) {
      up.kill('SIGTERM');
      await new Promise((r) => up.once('exit', r));
      say(`stopped extgate up (pid ${up.pid}; its log: ${upLogPath})`);
    }
    await callout.stop();
    say(`stopped the basic callout on 127.0.0.1:${DEMO_PORTS.callout}`);
    await Promise.all(stores.map((s) => s.close()));
    say(`stopped the store apps on 127.0.0.1:${stores.map((s) => s.port).join(', ')}`);
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  up.once('exit', (code) => {
    if (!stopping) {
      say(`extgate up exited (${code ?? 'signal'}); the end of its log (${upLogPath}):`);
      say(readFileSync(upLogPath, 'utf8').split('\n').slice(-20).join('\n'));
      void stop(1);
    }
  });

  const started = Date.now();
  await waitReady(adminPort, up, 60_000);
  let failures = 0;
  let firstAnswerMs: number | undefined;
  say('\nThe seed walkthrough now works here:\n');
  for (const check of demoChecks(stateDir)) {
    const result = await retryCheck(check, 10_000);
    if (!result.ok) failures++;
    // From this process's start (npm start), what a user waits for before the walkthrough answers.
    firstAnswerMs ??= result.ok ? Math.round(process.uptime() * 1000) : undefined;
    say(`${result.ok ? '✔' : '✘'} ${check.title}`);
    say(`  ${check.curl.map((a) => (/[\s"']/.test(a) ? `'${a}'` : a)).join(' ')}`);
    say(`  → answers with: ${check.expect}${result.ok ? '' : `\n  but got: ${result.output.slice(0, 400)}`}`);
  }
  say(
    `\nextgate up was ready ${Date.now() - started} ms after it started; the first demo request answered ${firstAnswerMs ?? '-'} ms after npm start.`,
  );
  // `extgate up` made its context current in the user's kubeconfig: plain kubectl works in any shell.
  say('kubectl:   kubectl describe gcptrafficextension my-traffic-extension');
  say(
    `dashboard: http://127.0.0.1:${adminPort}/   (xdg-open http://127.0.0.1:${adminPort}/ on Linux, open ... on macOS)`,
  );
  say(`logs:      tail -f ${accessLogPath}   (one JSON line per request; extgate's own log: ${upLogPath})`);
  say(
    failures === 0
      ? 'All demo requests answered as the seed shows. Ctrl-C stops everything.'
      : `${failures} demo request(s) failed.`,
  );
  if (process.env.EXTGATE_DEMO_EXIT === '1') await stop(failures === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
