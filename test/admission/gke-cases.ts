// One bad manifest per GKE admission rule (docs/spec/gke-service-extensions.md §0, §1.4, §1.5), with the field path and
// message admission must answer with.
import {
  ext0,
  pluginTrafficExtension,
  routingExtension,
  trafficExtension,
  variant,
  wasmPlugin,
  type BadCase,
} from './fixtures.js';

const E = 'spec.extensionChains[0].extensions[0]';
const C = 'spec.extensionChains[0]';
const CEL = `${C}.matchCondition.celExpressions[0]`;
const tooMany = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

const GKE_ALLOWED_TAIL =
  "GKE's celMatcher allows only the attributes request.headers, request.method, request.host, request.path, request.query, request.scheme, request.backend_service_num_endpoints, response.code, response.grpc_status, response.headers, source.address, source.port, connection.requested_server_name, connection.tls_version, connection.sha256_peer_certificate_digest; the functions endsWith, startsWith, matches, contains, lowerAscii, upperAscii, int; the operators == != && || ! >= <= > < + . /; quoted strings without spaces; digits; ( ) [ ] and spaces (so no true, has(), in or size(): write 1 == 1 to match everything)";

export const trafficCases: BadCase[] = [
  // ---- shape and limits (§0 / §1.6)
  {
    name: 'spec missing',
    object: variant(trafficExtension, (o) => delete o.spec, true),
    field: 'spec',
    message: 'Required value',
  },
  {
    name: 'targetRefs missing',
    object: variant(trafficExtension, (s) => delete s.targetRefs),
    field: 'spec.targetRefs',
    message: 'Required value',
  },
  {
    name: 'targetRefs empty',
    object: variant(trafficExtension, (s) => (s.targetRefs = [])),
    field: 'spec.targetRefs',
    message: 'Invalid value: 0: spec.targetRefs in body should have at least 1 items',
  },
  {
    name: '11 targetRefs',
    object: variant(
      trafficExtension,
      (s) =>
        (s.targetRefs = tooMany(11, (i) => ({
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: `g${i}`,
        }))),
    ),
    field: 'spec.targetRefs',
    message: 'Too many: 11: must have at most 10 items',
    reason: 'FieldValueTooMany',
  },
  {
    name: 'targetRef kind not Gateway',
    object: variant(trafficExtension, (s) => (s.targetRefs[0].kind = 'HTTPRoute')),
    field: 'spec.targetRefs[0].kind',
    message: 'Unsupported value: "HTTPRoute": supported values: "Gateway"',
    reason: 'FieldValueNotSupported',
  },
  {
    name: 'targetRef group missing',
    object: variant(trafficExtension, (s) => delete s.targetRefs[0].group),
    field: 'spec.targetRefs[0].group',
    message: 'Required value',
  },
  {
    name: 'no extensionChains',
    object: variant(trafficExtension, (s) => (s.extensionChains = [])),
    field: 'spec.extensionChains',
    message: 'Invalid value: 0: spec.extensionChains in body should have at least 1 items',
  },
  {
    name: '6 extensionChains',
    object: variant(
      trafficExtension,
      (s) =>
        (s.extensionChains = tooMany(6, (i) => ({
          ...structuredClone(s.extensionChains[0]),
          name: `chain${i}`,
        }))),
    ),
    field: 'spec.extensionChains',
    message: 'Too many: 6: must have at most 5 items',
  },
  {
    name: 'chain name missing',
    object: variant(trafficExtension, (s) => delete s.extensionChains[0].name),
    field: `${C}.name`,
    message: 'Required value',
  },
  {
    name: 'chain name not RFC-1034',
    object: variant(trafficExtension, (s) => (s.extensionChains[0].name = 'Chain_1')),
    field: `${C}.name`,
    message: `Invalid value: "Chain_1": ${C}.name in body should match '^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'`,
  },
  {
    name: 'chain name starts with a digit',
    object: variant(trafficExtension, (s) => (s.extensionChains[0].name = '1chain')),
    field: `${C}.name`,
    message: `Invalid value: "1chain": ${C}.name in body should match '^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'`,
  },
  {
    name: 'chain name 64 chars',
    object: variant(trafficExtension, (s) => (s.extensionChains[0].name = 'a'.repeat(64))),
    field: `${C}.name`,
    message: 'Too long: may not be more than 63 bytes',
    reason: 'FieldValueTooLong',
  },
  {
    name: 'no extensions',
    object: variant(trafficExtension, (s) => (s.extensionChains[0].extensions = [])),
    field: `${C}.extensions`,
    message: `Invalid value: 0: ${C}.extensions in body should have at least 1 items`,
  },
  {
    name: '4 extensions in a traffic chain',
    object: variant(
      trafficExtension,
      (s) =>
        (s.extensionChains[0].extensions = tooMany(4, (i) => ({
          ...structuredClone(ext0(s)),
          name: `ext${i}`,
        }))),
    ),
    field: `${C}.extensions`,
    message: 'Too many: 4: must have at most 3 items',
  },
  {
    name: 'extension name missing',
    object: variant(trafficExtension, (s) => delete ext0(s).name),
    field: `${E}.name`,
    message: 'Required value',
  },
  {
    name: 'extension name ends with a hyphen',
    object: variant(trafficExtension, (s) => (ext0(s).name = 'ext-')),
    field: `${E}.name`,
    message: `Invalid value: "ext-": ${E}.name in body should match '^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'`,
  },
  {
    name: 'failOpen not a boolean',
    object: variant(trafficExtension, (s) => (ext0(s).failOpen = 'yes')),
    field: `${E}.failOpen`,
    message: `Invalid value: "string": ${E}.failOpen in body must be of type boolean: "string"`,
    reason: 'FieldValueTypeInvalid',
  },
  // ---- timeout
  {
    name: 'timeout below 10ms',
    object: variant(trafficExtension, (s) => (ext0(s).timeout = '5ms')),
    field: `${E}.timeout`,
    message: 'Invalid value: "5ms": timeout must be between 10-10000 milliseconds',
  },
  {
    name: 'timeout above 10s',
    object: variant(trafficExtension, (s) => (ext0(s).timeout = '11s')),
    field: `${E}.timeout`,
    message: 'Invalid value: "11s": timeout must be between 10-10000 milliseconds',
  },
  {
    name: 'timeout 1m',
    object: variant(trafficExtension, (s) => (ext0(s).timeout = '1m')),
    field: `${E}.timeout`,
    message: 'Invalid value: "1m": timeout must be between 10-10000 milliseconds',
  },
  {
    name: 'timeout not a duration',
    object: variant(trafficExtension, (s) => (ext0(s).timeout = '1.5s')),
    field: `${E}.timeout`,
    message: `Invalid value: "1.5s": ${E}.timeout in body should match '^([0-9]{1,5}(h|m|s|ms)){1,4}$'`,
  },
  // ---- authority
  {
    name: 'authority missing for a Service',
    object: variant(trafficExtension, (s) => delete ext0(s).authority),
    field: `${E}.authority`,
    message: 'Required value: authority must be set if backendRef kind is set to Service or ServiceImport',
    reason: 'FieldValueRequired',
  },
  {
    name: 'authority empty for a Service',
    object: variant(trafficExtension, (s) => (ext0(s).authority = '')),
    field: `${E}.authority`,
    message: 'Invalid value: "": authority must be set if backendRef kind is set to Service or ServiceImport',
  },
  {
    name: 'authority missing for a ServiceImport',
    object: variant(trafficExtension, (s) => {
      delete ext0(s).authority;
      ext0(s).backendRef = { group: 'net.gke.io', kind: 'ServiceImport', name: 'callout', port: 443 };
    }),
    field: `${E}.authority`,
    message: 'Required value: authority must be set if backendRef kind is set to Service or ServiceImport',
  },
  {
    name: 'authority with bad characters',
    object: variant(trafficExtension, (s) => (ext0(s).authority = 'my ext.com')),
    field: `${E}.authority`,
    message: `Invalid value: "my ext.com": ${E}.authority in body should match '^[A-Za-z0-9-_:%\\.\\[\\]]*$'`,
  },
  {
    name: 'authority over 1000 chars',
    object: variant(trafficExtension, (s) => (ext0(s).authority = 'a'.repeat(1001))),
    field: `${E}.authority`,
    message: 'Too long: may not be more than 1000 bytes',
  },
  {
    name: 'authority with ApigeeBackendService',
    object: variant(
      trafficExtension,
      (s) =>
        (ext0(s).backendRef = { group: 'apim.googleapis.com', kind: 'ApigeeBackendService', name: 'apigee' }),
    ),
    field: `${E}.authority`,
    message: 'Forbidden: authority must not be set if the backendRef kind is ApigeeBackendService',
    reason: 'FieldValueForbidden',
  },
  {
    name: 'authority with googleAPIServiceName',
    object: variant(trafficExtension, (s) => {
      delete ext0(s).backendRef;
      ext0(s).googleAPIServiceName = 'modelarmor.us-central1.rep.googleapis.com';
    }),
    field: `${E}.authority`,
    message: 'Forbidden: Extension with googleAPIServiceName do not support authority',
  },
  // ---- backendRef / googleAPIServiceName
  {
    name: 'neither backendRef nor googleAPIServiceName',
    object: variant(trafficExtension, (s) => {
      delete ext0(s).backendRef;
      delete ext0(s).authority;
    }),
    field: E,
    message: 'Invalid value: "object": Exactly one of backendRef or googleAPIServiceName should be set',
  },
  {
    name: 'both backendRef and googleAPIServiceName',
    object: variant(
      trafficExtension,
      (s) => (ext0(s).googleAPIServiceName = 'modelarmor.us-central1.rep.googleapis.com'),
    ),
    field: E,
    message: 'Invalid value: "object": Exactly one of backendRef or googleAPIServiceName should be set',
  },
  {
    name: 'googleAPIServiceName not a googleapis.com name',
    object: variant(trafficExtension, (s) => {
      delete ext0(s).backendRef;
      delete ext0(s).authority;
      ext0(s).googleAPIServiceName = 'modelarmor.example.com';
    }),
    field: `${E}.googleAPIServiceName`,
    message: `Invalid value: "modelarmor.example.com": ${E}.googleAPIServiceName in body should match '^[a-z0-9.-]+\\.(googleapis|sandbox\\.googleapis)\\.com$'`,
  },
  {
    name: 'googleAPIServiceName over 100 chars',
    object: variant(trafficExtension, (s) => {
      delete ext0(s).backendRef;
      delete ext0(s).authority;
      ext0(s).googleAPIServiceName = `${'m'.repeat(90)}.rep.googleapis.com`;
    }),
    field: `${E}.googleAPIServiceName`,
    message: 'Too long: may not be more than 100 bytes',
  },
  {
    name: '17 status ancestors',
    object: variant(
      trafficExtension,
      (o) =>
        (o.status = {
          ancestors: tooMany(17, (i) => ({
            ancestorRef: { name: `g${i}` },
            controllerName: 'networking.gke.io/gateway',
            conditions: [
              {
                type: 'Accepted',
                status: 'True',
                reason: 'Accepted',
                message: '',
                lastTransitionTime: '2026-01-01T00:00:00Z',
              },
            ],
          })),
        }),
      true,
    ),
    field: 'status.ancestors',
    message: 'Too many: 17: must have at most 16 items',
  },
  {
    name: 'backendRef kind unknown',
    object: variant(trafficExtension, (s) => (ext0(s).backendRef.kind = 'Pod')),
    field: `${E}.backendRef.kind`,
    message:
      'Unsupported value: "Pod": supported values: "Service", "ServiceImport", "GCPWasmPlugin", "ApigeeBackendService"',
  },
  {
    name: 'Service with a group',
    object: variant(trafficExtension, (s) => (ext0(s).backendRef.group = 'net.gke.io')),
    field: `${E}.backendRef.group`,
    message: 'Invalid value: "net.gke.io": Group must be empty if kind is Service',
  },
  {
    name: 'ServiceImport without net.gke.io',
    object: variant(trafficExtension, (s) => (ext0(s).backendRef.kind = 'ServiceImport')),
    field: `${E}.backendRef.group`,
    message: 'Invalid value: "": Group must be set to `net.gke.io` if kind is ServiceImport',
  },
  {
    name: 'GCPWasmPlugin with the core group',
    object: variant(pluginTrafficExtension, (s) => (ext0(s).backendRef.group = '')),
    field: `${E}.backendRef.group`,
    message: 'Invalid value: "": Group must be set to `networking.gke.io` if kind is GCPWasmPlugin',
  },
  {
    name: 'ApigeeBackendService without apim group',
    object: variant(trafficExtension, (s) => {
      delete ext0(s).authority;
      ext0(s).backendRef = { group: '', kind: 'ApigeeBackendService', name: 'a' };
    }),
    field: `${E}.backendRef.group`,
    message: 'Invalid value: "": Group must be set to `apim.googleapis.com` if kind is ApigeeBackendService',
  },
  {
    name: 'Service without port',
    object: variant(trafficExtension, (s) => delete ext0(s).backendRef.port),
    field: `${E}.backendRef.port`,
    message: 'Required value: Port has to be set if kind is Service',
  },
  {
    name: 'ServiceImport without port',
    object: variant(
      trafficExtension,
      (s) => (ext0(s).backendRef = { group: 'net.gke.io', kind: 'ServiceImport', name: 'x' }),
    ),
    field: `${E}.backendRef.port`,
    message: 'Required value: Port has to be set if kind is ServiceImport',
  },
  {
    name: 'GCPWasmPlugin with port',
    object: variant(pluginTrafficExtension, (s) => (ext0(s).backendRef.port = 443)),
    field: `${E}.backendRef.port`,
    message: 'Forbidden: Port has to be empty if kind is GCPWasmPlugin',
  },
  {
    name: 'port out of range',
    object: variant(trafficExtension, (s) => (ext0(s).backendRef.port = 70000)),
    field: `${E}.backendRef.port`,
    message: `Invalid value: 70000: ${E}.backendRef.port in body should be less than or equal to 65535`,
  },
  {
    name: 'backendRef name missing',
    object: variant(trafficExtension, (s) => delete ext0(s).backendRef.name),
    field: `${E}.backendRef.name`,
    message: 'Required value',
  },
  // ---- Wasm plugin extension restrictions
  {
    name: 'plugin with timeout',
    object: variant(pluginTrafficExtension, (s) => (ext0(s).timeout = '1s')),
    field: `${E}.timeout`,
    message: 'Forbidden: Extensions with backendRef kind GCPWasmPlugin do not support timeout',
  },
  {
    name: 'plugin with authority',
    object: variant(pluginTrafficExtension, (s) => (ext0(s).authority = 'myext.com')),
    field: `${E}.authority`,
    message: 'Forbidden: Extensions with backendRef kind GCPWasmPlugin do not support authority',
  },
  {
    name: 'plugin with metadata',
    object: variant(pluginTrafficExtension, (s) => (ext0(s).metadata = { a: 'b' })),
    field: `${E}.metadata`,
    message: 'Forbidden: Extension with backendRef kind GCPWasmPlugin do not support metadata',
  },
  {
    name: 'plugin with trailers',
    object: variant(
      pluginTrafficExtension,
      (s) => (ext0(s).supportedEvents = ['RequestHeaders', 'RequestTrailers']),
    ),
    field: `${E}.supportedEvents[1]`,
    message:
      'Invalid value: "RequestTrailers": Extensions with backendRef kind GCPWasmPlugin support only RequestHeaders, RequestBody, ResponseHeaders and ResponseBody events',
  },
  {
    name: 'plugin with requestBodySendMode',
    object: variant(pluginTrafficExtension, (s) => {
      ext0(s).requestBodySendMode = 'Streamed';
      ext0(s).supportedEvents.push('RequestBody');
    }),
    field: `${E}.requestBodySendMode`,
    message:
      'Invalid value: "Streamed": requestBodySendMode can be configured only for extensions using backendRef with kind Service, ApigeeBackendService or ServiceImport',
  },
  {
    name: 'plugin with responseBodySendMode',
    object: variant(pluginTrafficExtension, (s) => {
      ext0(s).responseBodySendMode = 'Streamed';
      ext0(s).supportedEvents.push('ResponseBody');
    }),
    field: `${E}.responseBodySendMode`,
    message:
      'Invalid value: "Streamed": responseBodySendMode can be configured only for extensions using backendRef with kind Service, ApigeeBackendService or ServiceImport',
  },
  {
    name: 'googleAPIServiceName with requestBodySendMode',
    object: variant(trafficExtension, (s) => {
      delete ext0(s).backendRef;
      delete ext0(s).authority;
      Object.assign(ext0(s), {
        googleAPIServiceName: 'modelarmor.us-central1.rep.googleapis.com',
        requestBodySendMode: 'Streamed',
        supportedEvents: ['RequestHeaders', 'RequestBody'],
      });
    }),
    field: `${E}.requestBodySendMode`,
    message:
      'Invalid value: "Streamed": requestBodySendMode can be configured only for extensions using backendRef with kind Service, ApigeeBackendService or ServiceImport',
  },
  // ---- events and body send modes
  {
    name: 'unknown event',
    object: variant(trafficExtension, (s) => (ext0(s).supportedEvents = ['RequestHeaders', 'REQUEST_BODY'])),
    field: `${E}.supportedEvents[1]`,
    message:
      'Unsupported value: "REQUEST_BODY": supported values: "RequestHeaders", "RequestBody", "ResponseHeaders", "ResponseBody", "RequestTrailers", "ResponseTrailers"',
  },
  {
    name: 'seven events',
    object: variant(
      trafficExtension,
      (s) =>
        (ext0(s).supportedEvents = [
          'RequestHeaders',
          'RequestBody',
          'ResponseHeaders',
          'ResponseBody',
          'RequestTrailers',
          'ResponseTrailers',
          'RequestHeaders',
        ]),
    ),
    field: `${E}.supportedEvents`,
    message: 'Too many: 7: must have at most 6 items',
  },
  {
    name: 'explicitly empty supportedEvents',
    object: variant(trafficExtension, (s) => (ext0(s).supportedEvents = [])),
    field: `${E}.supportedEvents`,
    message: 'Required value: supportedEvents must be set for GCPTrafficExtension',
    reason: 'FieldValueRequired',
  },
  {
    name: 'unknown body send mode',
    object: variant(trafficExtension, (s) => (ext0(s).requestBodySendMode = 'Buffered')),
    field: `${E}.requestBodySendMode`,
    message: 'Unsupported value: "Buffered": supported values: "Streamed", "FullDuplexStreamed"',
  },
  {
    name: 'Streamed request body without RequestBody',
    object: variant(trafficExtension, (s) =>
      Object.assign(ext0(s), { requestBodySendMode: 'Streamed', supportedEvents: ['RequestHeaders'] }),
    ),
    field: `${E}.supportedEvents`,
    message:
      'Invalid value: "array": If requestBodySendMode is set to `Streamed`, then the `supportedEvents` list must contain `RequestBody` event',
  },
  {
    name: 'Streamed response body without ResponseBody',
    object: variant(trafficExtension, (s) =>
      Object.assign(ext0(s), { responseBodySendMode: 'Streamed', supportedEvents: ['ResponseHeaders'] }),
    ),
    field: `${E}.supportedEvents`,
    message:
      'Invalid value: "array": If responseBodySendMode is set to `Streamed`, then the `supportedEvents` list must contain `ResponseBody` event',
  },
  {
    name: 'FullDuplexStreamed request without RequestTrailers',
    object: variant(trafficExtension, (s) =>
      Object.assign(ext0(s), {
        requestBodySendMode: 'FullDuplexStreamed',
        supportedEvents: ['RequestHeaders', 'RequestBody'],
      }),
    ),
    field: `${E}.supportedEvents`,
    message:
      'Invalid value: "array": If requestBodySendMode is set to `FullDuplexStreamed`, then the `supportedEvents` list must contain at least both: `RequestBody` and `RequestTrailers“ events',
  },
  {
    name: 'FullDuplexStreamed response without ResponseBody',
    object: variant(trafficExtension, (s) =>
      Object.assign(ext0(s), {
        responseBodySendMode: 'FullDuplexStreamed',
        supportedEvents: ['ResponseTrailers'],
      }),
    ),
    field: `${E}.supportedEvents`,
    message:
      'Invalid value: "array": If responseBodySendMode is set to `FullDuplexStreamed`, then the `supportedEvents` list must contain at least both: `ResponseBody` and `ResponseTrailers“ events',
  },
  {
    name: 'observabilityMode with FullDuplexStreamed',
    object: variant(trafficExtension, (s) =>
      Object.assign(ext0(s), {
        observabilityMode: true,
        requestBodySendMode: 'FullDuplexStreamed',
        supportedEvents: ['RequestHeaders', 'RequestBody', 'RequestTrailers'],
      }),
    ),
    field: `${E}.observabilityMode`,
    message:
      'Invalid value: true: If observabilityMode is set to `TRUE`, then the `responseBodySendMode` and `requestBodySendMode` must be not set or set to `Streamed`',
  },
  // ---- forwardHeaders
  {
    name: '51 forwardHeaders',
    object: variant(trafficExtension, (s) => (ext0(s).forwardHeaders = tooMany(51, (i) => `x-h${i}`))),
    field: `${E}.forwardHeaders`,
    message: 'Too many: 51: must have at most 50 items',
  },
  {
    name: 'forwardHeaders name with a space',
    object: variant(trafficExtension, (s) => (ext0(s).forwardHeaders = ['x tenant'])),
    field: `${E}.forwardHeaders[0]`,
    message: `Invalid value: "x tenant": ${E}.forwardHeaders[0] in body should match '^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$'`,
  },
  {
    name: 'forwardHeaders name over 256 chars',
    object: variant(trafficExtension, (s) => (ext0(s).forwardHeaders = ['x'.repeat(257)])),
    field: `${E}.forwardHeaders[0]`,
    message: 'Too long: may not be more than 256 bytes',
  },
  {
    name: 'forwardHeaders empty name',
    object: variant(trafficExtension, (s) => (ext0(s).forwardHeaders = [''])),
    field: `${E}.forwardHeaders[0]`,
    message: `Invalid value: "": ${E}.forwardHeaders[0] in body should be at least 1 chars long`,
  },
  // ---- metadata
  {
    name: '17 metadata entries',
    object: variant(
      trafficExtension,
      (s) => (ext0(s).metadata = Object.fromEntries(tooMany(17, (i) => [`k${i}`, 'v']))),
    ),
    field: `${E}.metadata`,
    message: 'Too many: 17: must have at most 16 items',
  },
  {
    name: 'metadata key with a bad character',
    object: variant(trafficExtension, (s) => (ext0(s).metadata = { 'tenant@id': 'a' })),
    field: `${E}.metadata[tenant@id]`,
    message: `Invalid value: "tenant@id": Metadata keys must only contain valid characters (matching ^([A-Za-z0-9\\/\\-._~%!$&'()*+,;=:\\s\\[\\]\\{\\}]{1,63})$) and must be up to 63 characters long.`,
  },
  {
    name: 'metadata key of 64 chars',
    object: variant(trafficExtension, (s) => (ext0(s).metadata = { ['k'.repeat(64)]: 'a' })),
    field: `${E}.metadata[${'k'.repeat(64)}]`,
    message: `Invalid value: "${'k'.repeat(64)}": Metadata keys must only contain valid characters (matching ^([A-Za-z0-9\\/\\-._~%!$&'()*+,;=:\\s\\[\\]\\{\\}]{1,63})$) and must be up to 63 characters long.`,
  },
  {
    name: 'metadata value over 1023 chars',
    object: variant(trafficExtension, (s) => (ext0(s).metadata = { k: 'v'.repeat(1024) })),
    field: `${E}.metadata[k]`,
    message: 'Too long: may not be more than 1023 bytes',
  },
  {
    name: 'metadata value empty',
    object: variant(trafficExtension, (s) => (ext0(s).metadata = { k: '' })),
    field: `${E}.metadata[k]`,
    message: `Invalid value: "": ${E}.metadata[k] in body should be at least 1 chars long`,
  },
  {
    name: 'metadata value with a bad character',
    object: variant(trafficExtension, (s) => (ext0(s).metadata = { k: 'a<b' })),
    field: `${E}.metadata[k]`,
    message: `Invalid value: "a<b": ${E}.metadata[k] in body should match '^([A-Za-z0-9\\/\\-._~%!$&'()*+,;=:"\\s\\[\\]\\{\\}])*$'`,
  },
  {
    name: 'metadata value not a string',
    object: variant(trafficExtension, (s) => (ext0(s).metadata = { k: 5 })),
    field: `${E}.metadata[k]`,
    message: `Invalid value: "integer": ${E}.metadata[k] in body must be of type string: "integer"`,
  },
  // ---- CEL matcher
  {
    name: 'celMatcher over 512 chars',
    object: variant(
      trafficExtension,
      (s) =>
        (s.extensionChains[0].matchCondition.celExpressions[0].celMatcher = `request.path == '${'a'.repeat(500)}'`),
    ),
    field: `${CEL}.celMatcher`,
    message: 'Too long: may not be more than 512 bytes',
  },
  {
    name: 'celMatcher uses true',
    object: variant(
      trafficExtension,
      (s) => (s.extensionChains[0].matchCondition.celExpressions[0].celMatcher = 'true'),
    ),
    field: `${CEL}.celMatcher`,
    message: `Invalid value: "true": unsupported text at position 1: "true"; ${GKE_ALLOWED_TAIL}`,
  },
  {
    name: 'celMatcher uses has()',
    object: variant(
      trafficExtension,
      (s) =>
        (s.extensionChains[0].matchCondition.celExpressions[0].celMatcher =
          "request.path == '/a' && has(request.headers.x)"),
    ),
    field: `${CEL}.celMatcher`,
    message: `Invalid value: "request.path == '/a' \u0026\u0026 has(request.headers.x)": unsupported text at position 25: "has(request.headers."; ${GKE_ALLOWED_TAIL}`,
  },
  {
    name: 'celMatcher string with a space',
    object: variant(
      trafficExtension,
      (s) => (s.extensionChains[0].matchCondition.celExpressions[0].celMatcher = "request.path == 'a b'"),
    ),
    field: `${CEL}.celMatcher`,
    message: `Invalid value: "request.path == 'a b'": unsupported text at position 17: "'a"; ${GKE_ALLOWED_TAIL}`,
  },
  {
    name: 'celMatcher unbalanced parenthesis',
    object: variant(
      trafficExtension,
      (s) => (s.extensionChains[0].matchCondition.celExpressions[0].celMatcher = 'request.path.contains("a"'),
    ),
    field: `${CEL}.celMatcher`,
    message:
      'Invalid value: "request.path.contains(\\"a\\"": invalid CEL: Expected RPAREN, got EOF (at column 26)',
  },
  {
    name: 'combined match condition over 512 chars',
    object: variant(
      trafficExtension,
      (s) =>
        (s.extensionChains[0].matchCondition.celExpressions = tooMany(3, (i) => ({
          celMatcher: `request.path == '/${String(i).repeat(200)}'`,
        }))),
    ),
    field: `${C}.matchCondition.celExpressions`,
    message:
      'Invalid value: "array": the combined match condition, (celMatcher) || (celMatcher) ..., must be at most 512 characters',
  },
  {
    name: '11 celExpressions',
    object: variant(
      trafficExtension,
      (s) =>
        (s.extensionChains[0].matchCondition.celExpressions = tooMany(11, () => ({ celMatcher: '1 == 1' }))),
    ),
    field: `${C}.matchCondition.celExpressions`,
    message: 'Too many: 11: must have at most 10 items',
  },
  {
    name: 'two CEL backendRefs',
    object: variant(
      trafficExtension,
      (s) =>
        (s.extensionChains[0].matchCondition.celExpressions[0].backendRefs = [
          { group: '', kind: 'Service', name: 'a', port: 80 },
          { group: '', kind: 'Service', name: 'b', port: 80 },
        ]),
    ),
    field: `${CEL}.backendRefs`,
    message: 'Too many: 2: must have at most 1 items',
  },
  {
    name: 'CEL backendRef to a plugin',
    object: variant(
      trafficExtension,
      (s) =>
        (s.extensionChains[0].matchCondition.celExpressions[0].backendRefs = [
          { group: 'networking.gke.io', kind: 'GCPWasmPlugin', name: 'p' },
        ]),
    ),
    field: `${CEL}.backendRefs[0].kind`,
    message:
      'Invalid value: "GCPWasmPlugin": Only backendRefs of kind Service or ServiceImport are supported in CEL expression',
  },
];

