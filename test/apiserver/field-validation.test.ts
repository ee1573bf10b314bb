// fieldValidation (Strict | Warn | Ignore) on built-in kinds, with the real kubectls: 1.32 asks for Strict and a
// cluster refuses a typo with 400 `strict decoding error`; 1.20 sends nothing (Warn) and prints the Warning.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HAVE_KUBECTL_120, KUBECTL_120, startTestApi, type TestApi } from './harness.js';

const svc = (name: string, extra = '') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selctor:
    app: web
  ports:
  - port: 80${extra}
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        imagePullPolicyy: Always
`;

describe('fieldValidation on built-in kinds', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(() => t.close());

  const stored = async (path: string) => (await t.call('GET', path)).json();

  it('kubectl 1.32 (Strict): a typo in a Service is refused with strict decoding error, nothing stored', async () => {
    const run = await t.kubectl(['apply', '-f', t.file('svc.yaml', svc('typo'))], { allowFail: true });
    assert.notEqual(run.code, 0);
    assert.match(
      run.stderr,
      /Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.selctor"/,
    );
    assert.equal((await t.call('GET', '/api/v1/namespaces/default/services/typo')).status, 404);
  });

  it('kubectl 1.32: a typo deep in a Deployment pod template is named by its path', async () => {
    const run = await t.kubectl(['apply', '-f', t.file('deploy.yaml', deployment)], { allowFail: true });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /unknown field "spec.template.spec.containers\[0\].imagePullPolicyy"/);
  });

  it('kubectl 1.32 --validate=warn: stored without the field, Warning printed', async () => {
    const run = await t.kubectl(['apply', '--validate=warn', '-f', t.file('svc.yaml', svc('warned'))]);
    assert.match(run.stderr, /Warning: unknown field "spec.selctor"/);
    const s = await stored('/api/v1/namespaces/default/services/warned');
    assert.equal(s.spec.selctor, undefined);
    assert.equal(s.spec.ports[0].port, 80);
  });

  it('kubectl 1.32 --validate=false (Ignore): dropped silently', async () => {
    const run = await t.kubectl(['apply', '--validate=false', '-f', t.file('svc.yaml', svc('ignored'))]);
    assert.doesNotMatch(run.stderr, /unknown field/);
    assert.equal((await stored('/api/v1/namespaces/default/services/ignored')).spec.selctor, undefined);
  });

  it('kubectl 1.32: a typo added to an existing Service (strategic merge patch) is a 400', async () => {
    await t.kubectl(['apply', '-f', t.file('ok.yaml', svc('patched').replace('selctor', 'selector'))]);
    const run = await t.kubectl(
      ['apply', '-f', t.file('svc.yaml', svc('patched', '\n    prot: TCP').replace('selctor', 'selector'))],
      { allowFail: true },
    );
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /strict decoding error: unknown field "spec.ports\[0\].prot"/);
  });

  it('kubectl 1.32 --server-side (Strict): field not declared in schema', async () => {
    const run = await t.kubectl(['apply', '--server-side', '-f', t.file('svc.yaml', svc('ssa'))], {
      allowFail: true,
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /\.spec\.selctor: field not declared in schema/);
  });

  it(
    'kubectl 1.20: refused client-side from /openapi/v2; with --validate=false (no fieldValidation → Warn) created, Warning printed, field dropped',
    {
      skip: HAVE_KUBECTL_120 ? false : 'kubectl 1.20 missing',
    },
    async () => {
      const file = t.file('svc.yaml', svc('old'));
      const refused = await t.kubectl(['apply', '-f', file], { bin: KUBECTL_120, allowFail: true });
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /ValidationError\(Service\.spec\): unknown field "selctor"/);
      const run = await t.kubectl(['apply', '--validate=false', '-f', file], { bin: KUBECTL_120 });
      assert.match(run.stderr, /unknown field "spec.selctor"/);
      assert.equal((await stored('/api/v1/namespaces/default/services/old')).spec.selctor, undefined);
    },
  );

  it('raw requests: every mode on a ConfigMap, and a merge patch with Strict is a 422 on `patch`', async () => {
    const cm = (name: string) => JSON.stringify({ metadata: { name }, data: { a: '1' }, dta: { b: '2' } });
    const base = '/api/v1/namespaces/default/configmaps';
    const strict = await t.call('POST', `${base}?fieldValidation=Strict`, {
      body: cm('s'),
      contentType: 'application/json',
    });
    assert.equal(strict.status, 400);
    const warn = await t.call('POST', `${base}?fieldValidation=Warn`, {
      body: cm('w'),
      contentType: 'application/json',
    });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.warning, '299 - "unknown field \\"dta\\""');
    const ignore = await t.call('POST', `${base}?fieldValidation=Ignore`, {
      body: cm('i'),
      contentType: 'application/json',
    });
    assert.equal(ignore.status, 201);
    assert.equal(ignore.headers.warning, undefined);
    assert.equal(ignore.json().dta, undefined);
    const patch = await t.call('PATCH', `${base}/i?fieldValidation=Strict`, {
      body: JSON.stringify({ metadata: { labelz: { a: 'b' } } }),
      contentType: 'application/merge-patch+json',
    });
    assert.equal(patch.status, 422);
    assert.match(patch.json().message, /strict decoding error: unknown field "metadata.labelz"/);
  });
});
