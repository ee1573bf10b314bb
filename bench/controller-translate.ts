// Controller translation cost: resources → Snapshot + statuses for 100 / 1,000 / 10,000 HTTPRoutes
// (3 rules each, distinct hostnames, 100 Services with EndpointSlices, one routing and one traffic
// extension). Run: npx tsc -p . && node --expose-gc dist/bench/controller-translate.js [--routes 10000]
import type { KubeObject } from '../src/api/types.js';
import type { ResourceSet } from '../src/controller/resources.js';
import { EMPTY_RESOURCES } from '../src/controller/resources.js';
import { translate } from '../src/controller/translator/translate.js';

const meta = (name: string, i = 0) => ({
  name,
  namespace: 'default',
  generation: 1,
  uid: `uid-${name}`,
  creationTimestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
});

export function benchResources(routes: number): ResourceSet {
  const services: KubeObject[] = [];
  const slices: KubeObject[] = [];
  for (let s = 0; s < 100; s++) {
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(`svc-${s}`),
      spec: { ports: [{ name: 'http', port: 8080 }] },
    });
    slices.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { ...meta(`svc-${s}-1`), labels: { 'kubernetes.io/service-name': `svc-${s}` } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [`10.0.${s}.1`] }, { addresses: [`10.0.${s}.2`] }],
      ports: [{ name: 'http', port: 9000 }],
    });
  }
  services.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('callout'),
    spec: { ports: [{ port: 443, appProtocol: 'HTTP2' }] },
  });
  const httpRoutes: KubeObject[] = [];
  for (let i = 0; i < routes; i++) {
    httpRoutes.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: meta(`route-${i}`, i),
      spec: {
        parentRefs: [{ name: 'gw' }],
        hostnames: [`app-${i}.example.com`],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
            backendRefs: [{ name: `svc-${i % 100}`, port: 8080 }],
          },
          {
            matches: [
              { path: { type: 'Exact', value: '/index.html' }, headers: [{ name: 'x-canary', value: '1' }] },
            ],
            backendRefs: [
              { name: `svc-${(i + 1) % 100}`, port: 8080, weight: 9 },
              { name: `svc-${(i + 2) % 100}`, port: 8080, weight: 1 },
            ],
          },
          { backendRefs: [{ name: `svc-${(i + 3) % 100}`, port: 8080 }] },
        ],
      },
    });
  }
  const extension = (kind: string, name: string): KubeObject => ({
    apiVersion: 'networking.gke.io/v1',
    kind,
    metadata: meta(name),
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }],
      extensionChains: [
        {
          name: 'chain1',
          matchCondition: { celExpressions: [{ celMatcher: 'request.path.contains("x")' }] },
          extensions: [
            {
              name: 'ext1',
              authority: 'a.example',
              backendRef: { kind: 'Service', name: 'callout', port: 443 },
            },
          ],
        },
      ],
    },
  });
  return {
    ...EMPTY_RESOURCES,
    gatewayClasses: [
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'gke-l7-rilb', generation: 1 },
        spec: { controllerName: 'networking.gke.io/gateway' },
      },
    ],
    gateways: [
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: meta('gw'),
        spec: { gatewayClassName: 'gke-l7-rilb', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
      },
    ],
    httpRoutes: httpRoutes as unknown as ResourceSet['httpRoutes'],
    services: services as unknown as ResourceSet['services'],
    endpointSlices: slices as unknown as ResourceSet['endpointSlices'],
    routingExtensions: [
      extension('GCPRoutingExtension', 'routing'),
    ] as unknown as ResourceSet['routingExtensions'],
    trafficExtensions: [
      extension('GCPTrafficExtension', 'traffic'),
    ] as unknown as ResourceSet['trafficExtensions'],
  };
}

const gc = (globalThis as { gc?: () => void }).gc;

export function measureTranslate(
  routes: number,
  runs = 5,
): { routes: number; medianMs: number; minMs: number; heapMB: number; snapshotMB: number } {
  const resources = benchResources(routes);
  const times: number[] = [];
  let heapMB = NaN;
  let snapshotMB = 0;
  for (let r = 0; r < runs; r++) {
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = process.hrtime.bigint();
    const t = translate(resources, { address: '0.0.0.0', portOffset: 8000 }, undefined, r + 1);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r === 0) {
      // Memory the result keeps alive (snapshot + statuses), measured before anything else is allocated.
      gc?.();
      heapMB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
      snapshotMB = JSON.stringify(t.snapshot).length / 2 ** 20;
    }
  }
  times.sort((a, b) => a - b);
  return {
    routes,
    medianMs: times[Math.floor(times.length / 2)] ?? NaN,
    minMs: times[0] ?? NaN,
    heapMB,
    snapshotMB,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--routes');
  const counts = i >= 0 ? [Number(process.argv[i + 1])] : [100, 1000, 10_000];
  if (!gc) console.log('(run with node --expose-gc for the retained-heap column)');
  console.log('routes   median ms   min ms   retained heap MB   snapshot JSON MB');
  for (const n of counts) {
    const r = measureTranslate(n);
    console.log(
      `${String(n).padStart(6)}   ${r.medianMs.toFixed(1).padStart(9)}   ${r.minMs.toFixed(1).padStart(6)}   ${r.heapMB.toFixed(1).padStart(16)}   ${r.snapshotMB.toFixed(1).padStart(16)}`,
    );
  }
  console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
}
