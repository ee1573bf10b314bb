// CustomResourceDefinitions written by clients (docs/api-server.md "CustomResourceDefinitions"): the kind a CRD
// defines is served at once (CRUD, list, watch, status subresource, printer columns), objects are pruned,
// defaulted and validated against its structural schema, discovery follows (kubectl's cached discovery too),
// deleting the CRD deletes its objects; the CRDs of extgate's own kinds accept a re-apply and refuse deletion.
// With kubectl 1.32 and 1.20 and a @kubernetes/client-node informer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/server.js';
import {
  eventually,
  HAVE_KUBECTL_120,
  httpsCall,
  KUBECTL_120,
  startTestApi,
  type TestApi,
} from './harness.js';

const WIDGET_SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['replicas'],
      properties: {
        replicas: { type: 'integer', minimum: 1, maximum: 10 },
        color: { type: 'string', enum: ['red', 'blue'] },
        size: { type: 'string', default: 'M' },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 8 },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: {
      type: 'object',
      properties: { phase: { type: 'string' }, ready: { type: 'integer' } },
    },
  },
};

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: {
      plural: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      listKind: 'WidgetList',
      shortNames: ['wd'],
    },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: WIDGET_SCHEMA },
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
        ],
      },
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: WIDGET_SCHEMA } },
    ],
  },
};

const widget = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec });

const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';

