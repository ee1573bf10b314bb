// Callout connection problems are visible where users look (issue 15, scope 4): a plaintext callout behind a
// Service port that says TLS (appProtocol: HTTP2), and a callout that is not running, each show up on the
// extension's status (condition CalloutReachable=False, a Warning event) and in the dashboard's tree, worded
// as what is wrong and the fix; fixing the Service clears them. The data plane only reports; the controller
// writes status.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { basic } from '../../examples/callouts/basic/callout.js';
import { startStoreApp, type StoreApp } from '../../examples/store/store-app.js';
import { CalloutServer } from '../../src/sdk/server.js';
import { freePort, httpGet, startExtgate, waitFor, type ExtgateProcess } from './harness.js';
import { documents, httpGateway, loopbackService } from './manifests.js';

let extgate: ExtgateProcess;
let store: StoreApp;
let plaintext: CalloutServer;
let plaintextPort = 0;
let gatewayPort = 0;

const route = `kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{kind: Gateway, name: gw}]
  hostnames: ["store.example.com"]
  rules: [{backendRefs: [{name: store-v1, port: 8080}]}]`;

const trafficExtension = `kind: GCPTrafficExtension
apiVersion: networking.gke.io/v1
metadata: {name: my-traffic-extension}
spec:
  targetRefs: [{group: "gateway.networking.k8s.io", kind: Gateway, name: gw}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions: [{celMatcher: 'request.path.contains("serviceextensions")'}]
    extensions:
    - name: ext1
      authority: "myext.com"
      timeout: 1s
      backendRef: {group: "", kind: Service, name: extension-service, port: 443}`;

before(async () => {
  store = await startStoreApp('store-v1', 0);
  plaintext = new CalloutServer(basic, {
    address: '127.0.0.1',
    plaintextPort: 0,
    securePort: null,
    healthPort: null,
  });
  plaintextPort = (await plaintext.start()).plaintext!;
  extgate = await startExtgate('up');
  gatewayPort = 80 + extgate.portOffset;
});

after(async () => {
  await extgate?.cleanup();
  await plaintext?.stop();
  await store?.close();
});

async function reachable(): Promise<{ status: string; reason: string; message: string } | undefined> {
  const r = await extgate.kubectl(['get', 'gcptrafficextension', 'my-traffic-extension', '-o', 'json']);
  const obj = JSON.parse(r.stdout) as {
    status?: {
      ancestors?: Array<{
        conditions: Array<{ type: string; status: string; reason: string; message: string }>;
      }>;
    };
  };
  return obj.status?.ancestors?.[0]?.conditions.find((c) => c.type === 'CalloutReachable');
}

/** Requests that go through the extension, until `done` (each one is a connection attempt once the back-off passed). */
async function trafficUntil(done: () => Promise<boolean>): Promise<void> {
  await waitFor(
    async () => {
      await httpGet(gatewayPort, '/serviceextensions', { host: 'store.example.com' });
      return done();
    },
    60_000,
    300,
  );
}

async function treeText(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${extgate.adminPort}/api/tree`);
  return res.text();
}

it('a plaintext callout behind appProtocol HTTP2 is reported with the fix, and clears once fixed', async () => {
  await extgate.kubectl(['apply', '-f', '-'], {
    input: documents(
      httpGateway('gw', 'gke-l7-regional-external-managed'),
      loopbackService('store-v1', store.port),
      route,
      loopbackService('extension-service', plaintextPort, { servicePort: 443, appProtocol: 'HTTP2' }),
      trafficExtension,
    ),
  });
  await extgate.kubectl(['wait', '--for=condition=Programmed', 'gateway/gw', '--timeout=60s']);
  await trafficUntil(async () => (await reachable())?.status === 'False');
  const c = (await reachable())!;
  assert.equal(c.reason, 'CalloutConnectionFailed');
  assert.match(
    c.message,
    new RegExp(
      `extension "ext1": the callout at 127\\.0\\.0\\.1:${plaintextPort} speaks plaintext HTTP/2, .*set appProtocol: kubernetes\\.io/h2c`,
    ),
  );
  const describe = await extgate.kubectl(['describe', 'gcptrafficextension', 'my-traffic-extension']);
  assert.match(describe.stdout, /Warning\s+CalloutConnectionFailed\s+.*speaks plaintext HTTP\/2/);
  assert.match(await treeText(), /set appProtocol: kubernetes.io\/h2c/);

  // The fix the message names: the Service port speaks h2c.
  await extgate.kubectl(['apply', '-f', '-'], {
    input: loopbackService('extension-service', plaintextPort, {
      servicePort: 443,
      appProtocol: 'kubernetes.io/h2c',
    }),
  });
  await trafficUntil(async () => (await reachable()) === undefined);
  const answer = await httpGet(gatewayPort, '/serviceextensions', { host: 'store.example.com' });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.hello, 'service-extensions');
  assert.doesNotMatch(await treeText(), /CalloutReachable/);
});

it('a callout that is not running: "connection refused at ADDRESS:PORT: is the callout running?"', async () => {
  const closedPort = await freePort();
  await extgate.kubectl(['apply', '-f', '-'], {
    input: loopbackService('extension-service', closedPort, {
      servicePort: 443,
      appProtocol: 'kubernetes.io/h2c',
    }),
  });
  await trafficUntil(async () => (await reachable())?.status === 'False');
  assert.match(
    (await reachable())!.message,
    new RegExp(`connection refused at 127\\.0\\.0\\.1:${closedPort}: is the callout running\\?`),
  );
  assert.match(await treeText(), /is the callout running/);
});
