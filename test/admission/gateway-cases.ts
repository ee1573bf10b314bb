// Bad Gateway API manifests (upstream standard-channel CRD rules) and bad core objects extgate reads.
import type { KubeObject } from '../../src/api/types.js';
import { calloutService, calloutSlice, gateway, storeRoute, variant, type BadCase } from './fixtures.js';

const L = 'spec.listeners';
const R = 'spec.rules[0]';
const M = `${R}.matches[0]`;
const F = `${R}.filters[0]`;
const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
const https = (l: Record<string, unknown> = {}) => ({
  name: 'https',
  protocol: 'HTTPS',
  port: 443,
  tls: { certificateRefs: [{ name: 'cert' }] },
  ...l,
});

export const gatewayCases: BadCase[] = [
  {
    name: 'gatewayClassName missing',
    object: variant(gateway, (s) => delete s.gatewayClassName),
    field: 'spec.gatewayClassName',
    message: 'Required value',
  },
  {
    name: 'no listeners',
    object: variant(gateway, (s) => (s.listeners = [])),
    field: L,
    message: `Invalid value: 0: ${L} in body should have at least 1 items`,
  },
  {
    name: '65 listeners',
    object: variant(
      gateway,
      (s) => (s.listeners = many(65, (i) => ({ name: `l${i}`, protocol: 'HTTP', port: 1000 + i }))),
    ),
    field: L,
    message: 'Too many: 65: must have at most 64 items',
  },
  {
    name: 'duplicate listener names',
    object: variant(gateway, (s) => s.listeners.push({ name: 'http', protocol: 'HTTP', port: 8080 })),
    field: `${L}[1].name`,
    message: 'Duplicate value: "http": Listener name must be unique within the Gateway',
  },
  {
    name: 'listener name with capitals',
    object: variant(gateway, (s) => (s.listeners[0].name = 'HTTP')),
    field: `${L}[0].name`,
    message: `Invalid value: "HTTP": ${L}[0].name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'`,
  },
  {
    // Any well-formed name passes (the controller reports unsupported ones); only a malformed one is refused.
    name: 'malformed protocol',
    object: variant(gateway, (s) => (s.listeners[0].protocol = 'HTTP_2')),
    field: `${L}[0].protocol`,
    message: `Invalid value: "HTTP_2": ${L}[0].protocol in body should match '^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9]+$'`,
  },
  {
    name: 'port 0',
    object: variant(gateway, (s) => (s.listeners[0].port = 0)),
    field: `${L}[0].port`,
    message: `Invalid value: 0: ${L}[0].port in body should be greater than or equal to 1`,
  },
  {
    name: 'port 65536',
    object: variant(gateway, (s) => (s.listeners[0].port = 65536)),
    field: `${L}[0].port`,
    message: `Invalid value: 65536: ${L}[0].port in body should be less than or equal to 65535`,
  },
  {
    name: 'port as a string',
    object: variant(gateway, (s) => (s.listeners[0].port = '80')),
    field: `${L}[0].port`,
    message: `Invalid value: "string": ${L}[0].port in body must be of type integer: "string"`,
  },
  {
    name: 'HTTPS without tls',
    object: variant(gateway, (s) => s.listeners.push({ name: 'https', protocol: 'HTTPS', port: 443 })),
    field: `${L}[1].tls`,
    message: 'Required value: tls with certificateRefs (or options) must be specified for protocol HTTPS',
  },
  {
    name: 'HTTPS with empty certificateRefs',
    object: variant(gateway, (s) => s.listeners.push(https({ tls: { certificateRefs: [] } }))),
    field: `${L}[1].tls.certificateRefs`,
    message: 'Required value: certificateRefs or options must be specified when mode is Terminate',
  },
  {
    name: 'HTTPS with Passthrough',
    object: variant(gateway, (s) => s.listeners.push(https({ tls: { mode: 'Passthrough' } }))),
    field: `${L}[1].tls.mode`,
    message: 'Invalid value: "Passthrough": tls mode must be Terminate for protocol HTTPS',
  },
  {
    name: 'tls on an HTTP listener',
    object: variant(gateway, (s) => (s.listeners[0].tls = { certificateRefs: [{ name: 'c' }] })),
    field: `${L}[0].tls`,
    message: "Forbidden: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
  },
  {
    name: 'TLS listener without mode',
    object: variant(gateway, (s) => s.listeners.push({ name: 'tls', protocol: 'TLS', port: 443 })),
    field: `${L}[1].tls.mode`,
    message: 'Required value: tls mode must be set for protocol TLS',
  },
  {
    name: 'hostname on a TCP listener',
    object: variant(gateway, (s) =>
      s.listeners.push({ name: 'tcp', protocol: 'TCP', port: 5432, hostname: 'db.example.com' }),
    ),
    field: `${L}[1].hostname`,
    message: "Forbidden: hostname must not be specified for protocols ['TCP', 'UDP']",
  },
  {
    name: 'same port, protocol and hostname twice',
    object: variant(gateway, (s) => s.listeners.push({ name: 'http2', protocol: 'HTTP', port: 80 })),
    field: `${L}[1]`,
    message:
      'Duplicate value: "object": Combination of port, protocol and hostname must be unique for each listener',
  },
  {
    name: 'listener hostname with an underscore',
    object: variant(gateway, (s) => (s.listeners[0].hostname = 'my_host.example.com')),
    field: `${L}[0].hostname`,
    message: `Invalid value: "my_host.example.com": ${L}[0].hostname in body should match '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'`,
  },
  {
    name: 'allowedRoutes from unknown',
    object: variant(gateway, (s) => (s.listeners[0].allowedRoutes = { namespaces: { from: 'Everywhere' } })),
    field: `${L}[0].allowedRoutes.namespaces.from`,
    message: 'Unsupported value: "Everywhere": supported values: "All", "Selector", "Same"',
  },
  {
    name: 'duplicate IP addresses',
    object: variant(
      gateway,
      (s) => (s.addresses = [{ value: '10.0.0.1' }, { type: 'IPAddress', value: '10.0.0.1' }]),
    ),
    field: 'spec.addresses[1].value',
    message: 'Duplicate value: "10.0.0.1": IPAddress values must be unique',
  },
  {
    name: 'GatewayClass controllerName changed',
    oldObject: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'gke-l7-rilb' },
      spec: { controllerName: 'networking.gke.io/gateway' },
    },
    object: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'gke-l7-rilb' },
      spec: { controllerName: 'example.com/other' },
    },
    field: 'spec.controllerName',
    message: 'Invalid value: "example.com/other": Value is immutable',
  },
  {
    name: 'GatewayClass controllerName without a path',
    object: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'x' },
      spec: { controllerName: 'networking.gke.io' },
    },
    field: 'spec.controllerName',
    message: `Invalid value: "networking.gke.io": spec.controllerName in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$'`,
  },
];

