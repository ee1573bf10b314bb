// API rules over raw HTTPS: auth, body errors, metadata, concurrency, status subresource, generation, no-op
// writes, finalizers, patches, dry-run, protobuf, discovery and OpenAPI (docs/spec/kubernetes-api.md §0–§9).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { startApiServer } from '../../src/apiserver/server.js';
import { startTestApi, type TestApi } from './harness.js';

const GW = '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways';
const CM = '/api/v1/namespaces/default/configmaps';
const json = 'application/json';

function gateway(name: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name },
    spec: { gatewayClassName: 'gke-l7-rilb', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    ...extra,
  });
}

describe('embedded API rules', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(async () => {
    await t?.close();
  });

  it('answers 401 without or with a wrong token, and kubectl says so', async () => {
    for (const token of [null, 'wrong']) {
      const r = await t.call('GET', '/api/v1/namespaces', { token });
      assert.equal(r.status, 401);
      assert.equal(r.json().reason, 'Unauthorized');
    }
    const bad = t.file(
      'bad-kubeconfig',
      (await import('node:fs'))
        .readFileSync(t.api.kubeconfigPath, 'utf8')
        .replace(/token: .*/, 'token: nope'),
    );
    const run = await t.kubectl(['get', 'ns'], { env: { KUBECONFIG: bad }, allowFail: true });
    assert.match(run.stderr, /error: You must be logged in to the server/);
  });

  it('refuses a second server on the same state dir or port', async () => {
    await assert.rejects(
      startApiServer({ stateDir: join(t.dir, 'state'), port: 0 }),
      /is in use by another extgate process/,
    );
    await assert.rejects(
      startApiServer({ stateDir: join(t.dir, 'other'), port: t.api.port }),
      /API port 127.0.0.1:\d+ is in use/,
    );
    assert.equal((await t.call('GET', '/version')).status, 200, 'the first server keeps serving');
  });

  it('reports version 1.32 and no-cache headers', async () => {
    const r = await t.call('GET', '/version');
    assert.equal(r.json().minor, '32');
    assert.equal(r.headers['cache-control'], 'no-cache, private');
  });

  it('rejects malformed JSON and YAML bodies with 400 and the parse error', async () => {
    const j = await t.call('POST', CM, { body: '{"metadata": {"name": "x",}', contentType: json });
    assert.equal(j.status, 400);
    assert.equal(j.json().reason, 'BadRequest');
    assert.match(j.json().message, /json parse error: .*JSON/);
    const y = await t.call('POST', CM, { body: 'metadata:\n  name: [x\n', contentType: 'application/yaml' });
    assert.equal(y.status, 400);
    assert.match(y.json().message, /error converting YAML to JSON: .* at line \d+, column \d+/);
    const badName = await t.call('POST', CM, { body: '{"metadata":{"name":5}}', contentType: json });
    assert.equal(badName.status, 400);
    assert.match(badName.json().message, /metadata.name must be a string/);
    const badLabels = await t.call('POST', CM, {
      body: '{"metadata":{"name":"l","labels":{"a":1}}}',
      contentType: json,
    });
    assert.match(badLabels.json().message, /metadata.labels must be a map of strings/);
    const notObject = await t.call('POST', CM, { body: '[1]', contentType: json });
    assert.equal(notObject.status, 400);
    const patch = await t.call('PATCH', `${CM}/nope`, {
      body: '{',
      contentType: 'application/merge-patch+json',
    });
    assert.equal(patch.status, 400);
  });

  it('treats a missing Content-Type as JSON (kubectl 1.20)', async () => {
    const r = await t.call('POST', CM, { body: JSON.stringify({ metadata: { name: 'no-ct' } }) });
    assert.equal(r.status, 201, r.text);
  });

  it('sets metadata on create, drops status of CRs, and refuses duplicates and bad names', async () => {
    const r = await t.call('POST', GW, {
      body: gateway('meta', { status: { addresses: [{ value: '1.1.1.1' }] } }),
      contentType: json,
    });
    assert.equal(r.status, 201);
    const o = r.json();
    assert.match(o.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(o.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(o.metadata.generation, 1);
    assert.equal(o.status, undefined);
    const dup = await t.call('POST', GW, { body: gateway('meta'), contentType: json });
    assert.equal(dup.status, 409);
    assert.equal(dup.json().message, 'gateways.gateway.networking.k8s.io "meta" already exists');
    const bad = await t.call('POST', GW, { body: gateway('Bad_Name'), contentType: json });
    assert.equal(bad.status, 422);
    assert.equal(bad.json().details.causes[0].field, 'metadata.name');
    const noName = await t.call('POST', CM, { body: '{"metadata":{}}', contentType: json });
    assert.equal(noName.status, 422);
    assert.match(noName.json().message, /metadata.name: Required value: name or generateName is required/);
    const gen = await t.call('POST', CM, { body: '{"metadata":{"generateName":"gen-"}}', contentType: json });
    assert.match(gen.json().metadata.name, /^gen-[a-z0-9]{5}$/);
    const otherNs = await t.call('POST', CM, {
      body: '{"metadata":{"name":"x","namespace":"other"}}',
      contentType: json,
    });
    assert.equal(otherNs.status, 400);
    const missingNs = await t.call('POST', '/api/v1/namespaces/nowhere/configmaps', {
      body: '{"metadata":{"name":"x"}}',
      contentType: json,
    });
    assert.equal(missingNs.status, 404);
    assert.equal(missingNs.json().message, 'namespaces "nowhere" not found');
  });

  it('409s a stale resourceVersion, and a no-op write keeps the resourceVersion', async () => {
    const created = (
      await t.call('POST', CM, { body: '{"metadata":{"name":"cc"},"data":{"a":"1"}}', contentType: json })
    ).json();
    const put = await t.call('PUT', `${CM}/cc`, {
      body: JSON.stringify({ ...created, data: { a: '2' } }),
      contentType: json,
    });
    assert.equal(put.status, 200);
    assert.notEqual(put.json().metadata.resourceVersion, created.metadata.resourceVersion);
    const stale = await t.call('PUT', `${CM}/cc`, {
      body: JSON.stringify({ ...created, data: { a: '3' } }),
      contentType: json,
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.json().reason, 'Conflict');
    assert.match(
      stale.json().message,
      /^Operation cannot be fulfilled on configmaps "cc": the object has been modified/,
    );
    const same = await t.call('PATCH', `${CM}/cc`, {
      body: '{"data":{"a":"2"}}',
      contentType: 'application/merge-patch+json',
    });
    assert.equal(same.json().metadata.resourceVersion, put.json().metadata.resourceVersion);
    const label = await t.kubectl(['label', 'cm', 'cc', 'x=y']);
    assert.match(label.stdout, /configmap\/cc labeled/);
    const again = await t.kubectl(['annotate', 'cm', 'cc', 'x=y']);
    const noop = await t.kubectl(['annotate', 'cm', 'cc', 'x=y', '--overwrite']);
    assert.match(again.stdout, /annotated/);
    assert.match(noop.stdout, /annotated|no change/);
  });

  it('splits spec and status between the object and its status subresource', async () => {
    const created = await t.call('POST', GW, { body: gateway('split'), contentType: json });
    // A PUT of a custom resource carries the resourceVersion (test/apiserver/unconditional-update.test.ts).
    const { resourceVersion } = created.json().metadata;
    const s = await t.call('PUT', `${GW}/split/status`, {
      body: gateway('split', {
        metadata: { name: 'split', resourceVersion },
        spec: { gatewayClassName: 'ignored' },
        status: { addresses: [{ type: 'IPAddress', value: '10.0.0.1' }] },
      }),
      contentType: json,
    });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json().spec.gatewayClassName, 'gke-l7-rilb', 'status endpoint ignores spec');
    assert.equal(s.json().status.addresses[0].value, '10.0.0.1');
    assert.equal(s.json().metadata.generation, 1);
    const m = await t.call('PATCH', `${GW}/split`, {
      body: JSON.stringify({ spec: { gatewayClassName: 'gke-l7-gxlb' }, status: { addresses: [] } }),
      contentType: 'application/merge-patch+json',
    });
    assert.equal(m.json().status.addresses[0].value, '10.0.0.1', 'main endpoint ignores status');
    assert.equal(m.json().metadata.generation, 2, 'spec change bumps generation');
    const meta = await t.call('PATCH', `${GW}/split`, {
      body: '{"metadata":{"labels":{"a":"b"}}}',
      contentType: 'application/merge-patch+json',
    });
    assert.equal(meta.json().metadata.generation, 2, 'metadata changes do not bump generation');
  });

  it('keeps objects with finalizers until the last finalizer is removed', async () => {
    await t.call('POST', GW, {
      body: gateway('fin', { metadata: { name: 'fin', finalizers: ['example.com/hold'] } }),
      contentType: json,
    });
    const del = await t.call('DELETE', `${GW}/fin`, {
      body: '{"propagationPolicy":"Background"}',
      contentType: json,
    });
    assert.equal(del.status, 200);
    assert.ok(del.json().metadata.deletionTimestamp);
    assert.equal((await t.call('GET', `${GW}/fin`)).status, 200);
    const release = await t.call('PATCH', `${GW}/fin`, {
      body: '{"metadata":{"finalizers":null}}',
      contentType: 'application/merge-patch+json',
    });
    assert.equal(release.status, 200);
    assert.equal((await t.call('GET', `${GW}/fin`)).status, 404);
  });

  it('applies JSON patches and reports failures as 422', async () => {
    await t.call('POST', CM, { body: '{"metadata":{"name":"jp"},"data":{"a":"1"}}', contentType: json });
    const ok = await t.call('PATCH', `${CM}/jp`, {
      body: JSON.stringify([
        { op: 'test', path: '/data/a', value: '1' },
        { op: 'add', path: '/data/b', value: '2' },
        { op: 'remove', path: '/data/a' },
      ]),
      contentType: 'application/json-patch+json',
    });
    assert.deepEqual(ok.json().data, { b: '2' });
    const fail = await t.call('PATCH', `${CM}/jp`, {
      body: JSON.stringify([{ op: 'test', path: '/data/b', value: 'x' }]),
      contentType: 'application/json-patch+json',
    });
    assert.equal(fail.status, 422);
    const smpOnCr = await t.call('PATCH', `${GW}/split`, {
      body: '{}',
      contentType: 'application/strategic-merge-patch+json',
    });
    assert.equal(smpOnCr.status, 415);
    const patchCmd = await t.kubectl(['patch', 'gateway', 'split', '-p', '{"spec":{}}'], { allowFail: true });
    assert.match(patchCmd.stderr, /application\/strategic-merge-patch\+json is not supported/);
  });

  it('does not persist dryRun=All writes', async () => {
    const r = await t.call('POST', `${CM}?dryRun=All`, {
      body: '{"metadata":{"name":"dry"}}',
      contentType: json,
    });
    assert.equal(r.status, 201);
    assert.equal((await t.call('GET', `${CM}/dry`)).status, 404);
    const run = await t.kubectl(['create', 'configmap', 'dry2', '--dry-run=server']);
    assert.match(run.stdout, /configmap\/dry2 created \(server dry run\)/);
    assert.equal((await t.call('GET', `${CM}/dry2`)).status, 404);
  });

  it('defaults Services, Secrets and Namespaces like a cluster', async () => {
    const svc = await t.call('POST', '/api/v1/namespaces/default/services', {
      body: '{"metadata":{"name":"s"},"spec":{"ports":[{"port":80}]}}',
      contentType: json,
    });
    const spec = svc.json().spec;
    assert.equal(spec.type, 'ClusterIP');
    assert.deepEqual(spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.match(spec.clusterIP, /^10\./);
    const sec = await t.call('POST', '/api/v1/namespaces/default/secrets', {
      body: '{"metadata":{"name":"sec"},"stringData":{"k":"v"}}',
      contentType: json,
    });
    assert.equal(sec.json().type, 'Opaque');
    assert.deepEqual(sec.json().data, { k: 'dg==' });
    assert.equal(sec.json().stringData, undefined);
    const changeIp = await t.call('PATCH', '/api/v1/namespaces/default/services/s', {
      body: '{"spec":{"clusterIP":"10.0.0.9"}}',
      contentType: 'application/merge-patch+json',
    });
    assert.equal(changeIp.status, 422);
    const ns = await t.kubectl(['create', 'namespace', 'team-a']);
    assert.match(ns.stdout, /namespace\/team-a created/);
    const nsObj = (await t.call('GET', '/api/v1/namespaces/team-a')).json();
    assert.deepEqual(nsObj.spec.finalizers, ['kubernetes']);
    assert.equal(nsObj.status.phase, 'Active');
    await t.call('POST', '/api/v1/namespaces/team-a/configmaps', {
      body: '{"metadata":{"name":"inside"}}',
      contentType: json,
    });
    await t.kubectl(['delete', 'namespace', 'team-a']);
    assert.equal(
      (await t.call('GET', '/api/v1/namespaces/team-a/configmaps/inside')).status,
      404,
      'namespace delete removes its contents',
    );
  });

  it("serves extgate's CRDs (not deletable) and discovery from the resource table", async () => {
    const crds = await t.kubectl(['get', 'crd']);
    assert.match(crds.stdout, /gcptrafficextensions.networking.gke.io\s+\d{4}-/);
    const write = await t.call(
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gateways.gateway.networking.k8s.io',
    );
    assert.equal(write.status, 403);
    const res = await t.kubectl(['api-resources', '--api-group=networking.gke.io']);
    assert.match(res.stdout, /gcpwasmplugins\s+networking.gke.io\/v1\s+true\s+GCPWasmPlugin/);
    const legacy = (await t.call('GET', '/apis/gateway.networking.k8s.io/v1')).json();
    assert.ok(legacy.resources.some((r: { name: string }) => r.name === 'gateways/status'));
    const agg = await t.call('GET', '/apis', {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    assert.match(String(agg.headers['content-type']), /as=APIGroupDiscoveryList/);
    const v2 = await t.call('GET', '/openapi/v2', {
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    assert.equal(v2.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const v3 = (await t.call('GET', '/openapi/v3')).json();
    const doc = (await t.call('GET', v3.paths['apis/networking.gke.io/v1'].serverRelativeURL)).json();
    const op = doc.paths['/apis/networking.gke.io/v1/namespaces/{namespace}/gcpwasmplugins/{name}'].patch;
    assert.ok(op.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
    assert.equal((await t.call('GET', '/apis/nope.example.com/v1/things')).status, 404);
  });

  it('serves Gateway API v1beta1 besides v1, storing one object', async () => {
    const file = t.file(
      'beta.yaml',
      'apiVersion: gateway.networking.k8s.io/v1beta1\nkind: HTTPRoute\nmetadata: {name: beta}\nspec: {hostnames: [beta.example.com]}\n',
    );
    assert.match(
      (await t.kubectl(['apply', '-f', file])).stdout,
      /httproute.gateway.networking.k8s.io\/beta created/,
    );
    assert.match((await t.kubectl(['apply', '-f', file])).stdout, /unchanged/);
    const beta = await t.call(
      'GET',
      '/apis/gateway.networking.k8s.io/v1beta1/namespaces/default/httproutes/beta',
    );
    assert.equal(beta.json().apiVersion, 'gateway.networking.k8s.io/v1beta1');
    const v1 = await t.call('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/beta');
    assert.equal(v1.json().apiVersion, 'gateway.networking.k8s.io/v1');
    assert.equal(v1.json().metadata.uid, beta.json().metadata.uid);
    const list = (await t.call('GET', '/apis/gateway.networking.k8s.io/v1beta1/httproutes')).json();
    assert.equal(list.apiVersion, 'gateway.networking.k8s.io/v1beta1');
    assert.ok(
      list.items.every((i: { apiVersion: string }) => i.apiVersion === 'gateway.networking.k8s.io/v1beta1'),
    );
    const rg = await t.call('POST', '/apis/gateway.networking.k8s.io/v1/namespaces/default/referencegrants', {
      body: JSON.stringify({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'ReferenceGrant',
        metadata: { name: 'rg' },
        spec: { from: [], to: [] },
      }),
      contentType: json,
    });
    assert.equal(rg.status, 201, rg.text);
    assert.equal(
      (
        await t.call('GET', '/apis/gateway.networking.k8s.io/v1beta1/namespaces/default/referencegrants/rg')
      ).json().apiVersion,
      'gateway.networking.k8s.io/v1beta1',
    );
  });

  it('pages lists with limit and continue, and kubectl follows the pages', async () => {
    for (const name of ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e'])
      await t.call('POST', CM, {
        body: JSON.stringify({ metadata: { name, labels: { page: 'yes' } } }),
        contentType: json,
      });
    const first = (await t.call('GET', `${CM}?labelSelector=page%3Dyes&limit=2`)).json();
    assert.deepEqual(
      first.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ['pg-a', 'pg-b'],
    );
    assert.equal(first.metadata.remainingItemCount, 3);
    const second = (
      await t.call('GET', `${CM}?labelSelector=page%3Dyes&limit=2&continue=${first.metadata.continue}`)
    ).json();
    assert.deepEqual(
      second.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ['pg-c', 'pg-d'],
    );
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
    const last = (
      await t.call('GET', `${CM}?labelSelector=page%3Dyes&limit=2&continue=${second.metadata.continue}`)
    ).json();
    assert.deepEqual(
      last.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ['pg-e'],
    );
    assert.equal(last.metadata.continue, undefined);
    assert.equal((await t.call('GET', `${CM}?continue=garbage`)).status, 400);
    const run = await t.kubectl(['get', 'cm', '-l', 'page=yes', '--chunk-size=2', '-o', 'name']);
    assert.equal(run.stdout.trim().split('\n').length, 5);
    const table = await t.kubectl(['get', 'cm', '-l', 'page=yes', '--chunk-size=2']);
    assert.deepEqual(
      table.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
      ['NAME', 'pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e'],
    );
  });

  it('scales a Deployment through its scale subresource', async () => {
    const file = t.file(
      'dep.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: web:1}]}\n',
    );
    await t.kubectl(['apply', '-f', file]);
    const run = await t.kubectl(['scale', 'deployment', 'web', '--replicas=3']);
    assert.match(run.stdout, /deployment.apps\/web scaled/);
    const dep = (await t.call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json();
    assert.equal(dep.spec.replicas, 3);
    assert.equal(dep.metadata.generation, 2);
    const s = (await t.call('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale')).json();
    assert.deepEqual([s.kind, s.spec.replicas, s.status.selector], ['Scale', 3, 'app=web']);
    const bad = await t.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', {
      body: '{"spec":{"replicas":-1}}',
      contentType: 'application/merge-patch+json',
    });
    assert.equal(bad.status, 422);
  });

  it('answers 415 for protobuf bodies of kinds it cannot decode', async () => {
    const body = Buffer.concat([
      Buffer.from([0x6b, 0x38, 0x73, 0x00]),
      Buffer.from([0x0a, 0x0b, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x05, 0x45, 0x76, 0x65, 0x6e, 0x74]),
    ]);
    const r = await t.call('POST', '/api/v1/namespaces/default/events', {
      body,
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    assert.equal(r.status, 415);
    const cm = await t.kubectl(['create', 'configmap', 'from-proto', '--from-literal=k=v']);
    assert.match(cm.stdout, /configmap\/from-proto created/);
    assert.deepEqual((await t.call('GET', `${CM}/from-proto`)).json().data, { k: 'v' });
  });

  it('server-side applies with kubectl --server-side', async () => {
    const file = t.file(
      'ssa.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: "1", b: "2"}\n',
    );
    const first = await t.kubectl(['apply', '--server-side', '-f', file]);
    assert.match(first.stdout, /configmap\/ssa serverside-applied/);
    t.file('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: "1"}\n');
    await t.kubectl(['apply', '--server-side', '-f', file]);
    assert.deepEqual(
      (await t.call('GET', `${CM}/ssa`)).json().data,
      { a: '1' },
      'a field the manager no longer applies is removed',
    );
    const svc = t.file(
      'ssa-svc.yaml',
      'apiVersion: v1\nkind: Service\nmetadata: {name: ssa}\nspec:\n  ports: [{port: 80}, {port: 90}]\n',
    );
    await t.kubectl(['apply', '-f', svc]);
    await t.kubectl(['apply', '--server-side', '-f', svc]);
    t.file(
      'ssa-svc.yaml',
      'apiVersion: v1\nkind: Service\nmetadata: {name: ssa}\nspec:\n  ports: [{port: 80}]\n',
    );
    await t.kubectl(['apply', '--server-side', '-f', svc]);
    const ports = (await t.call('GET', '/api/v1/namespaces/default/services/ssa')).json().spec.ports;
    assert.deepEqual(
      ports.map((p: { port: number }) => p.port),
      [80],
      'a list item dropped from the manifest is removed',
    );
  });
});
