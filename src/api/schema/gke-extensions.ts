// GCPTrafficExtension and GCPRoutingExtension (networking.gke.io/v1): shape and rules of GKE's CRDs
// (docs/spec/gke-service-extensions.md §0, §1.4–§1.6). Messages are GKE's, verbatim, unless marked "extgate".
import { GKE, PATTERNS, durationMs } from './limits.js';
import { arr, bool, doc, map, obj, rule, str, type KindSchema, type ObjectSchema, type Rule } from './dsl.js';
import { headerName, localPolicyTargetReference, objectMeta, policyStatus } from './common.js';
import { backendRef, refKind, type BackendRef, type Variant } from './gke-backend-ref.js';
import { CEL_MATCHER_PATTERN, celMatcherPatternMessage, celMatcherSyntaxError } from '../cel-matcher.js';

interface Extension {
  backendRef?: BackendRef;
  googleAPIServiceName?: string;
  authority?: string;
  supportedEvents?: string[];
  timeout?: string;
  metadata?: Record<string, string>;
  requestBodySendMode?: string;
  responseBodySendMode?: string;
  observabilityMode?: boolean;
}
interface Chain {
  extensions: Extension[];
  matchCondition?: { celExpressions?: { celMatcher?: string }[] };
}

const METADATA_KEY = new RegExp(PATTERNS.metadataKey);
const EVENTS = [
  'RequestHeaders',
  'RequestBody',
  'ResponseHeaders',
  'ResponseBody',
  'RequestTrailers',
  'ResponseTrailers',
] as const;
const PLUGIN_EVENTS = ['RequestHeaders', 'RequestBody', 'ResponseHeaders', 'ResponseBody'];
const ROUTING_DUPLEX_EVENTS = ['RequestHeaders', 'RequestBody', 'RequestTrailers'];
const BODY_MODES = ['Streamed', 'FullDuplexStreamed'] as const;

// Admission does not apply CRD defaults, so predicates read defaulted fields the way the CRD defaults them.
const isKind = (e: Extension, ...kinds: string[]) =>
  e.backendRef !== undefined && kinds.includes(refKind(e.backendRef));
const has = (v: unknown) => v !== undefined;
const events = (e: Extension) => e.supportedEvents ?? [];

const bodyModeRule = (field: 'requestBodySendMode' | 'responseBodySendMode') =>
  rule<Extension>({
    message: `${field} can be configured only for extensions using backendRef with kind Service, ApigeeBackendService or ServiceImport`,
    cel: `has(self.${field}) ? has(self.backendRef) && (self.backendRef.kind == 'Service' || self.backendRef.kind == 'ApigeeBackendService' || self.backendRef.kind == 'ServiceImport') : true`,
    holds: (e) => (has(e[field]) ? isKind(e, 'Service', 'ApigeeBackendService', 'ServiceImport') : true),
    field,
  });

function streamedRules(dir: 'request' | 'response'): Rule<never>[] {
  const field = `${dir}BodySendMode` as const;
  const Dir = dir === 'request' ? 'Request' : 'Response';
  return [
    rule<Extension>({
      message: `If ${field} is set to \`Streamed\`, then the \`supportedEvents\` list must contain \`${Dir}Body\` event`,
      cel: `has(self.${field}) && self.${field} == 'Streamed' ? self.supportedEvents.exists(e, e == '${Dir}Body') : true`,
      holds: (e) => (e[field] === 'Streamed' ? events(e).includes(`${Dir}Body`) : true),
      field: 'supportedEvents',
    }),
    rule<Extension>({
      // The stray “ is in GKE's message.
      message: `If ${field} is set to \`FullDuplexStreamed\`, then the \`supportedEvents\` list must contain at least both: \`${Dir}Body\` and \`${Dir}Trailers“ events`,
      cel: `has(self.${field}) && self.${field} == 'FullDuplexStreamed' ? self.supportedEvents.exists(e, e == '${Dir}Body') && self.supportedEvents.exists(e, e == '${Dir}Trailers') : true`,
      holds: (e) =>
        e[field] === 'FullDuplexStreamed'
          ? events(e).includes(`${Dir}Body`) && events(e).includes(`${Dir}Trailers`)
          : true,
      field: 'supportedEvents',
    }),
  ];
}

