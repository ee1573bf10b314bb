// The garbage collector and finalizers (docs/api-server.md "Garbage collection"), with kubectl 1.32's
// `delete --cascade=background|foreground|orphan`, kubectl 1.20's `--cascade=false`, and DeleteOptions sent raw.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, HAVE_KUBECTL_120, KUBECTL_120, startTestApi, type TestApi } from './harness.js';

const CMS = '/api/v1/namespaces/default/configmaps';

describe('garbage collection of ownerReferences', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(() => t.close());

  interface Cm {
    metadata: {
      name: string;
      uid: string;
      deletionTimestamp?: string;
      finalizers?: string[];
      ownerReferences?: { name: string }[];
    };
    data: Record<string, string>;
  }
  const create = async (name: string, extra: Record<string, unknown> = {}): Promise<Cm> => {
    const r = await t.call('POST', CMS, {
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, ...extra },
        data: { k: name },
      }),
      contentType: 'application/json',
    });
    assert.equal(r.status, 201, r.text);
    return r.json() as Cm;
  };
  const ownedBy = (owner: { metadata: { name: string; uid: string } }, block = true) => ({
    ownerReferences: [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: owner.metadata.name,
        uid: owner.metadata.uid,
        blockOwnerDeletion: block,
      },
    ],
  });
  const get = async (name: string): Promise<Cm | undefined> => {
    const r = await t.call('GET', `${CMS}/${name}`);
    return r.status === 404 ? undefined : (r.json() as Cm);
  };
  /** Still there, without ownerReferences (an orphan, not a deleted dependent). */
  const orphaned = (name: string) =>
    eventually(async () => {
      const o = await get(name);
      return o !== undefined && o.metadata.ownerReferences === undefined;
    }, `${name} orphaned`);
  const gone = (name: string) => eventually(async () => (await get(name)) === undefined, `${name} deleted`);

  it('background (kubectl default): the owner goes at once, then its dependents, transitively', async () => {
    const owner = await create('bg-owner');
    const child = await create('bg-child', ownedBy(owner));
    await create('bg-grandchild', ownedBy(child));
    const keeper = await create('bg-other-owner');
    await create('bg-shared', {
      ownerReferences: [...ownedBy(owner).ownerReferences, ...ownedBy(keeper).ownerReferences],
    });
    const out = await t.kubectl(['delete', 'configmap', 'bg-owner']);
    assert.match(out.stdout, /configmap "bg-owner" deleted/);
    await gone('bg-child');
    await gone('bg-grandchild');
    // Still owned by an owner that exists: kept, the reference to the one gone dropped.
    await eventually(
      async () => (await get('bg-shared'))?.metadata.ownerReferences?.length === 1,
      'dangling ref dropped',
    );
    assert.equal((await get('bg-shared'))?.metadata.ownerReferences?.[0]?.name, 'bg-other-owner');
  });

  it('an object whose owner does not exist (wrong uid) is collected', async () => {
    await create('real-owner');
    await create('stray', {
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: 'real-owner',
          uid: '00000000-0000-0000-0000-000000000000',
        },
      ],
    });
    await gone('stray');
    assert.ok(await get('real-owner'));
  });

  it('foreground: the owner waits with foregroundDeletion until blocking dependents are gone', async () => {
    const owner = await create('fg-owner');
    await create('fg-child', { ...ownedBy(owner), finalizers: ['example.com/hold'] });
    await create('fg-loose', ownedBy(owner, false));
    await t.kubectl(['delete', 'configmap', 'fg-owner', '--cascade=foreground', '--wait=false']);
    await gone('fg-loose');
    const waiting = await get('fg-owner');
    assert.ok(waiting?.metadata.deletionTimestamp, 'deletionTimestamp set');
    assert.deepEqual(waiting?.metadata.finalizers, ['foregroundDeletion']);
    const child = await get('fg-child');
    assert.ok(child?.metadata.deletionTimestamp, 'the dependent is being deleted, held by its own finalizer');
    await t.kubectl([
      'patch',
      'configmap',
      'fg-child',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    await gone('fg-child');
    await gone('fg-owner');
  });

  it('foreground with kubectl waiting: delete returns once owner and dependents are gone', async () => {
    const owner = await create('fgw-owner');
    await create('fgw-child', ownedBy(owner));
    await t.kubectl(['delete', 'configmap', 'fgw-owner', '--cascade=foreground', '--timeout=20s']);
    assert.equal(await get('fgw-owner'), undefined);
    assert.equal(await get('fgw-child'), undefined);
  });

  it('orphan: dependents stay, their ownerReferences to the owner removed', async () => {
    const owner = await create('or-owner');
    await create('or-child', ownedBy(owner));
    await t.kubectl(['delete', 'configmap', 'or-owner', '--cascade=orphan']);
    await gone('or-owner');
    await orphaned('or-child');
    assert.equal((await get('or-child'))?.data.k, 'or-child');
  });

  it('finalizers hold any object: deletionTimestamp set, gone when the last finalizer is removed', async () => {
    await create('held', { finalizers: ['example.com/a', 'example.com/b'] });
    await t.kubectl(['delete', 'configmap', 'held', '--wait=false']);
    const held = await get('held');
    assert.ok(held?.metadata.deletionTimestamp);
    await t.kubectl([
      'patch',
      'configmap',
      'held',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers/0"}]',
    ]);
    assert.deepEqual((await get('held'))?.metadata.finalizers, ['example.com/b']);
    await t.kubectl(['patch', 'configmap', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":[]}}']);
    assert.equal(await get('held'), undefined);
  });

  it('propagationPolicy in a raw DeleteOptions body; an unknown one is refused', async () => {
    const owner = await create('raw-owner');
    await create('raw-child', ownedBy(owner));
    const bad = await t.call('DELETE', `${CMS}/raw-owner`, {
      body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Sideways' }),
      contentType: 'application/json',
    });
    assert.equal(bad.status, 422);
    assert.match(
      bad.json().message,
      /propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan"/,
    );
    const ok = await t.call('DELETE', `${CMS}/raw-owner`, {
      body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' }),
      contentType: 'application/json',
    });
    assert.equal(ok.status, 200);
    await gone('raw-owner');
    await orphaned('raw-child');
  });

  it('DeleteOptions as query parameters (no body), on one object and on a collection', async () => {
    const owner = await create('q-owner');
    await create('q-child', ownedBy(owner));
    const one = await t.call('DELETE', `${CMS}/q-owner?propagationPolicy=Orphan`);
    assert.equal(one.status, 200);
    await gone('q-owner');
    await orphaned('q-child');
    const owner2 = await create('q2-owner', { labels: { batch: 'q2' } });
    await create('q2-child', { ...ownedBy(owner2), finalizers: ['example.com/hold'] });
    const all = await t.call('DELETE', `${CMS}?labelSelector=batch%3Dq2&propagationPolicy=Foreground`);
    assert.equal(all.status, 200);
    await eventually(
      async () => (await get('q2-owner'))?.metadata.finalizers?.includes('foregroundDeletion') === true,
      'the collection delete went foreground',
    );
    await t.kubectl([
      'patch',
      'configmap',
      'q2-child',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    await gone('q2-owner');
  });

  it(
    'kubectl 1.20: --cascade=false orphans, --cascade=true collects',
    { skip: !HAVE_KUBECTL_120 && 'no kubectl 1.20' },
    async () => {
      const bin = KUBECTL_120;
      const a = await create('old-a');
      await create('old-a-child', ownedBy(a));
      await t.kubectl(['delete', 'configmap', 'old-a', '--cascade=false'], { bin });
      await gone('old-a');
      await orphaned('old-a-child');
      const b = await create('old-b');
      await create('old-b-child', ownedBy(b));
      await t.kubectl(['delete', 'configmap', 'old-b', '--cascade=true'], { bin });
      await gone('old-b-child');
    },
  );
});
