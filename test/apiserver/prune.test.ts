// `kubectl apply --prune`: kubectl resolves every kind of its default prune list through discovery before it
// prunes anything, so the API must serve them all (docs/spec/kubernetes-api.md; kubectl/pkg/cmd/apply/prune.go).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HAVE_KUBECTL_120, KUBECTL_120, startTestApi, type TestApi } from './harness.js';

const cm = (name: string, app: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels:\n    app: ${app}\ndata:\n  k: v\n`;

describe('kubectl apply --prune', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(() => t.close());

  /** Writes the manifests into a fresh folder and returns it. */
  function folder(name: string, files: Record<string, string>): string {
    const dir = join(t.dir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    return dir;
  }

  async function cmNames(): Promise<string[]> {
    const r = await t.call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=app%20in%20(x,other)');
    return r.json().items.map((o: { metadata: { name: string } }) => o.metadata.name);
  }

  it('kubectl 1.32 prunes with its default prune list (every kind resolvable)', async () => {
    await t.kubectl([
      'apply',
      '--prune',
      '-l',
      'app=x',
      '-f',
      folder('a', { 'a.yaml': cm('a', 'x'), 'b.yaml': cm('b', 'x') }),
    ]);
    await t.kubectl(['apply', '-f', folder('other', { 'o.yaml': cm('other', 'other') })]);
    assert.deepEqual(await cmNames(), ['a', 'b', 'other']);
    const run = await t.kubectl([
      'apply',
      '--prune',
      '-l',
      'app=x',
      '-f',
      folder('a', { 'a.yaml': cm('a', 'x') }),
    ]);
    assert.match(run.stdout, /configmap\/b pruned/);
    assert.deepEqual(await cmNames(), ['a', 'other'], 'only the labelled object left out is pruned');
  });

  it('kubectl 1.32 prunes with --prune-allowlist', async () => {
    await t.kubectl(['apply', '-f', folder('c', { 'c.yaml': cm('c', 'x') })]);
    const run = await t.kubectl([
      'apply',
      '--prune',
      '-l',
      'app=x',
      '--prune-allowlist=core/v1/ConfigMap',
      '-f',
      folder('a', { 'a.yaml': cm('a', 'x') }),
    ]);
    assert.match(run.stdout, /configmap\/c pruned/);
    assert.deepEqual(await cmNames(), ['a', 'other']);
  });

  it("the default prune list's kinds are served (empty lists)", async () => {
    for (const path of [
      '/api/v1/namespaces/default/persistentvolumeclaims',
      '/api/v1/persistentvolumes',
      '/api/v1/namespaces/default/replicationcontrollers',
      '/apis/apps/v1/namespaces/default/daemonsets',
      '/apis/apps/v1/namespaces/default/replicasets',
      '/apis/apps/v1/namespaces/default/statefulsets',
      '/apis/batch/v1/namespaces/default/jobs',
      '/apis/batch/v1/namespaces/default/cronjobs',
      '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
    ]) {
      const r = await t.call('GET', path);
      assert.equal(r.status, 200, path);
      assert.deepEqual(r.json().items, [], path);
    }
  });

  it(
    'kubectl 1.20 prunes with --prune-whitelist',
    { skip: HAVE_KUBECTL_120 ? false : 'kubectl 1.20 missing' },
    async () => {
      await t.kubectl(['apply', '-f', folder('d', { 'd.yaml': cm('d', 'x') })], { bin: KUBECTL_120 });
      const run = await t.kubectl(
        [
          'apply',
          '--prune',
          '-l',
          'app=x',
          '--prune-whitelist=core/v1/ConfigMap',
          '-f',
          folder('a', { 'a.yaml': cm('a', 'x') }),
        ],
        { bin: KUBECTL_120 },
      );
      assert.match(run.stdout, /configmap\/d pruned/);
      assert.deepEqual(await cmNames(), ['a', 'other']);
    },
  );
});