describe('CustomResourceDefinitions with kubectl 1.32', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(() => t.close());

  it('before the CRD the kind is unknown; after it kubectl (with its discovery cached) serves it', async () => {
    const unknown = await t.kubectl(['get', 'widgets'], { allowFail: true });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /the server doesn't have a resource type "widgets"/);
    const applied = await t.kubectl(['apply', '-f', t.file('crd.json', JSON.stringify(widgetCrd))]);
    assert.match(
      applied.stdout,
      /customresourcedefinition.apiextensions.k8s.io\/widgets.example.com created/,
    );
    await t.kubectl(['wait', '--for=condition=Established', '--timeout=10s', 'crd/widgets.example.com']);
    // Same HOME: kubectl's discovery cache from the first call is stale and must be refreshed.
    const empty = await t.kubectl(['get', 'widgets']);
    assert.match(empty.stderr, /No resources found in default namespace/);
    const resources = await t.kubectl(['api-resources', '--api-group=example.com']);
    assert.match(resources.stdout, /widgets\s+wd\s+example.com\/v1\s+true\s+Widget/);
    const crd = (
      await t.call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')
    ).json();
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.deepEqual(crd.status.acceptedNames.kind, 'Widget');
  });

  it('kubectl explain reads the new kind from /openapi/v3', async () => {
    const out = await t.kubectl(['explain', 'widgets.spec']);
    assert.match(out.stdout, /KIND:\s+Widget/);
    assert.match(out.stdout, /replicas\s+<integer> -required-/);
    assert.match(out.stdout, /color\s+<string>/);
  });

  it('creates, gets (printer columns), lists, patches and deletes objects; the schema default is filled', async () => {
    await t.kubectl(['apply', '-f', t.file('w1.json', widget('w1', { replicas: 2, color: 'red' }))]);
    const got = JSON.parse((await t.kubectl(['get', 'widget', 'w1', '-o', 'json'])).stdout);
    assert.equal(got.spec.size, 'M', 'default from the schema');
    assert.equal(got.metadata.generation, 1);
    const table = await t.kubectl(['get', 'wd']);
    assert.match(table.stdout, /NAME\s+REPLICAS\s+PHASE/);
    assert.match(table.stdout, /w1\s+2\s+/);
    await t.kubectl(['patch', 'widget', 'w1', '--type=merge', '-p', '{"spec":{"replicas":3}}']);
    const patched = (await t.call('GET', `${WIDGETS}/w1`)).json();
    assert.equal(patched.spec.replicas, 3);
    assert.equal(patched.metadata.generation, 2);
    // Served at v1beta1 too (conversion None: same object, that apiVersion).
    const beta = (await t.call('GET', '/apis/example.com/v1beta1/namespaces/default/widgets/w1')).json();
    assert.equal(beta.apiVersion, 'example.com/v1beta1');
    const list = (await t.call('GET', WIDGETS)).json();
    assert.equal(list.kind, 'WidgetList');
    assert.deepEqual(
      list.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ['w1'],
    );
    await t.kubectl(['delete', 'widget', 'w1']);
    assert.equal((await t.call('GET', `${WIDGETS}/w1`)).status, 404);
  });

  it('status is a subresource: written only through /status, which leaves spec alone', async () => {
    await t.kubectl(['apply', '-f', t.file('w2.json', widget('w2', { replicas: 1 }))]);
    await t.kubectl([
      'patch',
      'widget',
      'w2',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":9},"status":{"phase":"Ready"}}',
    ]);
    let w = (await t.call('GET', `${WIDGETS}/w2`)).json();
    assert.equal(w.spec.replicas, 9);
    assert.equal(w.status, undefined, 'status through the main resource is ignored');
    await t.kubectl([
      'patch',
      'widget',
      'w2',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":4},"status":{"phase":"Ready","ready":1}}',
    ]);
    w = (await t.call('GET', `${WIDGETS}/w2`)).json();
    assert.deepEqual(w.status, { phase: 'Ready', ready: 1 });
    assert.equal(w.spec.replicas, 9, 'spec through /status is ignored');
    assert.match((await t.kubectl(['get', 'widget', 'w2'])).stdout, /w2\s+9\s+Ready/);
  });

  it('validation errors name the field, in kube-apiserver words', async () => {
    const bad = await t.kubectl(
      ['apply', '-f', t.file('bad.json', widget('bad', { replicas: 20, color: 'green', name: 'ABC' }))],
      { allowFail: true },
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The Widget "bad" is invalid/);
    assert.match(
      bad.stderr,
      /spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/,
    );
    assert.match(bad.stderr, /spec\.color: Unsupported value: "green": supported values: "red", "blue"/);
    assert.match(
      bad.stderr,
      /spec\.name: Invalid value: "ABC": spec\.name in body should match '\^\[a-z\]\+\$'/,
    );
    const missing = await t.call('POST', WIDGETS, {
      body: widget('missing', { color: 'red' }),
      contentType: 'application/json',
    });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.json().details.causes, [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.replicas' },
    ]);
    const wrongType = await t.call('POST', WIDGETS, {
      body: widget('typed', { replicas: 'two' }),
      contentType: 'application/json',
    });
    assert.equal(wrongType.status, 422);
    assert.match(wrongType.json().message, /spec\.replicas in body must be of type integer: "string"/);
  });

  it('unknown fields: Strict refuses them, Ignore prunes them, preserve-unknown-fields keeps them', async () => {
    const strict = await t.kubectl(
      ['apply', '-f', t.file('u.json', widget('u', { replicas: 1, bogus: true }))],
      { allowFail: true },
    );
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /unknown field "spec\.bogus"/);
    const created = await t.call('POST', `${WIDGETS}?fieldValidation=Ignore`, {
      body: JSON.stringify({
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'u', labels: { a: 'b' } },
        spec: { replicas: 1, bogus: true, extra: { anything: { goes: [1, 2] } } },
        top: 'level',
      }),
      contentType: 'application/json',
    });
    assert.equal(created.status, 201, created.text);
    const u = (await t.call('GET', `${WIDGETS}/u`)).json();
    assert.equal(u.spec.bogus, undefined);
    assert.equal(u.top, undefined);
    assert.deepEqual(u.spec.extra, { anything: { goes: [1, 2] } });
    assert.deepEqual(u.metadata.labels, { a: 'b' });
    const warned = await t.call('POST', `${WIDGETS}?fieldValidation=Warn`, {
      body: widget('v', { replicas: 1, other: 1 }),
      contentType: 'application/json',
    });
    assert.equal(warned.status, 201);
    assert.equal(warned.headers.warning, '299 - "unknown field \\"spec.other\\""');
  });

  it('a client-node informer watches the new kind', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(t.api.kubeconfigPath);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const listFn = async () =>
      (await custom.listNamespacedCustomObject({
        group: 'example.com',
        version: 'v1',
        namespace: 'default',
        plural: 'widgets',
      })) as k8s.KubernetesListObject<k8s.KubernetesObject>;
    const informer = k8s.makeInformer(kc, WIDGETS, listFn);
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();
    try {
      await custom.createNamespacedCustomObject({
        group: 'example.com',
        version: 'v1',
        namespace: 'default',
        plural: 'widgets',
        body: JSON.parse(widget('watched', { replicas: 1 })),
      });
      await eventually(() => seen.includes('add watched'), 'add');
      await t.kubectl(['patch', 'widget', 'watched', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
      await eventually(() => seen.includes('update watched'), 'update');
      await t.kubectl(['delete', 'widget', 'watched']);
      await eventually(() => seen.includes('delete watched'), 'delete');
    } finally {
      await informer.stop();
    }
  });

  it('kubectl get -w streams the new kind', async () => {
    const watch = t.kubectl(['get', 'widgets', '-w', '--request-timeout=3s', '-o', 'name'], {
      allowFail: true,
    });
    await new Promise((r) => setTimeout(r, 700));
    await t.kubectl(['apply', '-f', t.file('w3.json', widget('w3', { replicas: 1 }))]);
    const out = await watch;
    assert.match(out.stdout, /widget.example.com\/w3/);
  });

  it('the kind and its objects survive a restart', async () => {
    const stateDir = join(t.dir, 'state');
    await t.api.close();
    const again = await startApiServer({ stateDir, port: 0 });
    try {
      const w = await httpsCall(again, 'GET', `${WIDGETS}/w2`);
      assert.equal(w.status, 200, w.text);
      assert.equal(w.json().status.phase, 'Ready');
      const bad = await httpsCall(again, 'POST', WIDGETS, {
        body: widget('after', { replicas: 0 }),
        contentType: 'application/json',
      });
      assert.equal(bad.status, 422, 'the schema is back too');
    } finally {
      await again.close(); // the last test of this server: after() only removes the directory
    }
  });
});

