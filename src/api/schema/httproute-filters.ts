// HTTPRoute filters (and the backend references they and backendRefs use): shapes and the per-type CEL rules
// of the upstream v1 CRD.
import { GATEWAY_API, PATTERNS } from './limits.js';
import { arr, int, obj, opaque, rule, str, type Rule, type Schema } from './dsl.js';
import { group, headerName, kind, namespace, objectName, port } from './common.js';

export interface Filter {
  type: string;
  [field: string]: unknown;
}
export interface PathModifier {
  type: string;
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}
interface BackendRef {
  group?: string;
  kind?: string;
  port?: number;
}

const mustHavePort = rule<BackendRef>({
  message: 'Must have port for Service reference',
  cel: "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true",
  holds: (b) => ((b.group ?? '') === '' && (b.kind ?? 'Service') === 'Service' ? b.port !== undefined : true),
  field: 'port',
  reason: 'FieldValueRequired',
});

export const backendObjectReference = (extra: Record<string, Schema> = {}) =>
  obj(
    {
      group: group({ default: '' }),
      kind: kind({ default: 'Service' }),
      name: objectName(),
      namespace: namespace(),
      port: port(),
      ...extra,
    },
    { required: ['name'], rules: [mustHavePort] },
  );

const headerModifier = () => {
  const entries = arr(
    obj(
      { name: headerName(), value: str({ minLength: 1, maxLength: GATEWAY_API.headerValueLength }) },
      { required: ['name', 'value'] },
    ),
    {
      maxItems: GATEWAY_API.headerModifierEntries,
      listType: 'map',
      listMapKeys: ['name'],
    },
  );
  return obj({
    set: entries,
    add: entries,
    remove: arr(str(), { maxItems: GATEWAY_API.headerModifierEntries, listType: 'set' }),
  });
};

const pathModifier = () =>
  obj(
    {
      type: str({ enum: ['ReplaceFullPath', 'ReplacePrefixMatch'] }),
      replaceFullPath: str({ maxLength: 1024 }),
      replacePrefixMatch: str({ maxLength: 1024 }),
    },
    {
      required: ['type'],
      rules: (['ReplaceFullPath', 'ReplacePrefixMatch'] as const).flatMap((t) => {
        const field = t === 'ReplaceFullPath' ? 'replaceFullPath' : 'replacePrefixMatch';
        return [
          rule<PathModifier>({
            message: `${field} must be specified when type is set to '${t}'`,
            cel: `self.type == '${t}' ? has(self.${field}) : true`,
            holds: (p) => p.type !== t || p[field] !== undefined,
            field,
            reason: 'FieldValueRequired',
          }),
          rule<PathModifier>({
            message: `type must be '${t}' when ${field} is set`,
            cel: `has(self.${field}) ? self.type == '${t}' : true`,
            holds: (p) => p[field] === undefined || p.type === t,
            field: 'type',
          }),
        ];
      }),
    },
  );

const FILTER_FIELDS = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
} as const;

interface Mirror {
  percent?: number;
  fraction?: unknown;
}

const filter = obj(
  {
    type: str({ enum: Object.keys(FILTER_FIELDS) }),
    requestHeaderModifier: headerModifier(),
    responseHeaderModifier: headerModifier(),
    requestMirror: obj(
      {
        backendRef: backendObjectReference(),
        percent: int({ minimum: 0, maximum: 100 }),
        fraction: obj(
          { numerator: int({ minimum: 0 }), denominator: int({ minimum: 1, default: 100 }) },
          {
            required: ['numerator'],
            rules: [
              rule<{ numerator: number; denominator?: number }>({
                message: 'numerator must be less than or equal to denominator',
                cel: 'self.numerator <= self.denominator',
                holds: (f) => f.numerator <= (f.denominator ?? 100),
                field: 'numerator',
              }),
            ],
          },
        ),
      },
      {
        required: ['backendRef'],
        rules: [
          rule<Mirror>({
            message: 'Only one of percent or fraction may be specified in HTTPRequestMirrorFilter',
            cel: '!(has(self.percent) && has(self.fraction))',
            holds: (m) => !(m.percent !== undefined && m.fraction !== undefined),
          }),
        ],
      },
    ),
    requestRedirect: obj({
      scheme: str({ enum: ['http', 'https'] }),
      hostname: str({ minLength: 1, maxLength: 253, pattern: PATTERNS.preciseHostname }),
      path: pathModifier(),
      port: port(),
      statusCode: int({ enum: [301, 302, 303, 307, 308], default: 302 }),
    }),
    urlRewrite: obj({
      hostname: str({ minLength: 1, maxLength: 253, pattern: PATTERNS.preciseHostname }),
      path: pathModifier(),
    }),
    extensionRef: obj(
      { group: group(), kind: kind(), name: objectName() },
      { required: ['group', 'kind', 'name'] },
    ),
    cors: opaque('HTTPCORSFilter'),
  },
  {
    required: ['type'],
    rules: Object.entries(FILTER_FIELDS).flatMap(([type, field]) => [
      rule<Filter>({
        message: `filter.${field} must be nil if the filter.type is not ${type}`,
        cel: `!(has(self.${field}) && self.type != '${type}')`,
        holds: (f) => !(f[field] !== undefined && f.type !== type),
        field,
        reason: 'FieldValueForbidden',
      }),
      rule<Filter>({
        message: `filter.${field} must be specified for ${type} filter.type`,
        cel: `!(!has(self.${field}) && self.type == '${type}')`,
        holds: (f) => !(f[field] === undefined && f.type === type),
        field,
        reason: 'FieldValueRequired',
      }),
    ]),
  },
);

const filterListRules: Rule<never>[] = [
  rule<Filter[]>({
    message:
      'May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
    cel: "!(self.exists(f, f.type == 'RequestRedirect') && self.exists(f, f.type == 'URLRewrite'))",
    holds: (fs) => !(fs.some((f) => f.type === 'RequestRedirect') && fs.some((f) => f.type === 'URLRewrite')),
  }),
  ...['CORS', 'RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite'].map((t) =>
    rule<Filter[]>({
      message: `${t} filter cannot be repeated`,
      cel: `self.filter(f, f.type == '${t}').size() <= 1`,
      holds: (fs) => fs.filter((f) => f.type === t).length <= 1,
      locate: (fs) => `[${fs.findIndex((f, i) => f.type === t && fs.findIndex((g) => g.type === t) !== i)}]`,
    }),
  ),
];
export const filters = () => arr(filter, { maxItems: GATEWAY_API.filters, rules: filterListRules });