export const routingCases: BadCase[] = [
  {
    name: 'routing backendRef to a plugin',
    object: variant(
      routingExtension,
      (s) => (ext0(s).backendRef = { group: 'networking.gke.io', kind: 'GCPWasmPlugin', name: 'p' }),
    ),
    field: `${E}.backendRef.kind`,
    message: 'Unsupported value: "GCPWasmPlugin": supported values: "Service", "ServiceImport"',
  },
  {
    name: 'routing timeout above 10s',
    object: variant(routingExtension, (s) => (ext0(s).timeout = '10001ms')),
    field: `${E}.timeout`,
    message: 'Invalid value: "10001ms": timeout must be between 10-10000 milliseconds',
  },
  {
    name: 'routing authority missing',
    object: variant(routingExtension, (s) => delete ext0(s).authority),
    field: `${E}.authority`,
    message: 'Required value: authority must be set if backendRef kind is set to Service or ServiceImport',
  },
  {
    name: 'routing responseBodySendMode',
    object: variant(routingExtension, (s) => Object.assign(ext0(s), { responseBodySendMode: 'Streamed' })),
    field: `${E}.responseBodySendMode`,
    message: 'Forbidden: responseBodySendMode is supported only by GCPTrafficExtension',
  },
  {
    name: 'routing response events',
    object: variant(
      routingExtension,
      (s) => (ext0(s).supportedEvents = ['RequestHeaders', 'ResponseHeaders']),
    ),
    field: `${E}.supportedEvents[1]`,
    message:
      'Invalid value: "ResponseHeaders": GCPRoutingExtension supports only the RequestHeaders event, and RequestBody and RequestTrailers when requestBodySendMode is `FullDuplexStreamed`',
  },
  {
    name: 'routing Streamed request body',
    object: variant(routingExtension, (s) =>
      Object.assign(ext0(s), {
        requestBodySendMode: 'Streamed',
        supportedEvents: ['RequestHeaders', 'RequestBody'],
      }),
    ),
    field: `${E}.supportedEvents[1]`,
    message:
      'Invalid value: "RequestBody": GCPRoutingExtension supports only the RequestHeaders event, and RequestBody and RequestTrailers when requestBodySendMode is `FullDuplexStreamed`',
  },
  {
    name: 'routing 6 chains',
    object: variant(
      routingExtension,
      (s) =>
        (s.extensionChains = tooMany(6, (i) => ({
          ...structuredClone(s.extensionChains[0]),
          name: `c${i}`,
        }))),
    ),
    field: 'spec.extensionChains',
    message: 'Too many: 6: must have at most 5 items',
  },
];

