// Match conditions of extension chains, compiled once per snapshot and evaluated per request.
//
// Library: @marcbachmann/cel-js (bench/callout-cel-libraries.ts compares it with @bufbuild/cel: 7-20x fewer
// ns per evaluation; both agree with the cel-spec conformance cases for what the GKE allow-list admits).

import { Environment } from '@marcbachmann/cel-js';
import type { CelConditionIR } from '../../ir/snapshot.js';
import { attributeNeeds, celAttributes, type MatchInput } from './attributes.js';
import { normalizeCurlyQuotes } from './source.js';
import { compileRegex, RegexSyntaxError, type Regex } from '../../dataplane/routing/regex.js';
import { BoundedMemo } from '../../support/bounded-memo.js';

export type { MatchInput } from './attributes.js';
export type MatchCondition = (input: MatchInput) => boolean;

// `dyn` variables: the attribute roots are maps whose members may be absent, which must be a runtime
// error (→ false), not a type error at compile time.
const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

// CEL's `matches()` is RE2 (cel-spec; GKE evaluates it in Envoy), but cel-js runs it as a JavaScript RegExp,
// which accepts lookaround and can backtrack exponentially on a request header. cel-js refuses a second
// overload of `string.matches(string)`, so RE2's is registered under another name and every parsed
// `x.matches(re)` call is pointed at it (parseCel); the test in test/callout/cel.test.ts fails if a cel-js
// upgrade changes the call node's shape.
const RE2_MATCHES = 'matches_re2';
// Patterns built from request data must not grow it. A bad pattern throws: the condition is false, as any
// evaluation error.
const regexCache = new BoundedMemo<string, Regex>(1000);
env.registerFunction(`string.${RE2_MATCHES}(string): bool`, (text: string, pattern: string) =>
  regexCache.get(pattern, compileRegex).partialMatch(text),
);

interface CelNode {
  op: string;
  args: unknown;
  pos?: number;
}
const isNode = (v: unknown): v is CelNode => typeof v === 'object' && v !== null && 'op' in v && 'args' in v;

/** Every `receiver.matches(arg)` call node of a parsed expression. */
function matchesCalls(node: unknown, out: CelNode[] = []): CelNode[] {
  if (Array.isArray(node)) for (const n of node) matchesCalls(n, out);
  else if (isNode(node)) {
    const args = node.args;
    if (node.op === 'rcall' && Array.isArray(args) && args[0] === 'matches') out.push(node);
    matchesCalls(args, out);
  }
  return out;
}

export function parseCel(expr: string): (vars: Record<string, unknown>) => unknown {
  const run = env.parse(normalizeCurlyQuotes(expr));
  for (const call of matchesCalls(run.ast)) (call.args as unknown[])[0] = RE2_MATCHES;
  return run;
}

/**
 * RE2's complaint about the first literal pattern of a `matches()` call, with the pattern's 1-based column in
 * the expression; undefined when every literal pattern compiles (patterns computed at run time are not seen).
 */
export function celRegexError(expr: string): string | undefined {
  for (const call of matchesCalls(env.parse(normalizeCurlyQuotes(expr)).ast)) {
    const arg = ((call.args as unknown[])[2] as unknown[] | undefined)?.[0];
    if (!isNode(arg) || arg.op !== 'value' || typeof arg.args !== 'string') continue;
    try {
      compileRegex(arg.args);
    } catch (err) {
      if (!(err instanceof RegexSyntaxError)) throw err;
      return `matches() pattern at column ${(arg.pos ?? 0) + 1} is not a valid regular expression: ${err.message}`;
    }
  }
  return undefined;
}

const matchAll: MatchCondition = () => true;

/**
 * The chain's conditions ORed; each is its `celMatcher` ANDed with its `backendService`. An empty list
 * matches every request. Throws on an expression that does not parse (admission should have refused it).
 */
export function compileMatchCondition(conds: readonly CelConditionIR[]): MatchCondition {
  if (conds.length === 0) return matchAll;
  const parts = conds.map((c) => ({
    run: c.celMatcher === undefined || c.celMatcher.trim() === '' ? undefined : parseCel(c.celMatcher),
    backend: c.backendService,
  }));
  const needs = attributeNeeds(conds.flatMap((c) => (c.celMatcher ? [c.celMatcher] : [])));
  return (input) => {
    let vars: Record<string, unknown> | undefined;
    for (const p of parts) {
      if (p.backend !== undefined && input.request.backendService !== p.backend) continue;
      if (!p.run) return true;
      vars ??= celAttributes(input, needs);
      if (evaluate(p.run, vars)) return true;
    }
    return false;
  };
}

/** True only for a boolean `true`; errors (absent attribute, bad regex at runtime) are false. */
function evaluate(run: (vars: Record<string, unknown>) => unknown, vars: Record<string, unknown>): boolean {
  // An absent header is an ordinary case; without a stack trace the thrown error costs ~1 µs instead of ~8.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return run(vars) === true;
  } catch {
    return false;
  } finally {
    Error.stackTraceLimit = limit;
  }
}
