// GCPRoutingExtension / GCPTrafficExtension → ExtensionChainIRs on their target Gateways' listeners, and
// the `status.ancestors[]` of the extensions and of the GCPWasmPlugins they reference.
//
// Checks GKE does at reconcile time (not at admission) live here: class compatibility (§1.3), one
// extension per routing chain, the callout Service's HTTP2 port, Wasm plugin existence.

import type {
  CalloutExtensionIR,
  CalloutTlsIR,
  CelConditionIR,
  EndpointIR,
  ExtensionChainIR,
  ExtensionIR,
  HttpEvent,
  ObjectKey,
  WasmPluginIR,
} from '../../ir/snapshot.js';
import {
  CONTROLLER_NAME,
  DEFAULT_BODY_SEND_MODE,
  DEFAULT_CALLOUT_TIMEOUT_MS,
  DEFAULT_ROUTING_EVENTS,
  DEFAULT_TRAFFIC_EVENTS,
} from '../config.js';
import type {
  Condition,
  ExtensionKind,
  ExtensionResource,
  GkeExtension,
  ParentReference,
  PolicyAncestorStatus,
} from '../resources.js';
import { keyOf } from '../resources.js';
import type { BackendResolver } from './backends.js';
import { cond, Problems } from './conditions.js';
import { parseDurationMs } from './duration.js';
import type { GatewayNode } from './gateways.js';
import { byAge, guard, type ResourceIndex } from './index.js';
import { resolveWasmPlugin, type WasmInputs, type WasmPluginResolution } from './wasm.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface PolicyReport {
  readonly kind: ExtensionKind | 'GCPWasmPlugin';
  readonly key: string;
  readonly generation?: number;
  /** Noun of the seed's Event messages: the kind, or `WasmPlugin` for a GCPWasmPlugin. */
  readonly eventNoun: string;
  /** Seed wording: callout extensions "Reconciliation of ...", plugins and their extensions "Programming of ...". */
  readonly eventStyle: 'reconciliation' | 'programming';
  /** Our entries of `status.ancestors` (entries of other controllers are kept by the writer). */
  readonly ancestors: PolicyAncestorStatus[];
}

export interface ExtensionsResult {
  readonly reports: PolicyReport[];
  readonly wasmPlugins: Record<ObjectKey, WasmPluginIR>;
}

export interface ExtensionOptions {
  /** googleAPIServiceName → `host:port` of a local stand-in. */
  readonly googleApiServices: Readonly<Record<string, string>>;
}

interface PluginUse {
  accepted: boolean;
  acceptMessage: string;
  resolution: WasmPluginResolution;
}

