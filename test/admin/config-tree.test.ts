import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfigTree, type TreeNode } from '../../src/admin/config-tree.js';
import type { KubeObject } from '../../src/api/types.js';
import { EMPTY_RESOURCES, type ResourceSet } from '../../src/controller/resources.js';
import { dashboardObjects } from '../../src/admin/dashboard.js';
import { EVENTS, RESOURCES } from './fixtures.js';

function find(nodes: TreeNode[], kind: string, name: string): TreeNode | undefined {
  for (const n of nodes) {
    if (n.kind === kind && n.name === name) return n;
    const below = find(n.children, kind, name);
    if (below) return below;
  }
  return undefined;
}

const gateway2: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'global', namespace: 'default' },
  spec: {
    gatewayClassName: 'gke-l7-global-external-managed',
    listeners: [
      { name: 'https', protocol: 'HTTPS', port: 443 },
      { name: 'admin', protocol: 'HTTP', port: 8081 },
    ],
  },
  status: {
    listeners: [
      {
        name: 'admin',
        conditions: [
          {
            type: 'Conflicted',
            status: 'True',
            reason: 'HostnameConflict',
            message: 'use a different hostname',
          },
        ],
      },
    ],
  },
};
const sectionRoute: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'only-https', namespace: 'default' },
  spec: {
    parentRefs: [{ name: 'global', sectionName: 'https' }],
    rules: [
      {
        matches: [{ path: { type: 'Exact', value: '/x' }, headers: [{ name: 'env', value: 'canary' }] }],
        backendRefs: [{ name: 'b', port: 80 }],
      },
    ],
  },
};
const pluginExt: KubeObject = {
  apiVersion: 'networking.gke.io/v1',
  kind: 'GCPTrafficExtension',
  metadata: { name: 'with-plugin', namespace: 'default' },
  spec: {
    targetRefs: [{ kind: 'Gateway', name: 'global' }],
    extensionChains: [
      {
        name: 'c',
        matchCondition: { celExpressions: [{ celMatcher: 'true' }] },
        extensions: [
          {
            name: 'p',
            backendRef: { group: 'networking.gke.io', kind: 'GCPWasmPlugin', name: 'missing-plugin' },
          },
        ],
      },
    ],
  },
};
const orphan: KubeObject = {
  apiVersion: 'networking.gke.io/v1',
  kind: 'GCPRoutingExtension',
  metadata: { name: 'orphan', namespace: 'default' },
  spec: { targetRefs: [{ kind: 'Gateway', name: 'no-such-gateway' }], extensionChains: [] },
};
const plugin: KubeObject = {
  apiVersion: 'networking.gke.io/v1',
  kind: 'GCPWasmPlugin',
  metadata: { name: 'unused', namespace: 'default' },
  spec: {
    versions: [
      { name: 'v1', image: 'img', weight: 1000000 },
      { name: 'v2', image: 'img2', weight: 0 },
    ],
    logConfig: { enabled: true, sampleRate: 500000 },
  },
};

test('the tree places routes under the listeners they attach to, extensions and plugins under their Gateway', () => {
  const tree = buildConfigTree(
    [...RESOURCES, gateway2, sectionRoute, pluginExt, orphan, plugin],
    EVENTS,
    new Map([['default/unused', 'v1']]),
  );
  assert.deepEqual(
    tree.gateways.map((g) => g.name),
    ['internal-http', 'global'],
  );
  const global = tree.gateways[1];
  assert.ok(global);
  const https = find([global], 'Listener', 'https')!;
  const admin = find([global], 'Listener', 'admin')!;
  assert.deepEqual(
    https.children.map((c) => c.name),
    ['only-https'],
  );
  assert.deepEqual(admin.children, [], 'sectionName keeps the route off the other listener');
  assert.equal(find([global], 'Rule', '0')?.detail, 'Exact /x env=canary → b:80');
  assert.equal(admin.problem, true, 'Conflicted=True is a problem');
  assert.equal(admin.conditions[0]?.message, 'use a different hostname');

  const missing = find([global], 'GCPWasmPlugin', 'missing-plugin')!;
  assert.equal(missing.problem, true);
  assert.match(missing.conditions[0]?.message ?? '', /does not exist/);

  assert.deepEqual(
    tree.unattached.map((n) => `${n.kind}/${n.name}`),
    ['GCPRoutingExtension/orphan', 'GCPWasmPlugin/unused'],
  );
  const unused = tree.unattached[1];
  assert.ok(unused);
  assert.equal(unused.detail, 'logs on, sampleRate 500000, min INFO');
  assert.deepEqual(
    unused.children.map((v) => v.detail),
    ['img weight 1000000 (serving)', 'img2 weight 0'],
  );

  const ext = find(tree.gateways, 'GCPTrafficExtension', 'my-traffic-extension')!;
  assert.equal(ext.events[0]?.reason, 'SYNC');
  assert.equal(ext.events[0]?.problem, true);
  assert.equal(
    find(tree.gateways, 'Chain', 'chain1')?.detail,
    'match: request.path.contains("serviceextensions")',
  );
});

