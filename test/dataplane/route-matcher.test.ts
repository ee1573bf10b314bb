// Table-driven precedence tests, run against both matchers (the indexed one the data plane uses and the
// linear reference), so a faster matcher can be dropped in with the same table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IndexedRouteMatcher,
  LinearRouteMatcher,
  type RouteRequest,
} from '../../src/dataplane/routing/route-matcher.js';
import type { RouteRuleIR } from '../../src/ir/snapshot.js';
import { rule } from './fixtures.js';

const r = (id: string, spec: Parameters<typeof rule>[0]): RouteRuleIR => ({ ...rule(spec), id });

// In the controller's precedence order (Exact > longer PathPrefix; then method, more headers, more query
// params, route age/name, rule order); the matchers must honour whatever order the IR gives, so the regex
// rule is placed before the `/` prefixes here to keep it reachable for the table.
const rules: RouteRuleIR[] = [
  r('exact-foo', { match: { path: { type: 'Exact', value: '/foo' } } }),
  r('prefix-foo-bar-method', { match: { path: { type: 'PathPrefix', value: '/foo/bar' }, method: 'POST' } }),
  r('prefix-foo-bar-2h', {
    match: {
      path: { type: 'PathPrefix', value: '/foo/bar' },
      headers: [
        { name: 'x-a', type: 'Exact', value: '1' },
        { name: 'x-b', type: 'Exact', value: '2' },
      ],
    },
  }),
  r('prefix-foo-bar-1h', {
    match: {
      path: { type: 'PathPrefix', value: '/foo/bar' },
      headers: [{ name: 'x-a', type: 'Exact', value: '1' }],
    },
  }),
  r('prefix-foo-bar-query', {
    match: {
      path: { type: 'PathPrefix', value: '/foo/bar' },
      queryParams: [{ name: 'v', type: 'Exact', value: '2' }],
    },
  }),
  r('prefix-foo-bar', { match: { path: { type: 'PathPrefix', value: '/foo/bar/' } } }),
  r('prefix-foo', { match: { path: { type: 'PathPrefix', value: '/foo' } } }),
  r('regex-img', { match: { path: { type: 'RegularExpression', value: '/img/[0-9]+\\.png' } } }),
  r('header-regex', {
    match: {
      path: { type: 'PathPrefix', value: '/' },
      headers: [{ name: 'x-env', type: 'RegularExpression', value: 'can.*' }],
    },
  }),
  r('query-regex', {
    match: {
      path: { type: 'PathPrefix', value: '/' },
      queryParams: [{ name: 'Debug', type: 'RegularExpression', value: '[01]' }],
    },
  }),
  r('catch-all', {}),
  // Hostname-specific rules: an exact hostname beats a wildcard, which beats the catch-all, whatever the path.
  r('host-exact', { hostnames: ['api.example.com'], match: { path: { type: 'PathPrefix', value: '/v1' } } }),
  r('host-wild', { hostnames: ['*.example.com'] }),
  r('host-wild-deep', { hostnames: ['*.eu.example.com'] }),
];

interface Case {
  name: string;
  host?: string;
  method?: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  want: string | undefined;
}

