// One extension resource's chains → ExtensionChainIRs for one target Gateway, with the problems found
// on the way sorted by the condition they belong to (Accepted, ResolvedRefs, Programmed).

import type {
  CalloutExtensionIR,
  CalloutTlsIR,
  CelConditionIR,
  EndpointIR,
  ExtensionChainIR,
  ExtensionIR,
  HttpEvent,
} from '../../ir/snapshot.js';
import {
  DEFAULT_BODY_SEND_MODE,
  DEFAULT_CALLOUT_TIMEOUT_MS,
  DEFAULT_ROUTING_EVENTS,
  DEFAULT_TRAFFIC_EVENTS,
} from '../config.js';
import type { ExtensionKind, ExtensionResource, GkeExtension } from '../resources.js';
import { keyOf } from '../resources.js';
import type { BackendResolver } from './backends.js';
import { Problems } from './conditions.js';
import { parseDurationMs } from './duration.js';
import type { TranslatedGateway } from './gateways.js';
import { byAge, type ResourceIndex } from './resource-index.js';
import type { WasmPluginResolution } from './wasm.js';

export interface ExtensionOptions {
  /** googleAPIServiceName → `host:port` of a local stand-in. */
  readonly googleApiServices: Readonly<Record<string, string>>;
  /** Extension id → why the data plane cannot connect to its callout (the data plane's feedback). */
  readonly calloutProblems: ReadonlyMap<string, string>;
}

export interface BuiltChains {
  chains: ExtensionChainIR[];
  notAccepted: Problems;
  unresolved: Problems;
  unprogrammed: Problems;
  /**
   * Plugins with no loaded version (being pulled, or failed with no earlier version to keep serving). Not a
   * reason to leave the chain out: a blocking plugin must never be bypassed silently, so its extension stays
   * in the chain and fails its requests (failOpen: false → 500, true → skipped) while Programmed says why.
   */
  pluginsUnavailable: Problems;
  /** The subset of programming problems GKE also reports on the Gateway. */
  unprogrammedForGateway: string[];
  /** Set when the only reason for rejection is Wasm on a class that does not allow it. */
  wasmNotAllowed?: string;
  plugins: Map<string, WasmPluginResolution>;
  services: Set<string>;
}

export function buildChains(
  kind: ExtensionKind,
  ext: ExtensionResource,
  node: TranslatedGateway,
  index: ResourceIndex,
  resolver: BackendResolver,
  options: ExtensionOptions,
  resolvePlugin: (key: string) => WasmPluginResolution | undefined,
): BuiltChains {
  const out: BuiltChains = {
    chains: [],
    notAccepted: new Problems(),
    unresolved: new Problems(),
    unprogrammed: new Problems(),
    pluginsUnavailable: new Problems(),
    unprogrammedForGateway: [],
    plugins: new Map(),
    services: new Set(),
  };
  checkClass(kind, node, out);
  const ctx: BuildContext = {
    ns: ext.metadata.namespace ?? '',
    key: keyOf(ext),
    node,
    index,
    resolver,
    options,
    resolvePlugin,
    out,
  };
  (ext.spec?.extensionChains ?? []).forEach((chain, chainIndex) =>
    out.chains.push(buildChain(kind, ext.metadata.name ?? '', chain, chainIndex, ctx)),
  );
  // A Wasm-only rejection still lets the plugin report the reason on its own ancestor status.
  if (out.wasmNotAllowed !== undefined && out.notAccepted.message !== out.wasmNotAllowed)
    delete out.wasmNotAllowed;
  return out;
}

/** Routing extensions need a regional class; traffic extensions any class but the classic one. */
function checkClass(kind: ExtensionKind, node: TranslatedGateway, out: BuiltChains): void {
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
}

type ChainSpec = NonNullable<NonNullable<ExtensionResource['spec']>['extensionChains']>[number];

