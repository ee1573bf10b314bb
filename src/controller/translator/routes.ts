// HTTPRoutes → attachment to Gateway listeners (parentRefs, allowed namespaces/kinds, hostname
// intersection) and per-parent route status. The rules themselves are built in route-rules.ts.

import type { RouteRuleIR } from '../../ir/snapshot.js';
import { CONTROLLER_NAME } from '../config.js';
import type { HTTPRoute, LabelSelector, ParentReference, RouteParentStatus } from '../resources.js';
import { keyOf } from '../resources.js';
import type { BackendResolver } from './backends.js';
import { cond, type Problems } from './conditions.js';
import type { TranslatedGateway, TranslatedListener } from './gateways.js';
import { guard, type ResourceIndex } from './resource-index.js';
import { type FlatRule, flattenRoute } from './route-rules.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface RouteReport {
  readonly key: string;
  readonly generation: number | undefined;
  /** Our entries of `status.parents` (entries of other controllers are kept by the writer). */
  readonly parents: RouteParentStatus[];
}

export function attachRoutes(
  index: ResourceIndex,
  gateways: readonly TranslatedGateway[],
  resolver: BackendResolver,
): RouteReport[] {
  const byKey = new Map(gateways.map((g) => [g.key, g]));
  const reports: RouteReport[] = [];
  for (const route of index.resources.httpRoutes) {
    guard(index, `HTTPRoute ${keyOf(route)}`, () => {
      if (route.metadata.deletionTimestamp) return;
      const routeNs = route.metadata.namespace ?? '';
      const generation = route.metadata.generation;
      const parents: RouteParentStatus[] = [];
      let flat: { rules: FlatRule[]; unresolved: Problems } | undefined;
      const attachedTo = new Set<TranslatedListener>();
      for (const parentRef of route.spec?.parentRefs ?? []) {
        if (
          (parentRef.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP ||
          (parentRef.kind ?? 'Gateway') !== 'Gateway'
        )
          continue;
        const gw = byKey.get(`${parentRef.namespace ?? routeNs}/${parentRef.name}`);
        if (!gw) continue; // not one of our Gateways: another controller reports on it
        flat ??= flattenRoute(route, resolver);
        const result = attachToGateway(index, route, parentRef, gw);
        // attachedRoutes counts by allowedRoutes and parentRefs (and hostnames) only; whether the listener is
        // programmed does not matter (Gateway API ListenerStatus.attachedRoutes; GatewayWithAttachedRoutes).
        for (const listener of result.selectedUnprogrammed) {
          if (attachedTo.has(listener)) continue;
          attachedTo.add(listener);
          listener.attachedRoutes++;
        }
        for (const { listener, hostnames } of result.attached) {
          if (attachedTo.has(listener)) continue;
          attachedTo.add(listener);
          listener.attachedRoutes++;
          for (const r of flat.rules) {
            // Written out, not spread: this runs once per rule per listener (30,000 times for 10,000 routes).
            const b = r.base;
            const rule: RouteRuleIR = {
              id: b.id,
              ruleId: b.ruleId,
              route: b.route,
              match: b.match,
              filters: b.filters,
              backends: b.backends,
              timeouts: b.timeouts,
              hostnames,
            };
            listener.routes.push({ rule, sortKey: r.sortKey });
          }
          for (const r of flat.rules)
            for (const wb of r.base.backends) if (!wb.backend.invalid) gw.backendServices.add(wb.backend.id);
        }
        const accepted = result.attached.length > 0;
        parents.push({
          // As stored by a cluster: the CRD defaults group and kind.
          parentRef: { group: GATEWAY_GROUP, kind: 'Gateway', ...parentRef },
          controllerName: CONTROLLER_NAME,
          conditions: [
            cond(
              'Accepted',
              accepted,
              accepted ? 'Accepted' : result.reason,
              accepted ? '' : result.message,
              generation,
            ),
            cond(
              'ResolvedRefs',
              flat.unresolved.empty,
              flat.unresolved.empty ? 'ResolvedRefs' : flat.unresolved.reason,
              flat.unresolved.message,
              generation,
            ),
          ],
        });
      }
      if (
        parents.length > 0 ||
        (route.status?.parents ?? []).some((p) => p.controllerName === CONTROLLER_NAME)
      ) {
        reports.push({ key: keyOf(route), generation, parents });
      }
    });
  }
  return reports;
}

function attachToGateway(
  index: ResourceIndex,
  route: HTTPRoute,
  parentRef: ParentReference,
  gw: TranslatedGateway,
): {
  attached: Array<{ listener: TranslatedListener; hostnames: string[] }>;
  /** Listeners that select the route but are not programmed: they count it, they do not serve it. */
  selectedUnprogrammed: TranslatedListener[];
  reason: string;
  message: string;
} {
  const candidates = gw.listeners.filter(
    (l) =>
      (parentRef.sectionName === undefined || l.spec.name === parentRef.sectionName) &&
      (parentRef.port === undefined || l.spec.port === parentRef.port),
  );
  if (candidates.length === 0) {
    const what = [
      parentRef.sectionName !== undefined ? `sectionName "${parentRef.sectionName}"` : '',
      parentRef.port !== undefined ? `port ${parentRef.port}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    return {
      attached: [],
      selectedUnprogrammed: [],
      reason: 'NoMatchingParent',
      message: `Gateway ${gw.key} has no listener with ${what || 'any name'}`,
    };
  }
  const attached: Array<{ listener: TranslatedListener; hostnames: string[] }> = [];
  const selectedUnprogrammed: TranslatedListener[] = [];
  let reason = 'NotAllowedByListeners';
  let message = '';
  const routeNs = route.metadata.namespace ?? '';
  const gwNs = gw.gateway.metadata.namespace ?? '';
  for (const l of candidates) {
    if (!l.programmed) {
      message ||= l.acceptsHTTPRoute
        ? `listener "${l.spec.name}" of Gateway ${gw.key} is not programmed`
        : `listener "${l.spec.name}" of Gateway ${gw.key} does not allow HTTPRoutes`;
      if (
        l.acceptsHTTPRoute &&
        namespaceAllowed(index, l, routeNs, gwNs) &&
        intersectHostnames(l.spec.hostname, route.spec?.hostnames ?? [])
      )
        selectedUnprogrammed.push(l);
      continue;
    }
    if (!l.acceptsHTTPRoute) {
      message = `listener "${l.spec.name}" of Gateway ${gw.key} does not allow HTTPRoutes`;
      continue;
    }
    if (!namespaceAllowed(index, l, routeNs, gwNs)) {
      message = `listener "${l.spec.name}" of Gateway ${gw.key} does not allow routes from namespace "${routeNs}" (allowedRoutes.namespaces.from: ${l.spec.allowedRoutes?.namespaces?.from ?? 'Same'})`;
      continue;
    }
    const hostnames = intersectHostnames(l.spec.hostname, route.spec?.hostnames ?? []);
    if (!hostnames) {
      reason = 'NoMatchingListenerHostname';
      message = `none of the route's hostnames matches listener "${l.spec.name}" hostname "${l.spec.hostname ?? ''}"`;
      continue;
    }
    attached.push({ listener: l, hostnames });
  }
  // No listener serves it: NoMatchingParent when one would have taken the route once programmed; when none
  // takes HTTPRoutes at all (e.g. a TLS listener for TLSRoutes), the listeners disallow it
  // (NotAllowedByListeners; conformance HTTPRouteDisallowedKind).
  if (
    attached.length === 0 &&
    reason !== 'NoMatchingListenerHostname' &&
    candidates.every((l) => !l.programmed) &&
    candidates.some((l) => l.acceptsHTTPRoute)
  )
    reason = 'NoMatchingParent';
  return { attached, selectedUnprogrammed, reason, message };
}

function namespaceAllowed(
  index: ResourceIndex,
  l: TranslatedListener,
  routeNs: string,
  gwNs: string,
): boolean {
  const from = l.spec.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNs === gwNs;
  if (from === 'Selector') {
    const labels = index.namespaces.get(routeNs)?.metadata.labels ?? {
      'kubernetes.io/metadata.name': routeNs,
    };
    return selectorMatches(l.spec.allowedRoutes?.namespaces?.selector, labels);
  }
  return false;
}

export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(value ?? '')) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(value ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Gateway API hostname intersection of a listener and a route. Returns the effective hostnames (empty = any
 * host) or undefined when they share none. A wildcard `*.example.com` matches any name with that suffix.
 */
export function intersectHostnames(
  listenerHost: string | undefined,
  routeHosts: readonly string[],
): string[] | undefined {
  if (!listenerHost) return [...new Set(routeHosts.map((h) => h.toLowerCase()))];
  const l = listenerHost.toLowerCase();
  if (routeHosts.length === 0) return [l];
  const out = new Set<string>();
  for (const raw of routeHosts) {
    const h = raw.toLowerCase();
    if (h === l) out.add(h);
    else if (l.startsWith('*.') && h.endsWith(l.slice(1)) && (!h.startsWith('*.') || h.length > l.length))
      out.add(h);
    else if (h.startsWith('*.') && l.endsWith(h.slice(1))) out.add(l);
  }
  return out.size > 0 ? [...out] : undefined;
}
