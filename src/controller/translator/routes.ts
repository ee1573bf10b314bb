// HTTPRoutes → attachment to Gateway listeners (parentRefs, allowed namespaces/kinds, hostname
// intersection), flattened RouteRuleIRs in Gateway API precedence order, and per-parent route status.

import type {
  HeaderModifierIR,
  HttpFilterIR,
  PathModifierIR,
  RouteMatchIR,
  RouteRuleIR,
  WeightedBackendIR,
} from '../../ir/snapshot.js';
import { CONTROLLER_NAME, DEFAULT_REDIRECT_STATUS } from '../config.js';
import type {
  HTTPHeaderFilter,
  HTTPPathModifier,
  HTTPRoute,
  HTTPRouteFilter,
  HTTPRouteMatch,
  LabelSelector,
  ParentReference,
  RouteParentStatus,
} from '../resources.js';
import { keyOf } from '../resources.js';
import type { BackendResolver } from './backends.js';
import { cond, Problems } from './conditions.js';
import type { GatewayNode, ListenerNode, RouteSortKey } from './gateways.js';
import { guard, type ResourceIndex } from './index.js';
import { parseDurationMs } from './duration.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface RouteReport {
  readonly key: string;
  readonly generation?: number;
  /** Our entries of `status.parents` (entries of other controllers are kept by the writer). */
  readonly parents: RouteParentStatus[];
}

/** Rule/match flattened once per route; hostnames are added per listener. */
interface FlatRule {
  readonly base: Omit<RouteRuleIR, 'hostnames'>;
  readonly sortKey: RouteSortKey;
}

