// The translator: resources → graph with conditions → Snapshot + desired statuses. A pure function (no I/O,
// no clock): the same input always gives the same output, which is what the golden tests pin down.

import type { GatewayListenerIR, PortIR, Snapshot } from '../../ir/snapshot.js';
import { GATEWAY_ANNOTATIONS } from '../config.js';
import type { Condition, GatewayStatus, ResourceSet } from '../resources.js';
import { BackendResolver } from './backends.js';
import { cond } from './conditions.js';
import { attachExtensions, type PolicyReport } from './extensions.js';
import {
  buildGateways,
  type DataPlaneRefusals,
  type GatewayClassReport,
  gatewayClassReports,
  type TranslatedGateway,
  type TranslatedListener,
  listenerConditions,
  reportedAddress,
} from './gateways.js';
import { ResourceIndex } from './resource-index.js';
import type { PortOffset } from './listener-ports.js';
import { comparePrecedence } from './route-rules.js';
import { attachRoutes, type RouteReport } from './routes.js';
import type { WasmInputs } from './wasm.js';
import { NO_WASM } from './wasm.js';

export interface TranslateOptions {
  /** `--address`: where listeners bind and what `status.addresses` reports (0.0.0.0 → 127.0.0.1). */
  readonly address: string;
  /** `--port-offset`: a listener on port P binds P + offset (listener-ports.ts). */
  readonly portOffset: PortOffset;
  /** googleAPIServiceName → `host:port`. */
  readonly googleApiServices?: Readonly<Record<string, string>>;
  /** Only these GatewayClass names (serve's `--gateway-class`); absent = every class of our controllerName. */
  readonly gatewayClasses?: readonly string[];
  /** Ports and listeners the data plane could not serve lately: reported, and left out of the snapshot. */
  readonly refusals?: DataPlaneRefusals;
  /** Extension id → why the data plane cannot connect to its callout (reported on the extension). */
  readonly calloutProblems?: ReadonlyMap<string, string>;
}

export interface GatewayReport {
  readonly key: string;
  readonly generation: number | undefined;
  readonly status: GatewayStatus;
  /** `networking.gke.io/*` annotations except last-reconcile-time (the writer stamps it when these change). */
  readonly annotations: Record<string, string>;
}

export interface DesiredStatuses {
  readonly gatewayClasses: GatewayClassReport[];
  readonly gateways: GatewayReport[];
  readonly httpRoutes: RouteReport[];
  /** GCPRoutingExtension, GCPTrafficExtension and GCPWasmPlugin ancestors. */
  readonly policies: PolicyReport[];
}

export interface Translation {
  readonly snapshot: Snapshot;
  readonly statuses: DesiredStatuses;
  /** Objects skipped as malformed, with why (the controller logs them). */
  readonly errors: readonly string[];
}

export function translate(
  resources: ResourceSet,
  options: TranslateOptions,
  wasm: WasmInputs = NO_WASM,
  version = 1,
): Translation {
  const index = new ResourceIndex(resources);
  const resolver = new BackendResolver(index);
  const filter =
    options.gatewayClasses && options.gatewayClasses.length > 0 ? new Set(options.gatewayClasses) : undefined;
  const gateways = buildGateways(index, options.portOffset, filter, options.refusals);
  const httpRoutes = attachRoutes(index, gateways, resolver);
  const { reports: policies, wasmPlugins } = attachExtensions(
    index,
    gateways,
    resolver,
    {
      googleApiServices: options.googleApiServices ?? {},
      calloutProblems: options.calloutProblems ?? new Map(),
    },
    wasm,
  );

  const address = options.address === '' ? '0.0.0.0' : options.address;
  const ports = buildPorts(gateways, address);
  const snapshot: Snapshot = { version, ports, wasmPlugins: sortRecord(wasmPlugins) };
  return {
    snapshot,
    statuses: {
      gatewayClasses: gatewayClassReports(index, filter),
      gateways: gateways.map((g) => gatewayReport(g, address)),
      httpRoutes: httpRoutes.sort((a, b) => (a.key < b.key ? -1 : 1)),
      policies: policies.sort((a, b) => (a.kind + a.key < b.kind + b.key ? -1 : 1)),
    },
    errors: index.errors,
  };
}

function buildPorts(gateways: readonly TranslatedGateway[], address: string): PortIR[] {
  const byPort = new Map<number, { protocol: 'HTTP' | 'HTTPS'; listeners: GatewayListenerIR[] }>();
  for (const g of gateways) {
    for (const l of g.listeners) {
      if (!l.programmed || !l.protocol) continue;
      const routes = l.routes.sort(comparePrecedence).map((r) => r.rule);
      const ir: { -readonly [K in keyof GatewayListenerIR]: GatewayListenerIR[K] } = {
        id: l.id,
        gateway: g.key,
        gatewayClass: g.className,
        specPort: l.spec.port,
        routes,
        routingChains: l.routingChains,
        trafficChains: l.trafficChains,
      };
      if (l.spec.hostname) ir.hostname = l.spec.hostname.toLowerCase();
      if (l.tls) ir.tls = l.tls;
      let port = byPort.get(l.boundPort);
      if (!port) byPort.set(l.boundPort, (port = { protocol: l.protocol, listeners: [] }));
      port.listeners.push(ir);
    }
  }
  return [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, p]) => ({
      address,
      port,
      protocol: p.protocol,
      listeners: p.listeners.sort(compareListenerHost),
    }));
}

