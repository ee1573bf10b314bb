// Attack (issue 9, "Why"): in `serve`, the CRDs from deploy/ accepted `file://` plugin sources, so a tenant
// allowed to apply a GCPWasmPlugin could name the pod's ServiceAccount token. The published CRD (what a real
// kube-apiserver enforces) must refuse every local source while still taking registry references; the
// embedded API of `extgate up` keeps `file://` (read only under --plugin-dir).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { admit } from '../../src/api/admission.js';
import { REPO_ROOT } from '../e2e/harness.js';

interface Crd {
  spec: { versions: Array<{ schema: { openAPIV3Schema: unknown } }> };
}

function versionItemSchema(): Record<string, { pattern?: string }> {
  const crd = parse(
    readFileSync(join(REPO_ROOT, 'deploy', 'crds', 'networking.gke.io_gcpwasmplugins.yaml'), 'utf8'),
  ) as Crd;
  const root = crd.spec.versions[0]!.schema.openAPIV3Schema as {
    properties: {
      spec: { properties: { versions: { items: { properties: Record<string, { pattern?: string }> } } } };
    };
  };
  return root.properties.spec.properties.versions.items.properties;
}

const LOCAL = [
  'file:///var/run/secrets/kubernetes.io/serviceaccount/token',
  'file://etc/passwd',
  '../../var/run/secrets/kubernetes.io/serviceaccount/token',
  '/etc/shadow',
];
const REGISTRY = [
  'us-docker.pkg.dev/project/repo/plugin:v1',
  'https://us-docker.pkg.dev/project/repo/plugin@sha256:' + 'a'.repeat(64),
  '127.0.0.1:5000/plugins/local-reply:main',
];

test('the CRDs published for clusters refuse file:// and path plugin sources', () => {
  const props = versionItemSchema();
  for (const field of ['image', 'pluginConfigURI']) {
    const pattern = props[field]?.pattern;
    assert.ok(pattern, `${field} has a pattern`);
    const re = new RegExp(pattern);
    for (const v of LOCAL) assert.equal(re.test(v), false, `${field} must refuse ${v}`);
    for (const v of REGISTRY) assert.equal(re.test(v), true, `${field} must accept ${v}`);
  }
});

test('the embedded API still admits file:// for local development', () => {
  const plugin = {
    apiVersion: 'networking.gke.io/v1',
    kind: 'GCPWasmPlugin',
    metadata: { name: 'p', namespace: 'default' },
    spec: { versions: [{ name: 'v1', image: 'file:///tmp/plugin.wasm', weight: 1 }] },
  };
  const result = admit({ operation: 'CREATE', object: plugin }, { get: () => undefined, list: () => [] });
  assert.deepEqual(result, { allowed: true });
});
