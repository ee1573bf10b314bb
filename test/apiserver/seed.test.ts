// The embedded API as `extgate up` starts it (with the product's admission) and the seed walkthrough's manifests,
// applied with the real kubectl: what applies, and the troubleshooting messages kubectl prints.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import type { ApiServer } from '../../src/apiserver/server.js';
import { startEmbeddedApi } from '../../src/cli/up.js';
import { KUBECTL } from './harness.js';

const BASE = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: internal-http}
spec:
  gatewayClassName: gke-l7-regional-external-managed
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: extension-service}
spec:
  ports: [{port: 443, targetPort: 443, appProtocol: HTTP2}]
  selector: {app: store}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: extension-service-1
  labels: {kubernetes.io/service-name: extension-service}
addressType: IPv4
ports: [{name: "", port: 443}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
---
apiVersion: v1
kind: Service
metadata: {name: lonely-service}
spec:
  ports: [{port: 443, appProtocol: HTTP2}]
`;

const extension = (kind: string, name: string, gateway: string, service: string) => `kind: ${kind}
apiVersion: networking.gke.io/v1
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [{group: "gateway.networking.k8s.io", kind: Gateway, name: ${gateway}}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions: [{celMatcher: 'request.path.contains("serviceextensions")'}]
    extensions:
    - name: ext1
      authority: "myext.com"
      timeout: 1s
      backendRef: {group: "", kind: Service, name: ${service}, port: 443}
`;

describe('seed manifests against `extgate up` with the product admission', () => {
  let api: ApiServer;
  let dir: string;
  const kubectl = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        KUBECTL,
        args,
        {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '/usr/bin', HOME: dir, KUBECONFIG: api.kubeconfigPath },
        },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
    });
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'extgate-seed-'));
    const base = write('base.yaml', BASE);
    api = await startEmbeddedApi({ stateDir: join(dir, 'state'), apiPort: 0, manifests: [base] });
  });
  after(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies both extension kinds when their references resolve', async () => {
    const file = write(
      'ok.yaml',
      extension('GCPRoutingExtension', 'my-gateway-extension', 'internal-http', 'extension-service') +
        '---\n' +
        extension('GCPTrafficExtension', 'my-traffic-extension', 'internal-http', 'extension-service'),
    );
    const run = await kubectl(['apply', '-f', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /gcproutingextension.networking.gke.io\/my-gateway-extension created/);
    assert.match(run.stdout, /gcptrafficextension.networking.gke.io\/my-traffic-extension created/);
    assert.match((await kubectl(['apply', '-f', file])).stdout, /my-traffic-extension unchanged/);
  });

  const troubles: [string, string, string, string][] = [
    [
      'missing Gateway',
      'missing-gateway',
      'extension-service',
      'GCPTrafficExtension.networking.gke.io "t1" is invalid: spec.gatewayRef: gateway "missing-gateway" not found in namespace "default"',
    ],
    [
      'missing Service',
      'internal-http',
      'callout-service',
      'GCPTrafficExtension.networking.gke.io "t1" is invalid: spec.service: service "callout-service" not found in namespace "default"',
    ],
    [
      'Service without endpoints',
      'internal-http',
      'lonely-service',
      'GCPTrafficExtension.networking.gke.io "t1" is invalid: spec.service: no network endpoints found for service "lonely-service"',
    ],
  ];
  for (const [what, gateway, service, message] of troubles) {
    it(`prints the seed's message for a ${what} and stores nothing`, async () => {
      const run = await kubectl([
        'apply',
        '-f',
        write('t1.yaml', extension('GCPTrafficExtension', 't1', gateway, service)),
      ]);
      assert.notEqual(run.code, 0);
      assert.ok(run.stderr.includes(message), run.stderr);
      assert.match((await kubectl(['get', 'gcptrafficextension', 't1'])).stderr, /not found/);
    });
  }

  it("publishes the custom kinds' schemas: kubectl explain works, apply still merge-patches", async () => {
    const explain = await kubectl(['explain', 'gcptrafficextension.spec.extensionChains']);
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /KIND:\s+GCPTrafficExtension/);
    assert.match(explain.stdout, /matchCondition/);
    const file = write(
      'changed.yaml',
      extension('GCPTrafficExtension', 'my-traffic-extension', 'internal-http', 'extension-service').replace(
        'timeout: 1s',
        'timeout: 2s',
      ),
    );
    const run = await kubectl(['apply', '-f', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /my-traffic-extension configured/);
    assert.doesNotMatch(run.stderr, /warning/);
  });

  it('refuses bad start-up manifests with the file, line or server message', async () => {
    const state = join(dir, 'state-bad');
    const yamlError = write('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n');
    await assert.rejects(
      startEmbeddedApi({ stateDir: state, apiPort: 0, manifests: [yamlError] }),
      /broken.yaml: line \d+/,
    );
    const unknownKind = write('kind.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n');
    await assert.rejects(
      startEmbeddedApi({ stateDir: state, apiPort: 0, manifests: [unknownKind] }),
      /example.com\/v1 Widget "w": this kind is not served/,
    );
    const denied = write(
      'denied.yaml',
      extension('GCPTrafficExtension', 't3', 'nowhere', 'extension-service'),
    );
    await assert.rejects(
      startEmbeddedApi({ stateDir: state, apiPort: 0, manifests: [denied] }),
      /error when applying ".*denied.yaml": GCPTrafficExtension.networking.gke.io "t3" is invalid: spec.gatewayRef: gateway "nowhere" not found/,
    );
  });

  it('rejects unknown fields strictly (kubectl 1.32 default)', async () => {
    const run = await kubectl([
      'apply',
      '-f',
      write(
        'strict.yaml',
        extension('GCPTrafficExtension', 't2', 'internal-http', 'extension-service').replace(
          'spec:\n',
          'spec:\n  strict: true\n',
        ),
      ),
    ]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /strict decoding error: unknown field "spec.strict"/);
  });
});
