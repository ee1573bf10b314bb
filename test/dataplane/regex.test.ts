// RE2 for user regexes: the one compile function (its semantics and RE2's error texts), HTTPRoute regex
// matches through a real gateway, and CEL matches(). Each case here behaves differently under JavaScript's
// RegExp, so these fail if any path goes back to it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileRegex, RegexSyntaxError } from '../../src/dataplane/routing/regex.js';
import { compileMatchCondition } from '../../src/extensions/cel/match.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import { backend, echoBackend, get, listener, port, rule, snapshot, startGateway } from './fixtures.js';
import type { Answer, EchoBackend } from './fixtures.js';
import { requestHeaders, requestInfo } from '../callout/support.js';

/** Which echo backend answered. */
const via = (a: Answer) => a.headers['x-backend'];
const CATASTROPHIC = '(a+)+$';
const BACKTRACKER = `${'a'.repeat(40)}b`; // 2^40 steps for a backtracking engine

describe('compileRegex (RE2)', () => {
  it('has RE2 syntax: (?s), POSIX classes, \\z, \\Q..\\E', () => {
    assert.equal(compileRegex('(?s)a.b').fullMatch('a\nb'), true);
    assert.equal(compileRegex('[[:xdigit:]]+').fullMatch('09aF'), true);
    assert.equal(compileRegex('[[:xdigit:]]+').fullMatch('09aG'), false);
    assert.equal(compileRegex('a\\z').partialMatch('xa'), true);
    assert.equal(compileRegex('\\Q.*\\E').fullMatch('.*'), true);
  });

  it('has RE2 semantics: . does not match a newline unless (?s); full vs partial match', () => {
    assert.equal(compileRegex('a.b').fullMatch('a\nb'), false);
    assert.equal(compileRegex('b+').fullMatch('abb'), false);
    assert.equal(compileRegex('b+').partialMatch('abb'), true);
    assert.equal(compileRegex('a|ab').fullMatch('ab'), true, 'full match tries every alternative');
  });

  it('the literal-prefix shortcut keeps case-folding and non-literal starts right', () => {
    assert.equal(compileRegex('(?i)/API/v1').fullMatch('/api/V1'), true);
    assert.equal(compileRegex('/api(?i)/V1').fullMatch('/api/v1'), true);
    assert.equal(compileRegex('/api/v1').fullMatch('/api/v2'), false);
    assert.equal(compileRegex('/api/v[0-9]+').fullMatch('/api/v12'), true);
    assert.equal(compileRegex('/api/v[0-9]+').fullMatch('/apx/v12'), false);
    assert.equal(compileRegex('(/a)?/b').fullMatch('/b'), true);
  });

  it('answers a pattern that backtracks exponentially in JavaScript', () => {
    const re = compileRegex(CATASTROPHIC);
    assert.equal(re.fullMatch(BACKTRACKER), false);
    assert.equal(re.partialMatch(BACKTRACKER), false);
    assert.equal(re.fullMatch('a'.repeat(40)), true);
  });

  for (const [pattern, re2Message, position] of [
    ['/a(?=b)', 'invalid perl operator: (?=', 3],
    ['/a(?!b)', 'invalid perl operator: (?!', 3],
    ['(?<=a)b', 'invalid named capture group: (?<=a)b', 1],
    ['(a)x\\1', 'invalid escape sequence: \\1', 5],
    ['/a(b', 'missing ): /a(b', 1],
    ['x[', 'missing ]: [', 2],
    ['a**', 'bad repetition operator: **', 2],
    ['*a', 'no argument for repetition operator: *', 1],
    ['a{1001}', 'invalid repetition size: {1001}', 2],
    ['ab\\', 'trailing \\', 1],
  ] as const) {
    it(`refuses ${pattern} with RE2's message and the position`, () => {
      assert.throws(
        () => compileRegex(pattern),
        (e: unknown) =>
          e instanceof RegexSyntaxError &&
          e.re2Message === re2Message &&
          e.position === position &&
          e.message === `RE2 rejects it at position ${position}: ${re2Message}`,
      );
    });
  }
});

describe('HTTPRoute regex matches through a real gateway', () => {
  let gw: DataPlane;
  let gwPort: number;
  let regexEcho: EchoBackend;
  let otherEcho: EchoBackend;
  before(async () => {
    regexEcho = await echoBackend('regex');
    otherEcho = await echoBackend('other');
    const routes = [
      rule({
        match: { path: { type: 'RegularExpression', value: `/${CATASTROPHIC}` } },
        backends: [backend('default/regex:80', regexEcho.port)],
      }),
      rule({
        match: {
          path: { type: 'PathPrefix', value: '/h' },
          headers: [{ name: 'x-id', type: 'RegularExpression', value: CATASTROPHIC }],
        },
        backends: [backend('default/regex:80', regexEcho.port)],
      }),
      rule({
        match: { path: { type: 'RegularExpression', value: '/hex/[[:xdigit:]]+' } },
        backends: [backend('default/regex:80', regexEcho.port)],
      }),
      rule({ backends: [backend('default/other:80', otherEcho.port)] }),
    ];
    ({ gw, port: gwPort } = await startGateway(snapshot([port([listener(routes)])])));
  });
  after(async () => {
    await gw.close();
    await regexEcho.close();
    await otherEcho.close();
  });

  it('a path that backtracks exponentially in JavaScript is answered (by the catch-all)', async () => {
    assert.equal(via(await get(gwPort, `/${BACKTRACKER}`)), 'other');
    assert.equal(via(await get(gwPort, `/${'a'.repeat(40)}`)), 'regex');
  });

  it('so is such a header value', async () => {
    assert.equal(via(await get(gwPort, '/h', { 'x-id': BACKTRACKER })), 'other');
    assert.equal(via(await get(gwPort, '/h', { 'x-id': 'aaa' })), 'regex');
  });

  it('POSIX classes match as in RE2 (JavaScript reads [[:xdigit:]] as a different class)', async () => {
    assert.equal(via(await get(gwPort, '/hex/00ff')), 'regex');
    assert.equal(via(await get(gwPort, '/hex/:]')), 'other');
  });
});

describe('CEL matches() is RE2', () => {
  const cel = (expr: string, extra: Array<[string, string]> = []) =>
    compileMatchCondition([{ celMatcher: expr }])({
      request: requestInfo(),
      headers: requestHeaders('/', extra),
    });

  it('is a partial match with RE2 syntax', () => {
    assert.equal(cel("request.headers['x-id'].matches('[[:xdigit:]]{4}')", [['x-id', 'id-00fF-x']]), true);
    assert.equal(cel("request.headers['x-id'].matches('^[[:xdigit:]]+$')", [['x-id', ':]']]), false);
  });

  it('answers a header value that backtracks exponentially in JavaScript', () => {
    assert.equal(cel(`request.headers['x-id'].matches('${CATASTROPHIC}')`, [['x-id', BACKTRACKER]]), false);
  });

  it('a pattern RE2 refuses makes the condition false (JavaScript would accept the lookahead)', () => {
    assert.equal(cel("request.headers['x-id'].matches('a(?=b)')", [['x-id', 'ab']]), false);
  });
});
