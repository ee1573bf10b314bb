// docs/spec/kubernetes-api.md §10 acceptance sequence with the real kubectl 1.32 (and Debian's 1.20 when unpacked).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { eventually, HAVE_KUBECTL_120, KUBECTL, KUBECTL_120, startTestApi, type TestApi } from './harness.js';

const APP = (v: {
  targetPort: number;
  extraPort: boolean;
  cm: string;
  address: string;
  listenerPort: number;
  host: string;
  timeout: string;
}) => `
apiVersion: v1
kind: Service
metadata:
  name: echo
  labels: {app: echo, tier: web}
spec:
  ports:
  - port: 80
    targetPort: ${v.targetPort}
${v.extraPort ? '  - port: 9000\n' : ''}---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: echo-1
  labels: {kubernetes.io/service-name: echo}
addressType: IPv4
ports:
- name: ""
  port: 8080
  protocol: TCP
endpoints:
- addresses: ["${v.address}"]
  conditions: {ready: true}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: ${v.cm}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: gke-l7-regional-external-managed
  listeners:
  - name: http
    port: ${v.listenerPort}
    protocol: HTTP
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store}
spec:
  parentRefs: [{name: gw}]
  hostnames: ["${v.host}"]
  rules:
  - backendRefs: [{name: echo, port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers:
      - name: echo
        image: echo:${v.listenerPort}
        ports: [{containerPort: 8080}]
        env: ${v.host.startsWith('a') ? '[{name: A, value: "1"}, {name: B, value: "2"}]' : '[{name: A, value: "1"}, {name: C, value: "3"}]'}
---
apiVersion: networking.gke.io/v1
kind: GCPTrafficExtension
metadata: {name: my-traffic-extension}
spec:
  targetRefs:
  - group: "gateway.networking.k8s.io"
    kind: Gateway
    name: gw
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions:
      - celMatcher: request.path.startsWith("/")
    extensions:
    - name: ext1
      authority: "myext.com"
      timeout: ${v.timeout}
      service: {group: "", kind: Service, name: echo, port: 80}
      supportedEvents: [RequestHeaders]
`;

const V1 = {
  targetPort: 8080,
  extraPort: true,
  cm: '{a: "1", b: "2"}',
  address: '127.0.0.1',
  listenerPort: 80,
  host: 'a.example.com',
  timeout: '1s',
};
const V2 = {
  targetPort: 8081,
  extraPort: false,
  cm: '{a: "1", c: "3"}',
  address: '127.0.0.2',
  listenerPort: 8080,
  host: 'b.example.com',
  timeout: '2s',
};

const EDITOR = `#!/bin/sh
# KUBE_EDITOR stand-in: edits the file kubectl opened.
sed -i 's/b.example.com/c.example.com/' "$1"
`;

const versions: [string, string, boolean][] = [
  ['kubectl 1.32', KUBECTL, true],
  ['kubectl 1.20', KUBECTL_120, HAVE_KUBECTL_120],
];