/** One entry of `spec.extensionChains`: its CEL match and the extensions usable in it. */
function buildChain(
  kind: ExtensionKind,
  resourceName: string,
  chain: ChainSpec,
  chainIndex: number,
  ctx: BuildContext,
): ExtensionChainIR {
  const chainId = `${kind}/${ctx.key}/${chain.name}`;
  const extensions = chain.extensions ?? [];
  if (kind === 'GCPRoutingExtension' && extensions.length !== 1) {
    ctx.out.notAccepted.add(
      'Invalid',
      `spec.extensionChains[${chainIndex}] "${chain.name}" has ${extensions.length} extensions; a GCPRoutingExtension chain must have exactly 1`,
    );
  }
  const namespacePrefix =
    kind === 'GCPRoutingExtension' ? 'com.google.lb_route_extension' : 'com.google.lb_traffic_extension';
  const defaultEvents: readonly HttpEvent[] =
    kind === 'GCPRoutingExtension' ? DEFAULT_ROUTING_EVENTS : DEFAULT_TRAFFIC_EVENTS;
  const irs: ExtensionIR[] = [];
  for (const e of extensions) {
    const metadataNamespace = `${namespacePrefix}.${resourceName}.${chain.name}.${e.name}`;
    const ir = buildExtension(kind, e, `${chainId}/${e.name}`, defaultEvents, metadataNamespace, ctx);
    if (ir) irs.push(ir);
  }
  return {
    id: chainId,
    name: chain.name,
    resource: ctx.key,
    resourceKind: kind,
    match: celMatch(chain, ctx.ns),
    extensions: irs,
  };
}

/** `matchCondition.celExpressions` → IR; a backendRef there names the backend service the matcher applies to. */
function celMatch(chain: ChainSpec, ns: string): CelConditionIR[] {
  return (chain.matchCondition?.celExpressions ?? []).map((e) => {
    const c: { celMatcher?: string; backendService?: string } = {};
    if (e.celMatcher) c.celMatcher = e.celMatcher;
    const ref = e.backendRefs?.[0];
    if (ref)
      c.backendService = ref.port !== undefined ? `${ns}/${ref.name}:${ref.port}` : `${ns}/${ref.name}`;
    return c;
  });
}

interface BuildContext {
  ns: string;
  key: string;
  node: TranslatedGateway;
  index: ResourceIndex;
  resolver: BackendResolver;
  options: ExtensionOptions;
  resolvePlugin: (key: string) => WasmPluginResolution | undefined;
  out: BuiltChains;
}

/** Where a callout sends its gRPC stream. */
interface CalloutTarget {
  service: string;
  endpoints: readonly EndpointIR[];
  tls: CalloutTlsIR | null;
  /** Overrides the extension's `authority` (a Google API is addressed by its own name). */
  authority?: string;
}

/** One extension of a chain → its IR, or undefined (with the problem recorded in `ctx.out`) when unusable. */
function buildExtension(
  kind: ExtensionKind,
  e: GkeExtension,
  id: string,
  defaultEvents: readonly HttpEvent[],
  metadataNamespace: string,
  ctx: BuildContext,
): ExtensionIR | undefined {
  const events = (
    e.supportedEvents && e.supportedEvents.length > 0 ? e.supportedEvents : defaultEvents
  ) as readonly HttpEvent[];
  const failOpen = e.failOpen ?? false;
  if (e.backendRef && (e.backendRef.kind ?? 'Service') === 'GCPWasmPlugin')
    return wasmExtension(kind, e, e.backendRef.name, ctx, { id, failOpen, events });
  const target = calloutTarget(kind, e, ctx);
  if (!target) return undefined;
  return calloutExtension(e, target, { id, failOpen, events, metadataNamespace });
}

interface Common {
  id: string;
  failOpen: boolean;
  events: readonly HttpEvent[];
}

/** A GCPWasmPlugin backend: traffic extensions only, on classes that run Wasm, referencing a plugin that exists. */
function wasmExtension(
  kind: ExtensionKind,
  e: GkeExtension,
  pluginName: string,
  ctx: BuildContext,
  { id, failOpen, events }: Common,
): ExtensionIR | undefined {
  const { node, out } = ctx;
  if (kind === 'GCPRoutingExtension') {
    out.notAccepted.add(
      'NotAllowed',
      `extension "${e.name}": a GCPRoutingExtension cannot reference a GCPWasmPlugin; use a GCPTrafficExtension`,
    );
    return undefined;
  }
  const pluginKey = `${ctx.ns}/${pluginName}`;
  if (!node.capabilities.wasmPlugins) {
    const message = `GCPWasmPlugin backends are only supported on GatewayClass gke-l7-global-external-managed; Gateway ${node.key} uses "${node.className}"`;
    out.notAccepted.add('NotAllowed', message);
    out.wasmNotAllowed ??= message;
  }
  const resolution = ctx.resolvePlugin(pluginKey);
  if (!resolution) {
    out.unresolved.add(
      'GCPWasmPluginNotFound',
      `error cause: invalid-wasm-plugin: GCPWasmPlugin ${pluginKey} in GCPTrafficExtension ${ctx.key} does not exist`,
    );
    return undefined;
  }
  out.plugins.set(pluginKey, resolution);
  if (!resolution.ok)
    out.pluginsUnavailable.add(
      resolution.pending ? 'Pending' : 'ProgrammingFailed',
      `GCPWasmPlugin ${pluginKey}: ${resolution.message}; until a version loads, requests extension "${e.name}" sees are ${failOpen ? 'passed on without it (failOpen: true)' : 'answered 500 (failOpen: false)'}`,
    );
  return { kind: 'wasm', id, name: e.name, failOpen, events, plugin: pluginKey };
}

