// The suite's Extended HTTP tests whose feature extgate implements,
// ported as data like tests-core.ts. skipped.ts lists the others, with why.
import { documents } from '../e2e/manifests.js';
import { PORTS } from './base.js';
import { accepted, requestHeaderModifier } from './tests-core.js';
import { type ConformanceTest, gateway, type HttpCase, INFRA, route, to } from './model.js';

const v1 = 'infra-backend-v1';
const v2 = 'infra-backend-v2';
const v3 = 'infra-backend-v3';
const sameNamespace = 'parentRefs: [{name: same-namespace}]';

/** One rule per [prefix, filters YAML, backend or none]. */
const rules = (entries: ReadonlyArray<readonly [string, string, string?]>) =>
  entries
    .map(
      ([prefix, filters, backend]) =>
        `- matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n  filters: ${filters}${backend ? `\n  ${to(backend)}` : ''}`,
    )
    .join('\n');

const redirect = (r: string) => `[{type: RequestRedirect, requestRedirect: ${r}}]`;
const rewrite = (r: string) => `{type: URLRewrite, urlRewrite: ${r}}`;
const requestModifier = `{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}],
    add: [{name: X-Header-Add, value: header-val-1}, {name: X-Header-Add-Append, value: header-val-2}], remove: [X-Header-Remove]}}`;
/** What requestModifier does to a request carrying `modifiedIn`. */
const modifiedIn = { 'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1' };
const modifiedOut = {
  received: {
    'X-Header-Add': 'header-val-1',
    'X-Header-Add-Append': 'append-val-1,header-val-2',
    'X-Header-Set': 'set-overwrites-values',
  },
  absent: ['X-Header-Remove'],
};

function simple(name: string, routeName: string, spec: string, cases: HttpCase[]): ConformanceTest {
  return {
    name,
    level: 'Extended',
    manifests: route(routeName, `${sameNamespace}\n${spec}`),
    steps: [...accepted('same-namespace', routeName), { requests: cases }],
  };
}

const responseModifier = (m: string) => `[{type: ResponseHeaderModifier, responseHeaderModifier: ${m}}]`;

const LISTENER_ISOLATION_SECTIONS = [
  'empty-hostname',
  'wildcard-example-com',
  'wildcard-foo-example-com',
  'abc-foo-example-com',
] as const;

