// The allow-list scan agrees with GKE's regex on every input, and points at the first character it rejects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CEL_MATCHER_PATTERN,
  celMatcherSyntaxError,
  firstDisallowedIndex,
} from '../../src/api/cel-matcher.js';

const gke = new RegExp(CEL_MATCHER_PATTERN);

const samples = [
  'request.path.contains("serviceextensions")',
  '1 == 1',
  "request.headers['x-tenant'] == 'a'",
  'request.path == "/v1/chat/completions"',
  "request.path.startsWith('/api/') && request.method != 'GET' || !request.host.endsWith('.example.com')",
  'request.path.matches(R"/v1/.*")',
  'request.path == “/a”',
  "int(request.headers['x-n']) >= 5 + 1",
  'response.code == 200',
  'lowerAscii(request.host) == "a.com"',
  "'it''s'",
  'true',
  'has(request.headers.x)',
  "request.path in ['/a']",
  "request.path == 'a b'",
  'size(request.path) > 1',
  'source.ip == "1.2.3.4"',
  'requestXpath == 1',
  '',
  ' ',
  'request.path == "/a" && request.path == "é"',
  '"unterminated',
  "''''",
  "'a'b'",
  'R"a\\"',
];

describe('celMatcher allow-list', () => {
  it('accepts exactly what the GKE pattern accepts', () => {
    for (const s of samples)
      assert.equal(firstDisallowedIndex(s) === undefined, gke.test(s), JSON.stringify(s));
  });

  it('agrees with the GKE pattern on random token soups', () => {
    const pieces = [
      'request.path',
      '.',
      'contains',
      '(',
      ')',
      "'a'",
      '"b"',
      ' ',
      '==',
      '1',
      'x',
      '&&',
      'has',
      "'",
      '"',
      '[',
      ']',
      'R"',
      '“',
      '”',
      '\\',
      'true',
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 2000; n++) {
      const s = Array.from({ length: 1 + (next() % 8) }, () => pieces[next() % pieces.length]).join('');
      assert.equal(firstDisallowedIndex(s) === undefined, gke.test(s), JSON.stringify(s));
    }
  });

  it('reports the first character no token sequence reaches', () => {
    assert.equal(firstDisallowedIndex('true'), 0);
    assert.equal(firstDisallowedIndex("request.path == '/a' && has(x)"), 24);
    assert.equal(firstDisallowedIndex("request.path == 'a b'"), 16);
    assert.equal(firstDisallowedIndex('request.path == 1'), undefined);
  });

  it("parses what passed the allow-list with the data plane's CEL parser", () => {
    for (const ok of [
      'request.path.contains("a")',
      '1 == 1',
      'request.path.matches(R"/v1/.*")',
      'request.path == “/a”',
      "request.headers['x'] == 'a'",
    ]) {
      assert.equal(celMatcherSyntaxError(ok), undefined, ok);
    }
    assert.equal(
      celMatcherSyntaxError('request.path.contains("a"'),
      'invalid CEL: Expected RPAREN, got EOF (at column 26)',
    );
    assert.equal(
      celMatcherSyntaxError('request.path)'),
      "invalid CEL: Unexpected character: ')' (at column 13)",
    );
    assert.equal(celMatcherSyntaxError('== 1'), 'invalid CEL: Unexpected token: EQ (at column 1)');
  });
});
