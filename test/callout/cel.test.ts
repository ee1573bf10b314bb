// CEL match conditions: GKE attributes, absent attributes, admission allow-list with positions, and the
// cel-spec conformance cases for what the allow-list admits, run through compileMatchCondition.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getConformanceSuite } from '@bufbuild/cel-spec/testdata/tests.js';
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