export const EXTENDED_TESTS: ConformanceTest[] = [
  simple(
    'HTTPRouteMethodMatching',
    'method-matching',
    `rules:
- matches: [{method: POST}]
  ${to(v1)}
- matches: [{method: GET}]
  ${to(v2)}
- matches: [{path: {type: PathPrefix, value: /path1}, method: GET}]
  ${to(v1)}
- matches: [{headers: [{name: version, value: one}], method: PUT}]
  ${to(v2)}
- matches: [{path: {type: PathPrefix, value: /path2}, headers: [{name: version, value: two}], method: POST}]
  ${to(v3)}
- matches:
  - {path: {type: PathPrefix, value: /path3}, method: PATCH}
  - {path: {type: PathPrefix, value: /path4}, headers: [{name: version, value: three}], method: DELETE}
  ${to(v1)}
- matches: [{path: {type: PathPrefix, value: /path5}}]
  ${to(v1)}
- matches: [{method: PATCH}]
  ${to(v2)}
- matches: [{headers: [{name: version, value: four}]}]
  ${to(v3)}`,
    [
      { method: 'POST', path: '/', backend: v1 },
      { method: 'GET', path: '/', backend: v2 },
      { method: 'HEAD', path: '/', status: 404 },
      { method: 'GET', path: '/path1', backend: v1 },
      { method: 'PUT', path: '/', headers: { version: 'one' }, backend: v2 },
      { method: 'POST', path: '/path2', headers: { version: 'two' }, backend: v3 },
      { method: 'PATCH', path: '/path3', backend: v1 },
      { method: 'DELETE', path: '/path4', headers: { version: 'three' }, backend: v1 },
      { method: 'PUT', path: '/', status: 404 },
      { method: 'DELETE', path: '/path4', status: 404 },
      { method: 'PATCH', path: '/path5', backend: v1 },
      { method: 'PATCH', path: '/', headers: { version: 'four' }, backend: v2 },
    ],
  ),
  simple(
    'HTTPRouteQueryParamMatching',
    'query-param-matching',
    `rules:
- matches: [{queryParams: [{name: animal, value: whale}]}]
  ${to(v1)}
- matches: [{queryParams: [{name: animal, value: dolphin}]}]
  ${to(v2)}
- matches:
  - queryParams: [{name: animal, value: dolphin}, {name: color, value: blue}]
  - queryParams: [{name: ANIMAL, value: Whale}]
  ${to(v3)}
- matches: [{path: {type: PathPrefix, value: /path1}, queryParams: [{name: animal, value: whale}]}]
  ${to(v1)}
- matches: [{headers: [{name: version, value: one}], queryParams: [{name: animal, value: whale}]}]
  ${to(v2)}
- matches: [{path: {type: PathPrefix, value: /path2}, headers: [{name: version, value: two}], queryParams: [{name: animal, value: whale}]}]
  ${to(v3)}
- matches:
  - {path: {type: PathPrefix, value: /path3}, queryParams: [{name: animal, value: shark}]}
  - {path: {type: PathPrefix, value: /path4}, headers: [{name: version, value: three}], queryParams: [{name: animal, value: kraken}]}
  ${to(v1)}
- matches: [{path: {type: PathPrefix, value: /path5}}]
  ${to(v1)}
- matches: [{queryParams: [{name: animal, value: hydra}]}]
  ${to(v2)}
- matches: [{headers: [{name: version, value: four}]}]
  ${to(v3)}`,
    [
      { path: '/?animal=whale', backend: v1 },
      { path: '/?animal=dolphin', backend: v2 },
      { path: '/?animal=dolphin&color=blue', backend: v3 },
      { path: '/?ANIMAL=Whale', backend: v3 },
      { path: '/?animal=whale&otherparam=irrelevant', backend: v1 },
      { path: '/?animal=dolphin&color=yellow', backend: v2 },
      { path: '/?color=blue', status: 404 },
      { path: '/?animal=dog', status: 404 },
      { path: '/?animal=whaledolphin', status: 404 },
      { path: '/', status: 404 },
      { path: '/path1?animal=whale', backend: v1 },
      { path: '/?animal=whale', headers: { version: 'one' }, backend: v2 },
      { path: '/path2?animal=whale', headers: { version: 'two' }, backend: v3 },
      { path: '/path3?animal=shark', backend: v1 },
      { path: '/path4?animal=kraken', headers: { version: 'three' }, backend: v1 },
      { path: '/?animal=shark', status: 404 },
      { path: '/path4?animal=kraken', status: 404 },
      { path: '/path5?animal=hydra', backend: v1 },
    ],
  ),
  simple(
    'HTTPRouteRedirectScheme',
    'redirect-scheme',
    `rules:\n${rules([
      ['/scheme', redirect('{scheme: https}')],
      ['/scheme-and-host', redirect('{hostname: example.org, scheme: https}')],
      ['/scheme-and-status', redirect('{scheme: https, statusCode: 301}')],
      ['/scheme-and-host-and-status', redirect('{scheme: https, statusCode: 302, hostname: example.org}')],
    ])}`,
    [
      { path: '/scheme', status: 302, redirect: { scheme: 'https' } },
      { path: '/scheme-and-host', status: 302, redirect: { host: 'example.org', scheme: 'https' } },
      { path: '/scheme-and-status', status: 301, redirect: { scheme: 'https' } },
      {
        path: '/scheme-and-host-and-status',
        status: 302,
        redirect: { scheme: 'https', host: 'example.org' },
      },
    ],
  ),
  simple(
    'HTTPRouteRedirectPath',
    'redirect-path',
    `rules:\n${rules([
      [
        '/original-prefix',
        redirect('{path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}'),
      ],
      ['/full', redirect('{path: {type: ReplaceFullPath, replaceFullPath: /full-path-replacement}}')],
      [
        '/path-and-host',
        redirect(
          '{hostname: example.org, path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}',
        ),
      ],
      [
        '/path-and-status',
        redirect(
          '{path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}, statusCode: 301}',
        ),
      ],
      [
        '/full-path-and-host',
        redirect(
          '{hostname: example.org, path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}}',
        ),
      ],
      [
        '/full-path-and-status',
        redirect('{path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}, statusCode: 301}'),
      ],
    ])}`,
    [
      { path: '/original-prefix/lemon', status: 302, redirect: { path: '/replacement-prefix/lemon' } },
      { path: '/full/path/original', status: 302, redirect: { path: '/full-path-replacement' } },
      { path: '/path-and-host', status: 302, redirect: { host: 'example.org', path: '/replacement-prefix' } },
      { path: '/path-and-status', status: 301, redirect: { path: '/replacement-prefix' } },
      {
        path: '/full-path-and-host',
        status: 302,
        redirect: { host: 'example.org', path: '/replacement-full' },
      },
      { path: '/full-path-and-status', status: 301, redirect: { path: '/replacement-full' } },
    ],
  ),
  simple(
    'HTTPRouteRedirectPort',
    'redirect-port',
    `rules:\n${rules([
      ['/port', redirect('{port: 8083}')],
      ['/port-and-host', redirect('{hostname: example.org, port: 8083}')],
      ['/port-and-status', redirect('{port: 8083, statusCode: 301}')],
      ['/port-and-host-and-status', redirect('{port: 8083, hostname: example.org, statusCode: 302}')],
    ])}`,
    [
      { path: '/port', status: 302, redirect: { port: '8083' } },
      { path: '/port-and-host', status: 302, redirect: { host: 'example.org', port: '8083' } },
      { path: '/port-and-status', status: 301, redirect: { port: '8083' } },
      { path: '/port-and-host-and-status', status: 302, redirect: { port: '8083', host: 'example.org' } },
    ],
  ),
  simple(
    'HTTPRoute303Redirect',
    '303-redirect',
    `rules:\n${rules([['/see-other', redirect('{statusCode: 303}')]])}`,
    [{ method: 'POST', path: '/see-other', status: 303, redirect: { path: '/see-other' } }],
  ),
  simple(
    'HTTPRoute307Redirect',
    '307-redirect',
    `rules:\n${rules([['/temporary', redirect('{statusCode: 307}')]])}`,
    [{ path: '/temporary', status: 307, redirect: { path: '/temporary' } }],
  ),
  simple(
    'HTTPRoute308Redirect',
    '308-redirect',
    `rules:\n${rules([['/permanent', redirect('{statusCode: 308}')]])}`,
    [{ path: '/permanent', status: 308, redirect: { path: '/permanent' } }],
  ),
  simple(
    'HTTPRouteRewriteHost',
    'rewrite-host',
    `hostnames: [rewrite.example]
rules:
- matches: [{path: {type: PathPrefix, value: /one}}]
  filters: [${rewrite('{hostname: one.example.org}')}]
  ${to(v1)}
- filters: [${rewrite('{hostname: example.org}')}]
  ${to(v2)}
- matches: [{path: {type: PathPrefix, value: /rewrite-host-and-modify-headers}}]
  filters: [${rewrite('{hostname: test.example.org}')}, ${requestModifier}]
  ${to(v2)}`,
    [
      { host: 'rewrite.example', path: '/one', seenHost: 'one.example.org', backend: v1 },
      { host: 'rewrite.example', path: '/two', seenHost: 'example.org', backend: v2 },
      {
        host: 'rewrite.example',
        path: '/rewrite-host-and-modify-headers',
        headers: modifiedIn,
        seenHost: 'test.example.org',
        backend: v2,
        ...modifiedOut,
      },
    ],
  ),
  simple(
    'HTTPRouteRewritePath',
    'rewrite-path',
    `rules:\n${rules([
      ['/prefix/one', `[${rewrite('{path: {type: ReplacePrefixMatch, replacePrefixMatch: /one}}')}]`, v1],
      ['/strip-prefix', `[${rewrite('{path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}')}]`, v1],
      ['/full/one', `[${rewrite('{path: {type: ReplaceFullPath, replaceFullPath: /one}}')}]`, v1],
      [
        '/full/rewrite-path-and-modify-headers',
        `[${rewrite('{path: {type: ReplaceFullPath, replaceFullPath: /test}}')}, ${requestModifier}]`,
        v1,
      ],
      [
        '/prefix/rewrite-path-and-modify-headers',
        `[${rewrite('{path: {type: ReplacePrefixMatch, replacePrefixMatch: /prefix}}')}, ${requestModifier}]`,
        v1,
      ],
    ])}`,
    [
      { path: '/prefix/one/two', seenPath: '/one/two', backend: v1 },
      { path: '/strip-prefix/three', seenPath: '/three', backend: v1 },
      { path: '/strip-prefix', seenPath: '/', backend: v1 },
      { path: '/full/one/two', seenPath: '/one', backend: v1 },
      {
        path: '/full/rewrite-path-and-modify-headers/test',
        headers: { ...modifiedIn, 'X-Header-Set': 'set-val' },
        seenPath: '/test',
        backend: v1,
        ...modifiedOut,
      },
      {
        path: '/prefix/rewrite-path-and-modify-headers/one',
        headers: { ...modifiedIn, 'X-Header-Set': 'set-val' },
        seenPath: '/prefix/one',
        backend: v1,
        ...modifiedOut,
      },
    ],
  ),
  simple(
    'HTTPRouteResponseHeaderModifier',
    'response-header-modifier',
    `rules:\n${rules([
      ['/set', responseModifier('{set: [{name: X-Header-Set, value: set-overwrites-values}]}'), v1],
      ['/add', responseModifier('{add: [{name: X-Header-Add, value: add-appends-values}]}'), v1],
      ['/remove', responseModifier('{remove: [X-Header-Remove]}'), v1],
      [
        '/multiple',
        responseModifier(`{set: [{name: X-Header-Set-1, value: header-set-1}, {name: X-Header-Set-2, value: header-set-2}],
    add: [{name: X-Header-Add-1, value: header-add-1}, {name: X-Header-Add-2, value: header-add-2}, {name: X-Header-Add-3, value: header-add-3}],
    remove: [X-Header-Remove-1, X-Header-Remove-2]}`),
        v1,
      ],
      [
        '/case-insensitivity',
        responseModifier(`{set: [{name: X-Header-Set, value: header-set}],
    add: [{name: X-Header-Add, value: header-add}, {name: x-lowercase-add, value: lowercase-add},
      {name: x-Mixedcase-ADD-1, value: mixedcase-add-1}, {name: X-mixeDcase-add-2, value: mixedcase-add-2},
      {name: X-UPPERCASE-ADD, value: uppercase-add}],
    remove: [X-Header-Remove]}`),
        v1,
      ],
      [
        '/response-and-request-header-modifiers',
        `[{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Header-Set-1, value: header-set-1}, {name: X-Header-Set-2, value: header-set-2}],
    add: [{name: X-Header-Add-1, value: header-add-1}, {name: X-Header-Add-2, value: header-add-2}], remove: [X-Header-Remove-1, X-Header-Remove-2]}},
    ${requestModifier}]`,
        v1,
      ],
    ])}`,
    [
      {
        path: '/set',
        backendSets: { 'Some-Other-Header': 'val' },
        responseHeaders: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' },
        backend: v1,
      },
      {
        path: '/set',
        backendSets: { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' },
        responseHeaders: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' },
        backend: v1,
      },
      {
        path: '/add',
        backendSets: { 'Some-Other-Header': 'val' },
        responseHeaders: { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' },
        backend: v1,
      },
      {
        path: '/add',
        backendSets: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' },
        responseHeaders: {
          'Some-Other-Header': 'val',
          'X-Header-Add': 'some-other-value,add-appends-values',
        },
        backend: v1,
      },
      {
        path: '/remove',
        backendSets: { 'X-Header-Remove': 'val' },
        absentResponseHeaders: ['X-Header-Remove'],
        backend: v1,
      },
      {
        path: '/multiple',
        backendSets: {
          'X-Header-Set-2': 'set-val-2',
          'X-Header-Add-2': 'add-val-2',
          'X-Header-Remove-2': 'remove-val-2',
          'Another-Header': 'another-header-val',
          'X-Header-Remove-1': 'val',
        },
        responseHeaders: {
          'X-Header-Set-1': 'header-set-1',
          'X-Header-Set-2': 'header-set-2',
          'X-Header-Add-1': 'header-add-1',
          'X-Header-Add-2': 'add-val-2,header-add-2',
          'X-Header-Add-3': 'header-add-3',
          'Another-Header': 'another-header-val',
        },
        absentResponseHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
        backend: v1,
      },
      {
        path: '/case-insensitivity',
        backendSets: {
          'x-header-set': 'original-val-set',
          'x-header-add': 'original-val-add',
          'x-header-remove': 'original-val-remove',
          'Another-Header': 'another-header-val',
        },
        responseHeaders: {
          'X-Header-Set': 'header-set',
          'X-Header-Add': 'original-val-add,header-add',
          'X-Lowercase-Add': 'lowercase-add',
          'X-Mixedcase-Add-1': 'mixedcase-add-1',
          'X-Mixedcase-Add-2': 'mixedcase-add-2',
          'X-Uppercase-Add': 'uppercase-add',
          'Another-Header': 'another-header-val',
        },
        absentResponseHeaders: ['x-header-remove', 'X-Header-Remove'],
        backend: v1,
      },
      {
        path: '/response-and-request-header-modifiers',
        headers: { ...modifiedIn, 'X-Header-Echo': 'echo' },
        backendSets: {
          'X-Header-Set-2': 'set-val-2',
          'X-Header-Add-2': 'add-val-2',
          'X-Header-Remove-2': 'remove-val-2',
          'Another-Header': 'another-header-val',
          'X-Header-Remove-1': 'remove-val-1',
          'X-Header-Echo': 'echo',
        },
        received: { ...modifiedOut.received, 'X-Header-Echo': 'echo' },
        absent: modifiedOut.absent,
        responseHeaders: {
          'X-Header-Set-1': 'header-set-1',
          'X-Header-Set-2': 'header-set-2',
          'X-Header-Add-1': 'header-add-1',
          'X-Header-Add-2': 'add-val-2,header-add-2',
          'Another-Header': 'another-header-val',
          'X-Header-Echo': 'echo',
        },
        absentResponseHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
        backend: v1,
      },
    ],
  ),
  simple(
    'HTTPRouteRequestMirror',
    'request-mirror',
    `rules:\n${rules([
      ['/mirror', `[{type: RequestMirror, requestMirror: {backendRef: {name: ${v2}, port: 8080}}}]`, v1],
      [
        '/mirror-and-modify-headers',
        `[${requestModifier}, {type: RequestMirror, requestMirror: {backendRef: {name: ${v2}, port: 8080}}}]`,
        v1,
      ],
    ])}`,
    [
      { path: '/mirror', backend: v1, mirroredTo: [v2] },
      {
        path: '/mirror-and-modify-headers',
        headers: modifiedIn,
        backend: v1,
        mirroredTo: [v2],
        ...modifiedOut,
      },
    ],
  ),
  {
    name: 'GatewayHTTPListenerIsolation',
    level: 'Extended',
    manifests: documents(
      gateway(
        'http-listener-isolation',
        [
          ['empty-hostname', ''],
          ['wildcard-example-com', '*.example.com'],
          ['wildcard-foo-example-com', '*.foo.example.com'],
          ['abc-foo-example-com', 'abc.foo.example.com'],
        ]
          .map(
            ([name, host]) =>
              `- {name: ${name}, port: 96, protocol: HTTP${host ? `, hostname: "${host}"` : ''}, allowedRoutes: {namespaces: {from: Same}}}`,
          )
          .join('\n'),
      ),
      ...LISTENER_ISOLATION_SECTIONS.map((section) =>
        route(
          `attaches-to-${section}`,
          `parentRefs: [{name: http-listener-isolation, namespace: ${INFRA}, sectionName: ${section}}]
rules:
- matches: [{path: {type: PathPrefix, value: /${section}}}]
  ${to(v1)}`,
        ),
      ),
    ),
    steps: [
      ...accepted('http-listener-isolation', ...LISTENER_ISOLATION_SECTIONS.map((s) => `attaches-to-${s}`)),
      {
        port: 96,
        requests: (
          [
            ['bar.com', 'empty-hostname'],
            ['bar.example.com', 'wildcard-example-com'],
            ['bar.foo.example.com', 'wildcard-foo-example-com'],
            ['abc.foo.example.com', 'abc-foo-example-com'],
          ] as const
        ).flatMap(([host, served]) =>
          LISTENER_ISOLATION_SECTIONS.map((section): HttpCase =>
            section === served
              ? { host, path: `/${section}`, backend: v1 }
              : { host, path: `/${section}`, status: 404 },
          ),
        ),
      },
    ],
  },
  {
    name: 'HTTPRouteListenerPortMatching',
    level: 'Extended',
    // The suite's listener ports 80, 8080 and 8090 are 97, 98 and 99 here (base.ts says why ports differ).
    manifests: documents(
      gateway(
        'httproute-listener-port-matching',
        (
          [
            ['listener-1', 97, 'foo.com'],
            ['listener-2', 98, 'foo.com'],
            ['listener-3', 98, 'bar.com'],
            ['listener-4', 99, 'foo.com'],
            ['listener-5', 99, 'bar.com'],
          ] as const
        )
          .map(
            ([name, port, host]) =>
              `- {name: ${name}, port: ${port}, protocol: HTTP, hostname: ${host}, allowedRoutes: {namespaces: {from: Same}}}`,
          )
          .join('\n'),
      ),
      route(
        'backend-v1',
        `parentRefs: [{name: httproute-listener-port-matching, port: 97}]\nrules:\n- ${to(v1)}`,
      ),
      route(
        'backend-v2',
        `parentRefs: [{name: httproute-listener-port-matching, port: 98}]\nrules:\n- ${to(v2)}`,
      ),
      route(
        'backend-v3',
        `parentRefs: [{name: httproute-listener-port-matching, port: 99, sectionName: listener-4}]\nrules:\n- ${to(v3)}`,
      ),
    ),
    steps: [
      ...accepted('httproute-listener-port-matching', 'backend-v1', 'backend-v2', 'backend-v3'),
      { port: 97, requests: [{ host: 'foo.com', path: '/', backend: v1 }] },
      {
        port: 98,
        requests: [
          { host: 'foo.com:98', path: '/', backend: v2 },
          { host: 'bar.com:98', path: '/', backend: v2 },
        ],
      },
      {
        port: 99,
        requests: [
          { host: 'foo.com:99', path: '/', backend: v3 },
          { host: 'bar.com:99', path: '/', status: 404 },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingListenerPort',
    level: 'Extended',
    manifests: route(
      'httproute-listener-not-matching-route-port',
      `parentRefs: [{name: same-namespace, port: 81}]\nrules:\n- backendRefs: [{name: ${v1}, kind: Service, port: 8080}]`,
    ),
    steps: [
      {
        route: 'httproute-listener-not-matching-route-port',
        parent: 'same-namespace',
        conditions: ['ResolvedRefs=True', 'Accepted=False:NoMatchingParent'],
      },
      { noAcceptedParents: 'httproute-listener-not-matching-route-port' },
      { gateway: 'same-namespace', zeroRoutes: true },
    ],
  },
  {
    name: 'HTTPRouteInvalidParentRefSectionNameNotMatchingPort',
    level: 'Extended',
    manifests: documents(
      gateway(
        'gateway-with-one-not-matching-port-and-section-name-route',
        '- {name: http, port: 100, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: All}}}',
      ),
      route(
        'httproute-listener-section-name-not-matching-port',
        `parentRefs: [{name: gateway-with-one-not-matching-port-and-section-name-route, sectionName: http, port: 101}]
rules:
- backendRefs: [{name: ${v1}, kind: Service, port: 8080}]`,
      ),
    ),
    steps: [
      {
        route: 'httproute-listener-section-name-not-matching-port',
        parent: 'gateway-with-one-not-matching-port-and-section-name-route',
        conditions: ['Accepted=False:NoMatchingParent'],
      },
      { noAcceptedParents: 'httproute-listener-section-name-not-matching-port' },
      { gateway: 'gateway-with-one-not-matching-port-and-section-name-route', zeroRoutes: true },
    ],
  },
  {
    name: 'GatewayWithAttachedRoutesWithPort8080',
    level: 'Extended',
    // The suite's listener ports 8080 and 80 are 102 and 103 here.
    manifests: documents(
      gateway(
        'gateway-with-two-listeners-and-one-attached-route',
        `- {name: http-unattached, port: 102, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: All}}}
- {name: http, port: 103, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: All}}}`,
      ),
      route(
        'http-route-4-port-8080',
        `parentRefs: [{kind: Gateway, name: gateway-with-two-listeners-and-one-attached-route, sectionName: http}]\nrules:\n- ${to(v1)}`,
      ),
    ),
    steps: [
      {
        gateway: 'gateway-with-two-listeners-and-one-attached-route',
        listeners: {
          'http-unattached': {
            supportedKinds: ['HTTPRoute'],
            conditions: ['Accepted=True', 'ResolvedRefs=True'],
            attachedRoutes: 0,
          },
          http: {
            supportedKinds: ['HTTPRoute'],
            conditions: ['Accepted=True', 'ResolvedRefs=True'],
            attachedRoutes: 1,
          },
        },
      },
    ],
  },
  redirectPortAndScheme(),
  simple(
    'HTTPRouteNamedRule',
    'http-named-rules',
    `rules:
- name: named-rule
  matches: [{path: {type: PathPrefix, value: /named}}]
  ${to(v1)}
- matches: [{path: {type: PathPrefix, value: /unnamed}}]
  ${to(v2)}`,
    [
      { path: '/named', backend: v1 },
      { path: '/unnamed', backend: v2 },
    ],
  ),
  {
    name: 'HTTPRouteRequestHeaderModifierBackendWeights',
    level: 'Extended',
    manifests: route(
      'request-header-modifier-backend-weights',
      `${sameNamespace}
rules:
- backendRefs:
${[v1, v2]
  .map(
    (b) =>
      `  - {name: ${b}, port: 8080, weight: 10, filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: Backend, value: ${b}}]}}]}`,
  )
  .join('\n')}`,
    ),
    steps: [
      ...accepted('same-namespace', 'request-header-modifier-backend-weights'),
      { headerNamesBackend: 'Backend', path: '/', count: 100 },
    ],
  },
  simple(
    'HTTPRouteRequestMultipleMirrors',
    'request-multiple-mirrors',
    `rules:\n${rules([
      [
        '/multi-mirror',
        `[{type: RequestMirror, requestMirror: {backendRef: {name: ${v2}, port: 8080}}}, {type: RequestMirror, requestMirror: {backendRef: {name: ${v3}, port: 8080}}}]`,
        v1,
      ],
      [
        '/multi-mirror-and-modify-request-headers',
        `[${requestModifier}, {type: RequestMirror, requestMirror: {backendRef: {name: ${v2}, port: 8080}}},
    {type: RequestMirror, requestMirror: {backendRef: {name: ${v3}, port: 8080}}}]`,
        v1,
      ],
    ])}`,
    [
      { path: '/multi-mirror', backend: v1, mirroredTo: [v2, v3] },
      {
        path: '/multi-mirror-and-modify-request-headers',
        headers: modifiedIn,
        backend: v1,
        mirroredTo: [v2, v3],
        ...modifiedOut,
      },
    ],
  ),
  requestHeaderModifier('HTTPRouteBackendRequestHeaderModifier', true),
  simple(
    'HTTPRouteBackendRequestRedirect',
    'backend-request-redirect',
    `rules:
- matches: [{path: {type: PathPrefix, value: /full}}]
  backendRefs: [{name: ${v1}, port: 8080, filters: ${redirect('{path: {type: ReplaceFullPath, replaceFullPath: /redirected-full}}')}}]
- matches: [{path: {type: PathPrefix, value: /prefix}}]
  backendRefs: [{name: ${v1}, port: 8080, filters: ${redirect('{path: {type: ReplacePrefixMatch, replacePrefixMatch: /redirected-prefix}}')}}]`,
    [
      { path: '/full/original', status: 302, redirect: { path: '/redirected-full' } },
      { path: '/prefix/original', status: 302, redirect: { path: '/redirected-prefix/original' } },
    ],
  ),
  simple(
    'HTTPRouteBackendURLRewrite',
    'backend-url-rewrite',
    `rules:
- matches: [{path: {type: PathPrefix, value: /full}}]
  backendRefs: [{name: ${v1}, port: 8080, filters: [${rewrite('{path: {type: ReplaceFullPath, replaceFullPath: /rewritten-full}}')}]}]
- matches: [{path: {type: PathPrefix, value: /prefix}}]
  backendRefs: [{name: ${v1}, port: 8080, filters: [${rewrite('{path: {type: ReplacePrefixMatch, replacePrefixMatch: /rewritten-prefix}}')}]}]`,
    [
      { path: '/full/original', seenPath: '/rewritten-full', backend: v1 },
      { path: '/prefix/original', seenPath: '/rewritten-prefix/original', backend: v1 },
    ],
  ),
  simple(
    'HTTPRouteBackendProtocolH2C',
    'backend-protocol-h2c',
    `rules:\n- backendRefs: [{name: ${v1}, port: 8081}]`,
    [{ path: '/', protocol: 'h2c', backend: v1 }],
  ),
  {
    name: 'HTTPRouteBackendProtocolWebSocket',
    level: 'Extended',
    manifests: route(
      'backend-protocol-ws',
      `${sameNamespace}\nrules:\n- backendRefs: [{name: ${v1}, port: 8082}]`,
    ),
    steps: [...accepted('same-namespace', 'backend-protocol-ws'), { websocket: '/ws' }],
  },
  misdirectedRequests(),
  {
    name: 'HTTPRouteRequestPercentageMirror',
    level: 'Extended',
    manifests: route(
      'request-percentage-mirror',
      `${sameNamespace}\nrules:\n${rules([
        [
          '/percent-mirror',
          `[{type: RequestMirror, requestMirror: {backendRef: {name: ${v2}, port: 8080}, percent: 20}}]`,
          v1,
        ],
        [
          '/percent-mirror-fraction',
          `[{type: RequestMirror, requestMirror: {backendRef: {name: ${v2}, port: 8080}, fraction: {numerator: 25, denominator: 50}}}]`,
          v1,
        ],
        [
          '/percent-mirror-and-modify-headers',
          `[${requestModifier}, {type: RequestMirror, requestMirror: {backendRef: {name: ${v2}, port: 8080}, percent: 35}}]`,
          v1,
        ],
      ])}`,
    ),
    steps: [
      ...accepted('same-namespace', 'request-percentage-mirror'),
      {
        requests: [
          { path: '/percent-mirror', backend: v1 },
          { path: '/percent-mirror-fraction', backend: v1 },
          { path: '/percent-mirror-and-modify-headers', headers: modifiedIn, backend: v1, ...modifiedOut },
        ],
      },
      { mirrorShare: { path: '/percent-mirror', mirror: v2, percent: 20, count: 500 } },
      { mirrorShare: { path: '/percent-mirror-fraction', mirror: v2, percent: 50, count: 500 } },
      {
        mirrorShare: {
          path: '/percent-mirror-and-modify-headers',
          mirror: v2,
          percent: 35,
          count: 500,
          headers: modifiedIn,
        },
      },
    ],
  },
  simple(
    'HTTPRouteTimeoutRequest',
    'request-timeout',
    `rules:
- matches: [{path: {type: PathPrefix, value: /request-timeout}}]
  ${to(v1)}
  timeouts: {request: 500ms}
- matches: [{path: {type: PathPrefix, value: /disable-request-timeout}}]
  ${to(v1)}
  timeouts: {request: 0s}`,
    [
      { path: '/request-timeout', backend: v1 },
      { path: '/request-timeout?delay=1s', status: 504 },
      { path: '/disable-request-timeout?delay=1s', backend: v1 },
    ],
  ),
  simple(
    'HTTPRouteTimeoutBackendRequest',
    'backend-request-timeout',
    `rules:
- matches: [{path: {type: PathPrefix, value: /backend-timeout}}]
  ${to(v1)}
  timeouts: {backendRequest: 500ms}
- matches: [{path: {type: PathPrefix, value: /disable-backend-timeout}}]
  ${to(v1)}
  timeouts: {backendRequest: 0s}`,
    [
      { path: '/backend-timeout', backend: v1 },
      { path: '/backend-timeout?delay=1s', status: 504 },
      { path: '/disable-backend-timeout?delay=1s', backend: v1 },
    ],
  ),
];

