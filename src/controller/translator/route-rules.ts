// One HTTPRoute's rules → flattened (rule, match) RouteRuleIRs: matches and filters converted, backends
// resolved, and the Gateway API precedence order between them.

import type {
  HeaderModifierIR,
  HttpFilterIR,
  PathModifierIR,
  RouteMatchIR,
  RouteRuleIR,
  WeightedBackendIR,
} from '../../ir/snapshot.js';
import { DEFAULT_REDIRECT_STATUS } from '../config.js';
import type {
  HTTPHeaderFilter,
  HTTPPathModifier,
  HTTPRoute,
  HTTPRouteFilter,
  HTTPRouteMatch,
} from '../resources.js';
import { keyOf } from '../resources.js';
import type { BackendResolver } from './backends.js';
import { Problems } from './conditions.js';
import { parseDurationMs } from './duration.js';
import type { RouteSortKey } from './gateways.js';

/** Rule/match flattened once per route; hostnames are added per listener. */
export interface FlatRule {
  readonly base: Omit<RouteRuleIR, 'hostnames'>;
  readonly sortKey: RouteSortKey;
}

export function flattenRoute(
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
    const resolveBackends = (matchedPrefix: string | undefined): WeightedBackendIR[] =>
      (rule.backendRefs ?? []).map((ref) => {
        const { backend, problem } = resolver.routeBackend(routeNs, ref);
        if (problem) unresolved.add(problem.reason, problem.message);
        const filters = (ref.filters ?? []).flatMap((f) =>
          convertFilter(f, matchedPrefix, routeNs, resolver, unresolved),
        );
        return { weight: ref.weight ?? 1, backend, filters };
      });
    const backends = resolveBackends(undefined);
    // A backendRef's ReplacePrefixMatch (URLRewrite or RequestRedirect) replaces the prefix its rule's match
    // matched, so such backends are built per match; all others are shared by the rule's matches.
    const perMatch = (rule.backendRefs ?? []).some((ref) =>
      (ref.filters ?? []).some(
        (f) =>
          (f.type === 'URLRewrite' ? f.urlRewrite?.path : f.requestRedirect?.path)?.type ===
          'ReplacePrefixMatch',
      ),
    );
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
      let ruleBackends = perMatch ? resolveBackends(matchedPrefix) : backends;
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
      const percent = mirrorPercent(f.requestMirror);
      return [
        percent === undefined
          ? { type: 'RequestMirror', mirror: backend }
          : { type: 'RequestMirror', mirror: backend, percent },
      ];
    }
    default:
      unresolved.add(
        'InvalidKind',
        `filter type ${f.type}${f.extensionRef ? ` (${f.extensionRef.kind} "${f.extensionRef.name}")` : ''} is not supported; requests for the rule are answered 500`,
      );
      return [];
  }
}

/**
 * The share of requests a RequestMirror copies, 0-100, from `percent` or `fraction` (the CRD allows one;
 * denominator defaults to 100); undefined for all of them.
 */
function mirrorPercent(m: NonNullable<HTTPRouteFilter['requestMirror']>): number | undefined {
  const share =
    m.percent ?? (m.fraction ? (m.fraction.numerator / (m.fraction.denominator ?? 100)) * 100 : undefined);
  if (share === undefined || !Number.isFinite(share) || share >= 100) return undefined;
  return Math.max(0, share);
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