const setFilter = (s: any, filter: Record<string, unknown>) => (s.rules[0].filters = [filter]);

export const httpRouteCases: BadCase[] = [
  {
    name: '17 rules',
    object: variant(
      storeRoute,
      (s) => (s.rules = many(17, () => ({ backendRefs: [{ name: 'a', port: 80 }] }))),
    ),
    field: 'spec.rules',
    message: 'Too many: 17: must have at most 16 items',
  },
  {
    name: 'no rules',
    object: variant(storeRoute, (s) => (s.rules = [])),
    field: 'spec.rules',
    message: 'Invalid value: 0: spec.rules in body should have at least 1 items',
  },
  {
    name: '65 matches in a rule',
    object: variant(
      storeRoute,
      (s) => (s.rules[0].matches = many(65, (i) => ({ path: { value: `/p${i}` } }))),
    ),
    field: `${R}.matches`,
    message: 'Too many: 65: must have at most 64 items',
  },
  {
    name: 'more than 128 matches in the route',
    object: variant(
      storeRoute,
      (s) => (s.rules = many(3, () => ({ matches: many(50, (i) => ({ path: { value: `/p${i}` } })) }))),
    ),
    field: 'spec.rules',
    message:
      'Invalid value: "array": While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128',
  },
  {
    name: '17 hostnames',
    object: variant(storeRoute, (s) => (s.hostnames = many(17, (i) => `h${i}.example.com`))),
    field: 'spec.hostnames',
    message: 'Too many: 17: must have at most 16 items',
  },
  {
    name: 'hostname with a port',
    object: variant(storeRoute, (s) => (s.hostnames = ['store.example.com:80'])),
    field: 'spec.hostnames[0]',
    message: `Invalid value: "store.example.com:80": spec.hostnames[0] in body should match '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'`,
  },
  {
    name: 'parentRef without name',
    object: variant(storeRoute, (s) => delete s.parentRefs[0].name),
    field: 'spec.parentRefs[0].name',
    message: 'Required value',
  },
  {
    name: '33 parentRefs',
    object: variant(storeRoute, (s) => (s.parentRefs = many(33, (i) => ({ name: `g${i}` })))),
    field: 'spec.parentRefs',
    message: 'Too many: 33: must have at most 32 items',
  },
  {
    name: 'same parent twice without sectionName',
    object: variant(storeRoute, (s) => s.parentRefs.push({ kind: 'Gateway', name: 'my-gateway' })),
    field: 'spec.parentRefs',
    message:
      'Invalid value: "array": sectionName must be unique when parentRefs includes 2 or more references to the same parent',
  },
  {
    name: 'same parent with and without sectionName',
    object: variant(storeRoute, (s) =>
      s.parentRefs.push({ kind: 'Gateway', name: 'my-gateway', sectionName: 'http' }),
    ),
    field: 'spec.parentRefs',
    message:
      'Invalid value: "array": sectionName must be specified when parentRefs includes 2 or more references to the same parent',
  },
  {
    name: 'path without a leading slash',
    object: variant(storeRoute, (s) => (s.rules[2].matches[0].path.value = 'de')),
    field: 'spec.rules[2].matches[0].path.value',
    message:
      "Invalid value: \"de\": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
  },
  {
    name: 'path with //',
    object: variant(storeRoute, (s) => (s.rules[2].matches[0].path = { type: 'Exact', value: '/a//b' })),
    field: 'spec.rules[2].matches[0].path.value',
    message: "Invalid value: \"/a//b\": must not contain '//' when type one of ['Exact', 'PathPrefix']",
  },
  {
    name: 'path with /../',
    object: variant(storeRoute, (s) => (s.rules[2].matches[0].path.value = '/a/../b')),
    field: 'spec.rules[2].matches[0].path.value',
    message: "Invalid value: \"/a/../b\": must not contain '/../' when type one of ['Exact', 'PathPrefix']",
  },
  {
    name: 'path with %2F',
    object: variant(storeRoute, (s) => (s.rules[2].matches[0].path.value = '/a%2Fb')),
    field: 'spec.rules[2].matches[0].path.value',
    message: "Invalid value: \"/a%2Fb\": must not contain '%2F' when type one of ['Exact', 'PathPrefix']",
  },
  {
    name: 'path with #',
    object: variant(storeRoute, (s) => (s.rules[2].matches[0].path.value = '/a#b')),
    field: 'spec.rules[2].matches[0].path.value',
    message: "Invalid value: \"/a#b\": must not contain '#' when type one of ['Exact', 'PathPrefix']",
  },
  {
    name: 'path ending in /.',
    object: variant(storeRoute, (s) => (s.rules[2].matches[0].path.value = '/a/.')),
    field: 'spec.rules[2].matches[0].path.value',
    message: "Invalid value: \"/a/.\": must not end with '/.' when type one of ['Exact', 'PathPrefix']",
  },
  {
    name: 'path with a space',
    object: variant(storeRoute, (s) => (s.rules[2].matches[0].path.value = '/a b')),
    field: 'spec.rules[2].matches[0].path.value',
    message:
      "Invalid value: \"/a b\": must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']",
  },
  {
    name: 'path type unknown',
    object: variant(storeRoute, (s) => (s.rules[2].matches[0].path.type = 'Prefix')),
    field: 'spec.rules[2].matches[0].path.type',
    message: 'Unsupported value: "Prefix": supported values: "Exact", "PathPrefix", "RegularExpression"',
  },
  {
    name: 'path regex that does not compile',
    object: variant(
      storeRoute,
      (s) => (s.rules[2].matches[0].path = { type: 'RegularExpression', value: '/a(b' }),
    ),
    field: 'spec.rules[2].matches[0].path.value',
    message:
      'Invalid value: "/a(b": value must be a valid regular expression when type is RegularExpression: RE2 rejects it at position 1: missing ): /a(b',
  },
  {
    name: 'path regex with a lookahead (JavaScript has it, RE2 does not)',
    object: variant(
      storeRoute,
      (s) => (s.rules[2].matches[0].path = { type: 'RegularExpression', value: '/api/(?=v1)v[0-9]+' }),
    ),
    field: 'spec.rules[2].matches[0].path.value',
    message:
      'Invalid value: "/api/(?=v1)v[0-9]+": value must be a valid regular expression when type is RegularExpression: RE2 rejects it at position 6: invalid perl operator: (?=',
  },
  {
    name: 'query regex with a backreference',
    object: variant(storeRoute, (s) => {
      s.rules[1].matches[0].queryParams = [{ name: 'q', type: 'RegularExpression', value: '(a)b\\1' }];
    }),
    field: 'spec.rules[1].matches[0].queryParams[0].value',
    message:
      'Invalid value: "(a)b\\\\1": value must be a valid regular expression when type is RegularExpression: RE2 rejects it at position 5: invalid escape sequence: \\1',
  },
  {
    name: 'header regex that does not compile',
    object: variant(
      storeRoute,
      (s) => (s.rules[1].matches[0].headers[0] = { name: 'env', type: 'RegularExpression', value: '[' }),
    ),
    field: 'spec.rules[1].matches[0].headers[0].value',
    message:
      'Invalid value: "[": value must be a valid regular expression when type is RegularExpression: RE2 rejects it at position 1: missing ]: [',
  },
  {
    name: 'header match without value',
    object: variant(storeRoute, (s) => delete s.rules[1].matches[0].headers[0].value),
    field: 'spec.rules[1].matches[0].headers[0].value',
    message: 'Required value',
  },
  {
    name: 'duplicate header match names',
    object: variant(storeRoute, (s) => s.rules[1].matches[0].headers.push({ name: 'env', value: 'prod' })),
    field: 'spec.rules[1].matches[0].headers[1]',
    message: 'Duplicate value: {"name":"env"}',
  },
  {
    name: 'header name with a colon',
    object: variant(storeRoute, (s) => (s.rules[1].matches[0].headers[0].name = 'env:x')),
    field: 'spec.rules[1].matches[0].headers[0].name',
    message: `Invalid value: "env:x": spec.rules[1].matches[0].headers[0].name in body should match '^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$'`,
  },
  {
    name: 'unknown method',
    object: variant(storeRoute, (s) => (s.rules[0].matches = [{ method: 'FETCH' }])),
    field: `${M}.method`,
    message:
      'Unsupported value: "FETCH": supported values: "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"',
  },
  {
    name: 'backendRef weight above 1e6',
    object: variant(storeRoute, (s) => (s.rules[0].backendRefs[0].weight = 1000001)),
    field: `${R}.backendRefs[0].weight`,
    message: `Invalid value: 1000001: ${R}.backendRefs[0].weight in body should be less than or equal to 1000000`,
  },
  {
    name: 'negative backendRef weight',
    object: variant(storeRoute, (s) => (s.rules[0].backendRefs[0].weight = -1)),
    field: `${R}.backendRefs[0].weight`,
    message: `Invalid value: -1: ${R}.backendRefs[0].weight in body should be greater than or equal to 0`,
  },
  {
    name: 'Service backendRef without port',
    object: variant(storeRoute, (s) => delete s.rules[0].backendRefs[0].port),
    field: `${R}.backendRefs[0].port`,
    message: 'Required value: Must have port for Service reference',
  },
  {
    name: '17 backendRefs',
    object: variant(
      storeRoute,
      (s) => (s.rules[0].backendRefs = many(17, (i) => ({ name: `b${i}`, port: 80 }))),
    ),
    field: `${R}.backendRefs`,
    message: 'Too many: 17: must have at most 16 items',
  },
  {
    name: 'unknown filter type',
    object: variant(storeRoute, (s) => setFilter(s, { type: 'Rewrite' })),
    field: `${F}.type`,
    message:
      'Unsupported value: "Rewrite": supported values: "RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "RequestRedirect", "URLRewrite", "ExtensionRef", "CORS"',
  },
  {
    name: 'filter type without its field',
    object: variant(storeRoute, (s) => setFilter(s, { type: 'RequestHeaderModifier' })),
    field: `${F}.requestHeaderModifier`,
    message:
      'Required value: filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type',
  },
  {
    name: 'filter field of another type',
    object: variant(storeRoute, (s) =>
      setFilter(s, {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {},
        urlRewrite: { hostname: 'a.com' },
      }),
    ),
    field: `${F}.urlRewrite`,
    message: 'Forbidden: filter.urlRewrite must be nil if the filter.type is not URLRewrite',
  },
  {
    name: 'RequestHeaderModifier twice',
    object: variant(
      storeRoute,
      (s) =>
        (s.rules[0].filters = [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['a'] } },
          { type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['b'] } },
        ]),
    ),
    field: `${R}.filters[1]`,
    message: 'Invalid value: "object": RequestHeaderModifier filter cannot be repeated',
  },
  {
    name: 'RequestRedirect and URLRewrite together',
    object: variant(storeRoute, (s) => {
      delete s.rules[0].backendRefs;
      s.rules[0].filters = [
        { type: 'RequestRedirect', requestRedirect: { scheme: 'https' } },
        { type: 'URLRewrite', urlRewrite: { hostname: 'a.com' } },
      ];
    }),
    field: `${R}.filters`,
    message:
      'Invalid value: "array": May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
  },
  {
    name: 'RequestRedirect with backendRefs',
    object: variant(storeRoute, (s) =>
      setFilter(s, { type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }),
    ),
    field: `${R}.backendRefs`,
    message: 'Invalid value: "array": RequestRedirect filter must not be used together with backendRefs',
  },
  {
    name: 'redirect status code 305',
    object: variant(storeRoute, (s) => {
      delete s.rules[0].backendRefs;
      setFilter(s, { type: 'RequestRedirect', requestRedirect: { statusCode: 305 } });
    }),
    field: `${F}.requestRedirect.statusCode`,
    message: 'Unsupported value: 305: supported values: "301", "302", "303", "307", "308"',
  },
  {
    name: 'redirect scheme ftp',
    object: variant(storeRoute, (s) => {
      delete s.rules[0].backendRefs;
      setFilter(s, { type: 'RequestRedirect', requestRedirect: { scheme: 'ftp' } });
    }),
    field: `${F}.requestRedirect.scheme`,
    message: 'Unsupported value: "ftp": supported values: "http", "https"',
  },
  {
    name: 'ReplaceFullPath without replaceFullPath',
    object: variant(storeRoute, (s) =>
      setFilter(s, { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath' } } }),
    ),
    field: `${F}.urlRewrite.path.replaceFullPath`,
    message: "Required value: replaceFullPath must be specified when type is set to 'ReplaceFullPath'",
  },
  {
    name: 'replacePrefixMatch with ReplaceFullPath type',
    object: variant(storeRoute, (s) =>
      setFilter(s, {
        type: 'URLRewrite',
        urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/x', replacePrefixMatch: '/y' } },
      }),
    ),
    field: `${F}.urlRewrite.path.type`,
    message:
      'Invalid value: "ReplaceFullPath": type must be \'ReplacePrefixMatch\' when replacePrefixMatch is set',
  },
  {
    name: 'prefix rewrite without a single PathPrefix match',
    object: variant(storeRoute, (s) =>
      setFilter(s, {
        type: 'URLRewrite',
        urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/y' } },
      }),
    ),
    field: `${R}.matches`,
    message:
      'Required value: When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
  },
  {
    name: 'header modifier value empty',
    object: variant(storeRoute, (s) =>
      setFilter(s, {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { set: [{ name: 'x', value: '' }] },
      }),
    ),
    field: `${F}.requestHeaderModifier.set[0].value`,
    message: `Invalid value: "": ${F}.requestHeaderModifier.set[0].value in body should be at least 1 chars long`,
  },
  {
    name: '17 header modifier entries',
    object: variant(storeRoute, (s) =>
      setFilter(s, {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: { add: many(17, (i) => ({ name: `x-${i}`, value: 'v' })) },
      }),
    ),
    field: `${F}.responseHeaderModifier.add`,
    message: 'Too many: 17: must have at most 16 items',
  },
  {
    name: 'mirror with percent and fraction',
    object: variant(storeRoute, (s) =>
      setFilter(s, {
        type: 'RequestMirror',
        requestMirror: { backendRef: { name: 'm', port: 80 }, percent: 5, fraction: { numerator: 1 } },
      }),
    ),
    field: `${F}.requestMirror`,
    message:
      'Invalid value: "object": Only one of percent or fraction may be specified in HTTPRequestMirrorFilter',
  },
  {
    name: 'mirror fraction above 1',
    object: variant(storeRoute, (s) =>
      setFilter(s, {
        type: 'RequestMirror',
        requestMirror: { backendRef: { name: 'm', port: 80 }, fraction: { numerator: 5, denominator: 2 } },
      }),
    ),
    field: `${F}.requestMirror.fraction.numerator`,
    message: 'Invalid value: 5: numerator must be less than or equal to denominator',
  },
  {
    name: 'mirror backendRef without port',
    object: variant(storeRoute, (s) =>
      setFilter(s, { type: 'RequestMirror', requestMirror: { backendRef: { name: 'm' } } }),
    ),
    field: `${F}.requestMirror.backendRef.port`,
    message: 'Required value: Must have port for Service reference',
  },
  {
    name: 'extensionRef without kind',
    object: variant(storeRoute, (s) =>
      setFilter(s, { type: 'ExtensionRef', extensionRef: { group: 'x.io', name: 'e' } }),
    ),
    field: `${F}.extensionRef.kind`,
    message: 'Required value',
  },
  {
    name: 'backendRequest longer than request',
    object: variant(storeRoute, (s) => (s.rules[0].timeouts = { request: '1s', backendRequest: '2s' })),
    field: `${R}.timeouts.backendRequest`,
    message: 'Invalid value: "2s": backendRequest timeout cannot be longer than request timeout',
  },
  {
    name: 'timeout not a duration',
    object: variant(storeRoute, (s) => (s.rules[0].timeouts = { request: '1 s' })),
    field: `${R}.timeouts.request`,
    message: `Invalid value: "1 s": ${R}.timeouts.request in body should match '^([0-9]{1,5}(h|m|s|ms)){1,4}$'`,
  },
];

const refGrant = (spec: unknown): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1beta1',
  kind: 'ReferenceGrant',
  metadata: { name: 'g', namespace: 'default' },
  spec,
});
const btls = (
  validation: unknown,
  targetRefs: unknown = [{ group: '', kind: 'Service', name: 'extension-service' }],
): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'BackendTLSPolicy',
  metadata: { name: 'p', namespace: 'default' },
  spec: { targetRefs, validation },
});

