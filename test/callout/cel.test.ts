// CEL match conditions: GKE attributes, absent attributes, admission allow-list with positions, and the
// cel-spec conformance cases for what the allow-list admits, run through compileMatchCondition.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getConformanceSuite } from '@bufbuild/cel-spec/testdata/tests.js';
import { checkCelMatcher, checkCelSyntax } from '../../src/extensions/cel/admission.js';
import { compileMatchCondition } from '../../src/extensions/cel/match.js';
import { requestHeaders, requestInfo } from './support.js';

const matches = (
  expr: string,
  path = '/serviceextensions/a?x=1&y=2',
  extra: Array<[string, string]> = [],
  info = requestInfo(),
) => compileMatchCondition([{ celMatcher: expr }])({ request: info, headers: requestHeaders(path, extra) });

describe('CEL match conditions', () => {
  it("the seed's matcher", () => {
    assert.equal(matches('request.path.contains("serviceextensions")'), true);
    assert.equal(
      matches('request.path.contains("serviceextensions")', '/other?q=serviceextensions'),
      false,
      'path excludes the query',
    );
  });

  it('request attributes: path, query, host, method, scheme, headers (lowercase, joined by comma)', () => {
    assert.equal(matches("request.query == 'x=1&y=2'"), true);
    assert.equal(
      matches("request.host == 'store.example.com' && request.method == 'GET' && request.scheme == 'http'"),
      true,
    );
    assert.equal(
      matches("request.headers['x-multi'] == 'a,b'", '/', [
        ['X-Multi', 'a'],
        ['x-multi', 'b'],
      ]),
      true,
    );
    assert.equal(matches("request.headers['host'] == request.host"), true);
    assert.equal(matches("request.headers['user-agent'].lowerAscii().startsWith('te')"), true);
    assert.equal(matches("request.path.matches('^/service[a-z]+/')"), true);
  });

  it('source and connection attributes; int()', () => {
    const tls = requestInfo({
      scheme: 'https',
      sourcePort: 51000,
      tls: { sni: 'store.example.com', version: 'TLSv1.3', peerCertSha256: 'ab12' },
    });
    assert.equal(matches("source.address == '127.0.0.1' && source.port > 50000", '/', [], tls), true);
    assert.equal(
      matches(
        "connection.requested_server_name.endsWith('.example.com') && connection.tls_version == 'TLSv1.3'",
        '/',
        [],
        tls,
      ),
      true,
    );
    assert.equal(matches("connection.sha256_peer_certificate_digest == 'ab12'", '/', [], tls), true);
    assert.equal(matches("int(request.headers['x-n']) >= 10", '/', [['x-n', '12']]), true);
    assert.equal(matches('1 == 1'), true);
  });

  it('absent attributes make the expression false, not an error', () => {
    assert.equal(matches("request.headers['x-absent'] == 'a'"), false);
    assert.equal(matches("request.headers['x-absent'] != 'a'"), false);
    assert.equal(matches("connection.requested_server_name == 'x'"), false, 'no TLS');
    assert.equal(matches('response.code == 200'), false, 'no response while selecting a chain');
    assert.equal(matches("int(request.headers['x-n']) > 1", '/', [['x-n', 'nope']]), false);
    // An error on one side of || does not hide a true on the other (CEL's commutative logic).
    assert.equal(matches("request.headers['x-absent'] == 'a' || request.path.startsWith('/service')"), true);
  });

  it('conditions are ORed; celMatcher AND backendService; empty list matches all', () => {
    const m = compileMatchCondition([
      { celMatcher: "request.path == '/a'" },
      { celMatcher: "request.method == 'GET'", backendService: 'default/v2:80' },
    ]);
    const run = (path: string, backendService?: string) =>
      m({ request: requestInfo(backendService ? { backendService } : {}), headers: requestHeaders(path) });
    assert.equal(run('/a'), true);
    assert.equal(run('/b'), false);
    assert.equal(run('/b', 'default/v2:80'), true);
    assert.equal(compileMatchCondition([])({ request: requestInfo(), headers: requestHeaders('/') }), true);
    assert.equal(
      compileMatchCondition([{ backendService: 'default/v2:80' }])({
        request: requestInfo(),
        headers: requestHeaders('/'),
      }),
      false,
    );
  });

  it('curly-quoted literals, as GKE admits them', () => {
    assert.equal(matches('request.path.startsWith(\u201c/serviceextensions\u201d)'), true);
  });
});