/** Most specific hostname first: exact, then longer wildcard, then none. */
function compareListenerHost(a: GatewayListenerIR, b: GatewayListenerIR): number {
  const rank = (h: string | undefined) => (h === undefined ? 2 : h.startsWith('*.') ? 1 : 0);
  const ra = rank(a.hostname);
  const rb = rank(b.hostname);
  if (ra !== rb) return ra - rb;
  const la = a.hostname?.length ?? 0;
  const lb = b.hostname?.length ?? 0;
  if (la !== lb) return lb - la;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function gatewayReport(g: TranslatedGateway, address: string): GatewayReport {
  const generation = g.gateway.metadata.generation;
  const listeners = g.listeners.map((l) => ({
    name: l.spec.name,
    supportedKinds: l.supportedKinds,
    attachedRoutes: l.attachedRoutes,
    conditions: listenerConditions(l, generation),
  }));
  const programmed = g.listeners.filter((l) => l.programmed);
  const conditions = [gatewayAccepted(g, generation), gatewayProgrammed(g, programmed, generation)];
  const reported = reportedAddress(address);
  return {
    key: g.key,
    generation,
    status: { addresses: [{ type: reported.type, value: reported.value }], conditions, listeners },
    annotations: gatewayAnnotations(g, address, reported.value, programmed),
  };
}

// ListenersNotValid goes with Accepted=True too when only some listeners are invalid (Gateway API
// GatewayReasonListenersNotValid; conformance GatewayListenerUnsupportedProtocol).
function gatewayAccepted(g: TranslatedGateway, generation: number | undefined): Condition {
  if (!g.notAccepted.empty)
    return cond('Accepted', false, g.notAccepted.reason, g.notAccepted.message, generation);
  const invalid = g.listeners.filter((l) => !l.notAccepted.empty || !l.protocol).map((l) => l.spec.name);
  if (g.listeners.length > 0 && invalid.length === g.listeners.length)
    return cond('Accepted', false, 'ListenersNotValid', 'no listener is valid', generation);
  if (invalid.length > 0)
    return cond(
      'Accepted',
      true,
      'ListenersNotValid',
      `listeners not valid: ${invalid.join(', ')}`,
      generation,
    );
  return cond('Accepted', true, 'Accepted', '', generation);
}

function gatewayProgrammed(
  g: TranslatedGateway,
  programmed: readonly TranslatedListener[],
  generation: number | undefined,
): Condition {
  if (programmed.length === 0) {
    const why = g.listeners.length === 0 ? 'the Gateway has no listeners' : 'no listener is programmed';
    return cond('Programmed', false, 'Invalid', why, generation);
  }
  if (!g.programProblems.empty)
    return cond('Programmed', false, 'Invalid', g.programProblems.message, generation);
  return cond('Programmed', true, 'Programmed', '', generation);
}

/** The annotations GKE puts on a Gateway naming the load balancer resources, as extgate's equivalents. */
function gatewayAnnotations(
  g: TranslatedGateway,
  address: string,
  reportedAddress: string,
  programmed: readonly TranslatedListener[],
): Record<string, string> {
  const join = (values: Iterable<string>) => [...values].sort().join(', ');
  const ids = (protocol: string) => join(programmed.filter((l) => l.protocol === protocol).map((l) => l.id));
  return {
    [GATEWAY_ANNOTATIONS.addresses]: reportedAddress,
    [GATEWAY_ANNOTATIONS.backendServices]: join(g.backendServices),
    [GATEWAY_ANNOTATIONS.firewalls]: '',
    [GATEWAY_ANNOTATIONS.forwardingRules]: join(new Set(programmed.map((l) => `${address}:${l.boundPort}`))),
    [GATEWAY_ANNOTATIONS.healthChecks]: '',
    [GATEWAY_ANNOTATIONS.lbRouteExtensions]: join(g.routingExtensions),
    [GATEWAY_ANNOTATIONS.lbTrafficExtensions]: join(g.trafficExtensions),
    [GATEWAY_ANNOTATIONS.sslCertificates]: join(
      new Set(programmed.flatMap((l) => l.tls?.certificates.map((c) => c.secret) ?? [])),
    ),
    [GATEWAY_ANNOTATIONS.targetHttpProxies]: ids('HTTP'),
    [GATEWAY_ANNOTATIONS.targetHttpsProxies]: ids('HTTPS'),
    [GATEWAY_ANNOTATIONS.urlMaps]: programmed.length > 0 ? g.key : '',
    [GATEWAY_ANNOTATIONS.wasmPlugins]: join(g.wasmPlugins),
    [GATEWAY_ANNOTATIONS.wasmPluginVersions]: join(g.wasmPluginVersions),
  };
}

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k] as T;
  return out;
}
