// Server-side apply with field ownership, with the real kubectl 1.32: managedFields per manager and operation,
// a conflict between two managers (409 naming the manager and the field), --force-conflicts, fields a manager
// stops applying removed, the client-side → server-side migration, keyed list items, --show-managed-fields.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApi, type TestApi } from './harness.js';

interface Entry {
  manager: string;
  operation: string;
  fieldsV1: Record<string, unknown>;
}

const cm = (name: string, data: Record<string, string>, labels?: Record<string, string>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(labels ? { labels } : {}) },
    data,
  });

describe('server-side apply with managedFields', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(() => t.close());

  const managed = async (path: string): Promise<Entry[]> =>
    (await t.call('GET', path)).json().metadata.managedFields;
  const owners = (entries: Entry[]) =>
    entries.map((e) => `${e.manager}/${e.operation} ${JSON.stringify(e.fieldsV1)}`).sort();

  it('a conflict between two managers is a 409 naming the manager and field; --force-conflicts takes it', async () => {
    await t.kubectl([
      'apply',
      '--server-side',
      '--field-manager=alice',
      '-f',
      t.file('a.json', cm('shared', { key: 'one', a: '1' }, { app: 'x' })),
    ]);
    const b = t.file('b.json', cm('shared', { key: 'two', b: '2' }));
    const refused = await t.kubectl(['apply', '--server-side', '--field-manager=bob', '-f', b], {
      allowFail: true,
    });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Apply failed with 1 conflict: conflict with "alice": \.data\.key/);
    const path = '/api/v1/namespaces/default/configmaps/shared';
    assert.equal((await t.call('GET', path)).json().data.key, 'one', 'nothing changed');

    await t.kubectl(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', b]);
    const after = await t.call('GET', path);
    assert.deepEqual(after.json().data, { a: '1', b: '2', key: 'two' });
    assert.deepEqual(owners(after.json().metadata.managedFields), [
      'alice/Apply {"f:data":{"f:a":{}},"f:metadata":{"f:labels":{"f:app":{}}}}',
      'bob/Apply {"f:data":{"f:b":{},"f:key":{}}}',
    ]);
  });

  it('the same value applied by two managers is co-owned, no conflict', async () => {
    const run = await t.kubectl([
      'apply',
      '--server-side',
      '--field-manager=carol',
      '-f',
      t.file('c.json', cm('shared', { a: '1' })),
    ]);
    assert.equal(run.code, 0);
    const entries = await managed('/api/v1/namespaces/default/configmaps/shared');
    assert.ok(owners(entries).includes('carol/Apply {"f:data":{"f:a":{}}}'));
    assert.ok(owners(entries).some((o) => o.startsWith('alice/Apply {"f:data":{"f:a":{}}')));
  });

  it('a field a manager stops applying is removed unless another manager owns it', async () => {
    await t.kubectl([
      'apply',
      '--server-side',
      '--field-manager=dave',
      '-f',
      t.file('d.json', cm('solo', { x: '1', y: '2' })),
    ]);
    await t.kubectl([
      'apply',
      '--server-side',
      '--field-manager=dave',
      '-f',
      t.file('d.json', cm('solo', { x: '1' })),
    ]);
    assert.deepEqual((await t.call('GET', '/api/v1/namespaces/default/configmaps/solo')).json().data, {
      x: '1',
    });
  });

  it('an update by another manager then conflicts with the applier, on a keyed Service port', async () => {
    const svc = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ name: 'a', port: 80, targetPort: 8080 }] },
    });
    const file = t.file('svc.json', svc);
    await t.kubectl(['apply', '--server-side', '-f', file]);
    const entries = await managed('/api/v1/namespaces/default/services/web');
    const ports = (
      entries.find((e) => e.manager === 'kubectl')!.fieldsV1['f:spec'] as Record<
        string,
        Record<string, unknown>
      >
    )['f:ports']!;
    // Service ports are a map keyed by port and protocol (protocol defaulted: TCP), test/apiserver/ssa-lists.test.ts.
    assert.ok('k:{"port":80,"protocol":"TCP"}' in ports, JSON.stringify(ports));
    await t.kubectl([
      'patch',
      'svc',
      'web',
      '--field-manager=tuner',
      '-p',
      '{"spec":{"ports":[{"port":80,"targetPort":9090}]}}',
    ]);
    const refused = await t.kubectl(['apply', '--server-side', '-f', file], { allowFail: true });
    assert.match(
      refused.stderr,
      /conflict with "tuner" using v1 at [0-9TZ:-]+: \.spec\.ports\[port=80,protocol="TCP"\]\.targetPort/,
    );
  });

  it('client-side → server-side: kubectl migrates ownership and a dropped field goes', async () => {
    const yaml = (data: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: migrated}\ndata: {${data}}\n`;
    await t.kubectl(['apply', '-f', t.file('m.yaml', yaml('x: "1", z: "2"'))]);
    const csa = await managed('/api/v1/namespaces/default/configmaps/migrated');
    assert.deepEqual(
      csa.map((e) => `${e.manager}/${e.operation}`),
      ['kubectl-client-side-apply/Update'],
    );
    await t.kubectl(['apply', '--server-side', '-f', t.file('m.yaml', yaml('x: "1"'))]);
    const after = (await t.call('GET', '/api/v1/namespaces/default/configmaps/migrated')).json();
    assert.deepEqual(after.data, { x: '1' });
    assert.ok(!after.metadata.managedFields.some((e: Entry) => e.manager === 'kubectl-client-side-apply'));
  });

  it('kubectl hides managedFields unless --show-managed-fields; a create is owned by its manager', async () => {
    assert.doesNotMatch((await t.kubectl(['get', 'cm', 'solo', '-o', 'yaml'])).stdout, /managedFields/);
    assert.match(
      (await t.kubectl(['get', 'cm', 'solo', '-o', 'yaml', '--show-managed-fields'])).stdout,
      /manager: dave/,
    );
    await t.kubectl(['create', 'configmap', 'created', '--from-literal=a=1']);
    const entries = await managed('/api/v1/namespaces/default/configmaps/created');
    assert.deepEqual(owners(entries), ['kubectl-create/Update {"f:data":{"f:a":{}}}']);
  });

  it('managedFields a client writes are taken only when well-formed; a malformed key never breaks an apply', async () => {
    const path = '/api/v1/namespaces/default/configmaps/solo';
    const garbage = await t.call('PATCH', path, {
      body: JSON.stringify({ metadata: { managedFields: [{ manager: 1 }] }, data: { x: '2' } }),
      contentType: 'application/merge-patch+json',
    });
    assert.equal(garbage.status, 200);
    assert.ok(garbage.json().metadata.managedFields.every((e: Entry) => typeof e.manager === 'string'));
    const odd = [
      {
        manager: 'dave',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'k:{nope': {} } },
      },
    ];
    const set = await t.call('PATCH', path, {
      body: JSON.stringify({ metadata: { managedFields: odd } }),
      contentType: 'application/merge-patch+json',
    });
    assert.equal(set.status, 200);
    const apply = await t.call('PATCH', `${path}?fieldManager=dave`, {
      body: cm('solo', { x: '3' }),
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(apply.status, 200, apply.text);
    assert.equal(apply.json().data.x, '3');
  });
});
