// The admission hook and the unknown-field hook: what is stored, what the client gets, what kubectl prints.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AdmissionRequest, Admit, KubeObject } from '../../src/api/types.js';
import { HAVE_KUBECTL_120, KUBECTL_120, startTestApi, type TestApi } from './harness.js';

const EXT = '/apis/networking.gke.io/v1/namespaces/default/gcptrafficextensions';
const DENIED =
  'GCPTrafficExtension.networking.gke.io "my-traffic-extension" is invalid: spec.gatewayRef: gateway "my-gateway" not found in namespace "default"';

const manifest = (name: string, spec: string) => `apiVersion: networking.gke.io/v1
kind: GCPTrafficExtension
metadata: {name: ${name}}
spec:
${spec}`;

describe('admission and field validation hooks', () => {
  let t: TestApi;
  const requests: AdmissionRequest[] = [];

  // A stand-in for src/api/admission.ts: a field rule, a reference rule (with a store lookup) and a schema.
  const admit: Admit = (req, lookup) => {
    requests.push(req);
    const spec = (req.object.spec ?? {}) as { timeout?: string; gateway?: string };
    if (spec.timeout === '5ms')
      return {
        allowed: false,
        causes: [
          {
            reason: 'FieldValueInvalid',
            field: 'spec.timeout',
            message: 'Invalid value: "5ms": timeout must be between 10-10000 milliseconds',
          },
        ],
      };
    if (
      spec.gateway &&
      !lookup.get('gateway.networking.k8s.io/v1', 'Gateway', req.object.metadata.namespace, spec.gateway)
    )
      return {
        allowed: false,
        denied: `GCPTrafficExtension.networking.gke.io "${req.object.metadata.name}" is invalid: spec.gatewayRef: gateway "${spec.gateway}" not found in namespace "${req.object.metadata.namespace}"`,
      };
    return { allowed: true };
  };
  const unknownFields = (obj: KubeObject): string[] =>
    obj.kind === 'GCPTrafficExtension'
      ? Object.keys((obj.spec ?? {}) as object)
          .filter((k) => !['timeout', 'gateway'].includes(k))
          .map((k) => `spec.${k}`)
      : [];

  before(async () => {
    t = await startTestApi({ admit, unknownFields });
  });
  after(async () => {
    await t?.close();
  });

  it('answers causes with 422 Invalid naming the field, and stores nothing', async () => {
    const file = t.file('bad.yaml', manifest('bad', '  timeout: 5ms\n'));
    const run = await t.kubectl(['apply', '-f', file], { allowFail: true });
    assert.notEqual(run.code, 0);
    assert.match(
      run.stderr,
      /The GCPTrafficExtension "bad" is invalid: spec.timeout: Invalid value: "5ms": timeout must be between 10-10000 milliseconds/,
    );
    assert.equal((await t.call('GET', `${EXT}/bad`)).status, 404);
  });

  it('prints a denial verbatim with kubectl 1.32 and 1.20, and stores nothing', async () => {
    const file = t.file('ref.yaml', manifest('my-traffic-extension', '  gateway: my-gateway\n'));
    for (const bin of HAVE_KUBECTL_120 ? [undefined, KUBECTL_120] : [undefined]) {
      const run = await t.kubectl(['apply', '-f', file], { allowFail: true, bin });
      assert.notEqual(run.code, 0);
      assert.ok(run.stderr.includes(DENIED), `${bin ?? 'kubectl 1.32'} printed: ${run.stderr}`);
    }
    const raw = await t.call('POST', EXT, {
      body: JSON.stringify({ metadata: { name: 'my-traffic-extension' }, spec: { gateway: 'my-gateway' } }),
      contentType: 'application/json',
    });
    assert.equal(raw.status, 422);
    assert.equal(raw.json().reason, 'Invalid');
    assert.equal(raw.json().message, DENIED);
    assert.equal((await t.call('GET', `${EXT}/my-traffic-extension`)).status, 404);
  });

  it('sees the patched result on update, with the old object', async () => {
    await t.call('POST', '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways', {
      body: JSON.stringify({
        metadata: { name: 'gw' },
        spec: { gatewayClassName: 'gke-l7-rilb', listeners: [] },
      }),
      contentType: 'application/json',
    });
    const ok = await t.call('POST', EXT, {
      body: JSON.stringify({ metadata: { name: 'ok' }, spec: { gateway: 'gw', timeout: '1s' } }),
      contentType: 'application/json',
    });
    assert.equal(ok.status, 201, ok.text);
    requests.length = 0;
    const r = await t.call('PATCH', `${EXT}/ok`, {
      body: '{"spec":{"timeout":"5ms"}}',
      contentType: 'application/merge-patch+json',
    });
    assert.equal(r.status, 422);
    const last = requests.at(-1)!;
    assert.equal(last.operation, 'UPDATE');
    assert.deepEqual(last.object.spec, { gateway: 'gw', timeout: '5ms' });
    assert.deepEqual(last.oldObject?.spec, { gateway: 'gw', timeout: '1s' });
    assert.equal((await t.call('GET', `${EXT}/ok`)).json().spec.timeout, '1s', 'rejected patch not stored');
    const del = await t.call('DELETE', '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/gw');
    assert.equal(del.status, 200);
    const afterDelete = await t.call('PATCH', `${EXT}/ok`, {
      body: '{"spec":{"timeout":"2s"}}',
      contentType: 'application/merge-patch+json',
    });
    assert.equal(afterDelete.status, 422, 'reference re-checked on update');
  });

  it('rejects unknown fields under Strict, warns and drops them under Warn', async () => {
    const file = t.file('strict.yaml', manifest('strict', '  timeout: 1s\n  strict: true\n'));
    const run = await t.kubectl(['apply', '-f', file], { allowFail: true });
    assert.match(
      run.stderr,
      /Error from server \(BadRequest\): error when creating ".*strict.yaml": GCPTrafficExtension in version "v1" cannot be handled as a GCPTrafficExtension: strict decoding error: unknown field "spec.strict"/,
    );
    const warn = await t.call('POST', EXT, {
      body: JSON.stringify({ metadata: { name: 'warned' }, spec: { timeout: '1s', extra: 1 } }),
      contentType: 'application/json',
    });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.warning, '299 - "unknown field \\"spec.extra\\""');
    assert.deepEqual(warn.json().spec, { timeout: '1s' });
    const loose = await t.kubectl(['apply', '--validate=false', '-f', file]);
    assert.match(loose.stdout, /created/);
  });
});
