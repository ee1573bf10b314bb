// A listener port something else holds: through the whole product, that Gateway's listener reports
// Accepted=False/PortUnavailable and the Gateway Programmed=False, while every other Gateway keeps being
// programmed and served; once the port is free again, the listener comes up by itself.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, it } from 'node:test';
import { startStoreApp, type StoreApp } from '../../examples/store/store-app.js';
import { httpGet, startExtgate, waitFor, type ExtgateProcess } from './harness.js';
import { documents, loopbackService } from './manifests.js';

let extgate: ExtgateProcess;
let store: StoreApp;
let blocker: Server;
let busyPort = 0;

function gateway(name: string, port: number): string {
  return `kind: Gateway
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: ${name}}
spec:
  gatewayClassName: gke-l7-regional-external-managed
  listeners: [{name: http, protocol: HTTP, port: ${port}}]
`;
}

before(async () => {
  store = await startStoreApp('store-v1', 0);
  extgate = await startExtgate('up');
  // Listener port 81 binds 81 + offset: hold that port with another server.
  busyPort = 81 + extgate.portOffset;
  blocker = createServer();
  await new Promise<void>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen(busyPort, '127.0.0.1', () => resolve());
  });
});

after(async () => {
  await extgate?.cleanup();
  await store?.close();
  if (blocker?.listening) await new Promise((r) => blocker.close(r));
});

it('a busy port is reported on its listener and holds nothing else back', async () => {
  await extgate.kubectl(['apply', '-f', '-'], {
    input: documents(
      gateway('busy', 81),
      gateway('ok', 80),
      loopbackService('store-v1', store.port),
      `kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{kind: Gateway, name: ok}, {kind: Gateway, name: busy}]
  hostnames: ["store.example.com"]
  rules: [{backendRefs: [{name: store-v1, port: 8080}]}]`,
    ),
  });
  const okPort = 80 + extgate.portOffset;
  await waitFor(
    async () => (await httpGet(okPort, '/', { host: 'store.example.com' })).status === 200,
    15_000,
  );
  await extgate.kubectl(['wait', '--for=condition=Programmed', 'gateway/ok', '--timeout=30s']);

  const listenerReason = async () =>
    (
      await extgate.kubectl([
        'get',
        'gateway',
        'busy',
        '-o=jsonpath={.status.listeners[0].conditions[?(@.type=="Accepted")].reason}',
      ])
    ).stdout;
  await waitFor(async () => (await listenerReason()) === 'PortUnavailable', 15_000, 200);
  const programmed = await extgate.kubectl([
    'get',
    'gateway',
    'busy',
    '-o=jsonpath={.status.conditions[?(@.type=="Programmed")].status}',
  ]);
  assert.equal(programmed.stdout, 'False');
  const describe = await extgate.kubectl(['describe', 'gateway', 'busy']);
  assert.match(describe.stdout, new RegExp(`${busyPort}`), 'the message names the port');
  assert.match(describe.stdout, /EADDRINUSE/);
  assert.match(
    describe.stdout.replace(/\s+/g, ' '),
    /another process listens there: stop it, or move the listeners with --port-offset N or --address ADDR/,
    'the message names the flags that fix it',
  );

  // Free the port: the controller retries and the listener comes up.
  await new Promise((r) => blocker.close(r));
  await extgate.kubectl(['wait', '--for=condition=Programmed', 'gateway/busy', '--timeout=40s']);
  await waitFor(
    async () => (await httpGet(busyPort, '/', { host: 'store.example.com' })).status === 200,
    15_000,
  );
});