/** A callout's target: a core Service (by its HTTP2 port) or a mapped googleAPIServiceName; exactly one. */
function calloutTarget(kind: ExtensionKind, e: GkeExtension, ctx: BuildContext): CalloutTarget | undefined {
  const ref = e.backendRef;
  const refKind = ref ? (ref.kind ?? 'Service') : undefined;
  if (ref && refKind === 'Service' && (ref.group ?? '') === '') return serviceTarget(kind, ref, ctx);
  if (ref) {
    ctx.out.notAccepted.add(
      'InvalidExtensionService',
      `extension "${e.name}": backendRef kind ${ref.group ? `${ref.group}/` : ''}${refKind} is not supported by extgate; use a Service${kind === 'GCPTrafficExtension' ? ' or a GCPWasmPlugin' : ''}`,
    );
    return undefined;
  }
  if (e.googleAPIServiceName) return googleApiTarget(kind, e.name, e.googleAPIServiceName, ctx);
  ctx.out.notAccepted.add(
    'Invalid',
    `extension "${e.name}": exactly one of backendRef or googleAPIServiceName should be set`,
  );
  return undefined;
}

/** A Service port is usable only with appProtocol HTTP2 (TLS) or h2c (plaintext), as GKE requires. */
function serviceTarget(
  kind: ExtensionKind,
  ref: NonNullable<GkeExtension['backendRef']>,
  ctx: BuildContext,
): CalloutTarget | undefined {
  const { ns, index, resolver, out } = ctx;
  const lookup = resolver.servicePort(ns, ref.name, ref.port);
  const serviceKey = `${ns}/${ref.name}`;
  if (!index.services.get(serviceKey)) {
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
  const tls = h2c ? null : calloutTls(index, serviceKey, port.name, out);
  const target = {
    service: `${serviceKey}:${port.port}`,
    endpoints: resolver.endpoints(serviceKey, port),
    tls,
  };
  out.services.add(target.service);
  return target;
}

/** A Google API callout (traffic extensions only), served here by the local stand-in it is mapped to. */
function googleApiTarget(
  kind: ExtensionKind,
  extensionName: string,
  serviceName: string,
  ctx: BuildContext,
): CalloutTarget | undefined {
  if (kind === 'GCPRoutingExtension') {
    ctx.out.notAccepted.add(
      'NotAllowed',
      `extension "${extensionName}": googleAPIServiceName is only supported on GCPTrafficExtension`,
    );
    return undefined;
  }
  const mapped = ctx.options.googleApiServices[serviceName];
  const endpoint = mapped ? parseHostPort(mapped) : undefined;
  if (!endpoint) {
    ctx.out.unprogrammed.add(
      'ProgrammingFailed',
      `googleAPIServiceName "${serviceName}" is not mapped to a local address; start extgate with a mapping ${serviceName}=HOST:PORT`,
    );
    return undefined;
  }
  return {
    service: `googleapis:${serviceName}`,
    endpoints: [endpoint],
    tls: { verify: false },
    authority: serviceName,
  };
}

function calloutExtension(
  e: GkeExtension,
  { authority, ...target }: CalloutTarget,
  { id, failOpen, events, metadataNamespace }: Common & { metadataNamespace: string },
): CalloutExtensionIR {
  const callout: {
    -readonly [K in keyof CalloutExtensionIR]: CalloutExtensionIR[K];
  } = {
    kind: 'callout',
    id,
    name: e.name,
    failOpen,
    events,
    authority: authority ?? e.authority ?? '',
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