// long because: one declaration per GKE validation rule, in the order of GKE's CRD; splitting would scatter
// the list a reader compares with GKE's.
function extensionRules(variant: Variant): Rule<never>[] {
  const rules: Rule<never>[] = [
    rule<Extension>({
      message: 'timeout must be between 10-10000 milliseconds',
      cel: "has(self.timeout) ? duration(self.timeout) >= duration('10ms') && duration(self.timeout) <= duration('10000ms') : true",
      holds: (e) => {
        if (!has(e.timeout)) return true;
        const ms = durationMs(e.timeout!);
        return ms === undefined || (ms >= GKE.timeoutMs.min && ms <= GKE.timeoutMs.max); // bad syntax is the pattern's error
      },
      field: 'timeout',
    }),
    rule<Extension>({
      message: 'Extensions with backendRef kind GCPWasmPlugin do not support timeout',
      cel: "has(self.backendRef) && self.backendRef.kind == 'GCPWasmPlugin' ? !has(self.timeout) : true",
      holds: (e) => (isKind(e, 'GCPWasmPlugin') ? !has(e.timeout) : true),
      field: 'timeout',
      reason: 'FieldValueForbidden',
    }),
    rule<Extension>({
      message: 'authority must be set if backendRef kind is set to Service or ServiceImport',
      cel: "has(self.backendRef) && (self.backendRef.kind == 'Service' || self.backendRef.kind == 'ServiceImport') ? has(self.authority) && size(self.authority) != 0 : true",
      holds: (e) =>
        isKind(e, 'Service', 'ServiceImport') ? has(e.authority) && e.authority!.length !== 0 : true,
      field: 'authority',
    }),
    rule<Extension>({
      message: 'authority must not be set if the backendRef kind is ApigeeBackendService',
      cel: "has(self.backendRef) && self.backendRef.kind == 'ApigeeBackendService' ? !has(self.authority) : true",
      holds: (e) => (isKind(e, 'ApigeeBackendService') ? !has(e.authority) : true),
      field: 'authority',
      reason: 'FieldValueForbidden',
    }),
    rule<Extension>({
      message: 'Extension with googleAPIServiceName do not support authority',
      cel: 'has(self.googleAPIServiceName) ? !has(self.authority) : true',
      holds: (e) => (has(e.googleAPIServiceName) ? !has(e.authority) : true),
      field: 'authority',
      reason: 'FieldValueForbidden',
    }),
    rule<Extension>({
      message: 'Extensions with backendRef kind GCPWasmPlugin do not support authority',
      cel: "has(self.backendRef) && self.backendRef.kind == 'GCPWasmPlugin' ? !has(self.authority) : true",
      holds: (e) => (isKind(e, 'GCPWasmPlugin') ? !has(e.authority) : true),
      field: 'authority',
      reason: 'FieldValueForbidden',
    }),
    rule<Extension>({
      message: 'Exactly one of backendRef or googleAPIServiceName should be set',
      cel: '!(has(self.backendRef) && has(self.googleAPIServiceName)) && (has(self.backendRef) || has(self.googleAPIServiceName))',
      holds: (e) => has(e.backendRef) !== has(e.googleAPIServiceName),
      reason: 'FieldValueInvalid',
    }),
    rule<Extension>({
      message:
        'Extensions with backendRef kind GCPWasmPlugin support only RequestHeaders, RequestBody, ResponseHeaders and ResponseBody events',
      cel: "has(self.backendRef) && self.backendRef.kind == 'GCPWasmPlugin' && has(self.supportedEvents) ? self.supportedEvents.all(e, e in ['RequestHeaders', 'RequestBody', 'ResponseHeaders', 'ResponseBody']) : true",
      holds: (e) => (isKind(e, 'GCPWasmPlugin') ? events(e).every((ev) => PLUGIN_EVENTS.includes(ev)) : true),
      locate: (e) => `.supportedEvents[${events(e).findIndex((ev) => !PLUGIN_EVENTS.includes(ev))}]`,
      field: 'supportedEvents',
    }),
    rule<Extension>({
      message: 'Extension with backendRef kind GCPWasmPlugin do not support metadata',
      cel: "has(self.backendRef) && self.backendRef.kind == 'GCPWasmPlugin' ? !has(self.metadata) : true",
      holds: (e) => (isKind(e, 'GCPWasmPlugin') ? !has(e.metadata) : true),
      field: 'metadata',
      reason: 'FieldValueForbidden',
    }),
    bodyModeRule('requestBodySendMode'),
    ...streamedRules('request'),
  ];
  if (variant === 'GCPTrafficExtension') {
    rules.push(bodyModeRule('responseBodySendMode'), ...streamedRules('response'));
  } else {
    rules.push(
      // extgate: GKE's routing CRD documents these limits in field descriptions only (LB API: route extensions
      // take RequestHeaders, plus RequestBody/RequestTrailers in FULL_DUPLEX_STREAMED mode; no response side).
      rule<Extension>({
        message: 'responseBodySendMode is supported only by GCPTrafficExtension',
        cel: '!has(self.responseBodySendMode)',
        holds: (e) => !has(e.responseBodySendMode),
        field: 'responseBodySendMode',
        reason: 'FieldValueForbidden',
      }),
      rule<Extension>({
        message:
          'GCPRoutingExtension supports only the RequestHeaders event, and RequestBody and RequestTrailers when requestBodySendMode is `FullDuplexStreamed`',
        cel: "has(self.supportedEvents) ? self.supportedEvents.all(e, e == 'RequestHeaders' || (has(self.requestBodySendMode) && self.requestBodySendMode == 'FullDuplexStreamed' && (e == 'RequestBody' || e == 'RequestTrailers'))) : true",
        holds: (e) =>
          events(e).every(
            (ev) =>
              ev === 'RequestHeaders' ||
              (e.requestBodySendMode === 'FullDuplexStreamed' && ROUTING_DUPLEX_EVENTS.includes(ev)),
          ),
        field: 'supportedEvents',
        locate: (e) =>
          `.supportedEvents[${events(e).findIndex((ev) => !(ev === 'RequestHeaders' || (e.requestBodySendMode === 'FullDuplexStreamed' && ROUTING_DUPLEX_EVENTS.includes(ev))))}]`,
      }),
    );
  }
  rules.push(
    rule<Extension>({
      message:
        'If observabilityMode is set to `TRUE`, then the `responseBodySendMode` and `requestBodySendMode` must be not set or set to `Streamed`',
      cel: "has(self.observabilityMode) && self.observabilityMode ? (!has(self.responseBodySendMode) || self.responseBodySendMode == 'Streamed') && (!has(self.requestBodySendMode) || self.requestBodySendMode == 'Streamed') : true",
      holds: (e) =>
        e.observabilityMode === true
          ? (e.responseBodySendMode ?? 'Streamed') === 'Streamed' &&
            (e.requestBodySendMode ?? 'Streamed') === 'Streamed'
          : true,
      field: 'observabilityMode',
    }),
  );
  return rules;
}

