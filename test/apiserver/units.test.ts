// Pure parts of the API server: strategic merge patch, merge/JSON patch, selectors, printers, JSONPath, routes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/types.js';
import { KINDS } from '../../src/api/kinds.js';
import { jsonPatch, mergePatch, PatchError } from '../../src/apiserver/patch/json-patch.js';
import { strategicMergePatch } from '../../src/apiserver/patch/strategic.js';
import { parseRoute } from '../../src/apiserver/routes.js';
import { parseFieldSelector, parseLabelSelector } from '../../src/apiserver/selectors.js';
import { evaluate } from '../../src/apiserver/table/jsonpath.js';
import { humanDuration, rowCells } from '../../src/apiserver/table/printers.js';

const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'n', namespace: 'default', labels },
  ...extra,
});

describe('strategic merge patch', () => {
  it('merges Service ports by port, deletes with $patch and drops directives (kubectl apply body)', () => {
    const live = {
      metadata: { name: 'echo', annotations: { a: '1' } },
      spec: {
        ports: [
          { port: 80, targetPort: 8080, protocol: 'TCP' },
          { port: 9000, protocol: 'TCP' },
        ],
        type: 'ClusterIP',
      },
    };
    const patch = {
      metadata: { annotations: { b: '2' } },
      spec: {
        '$setElementOrder/ports': [{ port: 80 }],
        ports: [
          { port: 80, targetPort: 8081 },
          { $patch: 'delete', port: 9000 },
        ],
      },
    };
    const out = strategicMergePatch('Service', live, patch);
    assert.deepEqual(out, {
      metadata: { name: 'echo', annotations: { a: '1', b: '2' } },
      spec: { ports: [{ port: 80, targetPort: 8081, protocol: 'TCP' }], type: 'ClusterIP' },
    });
  });

  it('merges Deployment containers and env by name, honours $retainKeys and primitive-list deletes', () => {
    const live = {
      metadata: { finalizers: ['example.com/a', 'example.com/b'], labels: { a: '1', b: '2' } },
      spec: {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
        template: {
          spec: {
            containers: [
              {
                name: 'echo',
                image: 'echo:1',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' },
                ],
              },
            ],
          },
        },
      },
    };
    const patch = {
      metadata: {
        '$deleteFromPrimitiveList/finalizers': ['example.com/b'],
        '$setElementOrder/finalizers': ['example.com/a'],
        labels: { b: null },
      },
      spec: {
        strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'echo' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
                env: [
                  { name: 'C', value: '3' },
                  { $patch: 'delete', name: 'B' },
                ],
                image: 'echo:2',
                name: 'echo',
              },
            ],
          },
        },
      },
    };
    const out = strategicMergePatch('Deployment', live, patch) as any;
    assert.deepEqual(out.metadata, { finalizers: ['example.com/a'], labels: { a: '1' } });
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
    assert.deepEqual(out.spec.template.spec.containers, [
      {
        name: 'echo',
        image: 'echo:2',
        env: [
          { name: 'A', value: '1' },
          { name: 'C', value: '3' },
        ],
      },
    ]);
  });

  it('replaces lists without a merge strategy and maps with $patch: replace', () => {
    const live = {
      endpoints: [{ addresses: ['127.0.0.1'] }, { addresses: ['127.0.0.3'] }],
      data: { a: '1', b: '2' },
    };
    const out = strategicMergePatch('EndpointSlice', live, {
      endpoints: [{ addresses: ['127.0.0.2'] }],
      data: { $patch: 'replace', c: '3' },
    });
    assert.deepEqual(out, { endpoints: [{ addresses: ['127.0.0.2'] }], data: { c: '3' } });
  });

  it('rejects unknown directives', () => {
    assert.throws(() => strategicMergePatch('ConfigMap', {}, { $bogus: 1 }), PatchError);
  });
});

describe('merge and JSON patch', () => {
  it('RFC 7386: null deletes, arrays replace', () => {
    assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] }), {
      a: { c: 2, d: 3 },
      l: [3],
    });
  });
  it('RFC 6902: add/remove/replace/move/copy/test with escaped pointers', () => {
    const doc = { metadata: { labels: { 'a/b': 'x' } }, list: [1, 2] };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'add', path: '/list/0', value: 0 },
      { op: 'replace', path: '/metadata/labels/a~1b', value: 'y' },
      { op: 'copy', from: '/metadata/labels/a~1b', path: '/copied' },
      { op: 'move', from: '/copied', path: '/moved' },
      { op: 'test', path: '/moved', value: 'y' },
      { op: 'remove', path: '/list/1' },
    ]);
    assert.deepEqual(out, { metadata: { labels: { 'a/b': 'y' } }, list: [0, 2, 3], moved: 'y' });
    assert.deepEqual(doc.list, [1, 2], 'input untouched');
    assert.throws(() => jsonPatch(doc, [{ op: 'remove', path: '/nope' }]), PatchError);
    assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/list/0', value: 9 }]), /test failed/);
  });
});