/**
 * HTTPRouteRedirectPortAndScheme: the port a redirect carries when the filter names none follows the scheme,
 * else the listener's port. The suite's listener on 8080 is on 104 here, so where it expects the Location to
 * carry that listener's port, this expects 104; ports a filter names stay as the suite has them.
 */
function redirectPortAndScheme(): ConformanceTest {
  const redirects = (entries: ReadonlyArray<readonly [string, string]>) =>
    `rules:\n${entries
      .map(
        ([path, r]) =>
          `- matches: [{path: {type: PathPrefix, value: ${path}}}]\n  filters: ${redirect(`{${r}${r ? ', ' : ''}hostname: example.org}`)}`,
      )
      .join('\n')}`;
  const to302 = (path: string, scheme: string, port?: string, host?: string): HttpCase => ({
    path,
    ...(host ? { host } : {}),
    status: 302,
    redirect: { scheme, host: 'example.org', ...(port ? { port } : {}) },
  });
  return {
    name: 'HTTPRouteRedirectPortAndScheme',
    level: 'Extended',
    manifests: documents(
      gateway(
        'same-namespace-with-http-listener-on-8080',
        '- {name: http, port: 104, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}',
      ),
      route(
        'http-route-for-listener-on-port-80',
        `${sameNamespace}\n${redirects([
          ['/scheme-nil-and-port-nil', ''],
          ['/scheme-nil-and-port-80', 'port: 80'],
          ['/scheme-nil-and-port-8080', 'port: 8080'],
          ['/scheme-https-and-port-nil', 'scheme: https'],
          ['/scheme-https-and-port-443', 'scheme: https, port: 443'],
          ['/scheme-https-and-port-8443', 'scheme: https, port: 8443'],
        ])}`,
      ),
      route(
        'http-route-for-listener-on-port-8080',
        `parentRefs: [{name: same-namespace-with-http-listener-on-8080}]\n${redirects([
          ['/scheme-nil-and-port-nil', ''],
          ['/scheme-nil-and-port-80', 'port: 80'],
          ['/scheme-https-and-port-nil', 'scheme: https'],
        ])}`,
      ),
      route(
        'http-route-for-listener-on-port-443',
        `parentRefs: [{name: same-namespace-with-https-listener}]\n${redirects([
          ['/scheme-nil-and-port-nil', ''],
          ['/scheme-nil-and-port-443', 'port: 443'],
          ['/scheme-nil-and-port-8443', 'port: 8443'],
          ['/scheme-http-and-port-nil', 'scheme: http'],
          ['/scheme-http-and-port-80', 'scheme: http, port: 80'],
          ['/scheme-http-and-port-8080', 'scheme: http, port: 8080'],
        ])}`,
      ),
    ),
    steps: [
      ...accepted('same-namespace', 'http-route-for-listener-on-port-80'),
      {
        requests: [
          to302('/scheme-nil-and-port-nil', 'http'),
          to302('/scheme-nil-and-port-80', 'http'),
          to302('/scheme-nil-and-port-8080', 'http', '8080'),
          to302('/scheme-https-and-port-nil', 'https'),
          to302('/scheme-https-and-port-443', 'https'),
          to302('/scheme-https-and-port-8443', 'https', '8443'),
        ],
      },
      ...accepted('same-namespace-with-http-listener-on-8080', 'http-route-for-listener-on-port-8080'),
      {
        port: 104,
        requests: [
          to302('/scheme-nil-and-port-nil', 'http', '104'),
          to302('/scheme-nil-and-port-80', 'http'),
          to302('/scheme-https-and-port-nil', 'https'),
        ],
      },
      ...accepted('same-namespace-with-https-listener', 'http-route-for-listener-on-port-443'),
      {
        port: PORTS.https,
        https: true,
        requests: [
          to302('/scheme-nil-and-port-nil', 'https', undefined, 'example.org'),
          to302('/scheme-nil-and-port-443', 'https', undefined, 'example.org'),
          to302('/scheme-nil-and-port-8443', 'https', '8443', 'example.org'),
          to302('/scheme-http-and-port-nil', 'http', undefined, 'example.org'),
          to302('/scheme-http-and-port-80', 'http', undefined, 'example.org'),
          to302('/scheme-http-and-port-8080', 'http', '8080', 'example.org'),
        ],
      },
    ],
  };
}

