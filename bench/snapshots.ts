// Snapshots for benchmarks: one HTTP port, `routes` HTTPRoutes on distinct hostnames, the catch-all last.
import type { RouteRuleIR, Snapshot } from '../src/ir/snapshot.js';

export function benchRoutes(backendPort: number, routes: number): RouteRuleIR[] {
  const backend = {
    id: 'default/store-v1:8080',
    protocol: 'http1' as const,
    endpoints: [{ address: '127.0.0.1', port: backendPort }],
  };
  const out: RouteRuleIR[] = [];
  for (let i = 0; i < routes - 1; i++) {
    const route = `default/app-${i}`;
    for (const [j, path] of ['/api', '/static', '/'].entries()) {
      out.push({
        id: `${route}/${j}/0`,
        ruleId: `${route}/${j}`,
        route,
        hostnames: [`app-${i}.example.com`],
        match: {
          path: { type: j === 2 ? 'PathPrefix' : 'PathPrefix', value: path },
          headers: [],
          queryParams: [],
        },
        filters: [],
        backends: [{ weight: 1, backend, filters: [] }],
        timeouts: {},
      });
    }
  }
  out.push({
    id: 'default/store/0/0',
    ruleId: 'default/store/0',
    route: 'default/store',
    hostnames: [],
    match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
    filters: [],
    backends: [{ weight: 1, backend, filters: [] }],
    timeouts: {},
  });
  return out;
}

export function benchSnapshot(backendPort: number, routes: number, listenPort = 0): Snapshot {
  return {
    version: 1,
    wasmPlugins: {},
    ports: [
      {
        address: '127.0.0.1',
        port: listenPort,
        protocol: 'HTTP',
        listeners: [
          {
            id: 'default/gw/http',
            gateway: 'default/gw',
            gatewayClass: 'gke-l7-regional-external-managed',
            specPort: 80,
            routes: benchRoutes(backendPort, routes),
            routingChains: [],
            trafficChains: [],
          },
        ],
      },
    ],
  };
}
