// GCPRoutingExtension / GCPTrafficExtension → ExtensionChainIRs on their target Gateways' listeners, and
// the `status.ancestors[]` of the extensions and of the GCPWasmPlugins they reference.
//
// Checks GKE does at reconcile time (not at admission) live here: class compatibility (docs/spec/gke-service-extensions.md §1.3), one
// extension per routing chain, the callout Service's HTTP2 port, Wasm plugin existence.

import type { ExtensionChainIR, ObjectKey, WasmPluginIR } from '../../ir/snapshot.js';
import { CONTROLLER_NAME } from '../config.js';
import type {
  Condition,
  ExtensionKind,
  ExtensionResource,
  GCPWasmPlugin,
  ParentReference,
  PolicyAncestorStatus,
} from '../resources.js';
import { keyOf } from '../resources.js';
import type { BackendResolver } from './backends.js';
import { buildChains, type BuiltChains, type ExtensionOptions } from './chains.js';
import { cond } from './conditions.js';
import type { TranslatedGateway } from './gateways.js';
import { byAge, guard, type ResourceIndex } from './resource-index.js';
import { resolveWasmPlugin, type WasmInputs, type WasmPluginResolution } from './wasm.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface PolicyReport {
  readonly kind: ExtensionKind | 'GCPWasmPlugin';
  readonly key: string;
  readonly generation: number | undefined;
  /** Noun of the Event messages of the seed (docs/spec/README.md): the kind, or `WasmPlugin` for a GCPWasmPlugin. */
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

interface PluginUse {
  accepted: boolean;
  acceptMessage: string;
  resolution: WasmPluginResolution;
}

/** What attaching every extension shares: the inputs, and what it builds up. */
interface AttachContext {
  readonly index: ResourceIndex;
  readonly resolver: BackendResolver;
  readonly options: ExtensionOptions;
  readonly gatewaysByKey: ReadonlyMap<string, TranslatedGateway>;
  /** Each plugin resolved once, however many extensions reference it. */
  readonly resolvePlugin: (pluginKey: string) => WasmPluginResolution | undefined;
  /** plugin key → gateway key → how it is used there. */
  readonly pluginUses: Map<string, Map<string, PluginUse>>;
  readonly wasmPlugins: Record<ObjectKey, WasmPluginIR>;
}

export function attachExtensions(
  index: ResourceIndex,
  gateways: readonly TranslatedGateway[],
  resolver: BackendResolver,
  options: ExtensionOptions,
  wasm: WasmInputs,
): ExtensionsResult {
  const ctx: AttachContext = {
    index,
    resolver,
    options,
    gatewaysByKey: new Map(gateways.map((g) => [g.key, g])),
    resolvePlugin: pluginResolver(index, wasm),
    pluginUses: new Map(),
    wasmPlugins: {},
  };
  const reports: PolicyReport[] = [];
  const kinds: Array<[ExtensionKind, readonly ExtensionResource[]]> = [
    ['GCPRoutingExtension', index.resources.routingExtensions],
    ['GCPTrafficExtension', index.resources.trafficExtensions],
  ];
  for (const [kind, resources] of kinds)
    for (const ext of [...resources].sort(byAge))
      guard(index, `${kind} ${keyOf(ext)}`, () => {
        const report = attachExtension(kind, ext, ctx);
        if (report) reports.push(report);
      });
  // After every extension: a plugin's status lists the Gateways all of them use it on.
  for (const plugin of index.resources.wasmPlugins)
    guard(index, `GCPWasmPlugin ${keyOf(plugin)}`, () => {
      const report = wasmPluginReport(plugin, ctx.pluginUses.get(keyOf(plugin)));
      if (report) reports.push(report);
    });
  return { reports, wasmPlugins: ctx.wasmPlugins };
}

function pluginResolver(
  index: ResourceIndex,
  wasm: WasmInputs,
): (pluginKey: string) => WasmPluginResolution | undefined {
  const resolutions = new Map<string, WasmPluginResolution>();
  return (pluginKey) => {
    const plugin = index.wasmPlugins.get(pluginKey);
    if (!plugin) return undefined;
    let r = resolutions.get(pluginKey);
    if (!r) {
      r = resolveWasmPlugin(plugin, wasm);
      resolutions.set(pluginKey, r);
    }
    return r;
  };
}

