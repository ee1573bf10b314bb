// /openapi/v2 and /openapi/v3 with real schemas (issue 14 item 7): `kubectl explain` and `kubectl diff` with the
// real kubectl 1.32 (OpenAPI v3) and 1.20 (OpenAPI v2 as gnostic protobuf), for a Gateway API kind and a
// built-in one, plus the documents themselves (every served kind, patch metadata, ETag, run-time schemas).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KINDS, servedVersions } from '../../src/api/kinds.js';
import { toOpenAPI } from '../../src/api/schema/openapi.js';
import { schemaFor } from '../../src/api/schema/registry.js';
import { OPENAPI_V2_CONTENT_TYPE } from '../../src/apiserver/openapi-v2.js';
import { HAVE_KUBECTL_120, KUBECTL, KUBECTL_120, startTestApi, type TestApi } from './harness.js';

const MANIFEST = (v: { targetPort: number; listenerPort: number }) => `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: ${v.targetPort}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: gke-l7-rilb
  listeners:
  - name: http
    port: ${v.listenerPort}
    protocol: HTTP
`;

type Json = Record<string, any>;

describe('OpenAPI documents and the kubectl commands that read them', () => {
  let t: TestApi;
  before(async () => {
    // What `extgate up` passes: the product's schemas of the Gateway API and GKE kinds.
    t = await startTestApi({
      openApiSchema: (apiVersion, kind) => {
        const s = schemaFor(apiVersion, kind);
        return s ? toOpenAPI(s.root) : undefined;
      },
    });
    await t.kubectl(['apply', '-f', t.file('app.yaml', MANIFEST({ targetPort: 8080, listenerPort: 80 }))]);
  });
  after(() => t.close());

  const v2 = async (): Promise<Json> => {
    const r = await t.call('GET', '/openapi/v2', { accept: 'application/json' });
    assert.equal(r.status, 200);
    return r.json();
  };

  it('kubectl 1.32 explain httproute.spec.rules.matches shows our descriptions (OpenAPI v3)', async () => {
    const run = await t.kubectl(['explain', 'httproute.spec.rules.matches']);
    assert.match(run.stdout, /KIND:\s+HTTPRoute/);
    assert.match(run.stdout, /Conditions on the request/);
    assert.match(run.stdout, /path\s+<Object>\s+How the request path must match/);
    assert.doesNotMatch(run.stdout, /<no description>/);
  });

  it('kubectl 1.32 explain service.spec and a nested built-in field', async () => {
    const spec = await t.kubectl(['explain', 'service.spec']);
    assert.match(spec.stdout, /FIELD: spec <ServiceSpec>/);
    assert.match(spec.stdout, /ports\s+<\[\]ServicePort>\s+The ports the Service exposes/);
    const ports = await t.kubectl(['explain', 'service.spec.ports.targetPort']);
    assert.match(ports.stdout, /The port number or named container port/);
  });

  it(
    'kubectl 1.20 explain gateway.spec and service (OpenAPI v2 protobuf)',
    { skip: !HAVE_KUBECTL_120 },
    async () => {
      const gw = await t.kubectl(['explain', 'gateway.spec'], { bin: KUBECTL_120 });
      assert.match(gw.stdout, /KIND:\s+Gateway/);
      assert.match(gw.stdout, /The listeners \(ports, protocols, hostnames, TLS\)/);
      assert.match(gw.stdout, /gatewayClassName\s+<string> -required-/);
      // Ours, not the schema DSL's placeholder (the Go type name "AllowedListeners").
      assert.match(gw.stdout, /allowedListeners\s+<[^>]*>\s+Which ListenerSets may attach/);
      const svc = await t.kubectl(['explain', 'service'], { bin: KUBECTL_120 });
      assert.match(svc.stdout, /A stable name and virtual address/);
      assert.match(svc.stdout, /spec\s+<Object>/);
      const ports = await t.kubectl(['explain', 'service.spec.ports'], { bin: KUBECTL_120 });
      assert.match(ports.stdout, /RESOURCE: ports <\[\]Object>/);
      assert.match(ports.stdout, /targetPort\s+<string>/);
    },
  );

  for (const [name, bin, present] of [
    ['1.32', KUBECTL, true],
    ['1.20', KUBECTL_120, HAVE_KUBECTL_120],
  ] as const) {
    it(
      `kubectl ${name} diff: nothing when the same, the change and exit 1 after one`,
      { skip: !present },
      async () => {
        const same = await t.kubectl(
          ['diff', '-f', t.file(`same-${name}.yaml`, MANIFEST({ targetPort: 8080, listenerPort: 80 }))],
          {
            bin,
            allowFail: true,
          },
        );
        assert.equal(same.code, 0, same.stderr);
        assert.equal(same.stdout, '');
        const changed = await t.kubectl(
          ['diff', '-f', t.file(`changed-${name}.yaml`, MANIFEST({ targetPort: 9090, listenerPort: 8081 }))],
          { bin, allowFail: true },
        );
        assert.equal(changed.code, 1, changed.stderr);
        assert.match(changed.stdout, /^-\s+targetPort: 8080\n\+\s+targetPort: 9090$/m);
        assert.match(changed.stdout, /^-\s+port: 80\n\+\s+port: 8081$/m);
        // diff is a dry run: nothing changed.
        const live = (await t.call('GET', '/api/v1/namespaces/default/services/web')).json();
        assert.equal(live.spec.ports[0].targetPort, 8080);
      },
    );
  }

  it('kubectl 1.32 and 1.20 explain every served kind with its description', async () => {
    for (const k of KINDS) {
      const apiVersion = k.group === '' ? k.version : `${k.group}/${k.version}`;
      for (const [bin, present] of [
        [KUBECTL, true],
        [KUBECTL_120, HAVE_KUBECTL_120],
      ] as const) {
        if (!present) continue;
        const run = await t.kubectl(['explain', k.plural, `--api-version=${apiVersion}`], {
          bin,
          allowFail: true,
        });
        const what = `${bin} explain ${k.plural} --api-version=${apiVersion}`;
        assert.equal(run.code, 0, `${what}: ${run.stderr}`);
        assert.match(run.stdout, new RegExp(`KIND:\\s+${k.kind}\\n`), what);
        assert.match(run.stdout, /DESCRIPTION:\n\s+\S/, `${what} describes the kind`);
      }
    }
  });

  it('v2 and v3 define every served kind, tagged with its group/version/kind', async () => {
    const defs: Json = (await v2()).definitions;
    const tagged = (d: Json) =>
      Object.values(d).flatMap((s: Json) => (s['x-kubernetes-group-version-kind'] ?? []) as Json[]);
    const inV2 = new Set(tagged(defs).map((g) => `${g.group}/${g.version}/${g.kind}`));
    const index: Json = (await t.call('GET', '/openapi/v3')).json();
    for (const k of KINDS)
      for (const version of servedVersions(k)) {
        const gvk = `${k.group}/${version}/${k.kind}`;
        assert.ok(inV2.has(gvk), `v2 defines ${gvk}`);
        const gv = k.group === '' ? `api/${version}` : `apis/${k.group}/${version}`;
        const doc: Json = (await t.call('GET', index.paths[gv].serverRelativeURL)).json();
        assert.ok(
          tagged(doc.components.schemas).some((g) => `${g.group}/${g.version}/${g.kind}` === gvk),
          `v3 ${gv} defines ${gvk}`,
        );
      }
  });

  it('built-in schemas carry k8s.io/api patch strategies, merge keys and list types', async () => {
    const defs: Json = (await v2()).definitions;
    const ports = defs['io.k8s.api.core.v1.ServiceSpec'].properties.ports;
    assert.equal(ports['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'port');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
    const pod = defs['io.k8s.api.core.v1.PodSpec'].properties;
    assert.equal(pod.containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(pod.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
    assert.equal(
      defs['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy['x-kubernetes-patch-strategy'],
      'retainKeys',
    );
    const meta = defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties;
    assert.equal(meta.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
    assert.equal(
      defs['io.k8s.api.discovery.v1.EndpointSlice'].properties.endpoints['x-kubernetes-list-type'],
      'atomic',
    );
    assert.equal(
      defs['io.k8s.api.core.v1.Service'].properties.spec.$ref,
      '#/definitions/io.k8s.api.core.v1.ServiceSpec',
    );
  });

  it(
    'kubectl 1.20 apply merges Service ports by `port` from the v2 metadata (a port added by another writer stays)',
    { skip: !HAVE_KUBECTL_120 },
    async () => {
      const svc = (targetPort: number) =>
        `apiVersion: v1\nkind: Service\nmetadata: {name: smp}\nspec:\n  ports:\n  - port: 80\n    targetPort: ${targetPort}\n`;
      await t.kubectl(['apply', '-f', t.file('smp1.yaml', svc(8080))], { bin: KUBECTL_120 });
      await t.kubectl([
        'patch',
        'service',
        'smp',
        '--type=json',
        '-p',
        '[{"op":"add","path":"/spec/ports/-","value":{"name":"tls","port":443}}]',
      ]);
      await t.kubectl(['apply', '-f', t.file('smp2.yaml', svc(9090))], { bin: KUBECTL_120 });
      const live = (await t.call('GET', '/api/v1/namespaces/default/services/smp')).json();
      assert.deepEqual(
        live.spec.ports.map((p: Json) => [p.port, p.targetPort]),
        [
          [80, 9090],
          [443, 443],
        ],
      );
    },
  );

  it(
    'kubectl 1.20 validates custom kinds from v2 but lets the server default required fields that have a default',
    { skip: !HAVE_KUBECTL_120 },
    async () => {
      const ext = (backendRef: string) => `apiVersion: networking.gke.io/v1
kind: GCPTrafficExtension
metadata: {name: callout}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]
  extensionChains:
  - name: c
    matchCondition: {celExpressions: [{celMatcher: 'true'}]}
    extensions: [{name: e, authority: callout.example.com, supportedEvents: [RequestHeaders], ${backendRef}}]
`;
      // backendRef.group is required with default "": the server fills it in, the client must not insist.
      const ok = await t.kubectl(
        ['apply', '-f', t.file('ext.yaml', ext('backendRef: {kind: Service, name: web, port: 80}'))],
        {
          bin: KUBECTL_120,
        },
      );
      assert.match(ok.stdout, /gcptrafficextension.networking.gke.io\/callout created/);
      const typo = await t.kubectl(
        ['apply', '-f', t.file('ext-typo.yaml', ext('backendRef: {kind: Service, name: web, prot: 80}'))],
        { bin: KUBECTL_120, allowFail: true },
      );
      assert.notEqual(typo.code, 0);
      assert.match(
        typo.stderr,
        /ValidationError\(GCPTrafficExtension\.spec\.extensionChains\[0\]\.extensions\[0\]\.backendRef\): unknown field "prot"/,
      );
    },
  );

  it('the server applies strategic merge patches with the merge keys it publishes (DaemonSet containers by name)', async () => {
    const ds = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: a
        image: ${image}
        ports: [{containerPort: 80}]
        env: [{name: X, value: "1"}]
`;
    const containers = async () =>
      (await t.call('GET', '/apis/apps/v1/namespaces/default/daemonsets/agent')).json().spec.template.spec
        .containers as Json[];
    await t.kubectl(['apply', '-f', t.file('ds1.yaml', ds('nginx:1'))]);
    // kubectl sends only the changed image, keyed by the container name.
    await t.kubectl(['apply', '-f', t.file('ds2.yaml', ds('nginx:2'))]);
    assert.deepEqual(await containers(), [
      { name: 'a', image: 'nginx:2', ports: [{ containerPort: 80 }], env: [{ name: 'X', value: '1' }] },
    ]);
    await t.kubectl([
      'patch',
      'daemonset',
      'agent',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"busybox"}]}}}}',
    ]);
    assert.deepEqual(
      (await containers()).map((c) => c.name),
      ['a', 'b'],
    );
  });

  it('serves v2 as gnostic protobuf when asked, with an ETag honoured by If-None-Match', async () => {
    const proto = await t.call('GET', '/openapi/v2', {
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    assert.equal(proto.status, 200);
    assert.equal(proto.headers['content-type'], OPENAPI_V2_CONTENT_TYPE);
    const etag = String(proto.headers.etag);
    assert.match(etag, /^"[0-9A-F]+"$/);
    const again = await t.call('GET', '/openapi/v2', {
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      headers: { 'If-None-Match': etag },
    });
    assert.equal(again.status, 304);
    const json = await t.call('GET', '/openapi/v2', { headers: { 'If-None-Match': etag } });
    assert.equal(json.status, 200, 'the JSON form has its own ETag');
  });

  it('a schema set at run time (as for a CustomResourceDefinition) is published in v2 and v3, and withdrawn', async () => {
    const before: Json = (await t.call('GET', '/openapi/v3')).json();
    const marker = 'Published at run time.';
    t.api.openApi.schemas.setKindSchema('gateway.networking.k8s.io', 'v1', 'ReferenceGrant', {
      type: 'object',
      description: marker,
      properties: { spec: { type: 'object', properties: { note: { type: 'string' } } } },
    });
    const index: Json = (await t.call('GET', '/openapi/v3')).json();
    const url = index.paths['apis/gateway.networking.k8s.io/v1'].serverRelativeURL;
    assert.notEqual(url, before.paths['apis/gateway.networking.k8s.io/v1'].serverRelativeURL);
    const doc: Json = (await t.call('GET', url)).json();
    assert.equal(doc.components.schemas['io.k8s.networking.gateway.v1.ReferenceGrant'].description, marker);
    // A registered schema keeps its own descriptions; ours only fill the gaps.
    assert.match(
      doc.components.schemas['io.k8s.networking.gateway.v1.ReferenceGrant'].properties.spec.description,
      /refer to which objects in this namespace/,
    );
    assert.equal((await v2()).definitions['io.k8s.networking.gateway.v1.ReferenceGrant'].description, marker);
    t.api.openApi.schemas.removeKindSchema('gateway.networking.k8s.io', 'v1', 'ReferenceGrant');
    assert.notEqual(
      (await v2()).definitions['io.k8s.networking.gateway.v1.ReferenceGrant'].description,
      marker,
    );
  });
});
