// The seed's walkthrough, end to end: `extgate up` as a real process, manifests applied with the real kubectl,
// the store app on loopback, the `basic` callout over gRPC+TLS, traffic through real listeners.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CalloutServer } from '../../src/sdk/server.js';
import { basic } from '../../examples/callouts/basic/callout.js';
import { startStoreApp, type StoreApp } from '../../examples/store/store-app.js';
import {
  httpGet as get,
  startTlsCallout,
  startExtgate,
  waitFor,
  type ExtgateProcess,
  type HttpAnswer as Answer,
} from './harness.js';
import { documents, httpGateway, loopbackService } from './manifests.js';

function storeManifests(ports: Record<string, number>): string {
  return documents(
    httpGateway('internal-http', 'gke-l7-regional-external-managed'),
    ...Object.entries(ports).map(([name, port]) => loopbackService(name, port)),
    `kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{kind: Gateway, name: internal-http}]
  hostnames: ["store.example.com", "service-extensions.example.com"]
  rules:
  - backendRefs: [{name: store-v1, port: 8080}]
  - matches: [{headers: [{name: env, value: canary}]}]
    backendRefs: [{name: store-v2, port: 8080}]
  - matches: [{path: {value: /de}}]
    backendRefs: [{name: store-german, port: 8080}]`,
  );
}

function calloutManifests(securePort: number): string {
  return loopbackService('extension-service', securePort, { servicePort: 443, appProtocol: 'HTTP2' });
}

function extension(kind: 'GCPRoutingExtension' | 'GCPTrafficExtension', name: string): string {
  return `kind: ${kind}
apiVersion: networking.gke.io/v1
metadata:
  name: ${name}
  namespace: default
spec:
  targetRefs:
  - group: "gateway.networking.k8s.io"
    kind: Gateway
    name: internal-http
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions:
      - celMatcher: request.path.contains("serviceextensions")
    extensions:
    - name: ext1
      authority: "myext.com"
      timeout: 1s
      backendRef:
        group: ""
        kind: Service
        name: extension-service
        port: 443
`;
}

/**
 * Extensions carry Gateway API PolicyStatus (conditions per ancestor Gateway), which `kubectl wait
 * --for=condition` does not read; the seed checks them with describe, we read them with jsonpath.
 */
async function waitProgrammed(extgate: ExtgateProcess, kind: string, name: string): Promise<void> {
  await waitFor(
    async () => {
      const out = await extgate.kubectl([
        'get',
        kind,
        name,
        '-o=jsonpath={.status.ancestors[0].conditions[?(@.type=="Programmed")].status}',
      ]);
      return out.stdout === 'True';
    },
    30_000,
    200,
  );
}