// long because: one declaration per field of an extension, in the order of GKE's CRD.
function extension(variant: Variant): ObjectSchema {
  const properties: ObjectSchema['properties'] = {
    name: doc(
      'Name of the extension, logged with requests. RFC-1034 label, at most 63 characters.',
      str({ minLength: 1, maxLength: GKE.nameLength, pattern: PATTERNS.rfc1034Label }),
    ),
    authority: doc(
      ':authority (and TLS SNI) of the gRPC calls to a callout Service; required for Service and ServiceImport backends.',
      str({ maxLength: GKE.authorityLength, pattern: PATTERNS.authority }),
    ),
    backendRef: doc(
      'What runs the extension: a callout Service (ext_proc over gRPC), a ServiceImport, a GCPWasmPlugin or an ApigeeBackendService. Exactly one of backendRef or googleAPIServiceName.',
      backendRef(variant),
    ),
    googleAPIServiceName: str({
      maxLength: GKE.googleAPIServiceNameLength,
      pattern: PATTERNS.googleAPIServiceName,
    }),
    failOpen: doc(
      'When the extension fails or times out: true continues without it; false (default) answers 500, or resets the stream once response headers were sent.',
      bool(),
    ),
    forwardHeaders: doc(
      'Headers sent to the extension; all headers when omitted.',
      arr(headerName(), { maxItems: GKE.forwardHeaders.max }),
    ),
    metadata: map(
      str({ minLength: 1, maxLength: GKE.metadata.valueLength, pattern: PATTERNS.metadataValue }),
      {
        maxProperties: GKE.metadata.maxEntries,
        rules: [
          rule<Record<string, string>>({
            message: `Metadata keys must only contain valid characters (matching ${PATTERNS.metadataKey}) and must be up to 63 characters long.`,
            cel: `self.all(key, key.matches(r"""${PATTERNS.metadataKey}"""))`,
            holds: (m) => Object.keys(m).every((k) => METADATA_KEY.test(k)),
            locate: (m) => `[${Object.keys(m).find((k) => !METADATA_KEY.test(k))}]`,
            shown: (m) => Object.keys(m).find((k) => !METADATA_KEY.test(k)),
            reason: 'FieldValueInvalid',
          }),
        ],
      },
    ),
    observabilityMode: doc(
      'Call the extension asynchronously and ignore its answers (log-only); bodies only in Streamed mode.',
      bool(),
    ),
    requestBodySendMode: doc(
      'Streamed: one body chunk at a time, each answered before the next. FullDuplexStreamed: chunks are pipelined; needs RequestBody and RequestTrailers events.',
      str({ enum: BODY_MODES }),
    ),
    responseBodySendMode: doc(
      'As requestBodySendMode, for the response body (GCPTrafficExtension only).',
      str({ enum: BODY_MODES }),
    ),
    supportedEvents: doc(
      'Parts of the request and response the extension is called for. extgate: [RequestHeaders, ResponseHeaders] when omitted on a GCPTrafficExtension; RequestHeaders on a GCPRoutingExtension.',
      arr(str({ enum: EVENTS }), { maxItems: GKE.supportedEvents.max }),
    ),
    timeout: doc(
      'Timeout of each message on the stream, 10ms to 10s; 1s when omitted. Not for GCPWasmPlugin backends.',
      str({ pattern: PATTERNS.duration }),
    ),
  };
  return obj(properties, { required: ['name'], rules: extensionRules(variant) });
}