export function attachRoutes(
  index: ResourceIndex,
  gateways: readonly GatewayNode[],
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
      const attachedTo = new Set<ListenerNode>();
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
          parentRef: { ...parentRef },
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
  gw: GatewayNode,
): { attached: Array<{ listener: ListenerNode; hostnames: string[] }>; reason: string; message: string } {
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
      reason: 'NoMatchingParent',
      message: `Gateway ${gw.key} has no listener with ${what || 'any name'}`,
    };
  }
  const attached: Array<{ listener: ListenerNode; hostnames: string[] }> = [];
  let reason = 'NotAllowedByListeners';
  let message = '';
  const routeNs = route.metadata.namespace ?? '';
  const gwNs = gw.gateway.metadata.namespace ?? '';
  for (const l of candidates) {
    if (!l.programmed) {
      message ||= `listener "${l.spec.name}" of Gateway ${gw.key} is not programmed`;
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
  if (
    attached.length === 0 &&
    reason !== 'NoMatchingListenerHostname' &&
    candidates.every((l) => !l.programmed)
  )
    reason = 'NoMatchingParent';
  return { attached, reason, message };
}

function namespaceAllowed(index: ResourceIndex, l: ListenerNode, routeNs: string, gwNs: string): boolean {
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

function flattenRoute(
  route: HTTPRoute,
  resolver: BackendResolver,
): { rules: FlatRule[]; unresolved: Problems } {
  const routeKey = keyOf(route);
  const routeNs = route.metadata.namespace ?? '';
  const created = route.metadata.creationTimestamp ?? '';
  const unresolved = new Problems();
  const rules: FlatRule[] = [];
  (route.spec?.rules ?? []).forEach((rule, ruleIndex) => {
    const ruleId = `${routeKey}/${ruleIndex}`;
    const backends: WeightedBackendIR[] = [];
    for (const ref of rule.backendRefs ?? []) {
      const { backend, problem } = resolver.routeBackend(routeNs, ref);
      if (problem) unresolved.add(problem.reason, problem.message);
      const filters = (ref.filters ?? []).flatMap((f) =>
        convertFilter(f, undefined, routeNs, resolver, unresolved),
      );
      backends.push({ weight: ref.weight ?? 1, backend, filters });
    }
    const timeouts: { requestMs?: number; backendRequestMs?: number } = {};
    const requestMs = parseDurationMs(rule.timeouts?.request);
    const backendRequestMs = parseDurationMs(rule.timeouts?.backendRequest);
    if (requestMs) timeouts.requestMs = requestMs;
    if (backendRequestMs) timeouts.backendRequestMs = backendRequestMs;
    const matches: HTTPRouteMatch[] = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
    matches.forEach((m, matchIndex) => {
      const match = convertMatch(m);
      const matchedPrefix = match.path.type === 'PathPrefix' ? match.path.value : '/';
      const filters = (rule.filters ?? []).flatMap((f) =>
        convertFilter(f, matchedPrefix, routeNs, resolver, unresolved),
      );
      let ruleBackends = backends;
      const unsupported = (rule.filters ?? []).find((f) => !SUPPORTED_FILTERS.has(f.type));
      if (unsupported) {
        ruleBackends = [
          {
            weight: 1,
            filters: [],
            backend: {
              id: `${ruleId}:filter`,
              protocol: 'http1',
              endpoints: [],
              invalid: `filter type ${unsupported.type} is not supported`,
            },
          },
        ];
      }
      rules.push({
        base: {
          id: `${ruleId}/${matchIndex}`,
          ruleId,
          route: routeKey,
          match,
          filters,
          backends: ruleBackends,
          timeouts,
        },
        sortKey: { created, routeKey, ruleIndex, matchIndex },
      });
    });
  });
  return { rules, unresolved };
}

function convertMatch(m: HTTPRouteMatch): RouteMatchIR {
  const match: {
    path: RouteMatchIR['path'];
    method?: string;
    headers: RouteMatchIR['headers'];
    queryParams: RouteMatchIR['queryParams'];
  } = {
    path: { type: m.path?.type ?? 'PathPrefix', value: m.path?.value ?? '/' },
    headers: (m.headers ?? []).map((h) => ({
      name: h.name.toLowerCase(),
      type: h.type ?? 'Exact',
      value: h.value,
    })),
    queryParams: (m.queryParams ?? []).map((q) => ({
      name: q.name,
      type: q.type ?? 'Exact',
      value: q.value,
    })),
  };
  if (m.method) match.method = m.method;
  return match;
}

const SUPPORTED_FILTERS = new Set([
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'RequestRedirect',
  'URLRewrite',
  'RequestMirror',
]);

function convertFilter(
  f: HTTPRouteFilter,
  matchedPrefix: string | undefined,
  routeNs: string,
  resolver: BackendResolver,
  unresolved: Problems,
): HttpFilterIR[] {
  switch (f.type) {
    case 'RequestHeaderModifier':
      return [{ type: 'RequestHeaderModifier', modifier: headerModifier(f.requestHeaderModifier) }];
    case 'ResponseHeaderModifier':
      return [{ type: 'ResponseHeaderModifier', modifier: headerModifier(f.responseHeaderModifier) }];
    case 'RequestRedirect': {
      const r = f.requestRedirect ?? {};
      const redirect: {
        scheme?: 'http' | 'https';
        hostname?: string;
        path?: PathModifierIR;
        port?: number;
        statusCode: number;
      } = {
        statusCode: r.statusCode ?? DEFAULT_REDIRECT_STATUS,
      };
      if (r.scheme === 'http' || r.scheme === 'https') redirect.scheme = r.scheme;
      if (r.hostname) redirect.hostname = r.hostname;
      if (r.port !== undefined) redirect.port = r.port;
      const path = pathModifier(r.path, matchedPrefix);
      if (path) redirect.path = path;
      return [{ type: 'RequestRedirect', redirect }];
    }
    case 'URLRewrite': {
      const rewrite: { hostname?: string; path?: PathModifierIR } = {};
      if (f.urlRewrite?.hostname) rewrite.hostname = f.urlRewrite.hostname;
      const path = pathModifier(f.urlRewrite?.path, matchedPrefix);
      if (path) rewrite.path = path;
      return [{ type: 'URLRewrite', rewrite }];
    }
    case 'RequestMirror': {
      if (!f.requestMirror?.backendRef) return [];
      const { backend, problem } = resolver.routeBackend(routeNs, f.requestMirror.backendRef);
      if (problem) unresolved.add(problem.reason, `requestMirror: ${problem.message}`);
      return [{ type: 'RequestMirror', mirror: backend }];
    }
    default:
      unresolved.add(
        'InvalidKind',
        `filter type ${f.type}${f.extensionRef ? ` (${f.extensionRef.kind} "${f.extensionRef.name}")` : ''} is not supported; requests for the rule are answered 500`,
      );
      return [];
  }
}

function headerModifier(h: HTTPHeaderFilter | undefined): HeaderModifierIR {
  return {
    set: (h?.set ?? []).map((x) => ({ name: x.name, value: x.value })),
    add: (h?.add ?? []).map((x) => ({ name: x.name, value: x.value })),
    remove: (h?.remove ?? []).map((x) => x.toLowerCase()),
  };
}

function pathModifier(
  p: HTTPPathModifier | undefined,
  matchedPrefix: string | undefined,
): PathModifierIR | undefined {
  if (!p) return undefined;
  if (p.type === 'ReplaceFullPath') return { type: 'ReplaceFullPath', value: p.replaceFullPath ?? '/' };
  if (p.type === 'ReplacePrefixMatch')
    return {
      type: 'ReplacePrefixMatch',
      value: p.replacePrefixMatch ?? '/',
      matchedPrefix: matchedPrefix ?? '/',
    };
  return undefined;
}

const PATH_RANK = { Exact: 0, PathPrefix: 1, RegularExpression: 2 } as const;

/** Gateway API HTTPRoute match precedence (see RouteRuleIR's comment). */
export function comparePrecedence(
  a: { rule: RouteRuleIR; sortKey: RouteSortKey },
  b: { rule: RouteRuleIR; sortKey: RouteSortKey },
): number {
  const pa = a.rule.match.path;
  const pb = b.rule.match.path;
  if (pa.type !== pb.type) return PATH_RANK[pa.type] - PATH_RANK[pb.type];
  if (pa.type !== 'RegularExpression' && pa.value.length !== pb.value.length)
    return pb.value.length - pa.value.length;
  const ma = a.rule.match.method ? 1 : 0;
  const mb = b.rule.match.method ? 1 : 0;
  if (ma !== mb) return mb - ma;
  if (a.rule.match.headers.length !== b.rule.match.headers.length)
    return b.rule.match.headers.length - a.rule.match.headers.length;
  if (a.rule.match.queryParams.length !== b.rule.match.queryParams.length)
    return b.rule.match.queryParams.length - a.rule.match.queryParams.length;
  const ka = a.sortKey;
  const kb = b.sortKey;
  if (ka.created !== kb.created) return ka.created < kb.created ? -1 : 1;
  if (ka.routeKey !== kb.routeKey) return ka.routeKey < kb.routeKey ? -1 : 1;
  if (ka.ruleIndex !== kb.ruleIndex) return ka.ruleIndex - kb.ruleIndex;
  return ka.matchIndex - kb.matchIndex;
}