describe('checkCelMatcher (admission)', () => {
  const ok = [
    'request.path.contains("serviceextensions")',
    '1 == 1',
    "request.headers['x-tenant'] == 'a' || request.path.startsWith('/api/')",
    "request.host.lowerAscii().endsWith('.example.com') && !request.path.matches('^/internal')",
    "int(request.headers['x-n']) + 1 >= 10 && source.port != 22",
    'request.path == R"/raw"',
    'request.path == \u201c/curly\u201d',
    "response.code >= 500 && connection.tls_version == 'TLSv1.3'",
  ];
  for (const expr of ok) it(`admits ${expr}`, () => assert.deepEqual(checkCelMatcher(expr), { ok: true }));

  const bad: Array<[string, number, RegExp]> = [
    ['true', 0, /"true" is not allowed/],
    ['has(request.path)', 0, /"has" is not allowed/],
    ['request.path.size() > 1', 13, /function "size" is not allowed/],
    ['request.path in ["a"]', 13, /"in" is not allowed/],
    ['request.user == "x"', 0, /"request.user" is not allowed/],
    ['request.path.contains("x" ', 26, /invalid CEL/],
    ['request.path == "unterminated', 16, /unterminated string/],
    ['request.path == 1 * 2', 18, /character "\*"/],
    ['1 == 1 && ' + 'request.path == "/"'.repeat(30), 512, /at most 512/],
  ];
  for (const [expr, position, message] of bad) {
    it(`refuses ${expr.slice(0, 40)} at ${position}`, () => {
      const r = checkCelMatcher(expr);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.position, position);
      assert.match(r.message, message);
      assert.match(r.message, new RegExp(`column ${position + 1}`));
    });
  }
});

describe('checkCelSyntax (parse only)', () => {
  it('reports the position of a syntax error and accepts what parses', () => {
    assert.deepEqual(checkCelSyntax('request.path.size() > 1'), { ok: true });
    const r = checkCelSyntax('request.path.contains("a"');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.position, 25);
  });
});

describe('cel-spec conformance for what GKE admits', () => {
  const SECTIONS: Record<string, string[]> = {
    string: ['starts_with', 'ends_with', 'matches', 'contains', 'concatenation'],
    string_ext: ['ascii_casing'],
    logic: ['AND', 'OR', 'NOT'],
    conversions: ['int'],
    comparisons: ['eq_literal', 'ne_literal', 'lt_literal', 'gt_literal', 'lte_literal', 'gte_literal'],
  };
  // String, int and bool operands only: the value kinds match conditions compare (no bytes, uint, double, lists).
  const inScope = (expr: string) =>
    !/\bb['"]|\d+u\b|\d\.\d|\de\d|dyn\(|\[|\{|\bnull\b|timestamp|duration|type\(|google\.|double|uint|bytes|\.0\b|NaN|inf/.test(
      expr,
    );
  const suite = getConformanceSuite();
  let checked = 0;
  for (const [section, subs] of Object.entries(SECTIONS)) {
    for (const sub of suite.suites.find((s) => s.name === section)!.suites) {
      if (!subs.includes(sub.name)) continue;
      for (const t of sub.tests) {
        const o = t.original;
        if (Object.keys(o.bindings).length > 0 || o.typeEnv.length > 0 || !inScope(o.expr)) continue;
        // `'horses' || true`: cel-js refuses non-bool logic operands when parsing; GKE admits neither operand.
        if (t.name.startsWith('short_circuit_type')) continue;
        const m = o.resultMatcher;
        let want: boolean;
        let expr: string;
        if (m.case === 'evalError') {
          // An evaluation error must make the match condition false.
          expr = `(${o.expr}) == (${o.expr})`;
          want = false;
        } else if (m.case === 'value' && m.value.kind.case === 'boolValue') {
          expr = o.expr;
          want = m.value.kind.value;
        } else if (m.case === 'value' && m.value.kind.case === 'stringValue') {
          expr = `(${o.expr}) == ${JSON.stringify(m.value.kind.value)}`;
          want = true;
        } else if (m.case === 'value' && m.value.kind.case === 'int64Value') {
          expr = `(${o.expr}) == ${m.value.kind.value}`;
          want = true;
        } else continue;
        checked++;
        it(`${section}/${sub.name}/${t.name}: ${o.expr}`, () => {
          const cond = compileMatchCondition([{ celMatcher: expr }]);
          assert.equal(cond({ request: requestInfo(), headers: requestHeaders('/') }), want);
        });
      }
    }
  }
  it('covers a meaningful number of cases', () => assert.ok(checked > 100, `only ${checked} cases in scope`));
});
