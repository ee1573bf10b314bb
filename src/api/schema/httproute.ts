// HTTPRoute (gateway.networking.k8s.io/v1), standard channel: limits and CEL messages of the upstream CRD.
import { GATEWAY_API, PATTERNS, durationMs } from './limits.js';
import { arr, obj, opaque, rule, str, type Rule } from './dsl.js';
import { headerName, parentReference, sectionName, weight } from './common.js';
import { kindSchema, withMeta } from './gateway-api.js';
import { backendObjectReference, filters, type Filter, type PathModifier } from './httproute-filters.js';
import { compileRegex, RegexSyntaxError } from '../../dataplane/routing/regex.js';

interface ParentRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
}
interface PathMatch {
  type?: string;
  value?: string;
}
interface Match {
  path?: PathMatch;
}
interface RouteRule {
  matches?: Match[];
  filters?: Filter[];
  backendRefs?: { filters?: Filter[] }[];
}

/** RE2's complaint about a RegularExpression value (the data plane's own compile), or undefined when it compiles. */
const re2Error = (v: string): string | undefined => {
  try {
    compileRegex(v);
    return undefined;
  } catch (e) {
    if (e instanceof RegexSyntaxError) return e.message;
    throw e;
  }
};

// ------------------------------------------------------------------------------------------------- matches

const PATH_CHARS = new RegExp(PATTERNS.pathChars);
const EXACT_OR_PREFIX = "(self.type in ['Exact','PathPrefix'])";
const pathType = (p: PathMatch) => p.type ?? 'PathPrefix';
const pathValue = (p: PathMatch) => p.value ?? '/';
const literal = (p: PathMatch) => ['Exact', 'PathPrefix'].includes(pathType(p));

const pathRule = (message: string, celTest: string, ok: (v: string) => boolean): Rule<never> =>
  rule<PathMatch>({
    message,
    cel: `${EXACT_OR_PREFIX} ? ${celTest} : true`,
    holds: (p) => !literal(p) || ok(pathValue(p)),
    field: 'value',
  });

const pathMatch = obj(
  {
    type: str({ enum: ['Exact', 'PathPrefix', 'RegularExpression'], default: 'PathPrefix' }),
    value: str({ maxLength: GATEWAY_API.pathLength, default: '/' }),
  },
  {
    rules: [
      pathRule(
        "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
        "self.value.startsWith('/')",
        (v) => v.startsWith('/'),
      ),
      ...['//', '/./', '/../', '%2f', '%2F', '#'].map((s) =>
        pathRule(
          `must not contain '${s}' when type one of ['Exact', 'PathPrefix']`,
          `!self.value.contains('${s}')`,
          (v) => !v.includes(s),
        ),
      ),
      ...['/..', '/.'].map((s) =>
        pathRule(
          `must not end with '${s}' when type one of ['Exact', 'PathPrefix']`,
          `!self.value.endsWith('${s}')`,
          (v) => !v.endsWith(s),
        ),
      ),
      pathRule(
        `must only contain valid characters (matching ${PATTERNS.pathChars}) for types ['Exact', 'PathPrefix']`,
        `self.value.matches(r"""${PATTERNS.pathChars}""")`,
        (v) => PATH_CHARS.test(v),
      ),
      rule<PathMatch>({
        // extgate: upstream leaves regex validity to the implementation; GKE's (Envoy's) is RE2.
        message: 'value must be a valid regular expression when type is RegularExpression',
        holds: (p) => pathType(p) !== 'RegularExpression' || re2Error(pathValue(p)) === undefined,
        detail: (p) => re2Error(pathValue(p)),
        field: 'value',
      }),
    ],
  },
);

interface ValueMatch {
  type?: string;
  value: string;
}
const regexValue: Rule<never> = rule<ValueMatch>({
  message: 'value must be a valid regular expression when type is RegularExpression', // extgate
  holds: (m) => m.type !== 'RegularExpression' || re2Error(m.value) === undefined,
  detail: (m) => re2Error(m.value),
  field: 'value',
});

const valueMatch = (valueLength: number, max: number) =>
  arr(
    obj(
      {
        name: headerName(),
        type: str({ enum: ['Exact', 'RegularExpression'], default: 'Exact' }),
        value: str({ minLength: 1, maxLength: valueLength }),
      },
      { required: ['name', 'value'], rules: [regexValue] },
    ),
    { maxItems: max, listType: 'map', listMapKeys: ['name'] },
  );

/** Gateway API's defaults for a route or rule that says nothing about matching: every path. */
const PREFIX_ROOT = { type: 'PathPrefix', value: '/' } as const;

const match = obj({
  path: { ...pathMatch, default: PREFIX_ROOT },
  headers: valueMatch(GATEWAY_API.headerValueLength, GATEWAY_API.headerMatches),
  queryParams: valueMatch(1024, GATEWAY_API.queryParamMatches),
  method: str({ enum: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] }),
});

// --------------------------------------------------------------------------------------------------- rules

const onePrefixMatch = (r: RouteRule) =>
  (r.matches ?? []).length === 1 &&
  r.matches![0]!.path !== undefined &&
  pathType(r.matches![0]!.path) === 'PathPrefix';