describe('deleting a CustomResourceDefinition', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
    await t.kubectl(['apply', '-f', t.file('crd.json', JSON.stringify(widgetCrd))]);
    await t.kubectl(['apply', '-f', t.file('a.json', widget('a', { replicas: 1 }))]);
    await t.kubectl(['apply', '-f', t.file('b.json', widget('b', { replicas: 1 }))]);
  });
  after(() => t.close());

  it('deletes every object of its kind, then the kind is no longer served', async () => {
    await t.kubectl(['delete', 'crd', 'widgets.example.com', '--timeout=10s']);
    assert.equal(
      (await t.call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com'))
        .status,
      404,
    );
    assert.equal((await t.call('GET', WIDGETS)).status, 404);
    const groups = (await t.call('GET', '/apis')).json();
    assert.ok(!JSON.stringify(groups).includes('example.com'));
    // Re-created: empty, the old objects are gone for good.
    await t.kubectl(['apply', '-f', t.file('crd.json', JSON.stringify(widgetCrd))]);
    assert.deepEqual((await t.call('GET', WIDGETS)).json().items, []);
  });

  it('an object with a finalizer holds the CRD deletion; meanwhile no new object is accepted', async () => {
    const held = JSON.parse(widget('held', { replicas: 1 })) as Record<string, any>;
    held.metadata.finalizers = ['example.com/hold'];
    await t.kubectl(['apply', '-f', t.file('held.json', JSON.stringify(held))]);
    await t.kubectl(['delete', 'crd', 'widgets.example.com', '--wait=false']);
    const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com';
    await eventually(
      async () => (await t.call('GET', `${WIDGETS}/held`)).json().metadata?.deletionTimestamp !== undefined,
      'the object is being deleted',
    );
    const crd = (await t.call('GET', crdPath)).json();
    assert.deepEqual(crd.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
    const refused = await t.call('POST', WIDGETS, {
      body: widget('late', { replicas: 1 }),
      contentType: 'application/json',
    });
    assert.equal(refused.status, 405);
    assert.equal(
      refused.json().message,
      'create not allowed while custom resource definition is terminating',
    );
    await t.kubectl(['patch', 'widget', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(async () => (await t.call('GET', crdPath)).status === 404, 'the CRD goes');
  });

  it('an invalid CRD is refused with the field named', async () => {
    const bad = structuredClone(widgetCrd) as Record<string, any>;
    bad.metadata.name = 'gadgets.example.com';
    bad.spec.versions[1].storage = true;
    const r = await t.kubectl(['apply', '-f', t.file('bad.json', JSON.stringify(bad))], { allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /metadata\.name: Invalid value: "gadgets\.example\.com": must be spec\.names\.plural\+"\."\+spec\.group/,
    );
    assert.match(
      r.stderr,
      /spec\.versions: Invalid value: 2: must have exactly one version marked as storage version/,
    );
  });
});

describe("extgate's own CRDs", () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(() => t.close());

  // The upstream Gateway API bundle's shape: same name, group, names and versions as the CRD extgate serves.
  const upstreamShaped = (schema: Record<string, unknown>) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: 'httproutes.gateway.networking.k8s.io',
      annotations: {
        'gateway.networking.k8s.io/bundle-version': 'v1.2.0',
        'gateway.networking.k8s.io/channel': 'standard',
      },
    },
    spec: {
      group: 'gateway.networking.k8s.io',
      scope: 'Namespaced',
      names: {
        plural: 'httproutes',
        singular: 'httproute',
        kind: 'HTTPRoute',
        listKind: 'HTTPRouteList',
        categories: ['gateway-api'],
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          subresources: { status: {} },
        },
        {
          name: 'v1beta1',
          served: true,
          storage: false,
          schema: { openAPIV3Schema: schema },
          subresources: { status: {} },
        },
      ],
    },
  });

  it("applying the Gateway API CRD is accepted and idempotent; the kind served stays extgate's", async () => {
    const file = t.file(
      'httproutes.json',
      JSON.stringify(upstreamShaped({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true })),
    );
    const first = await t.kubectl(['apply', '-f', file]);
    assert.match(first.stdout, /httproutes.gateway.networking.k8s.io (configured|unchanged)/);
    const second = await t.kubectl(['apply', '-f', file]);
    assert.match(second.stdout, /httproutes.gateway.networking.k8s.io unchanged/);
    const crd = (
      await t.call(
        'GET',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/httproutes.gateway.networking.k8s.io',
      )
    ).json();
    assert.equal(crd.metadata.annotations['gateway.networking.k8s.io/bundle-version'], 'v1.2.0');
    // Still the built-in kind: the path match default of extgate's schema is applied.
    await t.kubectl([
      'apply',
      '-f',
      t.file(
        'route.json',
        JSON.stringify({
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'r' },
          spec: { rules: [{ matches: [{ path: { value: '/x' } }] }] },
        }),
      ),
    ]);
    assert.equal(
      (await t.call('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/r')).status,
      200,
    );
  });

  it('refuses to delete them', async () => {
    const r = await t.kubectl(['delete', 'crd', 'gateways.gateway.networking.k8s.io'], { allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /forbidden: extgate serves this kind itself/);
    assert.equal((await t.call('GET', '/apis/gateway.networking.k8s.io/v1/gateways')).status, 200);
  });
});

