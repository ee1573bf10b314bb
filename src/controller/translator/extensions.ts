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
  ParentReference,
  PolicyAncestorStatus,
} from '../resources.js';
import { keyOf } from '../resources.js';
import type { BackendResolver } from './backends.js';
import { buildChains, type ExtensionOptions } from './chains.js';
import { cond } from './conditions.js';
import type { GatewayNode } from './gateways.js';
import { byAge, guard, type ResourceIndex } from './resource-index.js';
import { resolveWasmPlugin, type WasmInputs, type WasmPluginResolution } from './wasm.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface PolicyReport {
  readonly kind: ExtensionKind | 'GCPWasmPlugin';
  readonly key: string;
  readonly generation?: number;
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
              const programmed = built.unprogrammed.empty && built.pluginsUnavailable.empty;
              const problems = built.unprogrammed.empty ? built.pluginsUnavailable : built.unprogrammed;
              conditions.push(
                cond(
                  'Programmed',
                  programmed,
                  programmed ? 'ProgrammingSucceeded' : problems.reason,
                  problems.message,
                  generation,
                ),
              );
              // A plugin without a loaded version keeps its chain: it fails closed (or open) as configured.
              if (built.unprogrammed.empty) {
                const unreachable = calloutConnectionProblems(built.chains, options.calloutProblems);
                if (unreachable)
                  conditions.push(
                    cond(CALLOUT_REACHABLE, false, 'CalloutConnectionFailed', unreachable, generation),
                  );
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
