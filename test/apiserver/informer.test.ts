// @kubernetes/client-node 2 informers against the embedded API: add/update/delete, a watch the server closes,
// a 410 Expired that forces a relist, and a quiet watch the client gives up on (docs/spec/kubernetes-api.md
// §4.6).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, startTestApi, type TestApi } from './harness.js';

describe('client-node 2 informer', () => {
  let t: TestApi;
  let informer: k8s.Informer<k8s.V1ConfigMap> & k8s.ObjectCache<k8s.V1ConfigMap>;
  const seen: string[] = [];
  const errors: unknown[] = [];
  let lists = 0;
  let core: k8s.CoreV1Api;

  before(async () => {
    // Watches end after 1 s and only 4 changes are kept, so the informer has to re-watch and, later, relist.
    t = await startTestApi({ maxWatchSeconds: 1, watchHistory: 4 });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(t.api.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
    informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: 'default' });
    });
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
  });
  after(async () => {
    await informer?.stop();
    await t?.close();
  });

  it('sees add, update and delete', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'one' }, data: { v: '1' } },
    });
    await eventually(() => seen.includes('add one {"v":"1"}'), 'add one');
    await core.patchNamespacedConfigMap(
      { namespace: 'default', name: 'one', body: [{ op: 'replace', path: '/data/v', value: '2' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    await eventually(() => seen.includes('update one {"v":"2"}'), 'update one');
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'one' });
    await eventually(() => seen.includes('delete one'), 'delete one');
    assert.deepEqual(errors, []);
  });

  it('keeps watching after the server ends the watch', async () => {
    const before = lists;
    await new Promise((r) => setTimeout(r, 2500)); // at least two server-side closes
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'two' }, data: { v: '1' } },
    });
    await eventually(() => seen.includes('add two {"v":"1"}'), 'add two after re-watch');
    assert.equal(
      lists,
      before,
      'a cleanly closed watch is resumed from its resourceVersion without relisting',
    );
    assert.deepEqual(errors, []);
  });

  it('relists after 410 Expired and still sees changes', async () => {
    const before = lists;
    // Changes of another kind push the informer's resourceVersion out of the 4-entry history.
    for (let i = 0; i < 12; i++)
      await core.createNamespacedSecret({
        namespace: 'default',
        body: { metadata: { name: `s${i}` }, stringData: { k: 'v' } },
      });
    await eventually(() => lists > before, 'a relist after 410', 5000);
    await core.replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'two',
      body: { metadata: { name: 'two' }, data: { v: '3' } },
    });
    await eventually(() => seen.includes('update two {"v":"3"}'), 'update two after relist');
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'two' });
    await eventually(() => seen.includes('delete two'), 'delete two after relist');
    assert.deepEqual(errors, []);
  });
});

/** Counts the watch requests an informer makes. */
class CountingWatch extends k8s.Watch {
  requests = 0;
  override watch(...args: Parameters<k8s.Watch['watch']>): ReturnType<k8s.Watch['watch']> {
    this.requests++;
    return super.watch(...args);
  }
}

describe('client-node 2 informer on a quiet watch', () => {
  let t: TestApi;
  let watch: CountingWatch;
  let informer: k8s.ListWatch<k8s.V1ConfigMap>;
  let core: k8s.CoreV1Api;
  let lists = 0;
  const seen: string[] = [];
  const errors: unknown[] = [];

  before(async () => {
    // The server never ends the watch; only the client's inactivity timeout (30 s in client-node 2, shortened
    // here) does: it aborts the request mid-stream, which the server must take as a plain disconnect.
    t = await startTestApi();
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(t.api.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
    watch = new CountingWatch(kc);
    // A private field in client-node's types and no constructor option: set as a plain property, which is
    // what it is at runtime (dist/watch.js), so the test waits 300 ms instead of 30 s per timeout.
    Object.assign(watch, { requestTimeoutMs: 300 });
    informer = new k8s.ListWatch<k8s.V1ConfigMap>(
      '/api/v1/namespaces/default/configmaps',
      watch,
      () => {
        lists++;
        return core.listNamespacedConfigMap({ namespace: 'default' });
      },
      false,
    );
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
  });
  after(async () => {
    await informer?.stop();
    await t?.close();
  });

  it('is resumed from its resourceVersion after the inactivity timeout, without a relist or an error', async () => {
    await eventually(() => watch.requests >= 4, 'three reconnects after inactivity timeouts', 5000);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'late' } } });
    await eventually(() => seen.includes('add late'), 'a change after the reconnects');
    assert.equal(lists, 1, 'resumed from the resourceVersion, not relisted');
    assert.deepEqual(errors, []);
  });
});