export function attachExtensions(
  index: ResourceIndex,
  gateways: readonly GatewayNode[],
  resolver: BackendResolver,
  options: ExtensionOptions,
  wasm: WasmInputs,
): ExtensionsResult {
  const byKey = new Map(gateways.map((g) => [g.key, g]));
  const reports: PolicyReport[] = [];
  const wasmPlugins: Record<ObjectKey, WasmPluginIR> = {};
  // plugin key → gateway key → how it is used there
  const pluginUses = new Map<string, Map<string, PluginUse>>();
  const pluginResolutions = new Map<string, WasmPluginResolution>();
  const resolvePlugin = (pluginKey: string): WasmPluginResolution | undefined => {
    const plugin = index.wasmPlugins.get(pluginKey);
    if (!plugin) return undefined;
    let r = pluginResolutions.get(pluginKey);
    if (!r) {
      r = resolveWasmPlugin(plugin, wasm);
      pluginResolutions.set(pluginKey, r);
    }
    return r;
  };

  const kinds: Array<[ExtensionKind, readonly ExtensionResource[]]> = [
    ['GCPRoutingExtension', index.resources.routingExtensions],
    ['GCPTrafficExtension', index.resources.trafficExtensions],
  ];
  for (const [kind, resources] of kinds) {
    for (const ext of [...resources].sort(byAge)) {
      guard(index, `${kind} ${keyOf(ext)}`, () => {
        if (ext.metadata.deletionTimestamp) return;
        const ns = ext.metadata.namespace ?? '';
        const key = keyOf(ext);
        const generation = ext.metadata.generation;
        const ancestors: PolicyAncestorStatus[] = [];
        let usesWasm = false;
        const seenTargets = new Set<string>();
        for (const t of ext.spec?.targetRefs ?? []) {
          if ((t.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (t.kind ?? 'Gateway') !== 'Gateway') continue;
          const gwKey = `${ns}/${t.name}`;
          if (seenTargets.has(gwKey)) continue;
          seenTargets.add(gwKey);
          const ancestorRef: ParentReference = {
            group: GATEWAY_GROUP,
            kind: 'Gateway',
            name: t.name,
            namespace: ns,
          };
          const node = byKey.get(gwKey);
          if (!node) {
            if (index.gateways.has(gwKey)) continue; // a Gateway of another controller
            ancestors.push({
              ancestorRef,
              controllerName: CONTROLLER_NAME,
              conditions: [
                cond(
                  'Accepted',
                  false,
                  'NoMatchingTarget',
                  `gateway "${t.name}" not found in namespace "${ns}"`,
                  generation,
                ),
              ],
            });
            continue;
          }
          const built = buildChains(kind, ext, node, index, resolver, options, resolvePlugin);
          usesWasm ||= built.plugins.size > 0;
          const conditions: Condition[] = [];
          if (!built.notAccepted.empty) {
            conditions.push(
              cond('Accepted', false, built.notAccepted.reason, built.notAccepted.message, generation),
            );
          } else {
            conditions.push(cond('Accepted', true, 'Accepted', '', generation));
            if (!built.unresolved.empty) {
              conditions.push(
                cond('ResolvedRefs', false, built.unresolved.reason, built.unresolved.message, generation),
              );
            } else {
              conditions.push(cond('ResolvedRefs', true, 'ResolvedRefs', '', generation));
              const programmed = built.unprogrammed.empty;
              conditions.push(
                cond(
                  'Programmed',
                  programmed,
                  programmed ? 'ProgrammingSucceeded' : 'ProgrammingFailed',
                  built.unprogrammed.message,
                  generation,
                ),
              );
              if (programmed) {
                for (const l of node.listeners) {
                  if (!l.programmed) continue;
                  (kind === 'GCPRoutingExtension' ? l.routingChains : l.trafficChains).push(...built.chains);
                }
                (kind === 'GCPRoutingExtension' ? node.routingExtensions : node.trafficExtensions).push(key);
                for (const s of built.services) node.backendServices.add(s);
                for (const [pluginKey, r] of built.plugins) {
                  if (!r.ok) continue;
                  wasmPlugins[pluginKey] = r.ir;
                  node.wasmPlugins.add(pluginKey);
                  node.wasmPluginVersions.add(`${pluginKey}/${r.ir.serving.name}`);
                }
              } else {
                for (const m of built.unprogrammedForGateway) node.programProblems.add('Invalid', m);
              }
            }
          }
          const pluginAccepted = built.notAccepted.empty || built.wasmNotAllowed !== undefined;
          for (const [pluginKey, r] of built.plugins) {
            let uses = pluginUses.get(pluginKey);
            if (!uses) pluginUses.set(pluginKey, (uses = new Map()));
            if (!uses.has(gwKey) && pluginAccepted) {
              uses.set(gwKey, {
                accepted: built.wasmNotAllowed === undefined,
                acceptMessage: built.wasmNotAllowed ?? '',
                resolution: r,
              });
            }
          }
          ancestors.push({ ancestorRef, controllerName: CONTROLLER_NAME, conditions });
        }
        if (
          ancestors.length > 0 ||
          (ext.status?.ancestors ?? []).some((a) => a.controllerName === CONTROLLER_NAME)
        ) {
          reports.push({
            kind,
            key,
            generation,
            eventNoun: kind,
            eventStyle: usesWasm ? 'programming' : 'reconciliation',
            ancestors,
          });
        }
      });
    }
  }

  for (const plugin of index.resources.wasmPlugins) {
    guard(index, `GCPWasmPlugin ${keyOf(plugin)}`, () => {
      const key = keyOf(plugin);
      const generation = plugin.metadata.generation;
      const uses = pluginUses.get(key);
      const ancestors: PolicyAncestorStatus[] = [];
      for (const [gwKey, use] of [...(uses ?? new Map<string, PluginUse>()).entries()].sort(([a], [b]) =>
        a < b ? -1 : 1,
      )) {
        const [gwNs, gwName] = splitKey(gwKey);
        const conditions: Condition[] = [];
        if (!use.accepted) {
          conditions.push(cond('Accepted', false, 'NotAllowed', use.acceptMessage, generation));
        } else {
          conditions.push(cond('Accepted', true, 'Accepted', '', generation));
          conditions.push(cond('ResolvedRefs', true, 'ResolvedRefs', '', generation));
          const r = use.resolution;
          if (r.ok && !r.warning)
            conditions.push(cond('Programmed', true, 'ProgrammingSucceeded', '', generation));
          else if (r.ok)
            conditions.push(cond('Programmed', false, 'ProgrammingFailed', r.warning ?? '', generation));
          else
            conditions.push(
              cond('Programmed', false, r.pending ? 'Pending' : 'ProgrammingFailed', r.message, generation),
            );
        }
        ancestors.push({
          ancestorRef: { group: GATEWAY_GROUP, kind: 'Gateway', name: gwName, namespace: gwNs },
          controllerName: CONTROLLER_NAME,
          conditions,
        });
      }
      if (
        ancestors.length > 0 ||
        (plugin.status?.ancestors ?? []).some((a) => a.controllerName === CONTROLLER_NAME)
      ) {
        reports.push({
          kind: 'GCPWasmPlugin',
          key,
          generation,
          eventNoun: 'WasmPlugin',
          eventStyle: 'programming',
          ancestors,
        });
      }
    });
  }
  return { reports, wasmPlugins };
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

interface BuiltChains {
  chains: ExtensionChainIR[];
  notAccepted: Problems;
  unresolved: Problems;
  unprogrammed: Problems;
  /** The subset of programming problems GKE also reports on the Gateway. */
  unprogrammedForGateway: string[];
  /** Set when the only reason for rejection is Wasm on a class that does not allow it. */
  wasmNotAllowed?: string;
  plugins: Map<string, WasmPluginResolution>;
  services: Set<string>;
}

function buildChains(
  kind: ExtensionKind,
  ext: ExtensionResource,
  node: GatewayNode,
  index: ResourceIndex,
  resolver: BackendResolver,
  options: ExtensionOptions,
  resolvePlugin: (key: string) => WasmPluginResolution | undefined,
): BuiltChains {
  const ns = ext.metadata.namespace ?? '';
  const resourceName = ext.metadata.name ?? '';
  const key = keyOf(ext);
  const out: BuiltChains = {
    chains: [],
    notAccepted: new Problems(),
    unresolved: new Problems(),
    unprogrammed: new Problems(),
    unprogrammedForGateway: [],
    plugins: new Map(),
    services: new Set(),
  };
  const caps = node.capabilities;
  if (kind === 'GCPRoutingExtension' && !caps.routingExtensions) {
    out.notAccepted.add(
      'NotAllowed',
      `GCPRoutingExtension is not supported by GatewayClass "${node.className}" of Gateway ${node.key}; routing extensions need a regional class (gke-l7-regional-external-managed or gke-l7-rilb)`,
    );
  }
  if (kind === 'GCPTrafficExtension' && !caps.trafficExtensions) {
    out.notAccepted.add(
      'NotAllowed',
      `GCPTrafficExtension is not supported by GatewayClass "${node.className}" of Gateway ${node.key} (Service Extensions do not support the classic load balancer)`,
    );
  }
  const namespacePrefix =
    kind === 'GCPRoutingExtension' ? 'com.google.lb_route_extension' : 'com.google.lb_traffic_extension';
  const defaultEvents: readonly HttpEvent[] =
    kind === 'GCPRoutingExtension' ? DEFAULT_ROUTING_EVENTS : DEFAULT_TRAFFIC_EVENTS;

  (ext.spec?.extensionChains ?? []).forEach((chain, chainIndex) => {
    const chainId = `${kind}/${key}/${chain.name}`;
    const extensions = chain.extensions ?? [];
    if (kind === 'GCPRoutingExtension' && extensions.length !== 1) {
      out.notAccepted.add(
        'Invalid',
        `spec.extensionChains[${chainIndex}] "${chain.name}" has ${extensions.length} extensions; a GCPRoutingExtension chain must have exactly 1`,
      );
    }
    const match: CelConditionIR[] = (chain.matchCondition?.celExpressions ?? []).map((e) => {
      const c: { celMatcher?: string; backendService?: string } = {};
      if (e.celMatcher) c.celMatcher = e.celMatcher;
      const ref = e.backendRefs?.[0];
      if (ref)
        c.backendService = ref.port !== undefined ? `${ns}/${ref.name}:${ref.port}` : `${ns}/${ref.name}`;
      return c;
    });
    const irs: ExtensionIR[] = [];
    for (const e of extensions) {
      const ir = buildExtension(
        kind,
        e,
        `${chainId}/${e.name}`,
        defaultEvents,
        `${namespacePrefix}.${resourceName}.${chain.name}.${e.name}`,
        {
          ns,
          key,
          node,
          index,
          resolver,
          options,
          resolvePlugin,
          out,
        },
      );
      if (ir) irs.push(ir);
    }
    out.chains.push({
      id: chainId,
      name: chain.name,
      resource: key,
      resourceKind: kind,
      match,
      extensions: irs,
    });
  });
  // A Wasm-only rejection still lets the plugin report the reason on its own ancestor status.
  if (out.wasmNotAllowed !== undefined && out.notAccepted.message !== out.wasmNotAllowed)
    out.wasmNotAllowed = undefined;
  return out;
}

interface BuildContext {
  ns: string;
  key: string;
  node: GatewayNode;
  index: ResourceIndex;
  resolver: BackendResolver;
  options: ExtensionOptions;
  resolvePlugin: (key: string) => WasmPluginResolution | undefined;
  out: BuiltChains;
}

function buildExtension(
  kind: ExtensionKind,
  e: GkeExtension,
  id: string,
  defaultEvents: readonly HttpEvent[],
  metadataNamespace: string,
  ctx: BuildContext,
): ExtensionIR | undefined {
  const { ns, key, node, index, resolver, options, out } = ctx;
  const events = (
    e.supportedEvents && e.supportedEvents.length > 0 ? e.supportedEvents : defaultEvents
  ) as readonly HttpEvent[];
  const failOpen = e.failOpen ?? false;
  const ref = e.backendRef;
  const refKind = ref ? (ref.kind ?? 'Service') : undefined;

  if (ref && refKind === 'GCPWasmPlugin') {
    if (kind === 'GCPRoutingExtension') {
      out.notAccepted.add(
        'NotAllowed',
        `extension "${e.name}": a GCPRoutingExtension cannot reference a GCPWasmPlugin; use a GCPTrafficExtension`,
      );
      return undefined;
    }
    const pluginKey = `${ns}/${ref.name}`;
    if (!node.capabilities.wasmPlugins) {
      const message = `GCPWasmPlugin backends are only supported on GatewayClass gke-l7-global-external-managed; Gateway ${node.key} uses "${node.className}"`;
      out.notAccepted.add('NotAllowed', message);
      out.wasmNotAllowed ??= message;
    }
    const resolution = ctx.resolvePlugin(pluginKey);
    if (!resolution) {
      out.unresolved.add(
        'GCPWasmPluginNotFound',
        `error cause: invalid-wasm-plugin: GCPWasmPlugin ${pluginKey} in GCPTrafficExtension ${key} does not exist`,
      );
      return undefined;
    }
    out.plugins.set(pluginKey, resolution);
    if (!resolution.ok)
      out.unprogrammed.add('ProgrammingFailed', `GCPWasmPlugin ${pluginKey}: ${resolution.message}`);
    return { kind: 'wasm', id, name: e.name, failOpen, events, plugin: pluginKey };
  }

  let target: { service: string; endpoints: readonly EndpointIR[]; tls: CalloutTlsIR | null } | undefined;
  let authority = e.authority ?? '';
  if (ref && refKind === 'Service' && (ref.group ?? '') === '') {
    const lookup = resolver.servicePort(ns, ref.name, ref.port);
    const service = index.services.get(`${ns}/${ref.name}`);
    if (!service) {
      out.unresolved.add('ExtensionServiceNotFound', `service "${ref.name}" not found in namespace "${ns}"`);
      return undefined;
    }
    const port = lookup.ok ? lookup.port : undefined;
    const app = (port?.appProtocol ?? '').toLowerCase();
    const h2c = app === 'kubernetes.io/h2c' || app === 'h2c';
    if (!port || !(app === 'http2' || h2c)) {
      const message = `service ${ns}/${ref.name} in ${kind} does not have port ${ref.port ?? '<unset>'} with protocol HTTP2`;
      out.unprogrammed.add('ProgrammingFailed', message);
      out.unprogrammedForGateway.push(message);
      return undefined;
    }
    const serviceKey = `${ns}/${ref.name}`;
    const tls = h2c ? null : calloutTls(index, serviceKey, port.name, out);
    target = { service: `${serviceKey}:${port.port}`, endpoints: resolver.endpoints(serviceKey, port), tls };
    out.services.add(target.service);
  } else if (ref) {
    out.notAccepted.add(
      'InvalidExtensionService',
      `extension "${e.name}": backendRef kind ${ref.group ? `${ref.group}/` : ''}${refKind} is not supported by extgate; use a Service${kind === 'GCPTrafficExtension' ? ' or a GCPWasmPlugin' : ''}`,
    );
    return undefined;
  } else if (e.googleAPIServiceName) {
    if (kind === 'GCPRoutingExtension') {
      out.notAccepted.add(
        'NotAllowed',
        `extension "${e.name}": googleAPIServiceName is only supported on GCPTrafficExtension`,
      );
      return undefined;
    }
    const mapped = options.googleApiServices[e.googleAPIServiceName];
    const endpoint = mapped ? parseHostPort(mapped) : undefined;
    if (!endpoint) {
      out.unprogrammed.add(
        'ProgrammingFailed',
        `googleAPIServiceName "${e.googleAPIServiceName}" is not mapped to a local address; start extgate with a mapping ${e.googleAPIServiceName}=HOST:PORT`,
      );
      return undefined;
    }
    authority = e.googleAPIServiceName;
    target = {
      service: `googleapis:${e.googleAPIServiceName}`,
      endpoints: [endpoint],
      tls: { verify: false },
    };
  } else {
    out.notAccepted.add(
      'Invalid',
      `extension "${e.name}": exactly one of backendRef or googleAPIServiceName should be set`,
    );
    return undefined;
  }

  const callout: {
    -readonly [K in keyof CalloutExtensionIR]: CalloutExtensionIR[K];
  } = {
    kind: 'callout',
    id,
    name: e.name,
    failOpen,
    events,
    authority,
    timeoutMs: parseDurationMs(e.timeout) ?? DEFAULT_CALLOUT_TIMEOUT_MS,
    metadataNamespace,
    requestBodySendMode:
      e.requestBodySendMode === 'FullDuplexStreamed' ? 'FullDuplexStreamed' : DEFAULT_BODY_SEND_MODE,
    responseBodySendMode:
      e.responseBodySendMode === 'FullDuplexStreamed' ? 'FullDuplexStreamed' : DEFAULT_BODY_SEND_MODE,
    observabilityMode: e.observabilityMode ?? false,
    target,
  };
  if (e.forwardHeaders) callout.forwardHeaders = e.forwardHeaders.map((h) => h.toLowerCase());
  if (e.metadata) callout.metadata = { ...e.metadata };
  return callout;
}

/** TLS to a callout: encrypted but unverified (as Google's LB), unless a BackendTLSPolicy targets the Service. */
function calloutTls(
  index: ResourceIndex,
  serviceKey: string,
  portName: string | undefined,
  out: BuiltChains,
): CalloutTlsIR {
  const policies = (index.tlsPoliciesByService.get(serviceKey) ?? [])
    .filter((p) =>
      (p.spec?.targetRefs ?? []).some(
        (t) =>
          (t.group ?? '') === '' &&
          t.kind === 'Service' &&
          `${p.metadata.namespace ?? ''}/${t.name}` === serviceKey &&
          (t.sectionName === undefined || t.sectionName === portName),
      ),
    )
    .sort(byAge);
  const policy = policies[0];
  if (!policy) return { verify: false };
  const ns = policy.metadata.namespace ?? '';
  const v = policy.spec?.validation;
  const tls: { verify: boolean; caPem?: string; hostname?: string } = { verify: true };
  if (v?.hostname) tls.hostname = v.hostname;
  const pems: string[] = [];
  for (const ref of v?.caCertificateRefs ?? []) {
    const cm =
      (ref.group ?? '') === '' && ref.kind === 'ConfigMap'
        ? index.configMaps.get(`${ns}/${ref.name}`)
        : undefined;
    const pem = cm?.data?.['ca.crt'];
    if (!pem) {
      out.unprogrammed.add(
        'ProgrammingFailed',
        `BackendTLSPolicy ${keyOf(policy)}: caCertificateRefs ${ref.kind} "${ref.name}" not found or without a ca.crt key`,
      );
      continue;
    }
    pems.push(pem);
  }
  if (pems.length > 0) tls.caPem = pems.join('\n');
  return tls;
}

function parseHostPort(value: string): EndpointIR | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(value.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { address: m[1] ?? '', port };
}
