// deploy/crds/ is what the generator writes from the admission schemas, and each file is a CRD a real API
// server would take: apiextensions.k8s.io/v1 shape, structural schema, CEL rules that parse.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parse as parseCel } from '@marcbachmann/cel-js';
import { generatedCrds } from '../../src/api/crd-generate.js';

const dir = fileURLToPath(new URL('../../../deploy/crds/', import.meta.url));

type Node = Record<string, any>;

function walkSchema(node: Node, path: string, visit: (n: Node, path: string) => void): void {
  visit(node, path);
  for (const [k, v] of Object.entries(node.properties ?? {})) walkSchema(v as Node, `${path}.${k}`, visit);
  if (node.items) walkSchema(node.items, `${path}[]`, visit);
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    walkSchema(node.additionalProperties, `${path}{}`, visit);
}

describe('deploy/crds', () => {
  it('is fresh: the checked-in files are exactly what `npm run gen:crds` writes', () => {
    const expected = generatedCrds();
    const onDisk = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    assert.deepEqual(onDisk, [...expected.keys()].sort(), 'file list differs; run npm run gen:crds');
    for (const [name, text] of expected)
      assert.equal(readFileSync(dir + name, 'utf8'), text, `${name} is stale; run npm run gen:crds`);
  });

  it('holds the three networking.gke.io kinds', () => {
    const kinds = readdirSync(dir)
      .map((f) => parseYaml(readFileSync(dir + f, 'utf8')).spec.names.kind)
      .sort();
    assert.deepEqual(kinds, ['GCPRoutingExtension', 'GCPTrafficExtension', 'GCPWasmPlugin']);
  });

  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} is a structural apiextensions.k8s.io/v1 CRD whose CEL rules parse`, () => {
      const crd = parseYaml(readFileSync(dir + file, 'utf8'));
      assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
      assert.equal(crd.kind, 'CustomResourceDefinition');
      assert.equal(crd.metadata.name, `${crd.spec.names.plural}.${crd.spec.group}`);
      assert.equal(crd.spec.group, 'networking.gke.io');
      assert.equal(crd.spec.scope, 'Namespaced');
      assert.ok(crd.spec.names.singular && crd.spec.names.listKind === `${crd.spec.names.kind}List`);
      assert.equal(crd.spec.versions.length, 1);
      const v = crd.spec.versions[0];
      assert.equal(v.name, 'v1');
      assert.equal(v.served, true);
      assert.equal(v.storage, true);
      assert.deepEqual(v.subresources, { status: {} });
      const root = v.schema.openAPIV3Schema;
      assert.equal(root.type, 'object');
      assert.deepEqual(
        root.properties.metadata,
        { type: 'object' },
        'metadata may only be `type: object` in a CRD',
      );
      let rules = 0;
      walkSchema(root, '', (n, path) => {
        const typed = typeof n.type === 'string' || n['x-kubernetes-int-or-string'] === true;
        assert.ok(typed, `${file}${path}: every node needs a type (structural schema)`);
        if (n.type === 'array') assert.ok(n.items, `${file}${path}: array without items`);
        if (n['x-kubernetes-list-type'] === 'map') {
          for (const key of n['x-kubernetes-list-map-keys'])
            assert.ok(
              n.items.required?.includes(key) || n.items.properties[key].default !== undefined,
              `${file}${path}: list-map key ${key} must be required`,
            );
        }
        for (const r of n['x-kubernetes-validations'] ?? []) {
          rules++;
          assert.equal(typeof r.message, 'string');
          assert.doesNotThrow(() => parseCel(r.rule), `${file}${path}: CEL does not parse: ${r.rule}`);
          if (r.fieldPath) {
            const target = r.fieldPath
              .slice(1)
              .split('.')
              .reduce((acc: Node | undefined, k: string) => acc?.properties?.[k], n);
            assert.ok(target, `${file}${path}: fieldPath ${r.fieldPath} is not a field of the schema`);
          }
          if (r.reason)
            assert.ok(
              [
                'FieldValueInvalid',
                'FieldValueForbidden',
                'FieldValueRequired',
                'FieldValueDuplicate',
              ].includes(r.reason),
            );
        }
      });
      assert.ok(rules > 0, 'carries x-kubernetes-validations');
    });
  }

  it("the traffic CRD carries GKE's celMatcher pattern character for character", () => {
    const crd = parseYaml(readFileSync(dir + 'networking.gke.io_gcptrafficextensions.yaml', 'utf8'));
    const cel =
      crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.extensionChains.items.properties
        .matchCondition.properties.celExpressions.items.properties.celMatcher;
    // Copied from GoogleCloudPlatform/gke-gateway-api config/crd/networking.gke.io_gcptrafficextensions.yaml.
    const gke =
      '^(( )|(request.headers)|(request.method)|(request.host)|(request.path)|(request.query)|(request.scheme)|(request.backend_service_num_endpoints)|(response.code)|(response.grpc_status)|(response.headers)|(source.address)|(source.port)|(connection.requested_server_name)|(connection.tls_version)|(connection.sha256_peer_certificate_digest)|(endsWith)|(startsWith)|(matches)|(contains)|(lowerAscii)|(upperAscii)|(int)|(==)|(!=)|(&&)|(>=)|(<=)|(>)|(<)|(\\|\\|)|(!)|(\\+)|(\\.)|(/)|(\'[a-zA-Z0-9\\/\\-._~%!$&\'()*+,;=:\\"\\\\]*\')|("[a-zA-Z0-9\\/\\-._~%!$&\'()*+,;=:\\"\\\\]*")|(“[a-zA-Z0-9\\/\\-._~%!$&\'()*+,;=:\\"\\\\]*”)|(R"[a-zA-Z0-9\\/\\-._~%!$&\'()*+,;=:\\\\]*")|[0-9]|(\\()|(\\))|(\\[)|(\\]))+$';
    assert.equal(cel.pattern, gke);
    assert.equal(cel.maxLength, 512);
  });
});
