// The suite's Core tests of the HTTP profile (features Gateway, HTTPRoute, ReferenceGrant only), ported as
// data: each test's objects (after its conformance/tests/<name>.yaml) and its assertions (after its .go file),
// in the suite's order within a test. Test-specific Gateways get listener ports of their own (base.ts says
// why); a request step names the port of the Gateway it is sent to.
import { CONTROLLER_NAME } from '../../src/controller/config.js';
import { documents } from '../e2e/manifests.js';
import { PORTS } from './base.js';
import {
  APP_BACKEND,
  type ConformanceTest,
  echoPort,
  gateway,
  type HttpCase,
  INFRA,
  referenceGrant,
  route,
  type Step,
  to,
  WEB_BACKEND,
} from './model.js';

const v1 = 'infra-backend-v1';
const v2 = 'infra-backend-v2';
const v3 = 'infra-backend-v3';
const sameNamespace = 'parentRefs: [{name: same-namespace}]';

/** The suite's GatewayAndHTTPRoutesMustBeAccepted + HTTPRouteMustHaveResolvedRefsConditionsTrue. */
export function accepted(parent: string, ...routes: string[]): Step[] {
  return [
    { gateway: parent, conditions: ['Accepted=True', 'Programmed=True'] },
    ...routes.map((r) => ({ route: r, parent, conditions: ['Accepted=True', 'ResolvedRefs=True'] })),
  ];
}

const HTTP_ROUTE = { supportedKinds: ['HTTPRoute'] };
const READY = ['Accepted=True', 'ResolvedRefs=True'];

/** A rule with a RequestHeaderModifier on the rule, or (`atBackend`) on its backendRef. */
const modifierRule = (atBackend: boolean) => (prefix: string, filter: string) => {
  const filters = `filters: [{type: RequestHeaderModifier, requestHeaderModifier: ${filter}}]`;
  return atBackend
    ? `- matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n  backendRefs: [{name: ${v1}, port: 8080, ${filters}}]`
    : `- matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n  ${filters}\n  ${to(v1)}`;
};

const httpsListener = (name: string, port: number, certificateRef: string, hostname?: string) =>
  `- name: ${name}
  port: ${port}
  protocol: HTTPS${hostname ? `\n  hostname: "${hostname}"` : ''}
  allowedRoutes: {namespaces: {from: All}}
  tls: {certificateRefs: [${certificateRef}]}`;

const secretRef = (name: string, namespace?: string, group = '""', kind = 'Secret') =>
  `{group: ${group}, kind: ${kind}, name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}`;

/** The suite's 253-character Gateway name (gateway-name-maximum-length.yaml). */
const MAX_LENGTH_NAME = `gateway-name-maximum-length-${'a'.repeat(253 - 'gateway-name-maximum-length-'.length)}`;