describe(
  'CustomResourceDefinitions with kubectl 1.20',
  { skip: !HAVE_KUBECTL_120 && 'kubectl 1.20 not unpacked' },
  () => {
    let t: TestApi;
    before(async () => {
      t = await startTestApi();
    });
    after(() => t.close());

    it('applies a CRD, then creates, gets, patches, lists and deletes its objects', async () => {
      const bin = KUBECTL_120;
      await t.kubectl(['apply', '-f', t.file('crd.json', JSON.stringify(widgetCrd))], { bin });
      await t.kubectl(['wait', '--for=condition=Established', '--timeout=10s', 'crd/widgets.example.com'], {
        bin,
      });
      const created = await t.kubectl(['apply', '-f', t.file('w.json', widget('old', { replicas: 2 }))], {
        bin,
      });
      assert.match(created.stdout, /widget.example.com\/old created/);
      assert.match((await t.kubectl(['get', 'widgets'], { bin })).stdout, /old\s+2/);
      await t.kubectl(['patch', 'widget', 'old', '--type=merge', '-p', '{"spec":{"replicas":5}}'], { bin });
      const got = JSON.parse((await t.kubectl(['get', 'widget', 'old', '-o', 'json'], { bin })).stdout);
      assert.equal(got.spec.replicas, 5);
      const bad = await t.kubectl(['apply', '-f', t.file('bad.json', widget('bad', { replicas: 0 }))], {
        bin,
        allowFail: true,
      });
      assert.match(
        bad.stderr,
        /spec\.replicas: Invalid value: 0: spec\.replicas in body should be greater than or equal to 1/,
      );
      await t.kubectl(['delete', 'widget', 'old'], { bin });
      assert.equal((await t.call('GET', `${WIDGETS}/old`)).status, 404);
    });
  },
);