const V = 'spec.versions';
export const wasmCases: BadCase[] = [
  {
    name: 'no versions',
    object: variant(wasmPlugin, (s) => (s.versions = [])),
    field: V,
    message: `Invalid value: 0: ${V} in body should have at least 1 items`,
  },
  {
    name: 'versions missing',
    object: variant(wasmPlugin, (s) => delete s.versions),
    field: V,
    message: 'Required value',
  },
  {
    name: '11 versions',
    object: variant(
      wasmPlugin,
      (s) =>
        (s.versions = tooMany(11, (i) => ({
          name: `v${i}`,
          image: s.versions[0].image,
          weight: i === 0 ? 1000000 : 0,
        }))),
    ),
    field: V,
    message: 'Too many: 11: must have at most 10 items',
  },
  {
    name: 'duplicate version names',
    object: variant(wasmPlugin, (s) => s.versions.push({ ...s.versions[0], weight: 0 })),
    field: `${V}[1].name`,
    message: 'Duplicate value: "wasm-plugin-version": Version name must be unique within the GCPWasmPlugin',
    reason: 'FieldValueDuplicate',
  },
  {
    name: 'two serving versions',
    object: variant(wasmPlugin, (s) => s.versions.push({ ...s.versions[0], name: 'v2', weight: 5 })),
    field: V,
    message: 'Invalid value: "array": GCPWasmPlugin must contain exactly one version with a non zero weight',
  },
  {
    name: 'no serving version',
    object: variant(wasmPlugin, (s) => (s.versions[0].weight = 0)),
    field: V,
    message: 'Invalid value: "array": GCPWasmPlugin must contain exactly one version with a non zero weight',
  },
  {
    name: 'weight above 1e6',
    object: variant(wasmPlugin, (s) => (s.versions[0].weight = 1000001)),
    field: `${V}[0].weight`,
    message: `Invalid value: 1000001: ${V}[0].weight in body should be less than or equal to 1000000`,
  },
  {
    name: 'negative weight',
    object: variant(wasmPlugin, (s) => s.versions.push({ ...s.versions[0], name: 'v2', weight: -1 })),
    field: `${V}[1].weight`,
    message: `Invalid value: -1: ${V}[1].weight in body should be greater than or equal to 0`,
  },
  {
    name: 'weight missing',
    object: variant(wasmPlugin, (s) => delete s.versions[0].weight),
    field: `${V}[0].weight`,
    message: 'Required value',
  },
  {
    name: 'image missing',
    object: variant(wasmPlugin, (s) => delete s.versions[0].image),
    field: `${V}[0].image`,
    message: 'Required value',
  },
  {
    name: 'image not a registry path',
    object: variant(wasmPlugin, (s) => (s.versions[0].image = 'Local-Reply')),
    field: `${V}[0].image`,
    message: `Invalid value: "Local-Reply": ${V}[0].image in body should match '^(file://[^\\s]+|(https://)?([^/][a-z0-9-.]+)(:[0-9]{1,5})?/[a-z0-9-./:@?=]+)$'`,
  },
  {
    name: 'image over 2000 chars',
    object: variant(wasmPlugin, (s) => (s.versions[0].image = `us-docker.pkg.dev/${'p'.repeat(2000)}`)),
    field: `${V}[0].image`,
    message: 'Too long: may not be more than 2000 bytes',
  },
  {
    name: 'version name with capitals',
    object: variant(wasmPlugin, (s) => (s.versions[0].name = 'V1')),
    field: `${V}[0].name`,
    message: `Invalid value: "V1": ${V}[0].name in body should match '^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'`,
  },
  {
    name: 'description over 1024 chars',
    object: variant(wasmPlugin, (s) => (s.versions[0].description = 'd'.repeat(1025))),
    field: `${V}[0].description`,
    message: 'Too long: may not be more than 1024 bytes',
  },
  {
    name: 'logConfig without enabled',
    object: variant(wasmPlugin, (s) => delete s.logConfig.enabled),
    field: 'spec.logConfig.enabled',
    message: 'Required value',
  },
  {
    name: 'sampleRate with logging off',
    object: variant(wasmPlugin, (s) => (s.logConfig = { enabled: false, sampleRate: 5 })),
    field: 'spec.logConfig.sampleRate',
    message: 'Forbidden: SampleRate can be specified only if logging is enabled',
  },
  {
    name: 'minLogLevel with logging off',
    object: variant(wasmPlugin, (s) => (s.logConfig = { enabled: false, minLogLevel: 'INFO' })),
    field: 'spec.logConfig.minLogLevel',
    message: 'Forbidden: MinLogLevel can be specified only if logging is enabled',
  },
  {
    name: 'sampleRate above 1e6',
    object: variant(wasmPlugin, (s) => (s.logConfig.sampleRate = 2000000)),
    field: 'spec.logConfig.sampleRate',
    message:
      'Invalid value: 2000000: spec.logConfig.sampleRate in body should be less than or equal to 1000000',
  },
  {
    name: 'unknown log level',
    object: variant(wasmPlugin, (s) => (s.logConfig.minLogLevel = 'VERBOSE')),
    field: 'spec.logConfig.minLogLevel',
    message:
      'Unsupported value: "VERBOSE": supported values: "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"',
  },
  {
    name: 'kmsKeyName malformed',
    object: variant(wasmPlugin, (s) => (s.kmsKeyName = 'key1')),
    field: 'spec.kmsKeyName',
    message: `Invalid value: "key1": spec.kmsKeyName in body should match '^projects/([^/]+)/locations/([^/]+)/keyRings/([^/]+)/cryptoKeys/([^/]+)$'`,
  },
];