export const policyCases: BadCase[] = [
  {
    name: 'ReferenceGrant without to',
    object: refGrant({ from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'a' }] }),
    field: 'spec.to',
    message: 'Required value',
  },
  {
    name: 'ReferenceGrant from without namespace',
    object: refGrant({ from: [{ group: '', kind: 'HTTPRoute' }], to: [{ group: '', kind: 'Service' }] }),
    field: 'spec.from[0].namespace',
    message: 'Required value',
  },
  {
    name: 'ReferenceGrant 17 from entries',
    object: refGrant({
      from: many(17, (i) => ({ group: '', kind: 'HTTPRoute', namespace: `n${i}` })),
      to: [{ group: '', kind: 'Service' }],
    }),
    field: 'spec.from',
    message: 'Too many: 17: must have at most 16 items',
  },
  {
    name: 'BackendTLSPolicy without hostname',
    object: btls({ wellKnownCACertificates: 'System' }),
    field: 'spec.validation.hostname',
    message: 'Required value',
  },
  {
    name: 'BackendTLSPolicy with no CA',
    object: btls({ hostname: 'a.com' }),
    field: 'spec.validation',
    message: 'Invalid value: "object": must specify either CACertificateRefs or WellKnownCACertificates',
  },
  {
    name: 'BackendTLSPolicy with both CA kinds',
    object: btls({
      hostname: 'a.com',
      wellKnownCACertificates: 'System',
      caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }],
    }),
    field: 'spec.validation',
    message: 'Invalid value: "object": must not contain both CACertificateRefs and WellKnownCACertificates',
  },
  {
    name: 'BackendTLSPolicy SAN Hostname without hostname',
    object: btls({
      hostname: 'a.com',
      wellKnownCACertificates: 'System',
      subjectAltNames: [{ type: 'Hostname' }],
    }),
    field: 'spec.validation.subjectAltNames[0].hostname',
    message: 'Required value: SubjectAltName element must contain Hostname, if Type is set to Hostname',
  },
  {
    name: 'BackendTLSPolicy same target twice',
    object: btls({ hostname: 'a.com', wellKnownCACertificates: 'System' }, [
      { group: '', kind: 'Service', name: 's' },
      { group: '', kind: 'Service', name: 's' },
    ]),
    field: 'spec.targetRefs',
    message:
      'Invalid value: "array": sectionName must be unique when targetRefs includes 2 or more references to the same target',
  },
  // core kinds extgate reads
  {
    name: 'Service port out of range',
    object: variant(calloutService, (s) => (s.ports[0].port = 0)),
    field: 'spec.ports[0].port',
    message: 'Invalid value: 0: spec.ports[0].port in body should be greater than or equal to 1',
  },
  {
    name: 'Service port missing',
    object: variant(calloutService, (s) => delete s.ports[0].port),
    field: 'spec.ports[0].port',
    message: 'Required value',
  },
  {
    name: 'Service with two unnamed ports',
    object: variant(calloutService, (s) => s.ports.push({ port: 8080 })),
    field: 'spec.ports[0].name',
    message: 'Required value: name is required when a Service has more than one port',
  },
  {
    name: 'Service port protocol unknown',
    object: variant(calloutService, (s) => (s.ports[0].protocol = 'HTTP')),
    field: 'spec.ports[0].protocol',
    message: 'Unsupported value: "HTTP": supported values: "TCP", "UDP", "SCTP"',
  },
  {
    name: 'EndpointSlice without addressType',
    object: variant(calloutSlice, (o) => delete o.addressType, true),
    field: 'addressType',
    message: 'Required value',
  },
  {
    name: 'EndpointSlice addressType unknown',
    object: variant(calloutSlice, (o) => (o.addressType = 'IP'), true),
    field: 'addressType',
    message: 'Unsupported value: "IP": supported values: "IPv4", "IPv6", "FQDN"',
  },
  {
    name: 'EndpointSlice endpoint without addresses',
    object: variant(calloutSlice, (o) => (o.endpoints = [{ conditions: { ready: true } }]), true),
    field: 'endpoints[0].addresses',
    message: 'Required value',
  },
  {
    name: 'EndpointSlice port above 65535',
    object: variant(calloutSlice, (o) => (o.ports[0].port = 70000), true),
    field: 'ports[0].port',
    message: 'Invalid value: 70000: ports[0].port in body should be less than or equal to 65535',
  },
  {
    name: 'EndpointSlice addressType changed',
    oldObject: calloutSlice(),
    object: variant(calloutSlice, (o) => (o.addressType = 'IPv6'), true),
    field: 'addressType',
    message: 'Invalid value: "IPv6": field is immutable',
  },
  {
    name: 'registry Secret without .dockerconfigjson',
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'r', namespace: 'default' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { config: 'e30=' },
    },
    field: 'data[.dockerconfigjson]',
    message:
      'Required value: data[.dockerconfigjson] is required for a kubernetes.io/dockerconfigjson Secret',
  },
  {
    name: 'TLS Secret without tls.key',
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 't', namespace: 'default' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'Y2VydA==' },
    },
    field: 'data[tls.key]',
    message: 'Required value: data[tls.key] is required for a kubernetes.io/tls Secret',
  },
];
