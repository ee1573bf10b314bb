// `kubectl auth can-i` and `kubectl auth whoami` (SelfSubjectAccessReview, SelfSubjectRulesReview,
// SelfSubjectReview): kubectl 1.32 sends them as Kubernetes protobuf, 1.20 too; the token may do everything.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HAVE_KUBECTL_120, KUBECTL_120, startTestApi, type TestApi } from './harness.js';

describe('kubectl auth', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(() => t.close());

  it('kubectl 1.32 auth can-i: yes for resources, in a namespace, and non-resource URLs', async () => {
    assert.equal((await t.kubectl(['auth', 'can-i', 'get', 'pods'])).stdout.trim(), 'yes');
    assert.equal(
      (await t.kubectl(['auth', 'can-i', 'delete', 'gateways', '-n', 'other'])).stdout.trim(),
      'yes',
    );
    assert.equal((await t.kubectl(['auth', 'can-i', 'get', '/healthz'])).stdout.trim(), 'yes');
  });

  it('kubectl 1.32 auth can-i --list: every verb on every resource', async () => {
    const run = await t.kubectl(['auth', 'can-i', '--list']);
    assert.match(run.stdout, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  });

  it('kubectl 1.32 auth whoami: the token user with its groups', async () => {
    const run = await t.kubectl(['auth', 'whoami']);
    assert.match(run.stdout, /Username\s+extgate/);
    assert.match(run.stdout, /Groups\s+\[system:masters system:authenticated\]/);
  });

  it('kubectl 1.20 auth can-i', { skip: HAVE_KUBECTL_120 ? false : 'kubectl 1.20 missing' }, async () => {
    const run = await t.kubectl(['auth', 'can-i', 'create', 'services'], { bin: KUBECTL_120 });
    assert.equal(run.stdout.trim(), 'yes');
  });

  it('JSON reviews: 201 with status; an access review naming neither attribute set is a 422', async () => {
    const ok = await t.call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: JSON.stringify({ spec: { resourceAttributes: { verb: 'get', resource: 'secrets' } } }),
      contentType: 'application/json',
    });
    assert.equal(ok.status, 201);
    assert.equal(ok.json().status.allowed, true);
    assert.deepEqual(ok.json().spec, { resourceAttributes: { verb: 'get', resource: 'secrets' } });
    const bad = await t.call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: JSON.stringify({ spec: {} }),
      contentType: 'application/json',
    });
    assert.equal(bad.status, 422);
    assert.match(
      bad.json().message,
      /exactly one of nonResourceAttributes or resourceAttributes must be specified/,
    );
    const list = await t.call('GET', '/apis/authentication.k8s.io/v1/selfsubjectreviews');
    assert.equal(list.status, 405, 'reviews are create-only');
  });
});