export const CORE_TESTS: ConformanceTest[] = [
  {
    name: 'HTTPRouteSimpleSameNamespace',
    level: 'Core',
    manifests: route('gateway-conformance-infra-test', `${sameNamespace}\nrules:\n- ${to(v1)}`),
    steps: [
      ...accepted('same-namespace', 'gateway-conformance-infra-test'),
      { requests: [{ path: '/', backend: v1 }] },
    ],
  },
  {
    name: 'HTTPRouteMatching',
    level: 'Core',
    manifests: route(
      'matching',
      `${sameNamespace}
rules:
- matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
  ${to(v1)}
- matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
  ${to(v2)}`,
    ),
    steps: [
      ...accepted('same-namespace', 'matching'),
      {
        requests: [
          { path: '/', backend: v1 },
          { path: '/example', backend: v1 },
          { path: '/', headers: { Version: 'one' }, backend: v1 },
          { path: '/v2', backend: v2 },
          { path: '/v2/example', backend: v2 },
          { path: '/', headers: { Version: 'two' }, backend: v2 },
          { path: '/v2/', backend: v2 },
          { path: '/v2example', backend: v1 },
          { path: '/foo/v2/example', backend: v1 },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteExactPathMatching',
    level: 'Core',
    manifests: route(
      'exact-matching',
      `${sameNamespace}
rules:
- matches: [{path: {type: Exact, value: /one}}]
  ${to(v1)}
- matches: [{path: {type: Exact, value: /two}}]
  ${to(v2)}`,
    ),
    steps: [
      ...accepted('same-namespace', 'exact-matching'),
      {
        requests: [
          { path: '/one', backend: v1 },
          { path: '/two', backend: v2 },
          { path: '/', status: 404 },
          { path: '/one/example', status: 404 },
          { path: '/two/', status: 404 },
          { path: '/Two', status: 404 },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteHeaderMatching',
    level: 'Core',
    manifests: route(
      'header-matching',
      `${sameNamespace}
rules:
- matches: [{headers: [{name: version, value: one}]}]
  ${to(v1)}
- matches: [{headers: [{name: version, value: two}]}]
  ${to(v2)}
- matches: [{headers: [{name: version, value: two}, {name: color, value: orange}]}]
  ${to(v1)}
- matches: [{headers: [{name: color, value: blue}]}, {headers: [{name: color, value: green}]}]
  ${to(v1)}
- matches: [{headers: [{name: color, value: red}]}, {headers: [{name: color, value: yellow}]}]
  ${to(v2)}`,
    ),
    steps: [
      ...accepted('same-namespace', 'header-matching'),
      {
        requests: [
          { path: '/', headers: { Version: 'one' }, backend: v1 },
          { path: '/', headers: { Version: 'two' }, backend: v2 },
          { path: '/', headers: { Version: 'two', Color: 'orange' }, backend: v1 },
          { path: '/', headers: { Version: 'two', Color: 'blue' }, backend: v2 },
          { path: '/', headers: { Color: 'orange' }, status: 404 },
          { path: '/', headers: { 'Some-Other-Header': 'one' }, status: 404 },
          { path: '/', headers: { Color: 'blue' }, backend: v1 },
          { path: '/', headers: { Color: 'green' }, backend: v1 },
          { path: '/', headers: { Color: 'red' }, backend: v2 },
          { path: '/', headers: { Color: 'yellow' }, backend: v2 },
          { path: '/', headers: { Color: 'purple' }, status: 404 },
        ],
      },
    ],
  },
  requestHeaderModifier('HTTPRouteRequestHeaderModifier', false),
  hostnameIntersection(),
  {
    name: 'HTTPRouteListenerHostnameMatching',
    level: 'Core',
    manifests: documents(
      gateway(
        'httproute-listener-hostname-matching',
        ['bar.com', 'foo.bar.com', '*.bar.com', '*.foo.com']
          .map(
            (h, i) =>
              `- {name: listener-${i + 1}, port: 85, protocol: HTTP, hostname: "${h}", allowedRoutes: {namespaces: {from: Same}}}`,
          )
          .join('\n'),
      ),
      ...[
        ['backend-v1', v1, ['listener-1']],
        ['backend-v2', v2, ['listener-2']],
        ['backend-v3', v3, ['listener-3', 'listener-4']],
      ].map(([name, backend, sections]) =>
        route(
          name as string,
          `parentRefs: [${(sections as string[]).map((s) => `{name: httproute-listener-hostname-matching, namespace: ${INFRA}, sectionName: ${s}}`).join(', ')}]
rules:
- ${to(backend as string)}`,
        ),
      ),
    ),
    steps: [
      ...accepted('httproute-listener-hostname-matching', 'backend-v1', 'backend-v2', 'backend-v3'),
      {
        port: 85,
        requests: [
          { host: 'bar.com', path: '/', backend: v1 },
          { host: 'foo.bar.com', path: '/', backend: v2 },
          { host: 'baz.bar.com', path: '/', backend: v3 },
          { host: 'boo.bar.com', path: '/', backend: v3 },
          { host: 'multiple.prefixes.bar.com', path: '/', backend: v3 },
          { host: 'multiple.prefixes.foo.com', path: '/', backend: v3 },
          { host: 'foo.com', path: '/', status: 404 },
          { host: 'no.matching.host', path: '/', status: 404 },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteMatchingAcrossRoutes',
    level: 'Core',
    manifests: documents(
      route(
        'matching-part1',
        `${sameNamespace}
hostnames: [example.com, example.net]
rules:
- matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
  ${to(v1)}`,
      ),
      route(
        'matching-part2',
        `${sameNamespace}
hostnames: [example.com]
rules:
- matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
  ${to(v2)}`,
      ),
    ),
    steps: [
      ...accepted('same-namespace', 'matching-part1', 'matching-part2'),
      {
        requests: [
          { host: 'example.com', path: '/', backend: v1 },
          { host: 'example.com', path: '/example', backend: v1 },
          { host: 'example.net', path: '/example', backend: v1 },
          { host: 'example.com', path: '/example', headers: { Version: 'one' }, backend: v1 },
          { host: 'example.com', path: '/v2', backend: v2 },
          { host: 'example.net', path: '/v2', backend: v1 },
          { host: 'example.com', path: '/v2/example', backend: v2 },
          { host: 'example.com', path: '/', headers: { Version: 'two' }, backend: v2 },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteCrossNamespace',
    level: 'Core',
    manifests: route(
      `${WEB_BACKEND}/cross-namespace`,
      `parentRefs: [{name: backend-namespaces, namespace: ${INFRA}}]\nrules:\n- ${to('web-backend')}`,
    ),
    steps: [
      ...accepted('backend-namespaces', `${WEB_BACKEND}/cross-namespace`),
      { port: PORTS.backendNamespaces, requests: [{ path: '/', backend: `${WEB_BACKEND}/web-backend` }] },
    ],
  },
  {
    name: 'HTTPRouteReferenceGrant',
    level: 'Core',
    manifests: documents(
      referenceGrant(
        'reference-grant',
        WEB_BACKEND,
        'gateway.networking.k8s.io/HTTPRoute',
        '/Service/web-backend',
      ),
      route(
        'reference-grant',
        `${sameNamespace}\nrules:\n- backendRefs: [{name: web-backend, namespace: ${WEB_BACKEND}, port: 8080}]`,
      ),
    ),
    steps: [
      ...accepted('same-namespace', 'reference-grant'),
      { requests: [{ path: '/', backend: `${WEB_BACKEND}/web-backend` }] },
      { kubectl: ['delete', 'referencegrant', '-n', WEB_BACKEND, 'reference-grant'] },
      { requests: [{ path: '/', status: 500 }] },
    ],
  },
  {
    name: 'HTTPRouteInvalidCrossNamespaceBackendRef',
    level: 'Core',
    manifests: route(
      'invalid-cross-namespace-backend-ref',
      `${sameNamespace}\nrules:\n- backendRefs: [{name: web-backend, namespace: ${WEB_BACKEND}, port: 8080}]`,
    ),
    steps: [
      {
        route: 'invalid-cross-namespace-backend-ref',
        parent: 'same-namespace',
        conditions: ['Accepted=True'],
      },
      {
        route: 'invalid-cross-namespace-backend-ref',
        parent: 'same-namespace',
        conditions: ['ResolvedRefs=False:RefNotPermitted'],
      },
      { requests: [{ path: '/', status: 500 }] },
    ],
  },
  {
    name: 'HTTPRouteInvalidCrossNamespaceParentRef',
    level: 'Core',
    manifests: route(
      `${WEB_BACKEND}/invalid-cross-namespace-parent-ref`,
      `parentRefs: [{name: same-namespace, namespace: ${INFRA}}]\nrules:\n- ${to('web-backend')}`,
    ),
    steps: [
      {
        route: `${WEB_BACKEND}/invalid-cross-namespace-parent-ref`,
        parent: 'same-namespace',
        conditions: ['ResolvedRefs=True', 'Accepted=False:NotAllowedByListeners'],
      },
      { noAcceptedParents: `${WEB_BACKEND}/invalid-cross-namespace-parent-ref` },
      { gateway: 'same-namespace', zeroRoutes: true },
    ],
  },
  {
    name: 'HTTPRouteInvalidBackendRefUnknownKind',
    level: 'Core',
    manifests: route(
      'invalid-backend-ref-unknown-kind',
      `${sameNamespace}\nrules:\n- backendRefs: [{group: unknownkind.example.com, kind: NonExistent, name: ${v1}, port: 8080}]`,
    ),
    steps: [
      { route: 'invalid-backend-ref-unknown-kind', parent: 'same-namespace', conditions: ['Accepted=True'] },
      {
        route: 'invalid-backend-ref-unknown-kind',
        parent: 'same-namespace',
        conditions: ['ResolvedRefs=False:InvalidKind'],
      },
      { requests: [{ path: '/v2', status: 500 }] },
    ],
  },
  {
    name: 'HTTPRouteInvalidNonExistentBackendRef',
    level: 'Core',
    manifests: route(
      'invalid-nonexistent-backend-ref',
      `${sameNamespace}\nrules:\n- backendRefs: [{name: nonexistent, port: 8080}]`,
    ),
    steps: [
      { route: 'invalid-nonexistent-backend-ref', parent: 'same-namespace', conditions: ['Accepted=True'] },
      {
        route: 'invalid-nonexistent-backend-ref',
        parent: 'same-namespace',
        conditions: ['ResolvedRefs=False:BackendNotFound'],
      },
      { requests: [{ path: '/', status: 500 }] },
    ],
  },
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingSectionName',
    level: 'Core',
    manifests: route(
      'httproute-listener-not-matching-section-name',
      `parentRefs: [{name: same-namespace, port: 80, sectionName: http1}]\nrules:\n- backendRefs: [{name: ${v1}, kind: Service, port: 8080}]`,
    ),
    steps: [
      {
        route: 'httproute-listener-not-matching-section-name',
        parent: 'same-namespace',
        conditions: ['Accepted=False:NoMatchingParent'],
      },
      { noAcceptedParents: 'httproute-listener-not-matching-section-name' },
      { gateway: 'same-namespace', zeroRoutes: true },
    ],
  },
  {
    name: 'HTTPRouteInvalidReferenceGrant',
    level: 'Core',
    manifests: documents(
      referenceGrant(
        'reference-grant-wrong-namespace',
        INFRA,
        'gateway.networking.k8s.io/HTTPRoute',
        '/Service/web-backend',
      ),
      referenceGrant(
        'reference-grant-wrong-from-group',
        WEB_BACKEND,
        'not-the-group-youre-looking-for/HTTPRoute',
        '/Service/web-backend',
      ),
      referenceGrant(
        'reference-grant-wrong-from-kind',
        WEB_BACKEND,
        'gateway.networking.k8s.io/Gateway',
        '/Service/web-backend',
      ),
      referenceGrant(
        'reference-grant-wrong-from-namespace',
        WEB_BACKEND,
        'gateway.networking.k8s.io/HTTPRoute@not-the-namespace-youre-looking-for',
        '/Service/web-backend',
      ),
      referenceGrant(
        'reference-grant-wrong-to-group',
        WEB_BACKEND,
        'gateway.networking.k8s.io/HTTPRoute',
        'not-the-group-youre-looking-for/Service/web-backend',
      ),
      referenceGrant(
        'reference-grant-wrong-to-kind',
        WEB_BACKEND,
        'gateway.networking.k8s.io/HTTPRoute',
        '/Secret/web-backend',
      ),
      referenceGrant(
        'reference-grant-wrong-to-name',
        WEB_BACKEND,
        'gateway.networking.k8s.io/HTTPRoute',
        '/Secret/not-the-service-youre-looking-for',
      ),
      route(
        'reference-grant',
        `${sameNamespace}\nrules:\n- backendRefs: [{name: web-backend, namespace: ${WEB_BACKEND}, port: 8080}]`,
      ),
    ),
    steps: [
      { route: 'reference-grant', parent: 'same-namespace', conditions: ['Accepted=True'] },
      {
        route: 'reference-grant',
        parent: 'same-namespace',
        conditions: ['ResolvedRefs=False:RefNotPermitted'],
      },
      { requests: [{ path: '/', status: 500 }] },
    ],
  },
  {
    name: 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant',
    level: 'Core',
    manifests: documents(
      referenceGrant(
        'invalid-reference-grant',
        APP_BACKEND,
        'gateway.networking.k8s.io/HTTPRoute',
        '/Service/app-backend-v1',
      ),
      route(
        'invalid-reference-grant',
        `${sameNamespace}
rules:
- matches: [{path: {type: PathPrefix, value: /v2}}]
  backendRefs: [{name: app-backend-v2, namespace: ${APP_BACKEND}, port: 8080}]
- backendRefs: [{name: app-backend-v1, namespace: ${APP_BACKEND}, port: 8080}]`,
      ),
    ),
    steps: [
      { route: 'invalid-reference-grant', parent: 'same-namespace', conditions: ['Accepted=True'] },
      {
        route: 'invalid-reference-grant',
        parent: 'same-namespace',
        conditions: ['ResolvedRefs=False:RefNotPermitted'],
      },
      {
        requests: [
          { path: '/v2', status: 500 },
          { path: '/', backend: `${APP_BACKEND}/app-backend-v1` },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteWeight',
    level: 'Core',
    manifests: route(
      'weighted-backends',
      `${sameNamespace}
rules:
- backendRefs:
  - {name: ${v1}, port: 8080, weight: 70}
  - {name: ${v2}, port: 8080, weight: 30}
  - {name: ${v3}, port: 8080, weight: 0}`,
    ),
    steps: [
      ...accepted('same-namespace', 'weighted-backends'),
      { requests: [{ path: '/' }] },
      { weights: { [v1]: 0.7, [v2]: 0.3, [v3]: 0 }, path: '/', count: 500 },
    ],
  },
  {
    name: 'HTTPRouteHTTPSListener',
    level: 'Core',
    manifests: documents(
      route(
        'httproute-https-test',
        `parentRefs: [{name: same-namespace-with-https-listener}]\nhostnames: [example.org]\nrules:\n- ${to(v1)}`,
      ),
      route(
        'httproute-https-test-no-hostname',
        `parentRefs: [{name: same-namespace-with-https-listener, sectionName: https-with-hostname}]\nrules:\n- ${to(v2)}`,
      ),
    ),
    steps: [
      ...accepted(
        'same-namespace-with-https-listener',
        'httproute-https-test',
        'httproute-https-test-no-hostname',
      ),
      {
        port: PORTS.https,
        https: true,
        requests: [
          { host: 'example.org', path: '/', backend: v1 },
          { host: 'unknown-example.org', path: '/', status: 404 },
          { host: 'second-example.org', path: '/', backend: v2 },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteObservedGenerationBump',
    level: 'Core',
    manifests: route('observed-generation-bump', `${sameNamespace}\nrules:\n- ${to(v1)}`),
    steps: [
      { routeLatest: 'observed-generation-bump' },
      {
        kubectl: [
          'patch',
          'httproute',
          '-n',
          INFRA,
          'observed-generation-bump',
          '--type=json',
          '-p',
          `[{"op": "replace", "path": "/spec/rules/0/backendRefs/0/name", "value": "${v2}"}]`,
        ],
      },
      { route: 'observed-generation-bump', parent: 'same-namespace', conditions: READY },
      { routeLatest: 'observed-generation-bump' },
      { requests: [{ path: '/', backend: v2 }] },
    ],
  },
  {
    name: 'HTTPRouteMultipleGateways',
    level: 'Core',
    manifests: documents(
      route(
        'multiple-gateways-shared-route',
        `parentRefs: [{name: same-namespace}, {name: all-namespaces}]
rules:
- matches: [{path: {type: PathPrefix, value: /shared}}]
  ${to(v1)}`,
      ),
      route('same-namespace-dedicated-route', `${sameNamespace}\nrules:\n- ${to(v2)}`),
      route('all-namespaces-dedicated-route', `parentRefs: [{name: all-namespaces}]\nrules:\n- ${to(v3)}`),
    ),
    steps: [
      ...accepted('same-namespace', 'multiple-gateways-shared-route', 'same-namespace-dedicated-route'),
      {
        requests: [
          { path: '/shared', backend: v1 },
          { path: '/', backend: v2 },
        ],
      },
      ...accepted('all-namespaces', 'multiple-gateways-shared-route', 'all-namespaces-dedicated-route'),
      {
        port: PORTS.allNamespaces,
        requests: [
          { path: '/shared', backend: v1 },
          { path: '/', backend: v3 },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteNoBackendRefs',
    level: 'Core',
    manifests: route(
      'omitted-backendrefs',
      `${sameNamespace}
rules:
- matches: [{path: {type: Exact, value: /omitted-no-forward}}]
- matches: [{path: {type: Exact, value: /empty-no-forward}}]
  backendRefs: []
- matches: [{path: {type: PathPrefix, value: /}}]
  ${to(v1)}`,
    ),
    steps: [
      ...accepted('same-namespace', 'omitted-backendrefs'),
      {
        requests: [
          { path: '/forward', backend: v1 },
          { path: '/omitted-no-forward', status: 500 },
          { path: '/empty-no-forward', status: 500 },
        ],
      },
    ],
  },
  {
    name: 'HTTPRoutePathMatchOrder',
    level: 'Core',
    manifests: route(
      'path-matching-order',
      `${sameNamespace}
rules:
${(
  [
    ['Exact', '/match', v1],
    ['Exact', '/match/exact', v2],
    ['Exact', '/match/exact/one', v3],
    ['PathPrefix', '/match/', v3],
    ['PathPrefix', '/match/prefix/', v1],
    ['PathPrefix', '/match/prefix/one', v2],
  ] as const
)
  .map(([type, value, backend]) => `- matches: [{path: {type: ${type}, value: ${value}}}]\n  ${to(backend)}`)
  .join('\n')}`,
    ),
    steps: [
      ...accepted('same-namespace', 'path-matching-order'),
      {
        requests: [
          { path: '/match/exact/one', backend: v3 },
          { path: '/match/exact', backend: v2 },
          { path: '/match', backend: v1 },
          { path: '/match/prefix/one/any', backend: v2 },
          { path: '/match/prefix/any', backend: v1 },
          { path: '/match/any', backend: v3 },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteRedirectHostAndStatus',
    level: 'Core',
    manifests: route(
      'redirect-host-and-status',
      `${sameNamespace}
rules:
- matches: [{path: {type: PathPrefix, value: /hostname-redirect}}]
  filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org}}]
- matches: [{path: {type: PathPrefix, value: /host-and-status}}]
  filters: [{type: RequestRedirect, requestRedirect: {statusCode: 301, hostname: example.org}}]`,
    ),
    steps: [
      ...accepted('same-namespace', 'redirect-host-and-status'),
      {
        requests: [
          { path: '/hostname-redirect', status: 302, redirect: { host: 'example.org' } },
          { path: '/host-and-status', status: 301, redirect: { host: 'example.org' } },
        ],
      },
    ],
  },
  serviceTypes(),
  {
    name: 'HTTPRouteDisallowedKind',
    level: 'Core',
    manifests: documents(
      gateway(
        'tlsroutes-only',
        '- {name: tls, port: 456, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}}',
      ),
      route('disallowed-kind', `parentRefs: [{name: tlsroutes-only}]\nrules:\n- ${to(v1)}`),
    ),
    steps: [
      { route: 'disallowed-kind', parent: 'tlsroutes-only', conditions: ['ResolvedRefs=True'] },
      {
        route: 'disallowed-kind',
        parent: 'tlsroutes-only',
        conditions: ['Accepted=False:NotAllowedByListeners'],
      },
      { noAcceptedParents: 'disallowed-kind' },
      { gateway: 'tlsroutes-only', zeroRoutes: true },
    ],
  },
  // ---- Gateway tests (feature Gateway; ReferenceGrant for the Secret ones).
  {
    name: 'GatewayListenerUnsupportedProtocol',
    level: 'Core',
    manifests: documents(
      gateway('gateway-only-unsupported-protocols', '- {name: invalid, port: 1111, protocol: INVALID}'),
      gateway(
        'gateway-supported-and-unsupported-protocols',
        '- {name: http, port: 93, protocol: HTTP}\n- {name: invalid, port: 1111, protocol: INVALID}',
      ),
    ),
    steps: [
      {
        gateway: 'gateway-only-unsupported-protocols',
        conditions: ['Accepted=False:ListenersNotValid'],
        listeners: {
          invalid: {
            supportedKinds: [],
            attachedRoutes: 0,
            conditions: ['Accepted=False:UnsupportedProtocol'],
          },
        },
      },
      {
        gateway: 'gateway-supported-and-unsupported-protocols',
        conditions: ['Accepted=True:ListenersNotValid'],
        listeners: {
          http: { ...HTTP_ROUTE, conditions: ['Accepted=True:Accepted'] },
          invalid: {
            supportedKinds: [],
            attachedRoutes: 0,
            conditions: ['Accepted=False:UnsupportedProtocol'],
          },
        },
      },
    ],
  },
  {
    name: 'GatewayWithAttachedRoutes',
    level: 'Core',
    manifests: documents(
      gateway(
        'gateway-with-one-attached-route',
        `- name: http
  port: 86
  protocol: HTTP
  allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: ${INFRA}}}}}`,
      ),
      route(
        'http-route-1',
        `parentRefs: [{kind: Gateway, name: gateway-with-one-attached-route}]\nrules:\n- ${to(v1)}`,
      ),
      gateway(
        'gateway-with-two-attached-routes',
        `- name: http
  port: 87
  protocol: HTTP
  hostname: foo.example.com
  allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: ${INFRA}}}}}`,
      ),
      route(
        'http-route-2',
        `parentRefs: [{kind: Gateway, name: gateway-with-two-attached-routes}]\nrules:\n- ${to(v1)}`,
      ),
      route(
        'http-route-3',
        `parentRefs: [{kind: Gateway, name: gateway-with-two-attached-routes}]\nrules:\n- ${to(v1)}`,
      ),
      route(
        'http-route-not-accepted',
        `hostnames: [not-accepted.test.com]\nparentRefs: [{kind: Gateway, name: gateway-with-two-attached-routes}]\nrules:\n- ${to(v1)}`,
      ),
      gateway(
        'unresolved-gateway-with-one-attached-unresolved-route',
        `- name: tls
  port: 445
  protocol: HTTPS
  allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: ${INFRA}}}}}
  tls: {mode: Terminate, certificateRefs: [${secretRef('does-not-exist')}]}`,
      ),
      route(
        'http-route-4',
        `parentRefs: [{kind: Gateway, name: unresolved-gateway-with-one-attached-unresolved-route, sectionName: tls}]\nrules:\n- backendRefs: [{name: does-not-exist, port: 8080}]`,
      ),
    ),
    steps: [
      {
        gateway: 'gateway-with-one-attached-route',
        listeners: { http: { ...HTTP_ROUTE, conditions: READY, attachedRoutes: 1 } },
      },
      {
        gateway: 'gateway-with-two-attached-routes',
        listeners: { http: { ...HTTP_ROUTE, conditions: READY, attachedRoutes: 2 } },
      },
      {
        route: 'http-route-not-accepted',
        parent: 'gateway-with-two-attached-routes',
        conditions: ['Accepted=False:NoMatchingListenerHostname'],
      },
      {
        gateway: 'unresolved-gateway-with-one-attached-unresolved-route',
        listeners: {
          tls: { ...HTTP_ROUTE, conditions: ['Programmed=False', 'ResolvedRefs=False'], attachedRoutes: 1 },
        },
      },
      {
        route: 'http-route-4',
        parent: 'unresolved-gateway-with-one-attached-unresolved-route',
        conditions: ['ResolvedRefs=False'],
      },
    ],
  },
  {
    name: 'GatewayObservedGenerationBump',
    level: 'Core',
    manifests: gateway(
      'gateway-observed-generation-bump',
      '- {name: http, hostname: bar.com, port: 88, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}',
    ),
    steps: [
      { gateway: 'gateway-observed-generation-bump', conditions: ['Accepted=True'] },
      {
        kubectl: [
          'patch',
          'gateway',
          '-n',
          INFRA,
          'gateway-observed-generation-bump',
          '--type=json',
          '-p',
          JSON.stringify([
            {
              op: 'add',
              path: '/spec/listeners/-',
              value: {
                name: 'alternate',
                hostname: 'foo.com',
                port: 88,
                protocol: 'HTTP',
                allowedRoutes: { namespaces: { from: 'All' } },
              },
            },
          ]),
        ],
      },
      {
        gateway: 'gateway-observed-generation-bump',
        conditions: ['Accepted=True'],
        listeners: { http: { conditions: ['Accepted=True'] }, alternate: { conditions: ['Accepted=True'] } },
      },
    ],
  },
  {
    name: 'GatewayInvalidRouteKind',
    level: 'Core',
    manifests: documents(
      gateway(
        'gateway-only-invalid-route-kind',
        '- {name: http, port: 89, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: InvalidRoute}]}}',
      ),
      gateway(
        'gateway-supported-and-invalid-route-kind',
        '- {name: http, port: 90, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: InvalidRoute}, {kind: HTTPRoute}]}}',
      ),
    ),
    steps: [
      {
        gateway: 'gateway-only-invalid-route-kind',
        listeners: {
          http: {
            supportedKinds: [],
            conditions: ['ResolvedRefs=False:InvalidRouteKinds'],
            attachedRoutes: 0,
          },
        },
      },
      {
        gateway: 'gateway-supported-and-invalid-route-kind',
        listeners: {
          http: { ...HTTP_ROUTE, conditions: ['ResolvedRefs=False:InvalidRouteKinds'], attachedRoutes: 0 },
        },
      },
    ],
  },
  {
    name: 'GatewayInvalidTLSConfiguration',
    level: 'Core',
    manifests: documents(
      gateway(
        'gateway-certificate-nonexistent-secret',
        httpsListener('https', 446, secretRef('nonexistent-certificate')),
      ),
      gateway(
        'gateway-certificate-unsupported-group',
        httpsListener(
          'https',
          447,
          secretRef('tls-validity-checks-certificate', undefined, 'wrong.group.company.io'),
        ),
      ),
      gateway(
        'gateway-certificate-unsupported-kind',
        httpsListener(
          'https',
          448,
          secretRef('tls-validity-checks-certificate', undefined, '""', 'WrongKind'),
        ),
      ),
      gateway(
        'gateway-certificate-malformed-secret',
        httpsListener('https', 449, secretRef('malformed-certificate')),
      ),
      `apiVersion: v1
kind: Secret
metadata: {name: malformed-certificate, namespace: ${INFRA}}
type: kubernetes.io/tls
data: {tls.crt: SGVsbG8gd29ybGQK, tls.key: SGVsbG8gd29ybGQK}`,
    ),
    steps: [
      'gateway-certificate-nonexistent-secret',
      'gateway-certificate-unsupported-group',
      'gateway-certificate-unsupported-kind',
      'gateway-certificate-malformed-secret',
    ].map((name) => ({
      gateway: name,
      listeners: {
        https: { ...HTTP_ROUTE, conditions: ['ResolvedRefs=False:InvalidCertificateRef'], attachedRoutes: 0 },
      },
    })),
  },
  ...secretReferenceGrantTests(),
  {
    name: 'GatewayModifyListeners',
    level: 'Core',
    manifests: documents(
      gateway(
        'gateway-add-listener',
        httpsListener('https', 454, secretRef('tls-validity-checks-certificate'), 'secure.test.com'),
      ),
      route('http-route-1', `parentRefs: [{kind: Gateway, name: gateway-add-listener}]\nrules:\n- ${to(v1)}`),
      gateway(
        'gateway-remove-listener',
        `${httpsListener('https', 455, secretRef('tls-validity-checks-certificate'), 'secure.test.com')}
- {name: http, port: 92, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}`,
      ),
      route(
        'http-route-2',
        `parentRefs: [{kind: Gateway, name: gateway-remove-listener}]\nrules:\n- ${to(v1)}`,
      ),
    ),
    steps: [
      {
        gateway: 'gateway-add-listener',
        listeners: { https: { ...HTTP_ROUTE, conditions: READY, attachedRoutes: 1 } },
      },
      {
        kubectl: [
          'patch',
          'gateway',
          '-n',
          INFRA,
          'gateway-add-listener',
          '--type=json',
          '-p',
          JSON.stringify([
            {
              op: 'add',
              path: '/spec/listeners/-',
              value: {
                name: 'http',
                port: 91,
                protocol: 'HTTP',
                hostname: 'data.test.com',
                allowedRoutes: { namespaces: { from: 'All' } },
              },
            },
          ]),
        ],
      },
      {
        gateway: 'gateway-add-listener',
        listeners: {
          https: { ...HTTP_ROUTE, conditions: READY, attachedRoutes: 1 },
          http: { ...HTTP_ROUTE, conditions: READY, attachedRoutes: 1 },
        },
      },
      { port: 91, requests: [{ host: 'data.test.com', path: '/', backend: v1 }] },
      { port: 92, requests: [{ path: '/', backend: v1 }] },
      {
        kubectl: [
          'patch',
          'gateway',
          '-n',
          INFRA,
          'gateway-remove-listener',
          '--type=json',
          '-p',
          '[{"op": "remove", "path": "/spec/listeners/0"}]',
        ],
      },
      {
        gateway: 'gateway-remove-listener',
        listeners: { http: { ...HTTP_ROUTE, conditions: READY, attachedRoutes: 1 } },
      },
    ],
  },
  {
    name: 'GatewayInvalidParametersRef',
    level: 'Core',
    manifests: `${gateway('gateway-invalid-parameters-ref', '- {name: http, port: 94, protocol: HTTP}')}
  infrastructure: {parametersRef: {group: invalid.io, kind: InvalidParameters, name: invalid}}`,
    steps: [{ gateway: 'gateway-invalid-parameters-ref', conditions: ['Accepted=False:InvalidParameters'] }],
  },
  {
    // Extended (provisional feature GatewayAddressEmpty): an address of a type without a value is one the
    // implementation assigns; extgate assigns its --address. The suite's listener port 8080 is 105 here.
    name: 'GatewayOptionalAddressValue',
    level: 'Extended',
    manifests: `${gateway('gateway-without-address-value', '- {name: http, port: 105, protocol: HTTP}')}
  addresses: [{type: IPAddress}]`,
    steps: [
      {
        gateway: 'gateway-without-address-value',
        conditions: ['Accepted=True', 'Programmed=True'],
        addressAssigned: true,
      },
    ],
  },
  {
    name: 'GatewayNameMaximumLength',
    level: 'Core',
    manifests: gateway(MAX_LENGTH_NAME, '- {name: http, port: 95, protocol: HTTP}'),
    steps: [{ gateway: MAX_LENGTH_NAME, conditions: [] }],
  },
  {
    name: 'GatewayClassObservedGenerationBump',
    level: 'Core',
    manifests: `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewayclass-observed-generation-bump}
spec: {controllerName: ${CONTROLLER_NAME}, description: old}`,
    steps: [
      { gatewayClass: 'gatewayclass-observed-generation-bump', conditions: ['Accepted=True'] },
      {
        kubectl: [
          'patch',
          'gatewayclass',
          'gatewayclass-observed-generation-bump',
          '--type=merge',
          '-p',
          '{"spec": {"description": "new"}}',
        ],
      },
      { gatewayClass: 'gatewayclass-observed-generation-bump', conditions: ['Accepted=True'] },
    ],
  },
];

/**
 * HTTPRouteServiceTypes: Services without a selector whose EndpointSlices the test writes, headless or not.
 * The suite fills the slices with the IPs of infra-backend-v1's Pods; here they name its echo server. For
 * `headless` (a selector, no manual slice) the test writes the slice Kubernetes' EndpointSlice controller
 * would write for the Pods, as nothing runs Pods here.
 */
function serviceTypes(): ConformanceTest {
  const service = (name: string, headless: boolean) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${INFRA}}
spec:${headless ? '\n  clusterIP: None' : ''}${name === 'headless' ? `\n  selector: {app: ${v1}}` : ''}
  ports: [{name: first-port, protocol: TCP, port: 8080, targetPort: 3000}]`;
  const slice = (
    service: string,
    family: 'ip4' | 'ip6',
    endpoints: boolean,
  ) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${service}-${family}, namespace: ${INFRA}, labels: {kubernetes.io/service-name: ${service}}}
addressType: ${family === 'ip4' ? 'IPv4' : 'IPv6'}
ports: [{name: first-port, port: ${endpoints ? echoPort(v1) : 3000}, protocol: TCP}]
endpoints: [${endpoints ? '{addresses: ["127.0.0.1"], conditions: {ready: true, serving: true, terminating: false}}' : ''}]`;
  return {
    name: 'HTTPRouteServiceTypes',
    level: 'Core',
    manifests: documents(
      route(
        'service-types',
        `${sameNamespace}
rules:
${['manual-endpointslices', 'headless', 'headless-manual-endpointslices']
  .map((n) => `- matches: [{path: {type: Exact, value: /${n}}}]\n  backendRefs: [{name: ${n}, port: 8080}]`)
  .join('\n')}`,
      ),
      service('manual-endpointslices', false),
      slice('manual-endpointslices', 'ip4', true),
      slice('manual-endpointslices', 'ip6', false),
      service('headless', true),
      slice('headless', 'ip4', true),
      service('headless-manual-endpointslices', true),
      slice('headless-manual-endpointslices', 'ip4', true),
      slice('headless-manual-endpointslices', 'ip6', false),
    ),
    steps: [
      ...accepted('same-namespace', 'service-types'),
      {
        requests: ['manual-endpointslices', 'headless-manual-endpointslices', 'headless'].map((n) => ({
          path: `/${n}`,
          backend: v1,
        })),
      },
    ],
  };
}

/**
 * HTTPRouteRequestHeaderModifier, and HTTPRouteBackendRequestHeaderModifier (Extended): the same requests,
 * with the filters on the backendRefs (the suite's httproute-request-header-modifier-backend.yaml).
 */
export function requestHeaderModifier(name: string, atBackend: boolean): ConformanceTest {
  const modifier = modifierRule(atBackend);
  return {
    name,
    level: atBackend ? 'Extended' : 'Core',
    manifests: route(
      'request-header-modifier',
      `${sameNamespace}
rules:
${modifier('/set', '{set: [{name: X-Header-Set, value: set-overwrites-values}]}')}
${modifier('/add', '{add: [{name: X-Header-Add, value: add-appends-values}]}')}
${modifier('/remove', '{remove: [X-Header-Remove]}')}
${modifier(
  '/multiple',
  `{set: [{name: X-Header-Set-1, value: header-set-1}, {name: X-Header-Set-2, value: header-set-2}],
    add: [{name: X-Header-Add-1, value: header-add-1}, {name: X-Header-Add-2, value: header-add-2},
          {name: X-Header-Add-3, value: header-add-3}],
    remove: [X-Header-Remove-1, X-Header-Remove-2]}`,
)}
${modifier(
  '/case-insensitivity',
  '{set: [{name: X-Header-Set, value: header-set}], add: [{name: X-Header-Add, value: header-add}], remove: [X-Header-Remove]}',
)}`,
    ),
    steps: [
      ...accepted('same-namespace', 'request-header-modifier'),
      {
        requests: [
          {
            path: '/set',
            headers: { 'Some-Other-Header': 'val' },
            backend: v1,
            received: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' },
          },
          {
            path: '/set',
            headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' },
            backend: v1,
            received: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' },
          },
          {
            path: '/add',
            headers: { 'Some-Other-Header': 'val' },
            backend: v1,
            received: { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' },
          },
          {
            path: '/add',
            headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' },
            backend: v1,
            received: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value,add-appends-values' },
          },
          {
            path: '/remove',
            headers: { 'X-Header-Remove': 'val' },
            backend: v1,
            absent: ['X-Header-Remove'],
          },
          {
            path: '/multiple',
            headers: {
              'X-Header-Set-2': 'set-val-2',
              'X-Header-Add-2': 'add-val-2',
              'X-Header-Remove-2': 'remove-val-2',
              'Another-Header': 'another-header-val',
            },
            backend: v1,
            received: {
              'X-Header-Set-1': 'header-set-1',
              'X-Header-Set-2': 'header-set-2',
              'X-Header-Add-1': 'header-add-1',
              'X-Header-Add-2': 'add-val-2,header-add-2',
              'X-Header-Add-3': 'header-add-3',
              'Another-Header': 'another-header-val',
            },
            absent: ['X-Header-Remove-1', 'X-Header-Remove-2'],
          },
          {
            path: '/case-insensitivity',
            headers: {
              'x-header-set': 'original-val-set',
              'x-header-add': 'original-val-add',
              'x-header-remove': 'original-val-remove',
              'Another-Header': 'another-header-val',
            },
            backend: v1,
            received: {
              'X-Header-Set': 'header-set',
              'X-Header-Add': 'original-val-add,header-add',
              'Another-Header': 'another-header-val',
            },
            absent: ['x-header-remove', 'X-Header-Remove'],
          },
        ],
      },
    ],
  };
}

function hostnameIntersection(): ConformanceTest {
  const gw = 'httproute-hostname-intersection';
  const parent = `parentRefs: [{name: ${gw}, namespace: ${INFRA}}]`;
  const prefixRule = (prefix: string, backend: string) =>
    `rules:\n- matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n  ${to(backend)}`;
  const r404 = (host: string, path: string): HttpCase => ({ host, path, status: 404 });
  return {
    name: 'HTTPRouteHostnameIntersection',
    level: 'Core',
    manifests: documents(
      gateway(
        gw,
        ['very.specific.com', '*.wildcard.io', '*.anotherwildcard.io']
          .map(
            (h, i) =>
              `- {name: listener-${i + 1}, port: 83, protocol: HTTP, hostname: "${h}", allowedRoutes: {namespaces: {from: Same}}}`,
          )
          .join('\n'),
      ),
      gateway(
        `${gw}-all`,
        '- {name: listener-1, port: 84, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}',
      ),
      route(
        'specific-host-matches-listener-specific-host',
        `${parent}\nhostnames: [non.matching.com, "*.nonmatchingwildcard.io", very.specific.com]\n${prefixRule('/s1', v1)}`,
      ),
      route(
        'specific-host-matches-listener-wildcard-host',
        `${parent}\nhostnames: [non.matching.com, wildcard.io, foo.wildcard.io, bar.wildcard.io, foo.bar.wildcard.io]\n${prefixRule('/s2', v2)}`,
      ),
      route(
        'wildcard-host-matches-listener-specific-host',
        `${parent}\nhostnames: [non.matching.com, "*.specific.com"]\n${prefixRule('/s3', v3)}`,
      ),
      route(
        'wildcard-host-matches-listener-wildcard-host',
        `${parent}\nhostnames: ["*.anotherwildcard.io"]\n${prefixRule('/s4', v1)}`,
      ),
      route(
        'no-intersecting-hosts',
        `${parent}\nhostnames: [specific.but.wrong.com, wildcard.io]\n${prefixRule('/s5', v2)}`,
      ),
      route(
        `${gw}-all`,
        `parentRefs: [{name: ${gw}-all, namespace: ${INFRA}}]\nhostnames: [first.com, sub.first.com, second.com, sub.second.com]\nrules:\n- ${to(v2)}`,
      ),
    ),
    steps: [
      ...accepted(
        gw,
        'specific-host-matches-listener-specific-host',
        'specific-host-matches-listener-wildcard-host',
        'wildcard-host-matches-listener-specific-host',
        'wildcard-host-matches-listener-wildcard-host',
      ),
      {
        port: 83,
        requests: [
          { host: 'very.specific.com', path: '/s1', backend: v1 },
          { host: 'very.specific.com:1234', path: '/s1', backend: v1 },
          r404('non.matching.com', '/s1'),
          r404('foo.nonmatchingwildcard.io', '/s1'),
          r404('foo.wildcard.io', '/s1'),
          r404('very.specific.com', '/non-matching-prefix'),
          { host: 'foo.wildcard.io', path: '/s2', backend: v2 },
          { host: 'bar.wildcard.io', path: '/s2', backend: v2 },
          { host: 'foo.bar.wildcard.io', path: '/s2', backend: v2 },
          r404('non.matching.com', '/s2'),
          r404('wildcard.io', '/s2'),
          r404('very.specific.com', '/s2'),
          r404('foo.wildcard.io', '/non-matching-prefix'),
          { host: 'very.specific.com', path: '/s3', backend: v3 },
          r404('non.matching.com', '/s3'),
          r404('foo.specific.com', '/s3'),
          r404('foo.wildcard.io', '/s3'),
          r404('very.specific.com', '/non-matching-prefix'),
          { host: 'foo.anotherwildcard.io', path: '/s4', backend: v1 },
          { host: 'bar.anotherwildcard.io', path: '/s4', backend: v1 },
          { host: 'foo.bar.anotherwildcard.io', path: '/s4', backend: v1 },
          r404('anotherwildcard.io', '/s4'),
          r404('foo.wildcard.io', '/s4'),
          r404('very.specific.com', '/s4'),
          r404('foo.anotherwildcard.io', '/non-matching-prefix'),
        ],
      },
      {
        route: 'no-intersecting-hosts',
        parent: gw,
        conditions: ['Accepted=False:NoMatchingListenerHostname'],
      },
      { port: 83, requests: [r404('specific.but.wrong.com', '/s5'), r404('wildcard.io', '/s5')] },
      {
        gateway: gw,
        listeners: {
          'listener-1': { ...HTTP_ROUTE, conditions: READY, attachedRoutes: 2 },
          'listener-2': { ...HTTP_ROUTE, conditions: READY, attachedRoutes: 1 },
          'listener-3': { ...HTTP_ROUTE, conditions: READY, attachedRoutes: 1 },
        },
      },
      ...accepted(`${gw}-all`, `${gw}-all`),
      {
        port: 84,
        requests: [
          { host: 'first.com', path: '/', backend: v2 },
          { host: 'sub.first.com', path: '/', backend: v2 },
          { host: 'second.com', path: '/', backend: v2 },
          { host: 'sub.second.com', path: '/', backend: v2 },
          r404('third.com', '/'),
          r404('sub.third.com', '/'),
        ],
      },
    ],
  };
}

/** GatewaySecret*: an HTTPS listener whose certificate is the Secret `certificate` in the web namespace. */
function secretReferenceGrantTests(): ConformanceTest[] {
  const gw = (name: string, port: number) =>
    gateway(name, httpsListener('https', port, secretRef('certificate', WEB_BACKEND)));
  const fromGateway = 'gateway.networking.k8s.io/Gateway';
  const programmed = {
    https: {
      ...HTTP_ROUTE,
      conditions: ['Programmed=True:Programmed', 'ResolvedRefs=True'],
      attachedRoutes: 0,
    },
  };
  const refused = {
    https: { ...HTTP_ROUTE, conditions: ['ResolvedRefs=False:RefNotPermitted'], attachedRoutes: 0 },
  };
  return [
    {
      name: 'GatewaySecretInvalidReferenceGrant',
      level: 'Core',
      manifests: documents(
        gw('gateway-secret-invalid-reference-grant', 450),
        referenceGrant('reference-grant-wrong-namespace', APP_BACKEND, fromGateway, '/Secret/certificate'),
        referenceGrant(
          'reference-grant-wrong-from-group',
          WEB_BACKEND,
          'not-the-group-youre-looking-for/Gateway',
          '/Secret/certificate',
        ),
        referenceGrant(
          'reference-grant-wrong-from-kind',
          WEB_BACKEND,
          'gateway.networking.k8s.io/HTTPRoute',
          '/Secret/certificate',
        ),
        referenceGrant(
          'reference-grant-wrong-from-namespace',
          WEB_BACKEND,
          `${fromGateway}@not-the-namespace-youre-looking-for`,
          '/Secret/certificate',
        ),
        referenceGrant(
          'reference-grant-wrong-to-group',
          WEB_BACKEND,
          fromGateway,
          'not-the-group-youre-looking-for/Secret/not-the-certificate-youre-looking-for',
        ),
        referenceGrant('reference-grant-wrong-to-kind', WEB_BACKEND, fromGateway, '/Service/certificate'),
        referenceGrant(
          'reference-grant-wrong-to-name',
          WEB_BACKEND,
          fromGateway,
          '/Secret/not-the-certificate-youre-looking-for',
        ),
      ),
      steps: [{ gateway: 'gateway-secret-invalid-reference-grant', listeners: refused }],
    },
    {
      name: 'GatewaySecretMissingReferenceGrant',
      level: 'Core',
      manifests: gw('gateway-secret-missing-reference-grant', 451),
      steps: [{ gateway: 'gateway-secret-missing-reference-grant', listeners: refused }],
    },
    {
      name: 'GatewaySecretReferenceGrantAllInNamespace',
      level: 'Core',
      manifests: documents(
        gw('gateway-secret-reference-grant-all-in-namespace', 452),
        referenceGrant('reference-grant-all-in-namespace', WEB_BACKEND, fromGateway, '/Secret'),
      ),
      steps: [{ gateway: 'gateway-secret-reference-grant-all-in-namespace', listeners: programmed }],
    },
    {
      name: 'GatewaySecretReferenceGrantSpecific',
      level: 'Core',
      manifests: documents(
        gw('gateway-secret-reference-grant-specific', 453),
        referenceGrant('reference-grant-specific', WEB_BACKEND, fromGateway, '/Secret/certificate'),
      ),
      steps: [{ gateway: 'gateway-secret-reference-grant-specific', listeners: programmed }],
    },
  ];
}