const celExpression = (variant: Variant): ObjectSchema =>
  obj({
    celMatcher: doc(
      "CEL over request attributes, in GKE's subset (write 1 == 1 to match everything); at most 512 characters.",
      str({
        maxLength: GKE.celMatcherLength,
        pattern: CEL_MATCHER_PATTERN,
        patternMessage: celMatcherPatternMessage,
        check: celMatcherSyntaxError,
      }),
    ),
    backendRefs: arr(backendRef(variant), {
      maxItems: GKE.celBackendRefs.max,
      rules: [
        rule<BackendRef[]>({
          message: 'Only backendRefs of kind Service or ServiceImport are supported in CEL expression',
          cel: "self.all(ref, ref.kind == 'Service' || ref.kind == 'ServiceImport')",
          holds: (refs) => refs.every((r) => ['Service', 'ServiceImport'].includes(refKind(r))),
          locate: (refs) =>
            `[${refs.findIndex((r) => !['Service', 'ServiceImport'].includes(refKind(r)))}].kind`,
        }),
      ],
    }),
  });

/**
 * GKE sends the chain's expressions to the load balancer as one MatchCondition, also capped at 512 characters
 * (§0). How GKE joins them is not published [U]; extgate counts `(e1) || (e2) || ...`. Admission-only: CEL in
 * the CRD has no sum over a list.
 */
