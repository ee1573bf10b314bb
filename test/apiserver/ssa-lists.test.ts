// Server-side apply merges and owns lists by their schema's list type (x-kubernetes-list-type and
// x-kubernetes-list-map-keys), with kubectl 1.32 `apply --server-side`: Service ports are a map keyed by
// port+protocol, metadata.finalizers a set, Gateway listeners a map keyed by name, HTTPRoute rules atomic, and a
// CRD's own list types; conflicts are per list item (or per list, when atomic).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { schemaFor } from '../../src/api/schema/registry.js';
import { toOpenAPI } from '../../src/api/schema/openapi.js';
import { startTestApi, type TestApi } from './harness.js';

interface Entry {
  manager: string;
  fieldsV1: Record<string, unknown>;
}

describe('server-side apply of lists by list type', () => {
  let t: TestApi;
  before(async () => {
    // The product's schemas, as `extgate up` passes them: the Gateway API list types come from there.
    t = await startTestApi({
      openApiSchema: (apiVersion, kind) => {
        const schema = schemaFor(apiVersion, kind);
        return schema ? toOpenAPI(schema.root) : undefined;
      },
    });
  });
  after(() => t.close());

  const apply = (manager: string, name: string, obj: unknown, force = false) =>
    t.kubectl(
      [
        'apply',
        '--server-side',
        `--field-manager=${manager}`,
        ...(force ? ['--force-conflicts'] : []),
        '-f',
        t.file(name, JSON.stringify(obj)),
      ],
      { allowFail: true },
    );
  const fieldsOf = (obj: Record<string, unknown>, manager: string) => {
    const entries = (obj.metadata as { managedFields: Entry[] }).managedFields;
    return JSON.stringify(entries.find((e) => e.manager === manager)?.fieldsV1);
  };

  it('Service ports: a map keyed by port and protocol (53/UDP and 53/TCP are two items)', async () => {
    const svc = (ports: unknown[], selector?: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'dns' },
      spec: { ...(selector ? { selector } : {}), ports },
    });
    const a = await apply(
      'alice',
      'alice.json',
      svc([{ name: 'dns-udp', port: 53, protocol: 'UDP', targetPort: 53 }], { app: 'dns' }),
    );
    assert.equal(a.code, 0, a.stderr);
    const b = await apply('bob', 'bob.json', svc([{ name: 'dns-tcp', port: 53, protocol: 'TCP' }]));
    assert.equal(b.code, 0, b.stderr);
    const live = (await t.call('GET', '/api/v1/namespaces/default/services/dns')).json();
    assert.deepEqual(
      live.spec.ports.map((p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`),
      ['53/UDP', '53/TCP'],
    );
    assert.match(
      fieldsOf(live, 'alice'),
      /"k:\{\\"port\\":53,\\"protocol\\":\\"UDP\\"\}":\{".":\{\},"f:name":\{\},"f:port":\{\},"f:protocol":\{\},"f:targetPort":\{\}\}/,
    );
    assert.match(fieldsOf(live, 'bob'), /"k:\{\\"port\\":53,\\"protocol\\":\\"TCP\\"\}"/);
    // A field of one item another manager owns: the conflict names the item by both keys.
    const c = await apply(
      'carol',
      'carol.json',
      svc([{ name: 'dns-udp', port: 53, protocol: 'UDP', targetPort: 5353 }]),
    );
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /conflict with "alice": \.spec\.ports\[port=53,protocol="UDP"\]\.targetPort/);
    // bob stops applying his port: it goes, alice's stays.
    const gone = await apply('bob', 'bob2.json', svc([]));
    assert.equal(gone.code, 0, gone.stderr);
    const after = (await t.call('GET', '/api/v1/namespaces/default/services/dns')).json();
    assert.deepEqual(
      after.spec.ports.map((p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`),
      ['53/UDP'],
    );
  });

  it('metadata.finalizers: a set, each value owned by whoever applied it', async () => {
    const cm = (finalizers: string[]) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'fin', finalizers },
      data: {},
    });
    assert.equal((await apply('alice', 'f1.json', cm(['example.com/a']))).code, 0);
    const b = await apply('bob', 'f2.json', cm(['example.com/b']));
    assert.equal(b.code, 0, b.stderr);
    let live = (await t.call('GET', '/api/v1/namespaces/default/configmaps/fin')).json();
    assert.deepEqual(live.metadata.finalizers, ['example.com/a', 'example.com/b']);
    assert.match(fieldsOf(live, 'bob'), /"f:finalizers":\{"v:\\"example.com\/b\\"":\{\}\}/);
    assert.equal((await apply('alice', 'f3.json', cm([]))).code, 0);
    live = (await t.call('GET', '/api/v1/namespaces/default/configmaps/fin')).json();
    assert.deepEqual(live.metadata.finalizers, ['example.com/b']);
  });

  it('Gateway listeners: a map keyed by name, two managers each add their own', async () => {
    const gw = (listeners: unknown[]) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw' },
      spec: { gatewayClassName: 'gke-l7-rilb', listeners },
    });
    const a = await apply('alice', 'g1.json', gw([{ name: 'http', port: 80, protocol: 'HTTP' }]));
    assert.equal(a.code, 0, a.stderr);
    const b = await apply('bob', 'g2.json', gw([{ name: 'alt', port: 8080, protocol: 'HTTP' }]));
    assert.equal(b.code, 0, b.stderr);
    const live = (
      await t.call('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/gw')
    ).json();
    assert.deepEqual(
      live.spec.listeners.map((l: { name: string }) => l.name),
      ['http', 'alt'],
    );
    const c = await apply('carol', 'g3.json', gw([{ name: 'http', port: 81, protocol: 'HTTP' }]));
    assert.match(c.stderr, /conflict with "alice": \.spec\.listeners\[name="http"\]\.port/);
  });

  it('HTTPRoute rules: atomic, owned and replaced whole', async () => {
    const route = (path: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }] }] },
    });
    assert.equal((await apply('alice', 'r1.json', route('/a'))).code, 0);
    const b = await apply('bob', 'r2.json', route('/b'));
    assert.notEqual(b.code, 0);
    assert.match(b.stderr, /conflict with "alice": \.spec\.rules$/m);
    assert.equal((await apply('bob', 'r2.json', route('/b'), true)).code, 0);
    const live = (
      await t.call('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/r')
    ).json();
    assert.deepEqual(
      live.spec.rules.map((r: { matches: { path: { value: string } }[] }) => r.matches[0]!.path.value),
      ['/b'],
      'replaced, not merged',
    );
    assert.equal(fieldsOf(live, 'alice'), undefined, 'alice owns nothing left');
  });

  it("a CRD's own list types: a map list merges by its keys, an untyped list is atomic", async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'pools.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'pools', singular: 'pool', kind: 'Pool', listKind: 'PoolList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      members: {
                        type: 'array',
                        'x-kubernetes-list-type': 'map',
                        'x-kubernetes-list-map-keys': ['host', 'port'],
                        items: {
                          type: 'object',
                          required: ['host'],
                          properties: {
                            host: { type: 'string' },
                            port: { type: 'integer', default: 80 },
                            weight: { type: 'integer' },
                          },
                        },
                      },
                      tags: { type: 'array', items: { type: 'string' } },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    };
    assert.equal((await t.kubectl(['apply', '-f', t.file('pool-crd.json', JSON.stringify(crd))])).code, 0);
    const pool = (members: unknown[], tags?: string[]) => ({
      apiVersion: 'example.com/v1',
      kind: 'Pool',
      metadata: { name: 'p' },
      spec: { members, ...(tags ? { tags } : {}) },
    });
    assert.equal((await apply('alice', 'p1.json', pool([{ host: 'a', weight: 1 }], ['x']))).code, 0);
    const b = await apply('bob', 'p2.json', pool([{ host: 'a', port: 8080, weight: 2 }]));
    assert.equal(b.code, 0, b.stderr);
    const live = (await t.call('GET', '/apis/example.com/v1/namespaces/default/pools/p')).json();
    assert.deepEqual(live.spec.members, [
      { host: 'a', port: 80, weight: 1 },
      { host: 'a', port: 8080, weight: 2 },
    ]);
    assert.match(fieldsOf(live, 'alice'), /"k:\{\\"host\\":\\"a\\",\\"port\\":80\}"/);
    const tags = await apply('bob', 'p3.json', pool([{ host: 'a', port: 8080, weight: 2 }], ['y']));
    assert.match(tags.stderr, /conflict with "alice": \.spec\.tags$/m);
  });
});
