// Zero-drop reloads through the whole pipeline: under constant load, 50 HTTPRoute changes applied through the
// API (kubectl → embedded API → controller → snapshot → data plane) fail no request and reset no connection.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { autocannon } from '../support/autocannon.js';
import { startStoreApp, type StoreApp } from '../../examples/store/store-app.js';
import { httpGet, startExtgate, waitFor, type ExtgateProcess } from './harness.js';
import { documents, httpGateway, loopbackService } from './manifests.js';

let extgate: ExtgateProcess;
let store: StoreApp;
let gatewayPort = 0;

function route(generation: number): string {
  // Each change rewrites the route (hostnames, a header-match rule) while store.example.com keeps its answer.
  return `kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{kind: Gateway, name: gw}]
  hostnames: ["store.example.com", "change-${generation}.example.com"]
  rules:
  - backendRefs: [{name: store-v1, port: 8080}]
  - matches: [{headers: [{name: x-change, value: "${generation}"}]}]
    backendRefs: [{name: store-v1, port: 8080}]
`;
}

before(async () => {
  store = await startStoreApp('store-v1', 0);
  extgate = await startExtgate('up');
  gatewayPort = 80 + extgate.portOffset;
  await extgate.kubectl(['apply', '-f', '-'], {
    input: `${documents(httpGateway('gw', 'gke-l7-regional-external-managed'), loopbackService('store-v1', store.port))}---
${route(0)}`,
  });
  await waitFor(
    async () => (await httpGet(gatewayPort, '/', { host: 'store.example.com' })).status === 200,
    15_000,
  );
});

after(async () => {
  await extgate?.cleanup();
  await store?.close();
});

it('50 route changes through the API under load: no failed request, no reset connection', async () => {
  const load = autocannon({
    url: `http://127.0.0.1:${gatewayPort}/`,
    headers: { host: 'store.example.com' },
    connections: 16,
    duration: 20,
  });
  const changes = (async () => {
    for (let generation = 1; generation <= 50; generation++) {
      await extgate.kubectl(['apply', '-f', '-'], { input: route(generation) });
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const [result] = await Promise.all([load, changes]);
  const routeNow = await extgate.kubectl(['get', 'httproute', 'store', '-o=jsonpath={.spec.hostnames[1]}']);
  assert.equal(routeNow.stdout, 'change-50.example.com', 'all 50 changes were applied');
  // The last change is served: its hostname answers.
  await waitFor(
    async () => (await httpGet(gatewayPort, '/', { host: 'change-50.example.com' })).status === 200,
    10_000,
  );
  assert.ok(result.requests.total > 1000, `load ran (${result.requests.total} requests)`);
  assert.equal(result.errors, 0, 'connection errors and resets');
  assert.equal(result.timeouts, 0, 'timeouts');
  assert.equal(result.non2xx, 0, 'non-2xx answers');
  assert.equal(result.resets ?? 0, 0, 'pipeline resets');
});