const cases: Case[] = [
  { name: 'Exact beats PathPrefix', path: '/foo', want: 'exact-foo' },
  { name: 'PathPrefix on segment boundary', path: '/foo/x', want: 'prefix-foo' },
  { name: 'PathPrefix is not a string prefix', path: '/foobar', want: 'catch-all' },
  { name: 'trailing slash of a prefix is ignored', path: '/foo/bar', want: 'prefix-foo-bar' },
  { name: 'longer prefix beats shorter', path: '/foo/bar/baz', want: 'prefix-foo-bar' },
  {
    name: 'method match beats header matches',
    path: '/foo/bar',
    method: 'POST',
    headers: { 'x-a': '1', 'x-b': '2' },
    want: 'prefix-foo-bar-method',
  },
  {
    name: 'more header matches win',
    path: '/foo/bar',
    headers: { 'x-a': '1', 'x-b': '2' },
    want: 'prefix-foo-bar-2h',
  },
  { name: 'one header match', path: '/foo/bar/x', headers: { 'x-a': '1' }, want: 'prefix-foo-bar-1h' },
  {
    name: 'header value must match exactly',
    path: '/foo/bar',
    headers: { 'x-a': '10' },
    want: 'prefix-foo-bar',
  },
  { name: 'query param match', path: '/foo/bar', query: 'v=2&w=1', want: 'prefix-foo-bar-query' },
  { name: 'query param value mismatch', path: '/foo/bar', query: 'v=3', want: 'prefix-foo-bar' },
  { name: 'regex path (full match)', path: '/img/12.png', want: 'regex-img' },
  { name: 'regex path must match the whole path', path: '/img/12.png.bak', want: 'catch-all' },
  { name: 'header regex', path: '/x', headers: { 'x-env': 'canary' }, want: 'header-regex' },
  { name: 'query regex, names case-sensitive', path: '/x', query: 'Debug=1', want: 'query-regex' },
  { name: 'query name case matters', path: '/x', query: 'debug=1', want: 'catch-all' },
  { name: 'exact hostname first', host: 'api.example.com', path: '/v1/users', want: 'host-exact' },
  {
    name: 'exact hostname bucket falls back to wildcard when no rule matches',
    host: 'api.example.com',
    path: '/v2',
    want: 'host-wild',
  },
  { name: 'wildcard hostname beats catch-all', host: 'www.example.com', path: '/foo', want: 'host-wild' },
  { name: 'longest wildcard wins', host: 'a.eu.example.com', path: '/', want: 'host-wild-deep' },
  { name: 'wildcard matches several labels', host: 'a.b.example.com', path: '/', want: 'host-wild' },
  { name: 'wildcard does not match the bare domain', host: 'example.com', path: '/foo', want: 'exact-foo' },
];

function request(c: Case): RouteRequest {
  const headers = c.headers ?? {};
  return {
    host: c.host ?? 'store.test',
    method: c.method ?? 'GET',
    path: c.path,
    query: c.query ?? '',
    header: (n) => headers[n],
  };
}

for (const [name, Matcher] of [
  ['IndexedRouteMatcher', IndexedRouteMatcher],
  ['LinearRouteMatcher', LinearRouteMatcher],
] as const) {
  test(`${name}: Gateway API precedence`, () => {
    const m = new Matcher(rules);
    for (const c of cases) assert.equal(m.match(request(c))?.id, c.want, c.name);
  });

  test(`${name}: no rule for the host`, () => {
    const m = new Matcher(rules.filter((x) => x.hostnames.length > 0));
    assert.equal(m.match(request({ name: '', host: 'other.test', path: '/', want: undefined })), undefined);
  });
}

test('both matchers agree on many generated routes', () => {
  const generated: RouteRuleIR[] = [];
  for (let i = 0; i < 300; i++) {
    generated.push(
      r(`g${i}`, {
        hostnames: i % 3 === 0 ? [] : i % 3 === 1 ? [`h${i % 7}.test`] : [`*.w${i % 5}.test`],
        match: {
          path: { type: i % 4 === 0 ? 'Exact' : 'PathPrefix', value: `/p${i % 11}${i % 2 ? '/q' : ''}` },
          ...(i % 5 === 0 ? { method: 'POST' } : {}),
          headers: i % 6 === 0 ? [{ name: 'x-k', type: 'Exact', value: String(i % 3) }] : [],
        },
      }),
    );
  }
  // Sort as the controller does: Exact, then longer prefix, then method, then header count, then order.
  const order = (x: RouteRuleIR): number[] => [
    x.match.path.type === 'Exact' ? 0 : 1,
    -x.match.path.value.length,
    x.match.method ? 0 : 1,
    -x.match.headers.length,
  ];
  generated.sort((a, b) => {
    const oa = order(a);
    const ob = order(b);
    for (let i = 0; i < oa.length; i++) if (oa[i] !== ob[i]) return oa[i]! - ob[i]!;
    return 0;
  });
  const indexed = new IndexedRouteMatcher(generated);
  const linear = new LinearRouteMatcher(generated);
  for (let i = 0; i < 2000; i++) {
    const c: Case = {
      name: `req ${i}`,
      host: [`h${i % 7}.test`, `x.w${i % 5}.test`, 'none.test'][i % 3]!,
      method: i % 4 === 0 ? 'POST' : 'GET',
      path: `/p${i % 11}${i % 3 === 0 ? '/q/r' : ''}`,
      headers: { 'x-k': String(i % 3) },
      want: undefined,
    };
    assert.equal(indexed.match(request(c))?.id, linear.match(request(c))?.id, c.name);
  }
});