/** Whether a status already holds entries of ours (then a report is due even with none left). */
function hasOurAncestors(status: { ancestors?: PolicyAncestorStatus[] } | undefined): boolean {
  return (status?.ancestors ?? []).some((a) => a.controllerName === CONTROLLER_NAME);
}

/** One extension on each Gateway it targets: its chains attached where accepted, one ancestor entry each. */
function attachExtension(
  kind: ExtensionKind,
  ext: ExtensionResource,
  ctx: AttachContext,
): PolicyReport | undefined {
  if (ext.metadata.deletionTimestamp) return undefined;
  const ns = ext.metadata.namespace ?? '';
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
    const node = ctx.gatewaysByKey.get(gwKey);
    if (!node) {
      if (ctx.index.gateways.has(gwKey)) continue; // a Gateway of another controller
      const message = `gateway "${t.name}" not found in namespace "${ns}"`;
      const conditions = [cond('Accepted', false, 'NoMatchingTarget', message, ext.metadata.generation)];
      ancestors.push({ ancestorRef, controllerName: CONTROLLER_NAME, conditions });
      continue;
    }
    const built = buildChains(kind, ext, node, ctx.index, ctx.resolver, ctx.options, ctx.resolvePlugin);
    usesWasm ||= built.plugins.size > 0;
    const conditions = extensionConditions(built, ctx.options.calloutProblems, ext.metadata.generation);
    if (built.notAccepted.empty && built.unresolved.empty) {
      if (built.unprogrammed.empty) attachToGateway(kind, keyOf(ext), built, node, ctx.wasmPlugins);
      else for (const m of built.unprogrammedForGateway) node.programProblems.add('Invalid', m);
    }
    recordPluginUses(ctx.pluginUses, gwKey, built);
    ancestors.push({ ancestorRef, controllerName: CONTROLLER_NAME, conditions });
  }
  if (ancestors.length === 0 && !hasOurAncestors(ext.status)) return undefined;
  const eventStyle = usesWasm ? 'programming' : 'reconciliation';
  return {
    kind,
    key: keyOf(ext),
    generation: ext.metadata.generation,
    eventNoun: kind,
    eventStyle,
    ancestors,
  };
}

/** Accepted, then ResolvedRefs, then Programmed (each only when the one before holds), then CalloutReachable. */
function extensionConditions(
  built: BuiltChains,
  calloutProblems: ReadonlyMap<string, string>,
  generation: number | undefined,
): Condition[] {
  if (!built.notAccepted.empty)
    return [cond('Accepted', false, built.notAccepted.reason, built.notAccepted.message, generation)];
  const accepted = cond('Accepted', true, 'Accepted', '', generation);
  if (!built.unresolved.empty)
    return [
      accepted,
      cond('ResolvedRefs', false, built.unresolved.reason, built.unresolved.message, generation),
    ];
  const programmed = built.unprogrammed.empty && built.pluginsUnavailable.empty;
  const problems = built.unprogrammed.empty ? built.pluginsUnavailable : built.unprogrammed;
  const conditions = [
    accepted,
    cond('ResolvedRefs', true, 'ResolvedRefs', '', generation),
    cond(
      'Programmed',
      programmed,
      programmed ? 'ProgrammingSucceeded' : problems.reason,
      problems.message,
      generation,
    ),
  ];
  // A plugin without a loaded version keeps its chain: it fails closed (or open) as configured.
  const unreachable = built.unprogrammed.empty && calloutConnectionProblems(built.chains, calloutProblems);
  if (unreachable)
    conditions.push(cond(CALLOUT_REACHABLE, false, 'CalloutConnectionFailed', unreachable, generation));
  return conditions;
}