const prefixRewrite = (fs: Filter[] | undefined, field: 'requestRedirect' | 'urlRewrite') =>
  (fs ?? []).filter(
    (f) =>
      (f[field] as { path?: PathModifier } | undefined)?.path?.type === 'ReplacePrefixMatch' &&
      (f[field] as { path: PathModifier }).path.replacePrefixMatch !== undefined,
  ).length === 1;

const ruleRules: Rule<never>[] = [
  rule<RouteRule>({
    message: 'RequestRedirect filter must not be used together with backendRefs',
    cel: '(has(self.backendRefs) && size(self.backendRefs) > 0) ? (!has(self.filters) || self.filters.all(f, !has(f.requestRedirect))): true',
    holds: (r) =>
      (r.backendRefs ?? []).length === 0 || (r.filters ?? []).every((f) => f.requestRedirect === undefined),
    field: 'backendRefs',
  }),
  ...(['requestRedirect', 'urlRewrite'] as const).map((field) =>
    rule<RouteRule>({
      message: `When using ${field === 'requestRedirect' ? 'RequestRedirect' : 'URLRewrite'} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified`,
      cel: `(has(self.filters) && self.filters.exists_one(f, has(f.${field}) && has(f.${field}.path) && f.${field}.path.type == 'ReplacePrefixMatch' && has(f.${field}.path.replacePrefixMatch))) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true`,
      holds: (r) => !prefixRewrite(r.filters, field) || onePrefixMatch(r),
      field: 'matches',
    }),
  ),
];

interface Timeouts {
  request?: string;
  backendRequest?: string;
}

const routeRule = obj(
  {
    name: sectionName(),
    matches: arr(match, { maxItems: GATEWAY_API.matchesPerRule, default: [{ path: PREFIX_ROOT }] }),
    filters: filters(),
    backendRefs: arr(backendObjectReference({ weight: weight(), filters: filters() }), {
      maxItems: GATEWAY_API.backendRefs,
    }),
    timeouts: obj(
      { request: str({ pattern: PATTERNS.duration }), backendRequest: str({ pattern: PATTERNS.duration }) },
      {
        rules: [
          rule<Timeouts>({
            message: 'backendRequest timeout cannot be longer than request timeout',
            cel: "!(has(self.request) && has(self.backendRequest) && duration(self.request) != duration('0s') && duration(self.backendRequest) > duration(self.request))",
            holds: (t) =>
              !(
                t.request !== undefined &&
                t.backendRequest !== undefined &&
                durationMs(t.request) !== 0 &&
                durationMs(t.backendRequest)! > durationMs(t.request)!
              ),
            field: 'backendRequest',
          }),
        ],
      },
    ),
  },
  { rules: ruleRules },
);

const sameParent = (a: ParentRef, b: ParentRef) =>
  (a.group ?? 'gateway.networking.k8s.io') === (b.group ?? 'gateway.networking.k8s.io') &&
  (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway') &&
  a.name === b.name &&
  (a.namespace ?? '') === (b.namespace ?? '');

export const httpRoute = kindSchema(
  'HTTPRoute',
  'httproutes',
  withMeta(
    obj({
      parentRefs: arr(parentReference(), {
        maxItems: GATEWAY_API.parentRefs,
        rules: [
          rule<ParentRef[]>({
            message:
              'sectionName must be specified when parentRefs includes 2 or more references to the same parent',
            cel: "self.all(p1, self.all(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__ )) ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '')) : true))",
            holds: (ps) =>
              ps.every((a) => ps.every((b) => !sameParent(a, b) || !a.sectionName === !b.sectionName)),
          }),
          rule<ParentRef[]>({
            message:
              'sectionName must be unique when parentRefs includes 2 or more references to the same parent',
            cel: "self.all(p1, self.exists_one(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__ )) && (((!has(p1.sectionName) || p1.sectionName == '') && (!has(p2.sectionName) || p2.sectionName == '')) || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName))))",
            holds: (ps) =>
              ps.every(
                (a) =>
                  ps.filter((b) => sameParent(a, b) && (a.sectionName ?? '') === (b.sectionName ?? ''))
                    .length === 1,
              ),
          }),
        ],
      }),
      hostnames: arr(str({ minLength: 1, maxLength: 253, pattern: PATTERNS.hostname }), {
        maxItems: GATEWAY_API.hostnames,
      }),
      rules: arr(routeRule, {
        default: [{ matches: [{ path: PREFIX_ROOT }] }],
        minItems: 1,
        maxItems: GATEWAY_API.rules,
        rules: [
          rule<RouteRule[]>({
            message:
              'While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128',
            cel:
              Array.from(
                { length: 16 },
                (_, i) => `(self.size() > ${i} && has(self[${i}].matches) ? self[${i}].matches.size() : 0)`,
              ).join(' + ') + ` <= ${GATEWAY_API.matchesPerRoute}`,
            holds: (rs) =>
              rs.reduce((n, r) => n + (r.matches ?? []).length, 0) <= GATEWAY_API.matchesPerRoute,
          }),
        ],
      }),
    }),
    obj({ parents: arr(opaque(), { maxItems: 32 }) }, { open: true }),
  ),
);