test('the tree survives resources with missing or odd fields', () => {
  const odd: KubeObject[] = [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' } },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { parentRefs: 'nope', rules: [null, 3] },
    },
    {
      apiVersion: 'networking.gke.io/v1',
      kind: 'GCPTrafficExtension',
      metadata: { name: 'e' },
      spec: { targetRefs: [{ name: 'g' }], extensionChains: [{ extensions: [{}] }] },
      status: { ancestors: 'x' },
    },
  ];
  const tree = buildConfigTree(odd, [{ apiVersion: 'v1', kind: 'Event', metadata: { name: 'x' } }]);
  assert.equal(tree.gateways.length, 1);
  assert.equal(tree.unattached.length, 1);
});

test("dashboardObjects takes the kinds the tree shows from the controller's ResourceSet", () => {
  const set = {
    ...EMPTY_RESOURCES,
    gateways: [gateway2],
    httpRoutes: [sectionRoute],
    trafficExtensions: [pluginExt],
    wasmPlugins: [plugin],
    services: [orphan],
  } as unknown as ResourceSet;
  assert.deepEqual(
    dashboardObjects(set).map((o) => o.metadata.name),
    ['global', 'only-https', 'with-plugin', 'unused'],
  );
});

test('a problem condition carries the fix for its reason; healthy ones carry none', () => {
  const ext: KubeObject = {
    apiVersion: 'networking.gke.io/v1',
    kind: 'GCPTrafficExtension',
    metadata: { name: 'needs-plugin', namespace: 'default' },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'internal-http' }],
      extensionChains: [],
    },
    status: {
      ancestors: [
        {
          ancestorRef: { name: 'internal-http', namespace: 'default' },
          controllerName: 'networking.gke.io/gateway',
          conditions: [
            { type: 'Accepted', status: 'True', reason: 'Accepted' },
            {
              type: 'ResolvedRefs',
              status: 'False',
              reason: 'GCPWasmPluginNotFound',
              message:
                'error cause: invalid-wasm-plugin: GCPWasmPlugin default/p in GCPTrafficExtension default/needs-plugin does not exist',
            },
          ],
        },
      ],
    },
  };
  const tree = buildConfigTree([...RESOURCES, ext], []);
  const node = find([...tree.gateways, ...tree.unattached], 'GCPTrafficExtension', 'needs-plugin')!;
  const resolved = node.conditions.find((c) => c.type === 'ResolvedRefs')!;
  assert.equal(resolved.problem, true);
  assert.match(resolved.fix ?? '', /create the GCPWasmPlugin/);
  assert.equal(node.conditions.find((c) => c.type === 'Accepted')!.fix, undefined);
});

test('only the version the data plane runs is "(serving)"; a selected version not loaded yet says so', () => {
  const tree = buildConfigTree([plugin], [], new Map());
  assert.deepEqual(
    tree.unattached[0]!.children.map((v) => v.detail),
    ['img weight 1000000 (selected, not loaded: see the status)', 'img2 weight 0'],
  );
});

test('red means broken now: a pull in progress and past Warning events do not paint a node', () => {
  const pulling: KubeObject = {
    ...plugin,
    status: {
      ancestors: [
        {
          ancestorRef: { name: 'global' },
          conditions: [{ type: 'Programmed', status: 'False', reason: 'Pending', message: 'being pulled' }],
        },
      ],
    },
  };
  const warning: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'default' },
    involvedObject: { kind: 'GCPWasmPlugin', name: 'unused', namespace: 'default' },
    type: 'Warning',
    reason: 'SYNC',
    message: 'an old failure',
  };
  const node = buildConfigTree([pulling], [warning]).unattached[0]!;
  assert.equal(node.problem, false);
  assert.equal(node.conditions[0]!.problem, false);
  assert.equal(node.events[0]!.problem, true, 'the event itself is still flagged as a warning');
});

test('an HTTPRoute whose parent Gateway does not exist is shown with that parent', () => {
  const route: KubeObject = {
    ...sectionRoute,
    spec: { ...(sectionRoute.spec as object), parentRefs: [{ name: 'no-such-gw' }] },
  };
  const node = buildConfigTree([route], []).unattached[0]!;
  assert.equal(node.problem, true);
  assert.equal(node.conditions[0]!.reason, 'NoMatchingParent');
  assert.match(node.conditions[0]!.message ?? '', /parentRef Gateway default\/no-such-gw does not exist/);
});