for (const [label, bin, available] of versions) {
  describe(
    `${label} against the embedded API`,
    { skip: available ? false : `${bin} not present (.ci/run unpacks it)` },
    () => {
      let t: TestApi;
      const k = (
        args: string[],
        opts: { input?: string; env?: Record<string, string>; allowFail?: boolean } = {},
      ) => t.kubectl(args, { ...opts, bin });
      const json = async (args: string[]) => JSON.parse((await k([...args, '-o', 'json'])).stdout);

      before(async () => {
        t = await startTestApi();
      });
      after(async () => {
        await t?.close();
      });

      it('applies: created, then unchanged, then configured with SMP for built-ins and merge patch for CRs', async () => {
        const file = t.file('app.yaml', APP(V1));
        const created = await k(['apply', '-f', file]);
        for (const ref of [
          'service/echo',
          'endpointslice.discovery.k8s.io/echo-1',
          'configmap/cfg',
          'gateway.gateway.networking.k8s.io/gw',
          'httproute.gateway.networking.k8s.io/store',
          'gcptrafficextension.networking.gke.io/my-traffic-extension',
        ])
          assert.match(created.stdout, new RegExp(`${ref.replace(/\./g, '\\.')} created`));

        const again = await k(['apply', '-f', file]);
        for (const ref of [
          'service/echo',
          'configmap/cfg',
          'gateway.gateway.networking.k8s.io/gw',
          'httproute.gateway.networking.k8s.io/store',
          'gcptrafficextension.networking.gke.io/my-traffic-extension',
        ])
          assert.match(again.stdout, new RegExp(`${ref.replace(/\./g, '\\.')} unchanged`));

        const gwBefore = await json(['get', 'gateway', 'gw']);
        t.file('app.yaml', APP(V2));
        const changed = await k(['apply', '-f', file]);
        assert.match(changed.stdout, /service\/echo configured/);
        assert.match(
          changed.stdout,
          /gcptrafficextension.networking.gke.io\/my-traffic-extension configured/,
        );

        const svc = await json(['get', 'svc', 'echo']);
        assert.deepEqual(
          svc.spec.ports,
          [{ port: 80, protocol: 'TCP', targetPort: 8081 }],
          'SMP: port 9000 deleted by $patch, targetPort merged',
        );
        assert.match(svc.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\./);
        const cm = await json(['get', 'cm', 'cfg']);
        assert.deepEqual(cm.data, { a: '1', c: '3' });
        const slice = await json(['get', 'endpointslice', 'echo-1']);
        assert.deepEqual(slice.endpoints[0].addresses, ['127.0.0.2']);
        const dep = await json(['get', 'deployment', 'echo']);
        assert.deepEqual(dep.spec.template.spec.containers[0].env, [
          { name: 'A', value: '1' },
          { name: 'C', value: '3' },
        ]);
        assert.equal(dep.spec.template.spec.containers[0].image, 'echo:8080');
        assert.equal(dep.metadata.generation, 2);
        const gw = await json(['get', 'gateway', 'gw']);
        assert.equal(gw.spec.listeners[0].port, 8080);
        assert.equal(
          gw.metadata.generation,
          gwBefore.metadata.generation + 1,
          'spec change bumps generation',
        );
        const ext = await json(['get', 'gcptrafficextension', 'my-traffic-extension']);
        assert.equal(ext.spec.extensionChains[0].extensions[0].timeout, '2s');
        assert.match(
          ext.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
          /"timeout":"2s"/,
        );
      });

      it('gets in table, wide, yaml, json, jsonpath and name output', async () => {
        const table = (await k(['get', 'svc,cm,gateways,httproutes,gc'])).stdout;
        assert.match(table, /NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
        assert.match(table, /service\/echo\s+ClusterIP\s+10\.\S+\s+<none>\s+80\/TCP\s+\d+s/);
        assert.match(table, /configmap\/cfg\s+2\s+\d+s/);
        assert.match(table, /NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE/);
        assert.match(
          table,
          /gateway.gateway.networking.k8s.io\/gw\s+gke-l7-regional-external-managed\s+\d+s/,
        );
        assert.match(table, /httproute.gateway.networking.k8s.io\/store\s+\["b.example.com"\]/);
        assert.match(
          table,
          /gatewayclass.gateway.networking.k8s.io\/gke-l7-rilb\s+networking.gke.io\/gateway\s+True/,
        );
        const wide = (await k(['get', 'svc', 'echo', '-o', 'wide'])).stdout;
        assert.match(wide, /SELECTOR/);
        assert.match((await k(['get', 'gc', 'gke-l7-gxlb', '-o', 'wide'])).stdout, /DESCRIPTION/);
        const yaml = (await k(['get', 'gtw', 'gw', '-o', 'yaml'])).stdout;
        assert.match(yaml, /^apiVersion: gateway.networking.k8s.io\/v1\nkind: Gateway\n/);
        assert.match(yaml, /gatewayClassName: gke-l7-regional-external-managed/);
        const name = (await k(['get', 'gcptrafficextensions.networking.gke.io', '-o', 'name'])).stdout;
        assert.equal(name.trim(), 'gcptrafficextension.networking.gke.io/my-traffic-extension');
        const jp = (await k(['get', 'svc', 'echo', '-o', 'jsonpath={.spec.ports[0].targetPort}'])).stdout;
        assert.equal(jp, '8081');
        const all = (await k(['get', 'gateway-api'])).stdout;
        assert.match(all, /gateway.gateway.networking.k8s.io\/gw/);
        assert.match(all, /httproute.gateway.networking.k8s.io\/store/);
      });

      it('selects by label and field', async () => {
        const byLabel = (await k(['get', 'svc', '-l', 'app=echo,tier in (web,db)', '--show-labels'])).stdout;
        assert.match(byLabel, /echo\s.*app=echo,tier=web/);
        const none = await k(['get', 'svc', '-l', 'app!=echo'], { allowFail: true });
        assert.match(none.stdout + none.stderr, /No resources found/);
        const byField = (await k(['get', 'endpointslices', '--field-selector', 'metadata.name=echo-1']))
          .stdout;
        assert.match(byField, /echo-1\s+IPv4\s+8080\s+127.0.0.2/);
        const bad = await k(['get', 'svc', '--field-selector', 'spec.nope=1'], { allowFail: true });
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /field label not supported: spec.nope/);
      });

      it('waits for Programmed while the status subresource is written, and sees the address by jsonpath', async () => {
        const waiting = k(['wait', '--for=condition=Programmed', 'gateway/gw', '--timeout=30s']);
        await new Promise((r) => setTimeout(r, 700));
        const gw = JSON.parse(
          (await t.call('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/gw')).text,
        );
        const status = {
          status: {
            addresses: [{ type: 'IPAddress', value: '10.1.2.3' }],
            conditions: [
              {
                type: 'Programmed',
                status: 'True',
                reason: 'Programmed',
                message: '',
                observedGeneration: gw.metadata.generation,
                lastTransitionTime: '2026-01-01T00:00:00Z',
              },
            ],
          },
        };
        const patched = await t.call(
          'PATCH',
          '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/gw/status',
          {
            body: JSON.stringify(status),
            contentType: 'application/merge-patch+json',
          },
        );
        assert.equal(patched.status, 200, patched.text);
        assert.equal(
          patched.json().metadata.generation,
          gw.metadata.generation,
          'status writes keep generation',
        );
        assert.match((await waiting).stdout, /gateway.gateway.networking.k8s.io\/gw condition met/);
        const addr = await k([
          'get',
          'gateways.gateway.networking.k8s.io',
          'gw',
          '-o=jsonpath={.status.addresses[0].value}',
        ]);
        assert.equal(addr.stdout, '10.1.2.3');
        assert.match(
          (await k(['get', 'gtw', 'gw'])).stdout,
          /gw\s+gke-l7-regional-external-managed\s+10.1.2.3\s+True/,
        );
      });

      it('describes a custom resource with its Event and a Service with its endpoints', async () => {
        const ext = await json(['get', 'gcptrafficextension', 'my-traffic-extension']);
        const event = {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: 'my-traffic-extension.1', namespace: 'default' },
          involvedObject: {
            apiVersion: 'networking.gke.io/v1',
            kind: 'GCPTrafficExtension',
            name: 'my-traffic-extension',
            namespace: 'default',
            uid: ext.metadata.uid,
          },
          reason: 'SYNC',
          message:
            'Attachment of GCPTrafficExtension "default/my-traffic-extension" to Gateway "default/gw" was a success',
          type: 'Normal',
          source: { component: 'sc-gateway-controller' },
          firstTimestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z/, 'Z'),
          lastTimestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z/, 'Z'),
          count: 1,
        };
        const posted = await t.call('POST', '/api/v1/namespaces/default/events', {
          body: JSON.stringify(event),
          contentType: 'application/json',
        });
        assert.equal(posted.status, 201, posted.text);
        const d = (await k(['describe', 'gcptrafficextension', 'my-traffic-extension'])).stdout;
        assert.match(d, /Kind:\s+GCPTrafficExtension/);
        assert.match(d, /Events:\s*\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
        assert.match(
          d,
          /Normal\s+SYNC\s+\S+\s+sc-gateway-controller\s+Attachment of GCPTrafficExtension "default\/my-traffic-extension" to Gateway "default\/gw" was a success/,
        );
        const svc = (await k(['describe', 'svc', 'echo'])).stdout;
        assert.match(svc, /Type:\s+ClusterIP/);
        if (label.includes('1.32')) assert.match(svc, /Endpoints:\s+127.0.0.2:8080/);
        assert.match((await k(['get', 'events'])).stdout, /SYNC\s+gcptrafficextension\/my-traffic-extension/);
      });

      it('edits through KUBE_EDITOR', async () => {
        const editor = t.file('editor.sh', EDITOR, 0o755);
        const out = await k(['edit', 'httproute', 'store'], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
        assert.match(out.stdout, /httproute.gateway.networking.k8s.io\/store edited/);
        const route = await json(['get', 'httproute', 'store']);
        assert.deepEqual(route.spec.hostnames, ['c.example.com']);
      });

      it('creates a TLS secret (protobuf from 1.32, JSON without Content-Type from 1.20)', async () => {
        const { execFileSync } = await import('node:child_process');
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-keyout',
            'tls.key',
            '-out',
            'tls.crt',
            '-subj',
            '/CN=callout',
            '-days',
            '1',
          ],
          { cwd: t.dir, stdio: 'ignore' },
        );
        const out = await k(['create', 'secret', 'tls', 'callout-tls', '--cert=tls.crt', '--key=tls.key']);
        assert.match(out.stdout, /secret\/callout-tls created/);
        assert.match(
          (await k(['get', 'secrets', 'callout-tls'])).stdout,
          /callout-tls\s+kubernetes.io\/tls\s+2\s+\d+s/,
        );
        const s = await json(['get', 'secret', 'callout-tls']);
        assert.match(Buffer.from(s.data['tls.crt'], 'base64').toString(), /BEGIN CERTIFICATE/);
        const dup = await k(['create', 'secret', 'tls', 'callout-tls', '--cert=tls.crt', '--key=tls.key'], {
          allowFail: true,
        });
        assert.match(dup.stderr, /secrets "callout-tls" already exists/);
      });

      it('streams MODIFIED and DELETED to get -w, then deletes', async () => {
        const child = spawn(bin, ['get', 'gateways', '-w', '--output-watch-events'], {
          cwd: t.dir,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: t.dir, KUBECONFIG: t.api.kubeconfigPath },
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        try {
          await eventually(() => /ADDED\s+gw/.test(out), 'the initial ADDED row');
          await k(['label', 'gateway', 'gw', 'stage=test']);
          await eventually(() => /MODIFIED\s+gw/.test(out), 'a MODIFIED row');
          const del = await k(['delete', 'gateway', 'gw']);
          assert.match(del.stdout, /gateway.gateway.networking.k8s.io "gw" deleted/);
          await eventually(() => /DELETED\s+gw/.test(out), 'a DELETED row');
        } finally {
          child.kill();
        }
        const gone = await k(['get', 'gateway', 'gw'], { allowFail: true });
        assert.match(
          gone.stderr,
          /Error from server \(NotFound\): gateways.gateway.networking.k8s.io "gw" not found/,
        );
        const rest = await k(['delete', '-f', `${t.dir}/app.yaml`, '--ignore-not-found']);
        assert.match(rest.stdout, /service "echo" deleted/);
        assert.match(
          (await k(['get', 'svc'], { allowFail: true })).stderr,
          /No resources found in default namespace/,
        );
      });
    },
  );
}