const combinedConditionLength = rule<{ celExpressions?: { celMatcher?: string }[] }>({
  message: `the combined match condition, (celMatcher) || (celMatcher) ..., must be at most ${GKE.celMatcherLength} characters`,
  holds: (m) => {
    const parts = (m.celExpressions ?? [])
      .map((e) => e.celMatcher)
      .filter((x): x is string => x !== undefined);
    return parts.length < 2 || parts.map((p) => `(${p})`).join(' || ').length <= GKE.celMatcherLength;
  },
  field: 'celExpressions',
});

function chain(variant: Variant): ObjectSchema {
  return obj(
    {
      name: doc(
        'Name of the chain, logged with requests. RFC-1034 label.',
        str({ minLength: 1, maxLength: GKE.nameLength, pattern: PATTERNS.rfc1034Label }),
      ),
      matchCondition: doc(
        'When the chain runs: its CEL expressions ORed; each celMatcher ANDed with its backendRefs. Chains are tried in order and only the first match runs.',
        obj(
          { celExpressions: arr(celExpression(variant), { maxItems: GKE.celExpressions.max }) },
          { rules: [combinedConditionLength] },
        ),
      ),
      extensions: doc(
        'Extensions called in order on the request path (reversed on the response path).',
        arr(extension(variant), {
          minItems: GKE.extensionsPerChain.min,
          maxItems: GKE.extensionsPerChain.max,
        }),
      ),
    },
    { required: ['extensions', 'name'] },
  );
}

/** extgate reads an omitted list as [RequestHeaders, ResponseHeaders] (as the seed does, docs/spec/README.md); only an explicit empty list is rejected. */
const supportedEventsSet = rule<Chain[]>({
  message: 'supportedEvents must be set for GCPTrafficExtension',
  cel: 'self.all(ec, ec.extensions.all(e, !has(e.supportedEvents) || size(e.supportedEvents) > 0))',
  holds: (chains) =>
    chains.every((c) => c.extensions.every((e) => !has(e.supportedEvents) || e.supportedEvents!.length > 0)),
  locate: (chains) => {
    for (const [i, c] of chains.entries()) {
      const j = c.extensions.findIndex((e) => has(e.supportedEvents) && e.supportedEvents!.length === 0);
      if (j >= 0) return `[${i}].extensions[${j}].supportedEvents`;
    }
    return undefined;
  },
  reason: 'FieldValueRequired',
});

function extensionKind(variant: Variant): KindSchema {
  const chains = arr(chain(variant), {
    minItems: GKE.extensionChains.min,
    maxItems: GKE.extensionChains.max,
    ...(variant === 'GCPTrafficExtension' ? { rules: [supportedEventsSet] } : {}),
  });
  return {
    group: 'networking.gke.io',
    version: 'v1',
    kind: variant,
    plural: variant.toLowerCase() + 's',
    singular: variant.toLowerCase(),
    scope: 'Namespaced',
    status: true,
    complete: true,
    crdLabels: { 'gateway.networking.k8s.io/policy': 'Direct' },
    root: obj(
      {
        apiVersion: str(),
        kind: str(),
        metadata: objectMeta(),
        spec: obj(
          {
            targetRefs: doc(
              'The Gateways the extension applies to (same namespace).',
              arr(localPolicyTargetReference({ group: ['gateway.networking.k8s.io'], kind: ['Gateway'] }), {
                minItems: GKE.targetRefs.min,
                maxItems: GKE.targetRefs.max,
              }),
            ),
            extensionChains: doc(
              'Ordered chains of extensions with the condition that selects each; at most 5.',
              chains,
            ),
          },
          { required: ['extensionChains', 'targetRefs'] },
        ),
        status: policyStatus(),
      },
      { required: ['spec'] },
    ),
  };
}

export const gcpTrafficExtension = extensionKind('GCPTrafficExtension');
export const gcpRoutingExtension = extensionKind('GCPRoutingExtension');
