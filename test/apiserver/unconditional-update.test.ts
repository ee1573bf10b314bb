// PUT without metadata.resourceVersion, as kube-apiserver answers it: refused for custom resources (CRD-defined
// kinds and the Gateway API kinds, which clusters serve through CRDs) and for CRDs, whose strategies do not
// allow unconditional updates; allowed for the other built-in kinds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startTestApi, type TestApi } from './harness.js';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'things.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'things', singular: 'thing', kind: 'Thing', listKind: 'ThingList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        },
      },
    ],
  },
};

const MESSAGE = 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update';

describe('updates without resourceVersion', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
    await t.kubectl(['apply', '-f', t.file('crd.json', JSON.stringify(crd))]);
  });
  after(() => t.close());

  const thing = (spec: Record<string, unknown>, resourceVersion?: string) =>
    JSON.stringify({
      apiVersion: 'example.com/v1',
      kind: 'Thing',
      metadata: { name: 'a', ...(resourceVersion ? { resourceVersion } : {}) },
      spec,
    });

  it("a custom object: refused with kube-apiserver's message (raw and through client-node)", async () => {
    await t.kubectl(['apply', '-f', t.file('a.json', thing({ v: 1 }))]);
    const path = '/apis/example.com/v1/namespaces/default/things/a';
    const put = await t.call('PUT', path, { body: thing({ v: 2 }), contentType: 'application/json' });
    assert.equal(put.status, 422);
    assert.equal(put.json().message, `Thing.example.com "a" is invalid: ${MESSAGE}`);
    assert.deepEqual(put.json().details.causes, [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 0x0: must be specified for an update',
        field: 'metadata.resourceVersion',
      },
    ]);
    // client-node sends the object as given (kubectl replace fills in the live resourceVersion first).
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(t.api.kubeconfigPath);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await assert.rejects(
      custom.replaceNamespacedCustomObject({
        group: 'example.com',
        version: 'v1',
        namespace: 'default',
        plural: 'things',
        name: 'a',
        body: JSON.parse(thing({ v: 3 })),
      }),
      (err: { code?: number; body?: string }) =>
        err.code === 422 && String(err.body).includes('must be specified for an update'),
    );
    // With the resourceVersion it goes through.
    const rv = (await t.call('GET', path)).json().metadata.resourceVersion;
    const ok = await t.call('PUT', path, { body: thing({ v: 4 }, rv), contentType: 'application/json' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json().spec.v, 4);
  });

  it('a Gateway API object and a CRD: refused too', async () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: {},
    };
    await t.kubectl(['apply', '-f', t.file('r.json', JSON.stringify(route))]);
    const put = await t.call('PUT', '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/r', {
      body: JSON.stringify(route),
      contentType: 'application/json',
    });
    assert.equal(put.status, 422);
    assert.equal(put.json().message, `HTTPRoute.gateway.networking.k8s.io "r" is invalid: ${MESSAGE}`);
    const crdPut = await t.call(
      'PUT',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.example.com',
      {
        body: JSON.stringify(crd),
        contentType: 'application/json',
      },
    );
    assert.equal(crdPut.status, 422);
    assert.match(crdPut.json().message, /must be specified for an update/);
  });

  it('a built-in kind (ConfigMap): allowed, as kube-apiserver allows it', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { v: '1' } };
    await t.kubectl(['apply', '-f', t.file('c.json', JSON.stringify(cm))]);
    const replaced = await t.kubectl([
      'replace',
      '-f',
      t.file('c2.json', JSON.stringify({ ...cm, data: { v: '2' } })),
    ]);
    assert.match(replaced.stdout, /configmap\/c replaced/);
    assert.equal((await t.call('GET', '/api/v1/namespaces/default/configmaps/c')).json().data.v, '2');
  });
});
