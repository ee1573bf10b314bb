// `extgate up` as a normal user with default flags (issue 15, "no root"; issue 9, "up binds loopback"): the
// seed's Gateways (ports 80, 81, 443) bind +8000 without being asked, only on 127.0.0.1, and serve; with
// `--port-offset 0` the kernel refuses port 80 and the listener's status names the flag that fixes it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { startStoreApp, type StoreApp } from '../../examples/store/store-app.js';
import { selfSignedCertificate } from '../../src/sdk/certs.js';
import { normalUser, type NormalUser } from '../support/normal-user.js';
import { REPO_ROOT, httpGet, startExtgate, waitFor, type ExtgateProcess } from './harness.js';
import { documents, loopbackService } from './manifests.js';

const DEFAULT_OFFSET = 8000; // documented in README and `extgate up --help`

let user: NormalUser;
let store: StoreApp;
const started: ExtgateProcess[] = [];

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A privileged port whose default binding (P + 8000) is free now. */
async function privilegedPortWithFreeBinding(exclude: number[]): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 100 + Math.floor(Math.random() * 900);
    if (!exclude.includes(port) && (await canListen(port + DEFAULT_OFFSET, '0.0.0.0'))) return port;
  }
  throw new Error('no free port in 8100-9000');
}

/** The seed's three Gateways (examples/store/manifests/10-gateway.yaml) with their ports 80, 81, 443 → `ports`. */
function seedGateways(ports: [number, number, number]): string {
  const yaml = readFileSync(join(REPO_ROOT, 'examples/store/manifests/10-gateway.yaml'), 'utf8');
  return yaml
    .replace(/port: 80\b/, `port: ${ports[0]}`)
    .replace(/port: 81\b/, `port: ${ports[1]}`)
    .replace(/port: 443\b/, `port: ${ports[2]}`);
}

function tlsSecret(): string {
  const cert = selfSignedCertificate(['store.example.com']);
  return `apiVersion: v1
kind: Secret
metadata: {name: store-example-com}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(cert.certPem).toString('base64')}
  tls.key: ${Buffer.from(cert.keyPem).toString('base64')}`;
}

const route = `kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{kind: Gateway, name: internal-http}, {kind: Gateway, name: external-http}]
  hostnames: ["store.example.com"]
  rules: [{backendRefs: [{name: store-v1, port: 8080}]}]`;

before(async () => {
  user = normalUser();
  store = await startStoreApp('store-v1', 0);
});

after(async () => {
  for (const p of started) await p.cleanup();
  await store?.close();
});

it('runs as a user who is not root', () => {
  assert.notEqual(user.uid, 0);
});

it('up with default flags serves the seed Gateways as a normal user: ports < 1024 bind +8000, on loopback', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) ports.push(await privilegedPortWithFreeBinding(ports));
  const extgate = await startExtgate('up', { portOffset: null, address: null, user });
  started.push(extgate);
  await extgate.kubectl(['apply', '-f', '-'], {
    input: documents(
      seedGateways(ports as [number, number, number]),
      tlsSecret(),
      loopbackService('store-v1', store.port),
      route,
    ),
  });
  for (const name of ['internal-http', 'external-http', 'global-external-http'])
    await extgate.kubectl(['wait', '--for=condition=Programmed', `gateway/${name}`, '--timeout=60s']);
  for (const port of ports.slice(0, 2)) {
    const bound = port + DEFAULT_OFFSET;
    await waitFor(
      async () => (await httpGet(bound, '/', { host: 'store.example.com' })).status === 200,
      15_000,
    );
    // Bound to 127.0.0.1 only: another address of the loopback network can still take the same port, which
    // a listener on 0.0.0.0 would prevent.
    assert.ok(await canListen(bound, '127.0.0.2'), `port ${bound} is bound beyond 127.0.0.1`);
  }
  const address = await extgate.kubectl([
    'get',
    'gateway',
    'internal-http',
    '-o=jsonpath={.status.addresses[0].value}',
  ]);
  assert.equal(address.stdout, '127.0.0.1');
});

it('with --port-offset 0 a privileged port is refused, and the status says which flag to use', async () => {
  const port = await privilegedPortWithFreeBinding([]);
  const extgate = await startExtgate('up', { portOffset: 0, user });
  started.push(extgate);
  await extgate.kubectl(['apply', '-f', '-'], {
    input: documents(
      `kind: Gateway
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: internal-http}
spec:
  gatewayClassName: gke-l7-rilb
  listeners: [{name: http, protocol: HTTP, port: ${port}}]`,
    ),
  });
  const message = async () =>
    (
      await extgate.kubectl([
        'get',
        'gateway',
        'internal-http',
        '-o=jsonpath={.status.listeners[0].conditions[?(@.type=="Accepted")].message}',
      ])
    ).stdout;
  await waitFor(async () => /EACCES/.test(await message()), 60_000, 200);
  assert.match(await message(), /need root: leave --port-offset unset/);
  assert.match(extgate.output(), /EACCES.*--port-offset/);
});
