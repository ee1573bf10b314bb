// Schema defaulting as a cluster with the Gateway API and GKE CRDs does it: what `kubectl get -o json` shows after
// `kubectl apply` of manifests that leave defaulted fields out (so GitOps diffs match a cluster's).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiServer } from '../../src/apiserver/server.js';
import { startEmbeddedApi } from '../../src/cli/up.js';
import { httpsCall, KUBECTL } from './harness.js';

const MANIFESTS = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: gke-l7-regional-external-managed
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  ports: [{port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: svc-1
  labels: {kubernetes.io/service-name: svc}
addressType: IPv4
ports: [{name: "", port: 80}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: terse}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {value: /x}, headers: [{name: h, value: v}]}]
    backendRefs: [{name: svc, port: 80}]
  - backendRefs: [{name: svc, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: no-rules}
spec:
  parentRefs: [{name: gw}]
---
apiVersion: networking.gke.io/v1
kind: GCPTrafficExtension
metadata: {name: ext}
spec:
  targetRefs: [{group: "gateway.networking.k8s.io", kind: Gateway, name: gw}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions: [{celMatcher: 'request.path.contains("x")'}]
    extensions:
    - name: ext1
      authority: myext.com
      timeout: 1s
      backendRef: {name: svc, port: 80}
`;

const PREFIX_ROOT = { type: 'PathPrefix', value: '/' };

describe('schema defaults (Gateway API and GKE CRDs)', () => {
  let api: ApiServer;
  let dir: string;
  let file: string;
  const kubectl = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        KUBECTL,
        args,
        {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '/usr/bin', HOME: dir, KUBECONFIG: api.kubeconfigPath },
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  const getJson = async (what: string) => {
    const run = await kubectl(['get', what, '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'extgate-defaults-'));
    api = await startEmbeddedApi({ stateDir: join(dir, 'state'), apiPort: 0 });
    file = join(dir, 'm.yaml');
    writeFileSync(file, MANIFESTS);
    const run = await kubectl(['apply', '-f', file]);
    assert.equal(run.code, 0, run.stderr);
  });
  after(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('HTTPRoute: path type, header match type, parentRef group/kind, backendRef group/kind/weight', async () => {
    const r = await getJson('httproute/terse');
    assert.deepEqual(r.spec.parentRefs, [
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' },
    ]);
    const [first, second] = r.spec.rules;
    assert.deepEqual(first.matches[0].path, { type: 'PathPrefix', value: '/x' });
    assert.deepEqual(first.matches[0].headers, [{ name: 'h', type: 'Exact', value: 'v' }]);
    assert.deepEqual(first.backendRefs, [{ group: '', kind: 'Service', name: 'svc', port: 80, weight: 1 }]);
    assert.deepEqual(second.matches, [{ path: PREFIX_ROOT }], 'a rule without matches matches every path');
  });

  it('HTTPRoute without rules gets the one rule matching every path', async () => {
    const r = await getJson('httproute/no-rules');
    assert.deepEqual(r.spec.rules, [{ matches: [{ path: PREFIX_ROOT }] }]);
  });

  it('Gateway: listener allowedRoutes from Same; status Pending until a controller writes it', async () => {
    const g = await getJson('gateway/gw');
    assert.deepEqual(g.spec.listeners[0].allowedRoutes, { namespaces: { from: 'Same' } });
    assert.deepEqual(
      g.status.conditions.map(
        (c: { type: string; reason: string; status: string }) => `${c.type}=${c.status}/${c.reason}`,
      ),
      ['Accepted=Unknown/Pending', 'Programmed=Unknown/Pending'],
    );
  });

  it('GCPTrafficExtension: backendRef group and kind', async () => {
    const e = await getJson('gcptrafficextension/ext');
    const ref = e.spec.extensionChains[0].extensions[0].backendRef;
    assert.equal(ref.group, '');
    assert.equal(ref.kind, 'Service');
  });

  it('defaults make no diff: apply again writes nothing, kubectl diff is empty', async () => {
    // kubectl still prints `configured` for a custom resource whose lists got defaults (its merge patch replaces
    // the list), as against a cluster; the patched, defaulted result equals the stored object: no write.
    const before = (await getJson('httproute/terse')).metadata.resourceVersion;
    assert.equal((await kubectl(['apply', '-f', file])).code, 0);
    assert.equal((await getJson('httproute/terse')).metadata.resourceVersion, before);
    const diff = await kubectl(['diff', '-f', file]);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
  });

  it('/openapi/v3 declares the object and list defaults it applies', async () => {
    const doc = (await httpsCall(api, 'GET', '/openapi/v3/apis/gateway.networking.k8s.io/v1')).json();
    const route = Object.entries(doc.components.schemas).find(([k]) => k.endsWith('HTTPRoute'))![1] as {
      properties: { spec: { properties: { rules: { default: unknown } } } };
    };
    assert.deepEqual(route.properties.spec.properties.rules.default, [{ matches: [{ path: PREFIX_ROOT }] }]);
  });
});
