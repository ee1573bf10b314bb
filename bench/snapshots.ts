// Snapshots for benchmarks: one HTTP port, `routes` HTTPRoutes on distinct hostnames, the catch-all last.
import type {
  CalloutExtensionIR,
  ExtensionChainIR,
  ExtensionIR,
  HttpEvent,
  RouteRuleIR,
  Snapshot,
} from '../src/ir/snapshot.js';
import type { RequestInfo } from '../src/extensions/extension.js';

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

/** The request a bench stream to a callout stands for (no gateway in front: only the ids matter). */
export const BENCH_REQUEST_INFO: RequestInfo = {
  requestId: 'r',
  scheme: 'http',
  sourceAddress: '127.0.0.1',
  sourcePort: 1,
  destinationAddress: '127.0.0.1',
  destinationPort: 2,
  listener: 'l',
};

/** The bench's one callout extension: the given events, TLS without verification or h2c. */
export function benchCalloutIR(port: number, tls: boolean, events: readonly HttpEvent[]): CalloutExtensionIR {
  return {
    kind: 'callout',
    id: 'GCPTrafficExtension/default/bench/chain1/ext1',
    name: 'ext1',
    failOpen: false,
    events,
    authority: 'bench.local',
    timeoutMs: 1000,
    metadataNamespace: 'com.google.lb_traffic_extension.bench.chain1.ext1',
    requestBodySendMode: 'Streamed',
    responseBodySendMode: 'Streamed',
    observabilityMode: false,
    target: {
      service: 'default/callout:443',
      endpoints: [{ address: '127.0.0.1', port }],
      tls: tls ? { verify: false } : null,
    },
  };
}

/** The bench's traffic chain holding `extensions`, matching what `celMatcher` says. */
export function benchChain(extensions: readonly ExtensionIR[], celMatcher = '1 == 1'): ExtensionChainIR {
  return {
    id: 'GCPTrafficExtension/default/bench/chain1',
    name: 'chain1',
    resource: 'default/bench',
    resourceKind: 'GCPTrafficExtension',
    match: [{ celMatcher }],
    extensions,
  };
}

/** `benchSnapshot` with one traffic chain on its listener (and the plugins it names). */
export function benchSnapshotWithChain(
  backendPort: number,
  chain: ExtensionChainIR,
  wasmPlugins: Snapshot['wasmPlugins'] = {},
): Snapshot {
  const base = benchSnapshot(backendPort, 1);
  const port = base.ports[0]!;
  return {
    ...base,
    wasmPlugins,
    ports: [{ ...port, listeners: [{ ...port.listeners[0]!, trafficChains: [chain] }] }],
  };
}