describe('seed walkthrough through extgate up and kubectl', () => {
  let extgate: ExtgateProcess;
  const stores: StoreApp[] = [];
  let callout: CalloutServer;
  let gatewayPort = 0;

  before(async () => {
    for (const name of ['store-v1', 'store-v2', 'store-german']) stores.push(await startStoreApp(name, 0));
    const tls = await startTlsCallout(basic);
    callout = tls.server;
    extgate = await startExtgate('up');
    gatewayPort = 80 + extgate.portOffset;
    const ports = Object.fromEntries(
      stores.map((s, i) => [['store-v1', 'store-v2', 'store-german'][i]!, s.port]),
    );
    await extgate.kubectl(['apply', '-f', '-'], { input: storeManifests(ports) });
    await extgate.kubectl(['apply', '-f', '-'], { input: calloutManifests(tls.port) });
  });

  after(async () => {
    await extgate?.cleanup();
    await callout?.stop();
    await Promise.all(stores.map((s) => s.close()));
  });

  it('programs the Gateway and reports its address', async () => {
    const wait = await extgate.kubectl([
      'wait',
      '--for=condition=Programmed',
      'gateway/internal-http',
      '--timeout=30s',
    ]);
    assert.match(wait.stdout, /condition met/);
    const address = await extgate.kubectl([
      'get',
      'gateways.gateway.networking.k8s.io',
      'internal-http',
      '-o=jsonpath={.status.addresses[0].value}',
    ]);
    assert.equal(address.stdout, '127.0.0.1');
  });

  it('routes the store HTTPRoute as the seed says', async () => {
    await waitFor(
      async () => (await get(gatewayPort, '/', { host: 'store.example.com' })).status === 200,
      10_000,
    );
    const v1 = await get(gatewayPort, '/', { host: 'store.example.com' });
    assert.equal(JSON.parse(v1.body).metadata, 'store-v1');
    const v2 = await get(gatewayPort, '/', { host: 'store.example.com', env: 'canary' });
    assert.equal(JSON.parse(v2.body).metadata, 'store-v2');
    const de = await get(gatewayPort, '/de', { host: 'store.example.com' });
    assert.equal(JSON.parse(de.body).metadata, 'store-german');
    const unknown = await get(gatewayPort, '/', { host: 'unknown.example.com' });
    assert.equal(unknown.status, 404);
  });

  it('routing extension: the callout rewrites the host and the store app answers', async () => {
    await extgate.kubectl(['apply', '-f', '-'], {
      input: extension('GCPRoutingExtension', 'my-gateway-extension'),
    });
    await waitProgrammed(extgate, 'gcproutingextension', 'my-gateway-extension');
    let answer: Answer | undefined;
    await waitFor(async () => {
      answer = await get(gatewayPort, '/serviceextensions', { host: 'store.example.com' });
      return answer.status === 200 && JSON.parse(answer.body).host_header === 'service-extensions.com';
    }, 10_000);
    const json = JSON.parse(answer!.body);
    assert.equal(json.metadata, 'store-v1');
    assert.equal(json.host_header, 'service-extensions.com');
    const describe = await extgate.kubectl(['describe', 'gcproutingextension', 'my-gateway-extension']);
    assert.match(describe.stdout, /Reason:\s+ProgrammingSucceeded/);
    assert.match(describe.stdout, /sc-gateway-controller/);
  });

  it('traffic extension: the response carries hello: service-extensions', async () => {
    await extgate.kubectl(['delete', 'gcproutingextension', 'my-gateway-extension']);
    await extgate.kubectl(['apply', '-f', '-'], {
      input: extension('GCPTrafficExtension', 'my-traffic-extension'),
    });
    await waitProgrammed(extgate, 'gcptrafficextension', 'my-traffic-extension');
    let answer: Answer | undefined;
    await waitFor(async () => {
      answer = await get(gatewayPort, '/serviceextensions', { host: 'store.example.com' });
      return answer.headers['hello'] === 'service-extensions';
    }, 10_000);
    assert.equal(answer!.status, 200);
    const describeGateway = await extgate.kubectl(['describe', 'gateway', 'internal-http']);
    assert.match(describeGateway.stdout, /networking\.gke\.io\/lb-traffic-extensions/);
  });

  it('the admin port traces the request: dashboard API, access log line, metrics', async () => {
    const admin = `http://127.0.0.1:${extgate.adminPort}`;
    // Nobody watched so far: nothing was traced. A capture of the next request to the path records it.
    const idle = (await (await fetch(`${admin}/api/requests`)).json()) as { requests: unknown[] };
    assert.deepEqual(idle.requests, []);
    const capture = await fetch(`${admin}/api/capture`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1, path: '/serviceextensions' }),
    });
    assert.equal(capture.status, 201, await capture.clone().text());
    // The capture reaches every data-plane worker a moment later; ask until one request is recorded.
    await waitFor(async () => {
      await get(gatewayPort, '/serviceextensions', { host: 'store.example.com' });
      const list = (await (await fetch(`${admin}/api/requests`)).json()) as { requests: unknown[] };
      return list.requests.length > 0;
    }, 10_000);
    const { requests } = (await (await fetch(`${admin}/api/requests`)).json()) as {
      requests: Array<{ id: number; path: string; chains: Array<string | null> }>;
    };
    const traced = requests.filter(
      (r) => r.path === '/serviceextensions' && r.chains.some((c) => c?.startsWith('GCPTrafficExtension/')),
    );
    assert.ok(traced.length > 0, JSON.stringify(requests.slice(-3)));
    const trace = (await (await fetch(`${admin}/api/requests/${traced.at(-1)!.id}`)).json()) as {
      steps: Array<{ extension: string; event: string; effect: string; after?: { headers: string[] } }>;
      upstream?: { status: number };
      route?: { id: string };
    };
    const response = trace.steps.find((s) => s.event === 'ResponseHeaders');
    assert.equal(response?.effect, 'CONTENT_MODIFIED');
    assert.ok(response?.after?.headers.includes('hello'));
    assert.equal(trace.upstream?.status, 200);
    assert.match(trace.route?.id ?? '', /^default\/store\//);
    const tree = (await (await fetch(`${admin}/api/tree`)).json()) as { gateways: Array<{ name: string }> };
    assert.ok(tree.gateways.some((g) => g.name === 'internal-http'));
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    assert.match(
      metrics,
      /extgate_extension_latency_seconds_count\{chain="GCPTrafficExtension\/default\/my-traffic-extension\/chain1"/,
    );
    assert.match(metrics, /extgate_snapshots_programmed_total [1-9]/);
    // Access-log lines are written in batches, at least once a second.
    const accessLine = () =>
      extgate
        .output()
        .split('\n')
        .find((l) => l.includes('"service_extension_info"'));
    await waitFor(async () => accessLine() !== undefined, 5_000);
    const line = accessLine();
    assert.ok(line, 'an access-log line with service_extension_info');
    assert.equal(JSON.parse(line!).log, 'access');
  });
});