describe('selectors', () => {
  it('label selectors: equality, sets, existence', () => {
    const sel = parseLabelSelector('app=echo,tier in (web, db),!canary,env,track!=beta')!;
    assert.equal(sel(obj({ app: 'echo', tier: 'db', env: 'prod' })), true);
    assert.equal(sel(obj({ app: 'echo', tier: 'db', env: 'prod', canary: '1' })), false);
    assert.equal(sel(obj({ app: 'echo', tier: 'cache', env: 'prod' })), false);
    assert.equal(sel(obj({ app: 'echo', tier: 'web' })), false);
    assert.equal(parseLabelSelector('a notin (x)')!(obj({})), true);
    assert.equal(parseLabelSelector(''), undefined);
    assert.throws(() => parseLabelSelector('a in (x'), /unable to parse requirement/);
  });
  it('field selectors: metadata on every kind, involvedObject on Events, 400 otherwise', () => {
    const ev = {
      ...obj({}),
      kind: 'Event',
      involvedObject: { kind: 'Gateway', name: 'gw' },
      source: { component: 'sc-gateway-controller' },
    };
    assert.equal(
      parseFieldSelector(
        'Event',
        'involvedObject.kind=Gateway,involvedObject.name==gw,metadata.namespace=default',
      )!(ev),
      true,
    );
    assert.equal(parseFieldSelector('Event', 'source=sc-gateway-controller')!(ev), true);
    assert.equal(parseFieldSelector('Event', 'involvedObject.kind!=Gateway')!(ev), false);
    assert.throws(
      () => parseFieldSelector('ConfigMap', 'involvedObject.kind=Gateway'),
      /field label not supported: involvedObject.kind/,
    );
  });
});

describe('printers', () => {
  it('HumanDuration like apimachinery', () => {
    const s = 1000;
    const cases: [number, string][] = [
      [-5 * s, '<invalid>'],
      [-0.5 * s, '0s'],
      [119 * s, '119s'],
      [150 * s, '2m30s'],
      [180 * s, '3m'],
      [45 * 60 * s, '45m'],
      [3.5 * 3600 * s, '3h30m'],
      [20 * 3600 * s, '20h'],
      [3 * 86400 * s + 5 * 3600 * s, '3d5h'],
      [30 * 86400 * s, '30d'],
      [3 * 365 * 86400 * s + 10 * 86400 * s, '3y10d'],
      [9 * 365 * 86400 * s, '9y'],
    ];
    for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms} ms`);
  });
  it('CRD columns by JSONPath: first match, arrays as JSON, conditions by filter', () => {
    const gw = KINDS.find((k) => k.kind === 'Gateway')!;
    const now = Date.parse('2026-01-01T00:10:00Z');
    const cells = rowCells(
      gw,
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'gw', creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { gatewayClassName: 'gke-l7-rilb' },
        status: {
          addresses: [{ value: '10.0.0.1' }, { value: '10.0.0.2' }],
          conditions: [
            { type: 'Accepted', status: 'True' },
            { type: 'Programmed', status: 'False' },
          ],
        },
      },
      now,
    );
    assert.deepEqual(cells, ['gw', 'gke-l7-rilb', '10.0.0.1', 'False', '10m']);
    const route = KINDS.find((k) => k.kind === 'HTTPRoute')!;
    assert.deepEqual(
      rowCells(
        route,
        {
          apiVersion: 'x',
          kind: 'HTTPRoute',
          metadata: { name: 'r' },
          spec: { hostnames: ['a.example.com'] },
        },
        now,
      ),
      ['r', '["a.example.com"]', null],
    );
    assert.deepEqual(evaluate({ a: [{ b: 1 }, { b: 2 }] }, '{.a[*].b}'), [1, 2]);
  });
  it('built-in columns: Service ports and Secret data count', () => {
    const svc = KINDS.find((k) => k.kind === 'Service')!;
    const cells = rowCells(svc, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 9000, protocol: 'UDP' },
        ],
        selector: { app: 'a' },
      },
    });
    assert.deepEqual(cells.slice(0, 5), ['s', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,9000/UDP']);
    assert.equal(cells[6], 'app=a');
  });
});

describe('routes', () => {
  it('tells namespaced collections from Namespace subresources', () => {
    const r1 = parseRoute('/api/v1/namespaces/default/services/echo/status');
    assert.ok(
      r1?.type === 'resource' &&
        r1.kind.kind === 'Service' &&
        r1.namespace === 'default' &&
        r1.name === 'echo' &&
        r1.subresource === 'status',
    );
    const r2 = parseRoute('/api/v1/namespaces/default/status');
    assert.ok(
      r2?.type === 'resource' &&
        r2.kind.kind === 'Namespace' &&
        r2.name === 'default' &&
        r2.subresource === 'status',
    );
    const r3 = parseRoute('/apis/gateway.networking.k8s.io/v1/gateways');
    assert.ok(
      r3?.type === 'resource' &&
        r3.kind.kind === 'Gateway' &&
        r3.namespace === undefined &&
        r3.name === undefined,
    );
    assert.equal(
      parseRoute('/apis/gateway.networking.k8s.io/v1/gateways/gw'),
      undefined,
      'a namespaced item needs its namespace',
    );
    assert.equal(parseRoute('/apis/gateway.networking.k8s.io/v9/gateways'), undefined);
  });
});