/** Puts accepted, programmed chains on the Gateway's programmed listeners, with what they reference. */
function attachToGateway(
  kind: ExtensionKind,
  key: string,
  built: BuiltChains,
  node: TranslatedGateway,
  wasmPlugins: Record<ObjectKey, WasmPluginIR>,
): void {
  const routing = kind === 'GCPRoutingExtension';
  for (const l of node.listeners) {
    if (!l.programmed) continue;
    (routing ? l.routingChains : l.trafficChains).push(...built.chains);
  }
  (routing ? node.routingExtensions : node.trafficExtensions).push(key);
  for (const s of built.services) node.backendServices.add(s);
  for (const [pluginKey, r] of built.plugins) {
    if (!r.ok) continue;
    wasmPlugins[pluginKey] = r.ir;
    node.wasmPlugins.add(pluginKey);
    node.wasmPluginVersions.add(`${pluginKey}/${r.ir.serving.name}`);
  }
}

/** The first accepted use of each plugin on a Gateway (or a Wasm-only rejection, which the plugin reports). */
function recordPluginUses(pluginUses: AttachContext['pluginUses'], gwKey: string, built: BuiltChains): void {
  const pluginAccepted = built.notAccepted.empty || built.wasmNotAllowed !== undefined;
  for (const [pluginKey, r] of built.plugins) {
    let uses = pluginUses.get(pluginKey);
    if (!uses) pluginUses.set(pluginKey, (uses = new Map()));
    if (!uses.has(gwKey) && pluginAccepted)
      uses.set(gwKey, {
        accepted: built.wasmNotAllowed === undefined,
        acceptMessage: built.wasmNotAllowed ?? '',
        resolution: r,
      });
  }
}

/** A GCPWasmPlugin's status: one ancestor per Gateway an extension uses it on, in Gateway key order. */
function wasmPluginReport(
  plugin: GCPWasmPlugin,
  uses: ReadonlyMap<string, PluginUse> | undefined,
): PolicyReport | undefined {
  const generation = plugin.metadata.generation;
  const ancestors: PolicyAncestorStatus[] = [...(uses ?? new Map<string, PluginUse>())]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([gwKey, use]) => {
      const [gwNs, gwName] = splitKey(gwKey);
      return {
        ancestorRef: { group: GATEWAY_GROUP, kind: 'Gateway', name: gwName, namespace: gwNs },
        controllerName: CONTROLLER_NAME,
        conditions: pluginConditions(use, generation),
      };
    });
  if (ancestors.length === 0 && !hasOurAncestors(plugin.status)) return undefined;
  const key = keyOf(plugin);
  return {
    kind: 'GCPWasmPlugin',
    key,
    generation,
    eventNoun: 'WasmPlugin',
    eventStyle: 'programming',
    ancestors,
  };
}

function pluginConditions(use: PluginUse, generation: number | undefined): Condition[] {
  if (!use.accepted) return [cond('Accepted', false, 'NotAllowed', use.acceptMessage, generation)];
  const r = use.resolution;
  const programmed =
    r.ok && !r.warning
      ? cond('Programmed', true, 'ProgrammingSucceeded', '', generation)
      : r.ok
        ? cond('Programmed', false, 'ProgrammingFailed', r.warning ?? '', generation)
        : cond('Programmed', false, r.pending ? 'Pending' : 'ProgrammingFailed', r.message, generation);
  return [
    cond('Accepted', true, 'Accepted', '', generation),
    cond('ResolvedRefs', true, 'ResolvedRefs', '', generation),
    programmed,
  ];
}

/**
 * The condition the data plane's connection problems appear as (only while there is one): Accepted,
 * ResolvedRefs and Programmed say the configuration is right; this says the callout it names cannot be
 * reached or does not speak what the Service port says.
 */
export const CALLOUT_REACHABLE = 'CalloutReachable';

function calloutConnectionProblems(
  chains: readonly ExtensionChainIR[],
  problems: ReadonlyMap<string, string>,
): string | undefined {
  const found = chains.flatMap((c) =>
    c.extensions.flatMap((e) => {
      const p = problems.get(e.id);
      return p ? [`extension "${e.name}": ${p}`] : [];
    }),
  );
  return found.length > 0 ? found.join('; ') : undefined;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