/** HTTPRouteHTTPSListenerDetectMisdirectedRequests: a Host no listener of the connection's SNI serves is a 421. */
function misdirectedRequests(): ConformanceTest {
  const gw = 'same-namespace-with-https-listener';
  const routeTo = (n: number, section: string, backend: string, hostnames = '') =>
    route(
      `https-listener-detect-misdirected-requests-test-${n}`,
      `parentRefs: [{name: ${gw}, sectionName: ${section}}]${hostnames}\nrules:\n- ${to(backend)}`,
    );
  const c = (sni: string, host: string, status: number, backend?: string): HttpCase =>
    backend ? { sni, host, path: '/', backend } : { sni, host, path: '/', status };
  return {
    name: 'HTTPRouteHTTPSListenerDetectMisdirectedRequests',
    level: 'Extended',
    manifests: documents(
      routeTo(1, 'https', v1, '\nhostnames: [example.org]'),
      routeTo(2, 'https-with-hostname', v2),
      routeTo(3, 'https-with-wildcard-hostname', v3),
      routeTo(4, 'https-with-hostname-matching-wildcard', v1),
    ),
    steps: [
      ...accepted(gw, ...[1, 2, 3, 4].map((n) => `https-listener-detect-misdirected-requests-test-${n}`)),
      {
        port: PORTS.https,
        https: true,
        requests: [
          c('example.org', 'example.org', 200, v1),
          c('example.org', 'second-example.org', 421),
          c('example.org', 'unknown-example.org', 404),
          c('second-example.org', 'second-example.org', 200, v2),
          c('second-example.org', 'example.org', 421),
          c('second-example.org', 'unknown-example.org', 421),
          c('third-example.wildcard.org', 'third-example.wildcard.org', 200, v3),
          c('third-example.wildcard.org', 'fith-example.wildcard.org', 200, v3),
          c('third-example.wildcard.org', 'fourth-example.wildcard.org', 421),
          c('third-example.wildcard.org', 'second-example.org', 421),
          c('third-example.wildcard.org', 'unknown-example.org', 421),
          c('fourth-example.wildcard.org', 'fourth-example.wildcard.org', 200, v1),
          c('fourth-example.wildcard.org', 'fith-example.wildcard.org', 421),
          c('unknown-example.org', 'example.org', 200, v1),
          c('unknown-example.org', 'unknown-example.org', 404),
        ],
      },
    ],
  };
}
