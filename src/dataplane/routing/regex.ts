// RE2 for every regular expression a user writes: HTTPRoute `RegularExpression` path/header/query matches,
// CEL `matches()`, the plugin tester's `regex` matchers. GKE runs all of them with RE2 (Envoy's safe_regex,
// Google's tester links re2): linear time in the input, no backreferences, no lookaround, `(?s)` and
// `[[:xdigit:]]` supported, `.` never matches `\n` unless `(?s)`. JavaScript's RegExp differs on each point
// and can backtrack exponentially, so one hostile route regex could stall every request of the process.
//
// compileRegex() is the ONE place a user regex is compiled: the route matcher, admission and the translator's
// validation, CEL and the tester all call it, so whatever validation accepts is exactly what the data plane runs.
//
// Library: re2js, a pure-JavaScript port of RE2J (the RE2 algorithms: one-pass, DFA, bounded backtracker, NFA;
// linear time guaranteed). Chosen by a per-match bench on a route regex (docs/dataplane.md, "Regular
// expressions"): re2js ~2.2 µs, `re2` (native addon) ~6.8 µs (N-API call and UTF-8 conversion per match; its
// prebuilt binaries are not on the npm registry, so every install compiles RE2 and Abseil: 36 minutes here),
// re2-wasm ~17 µs (copies each input into Wasm memory). JavaScript's RegExp is ~0.16 µs but neither RE2's
// language nor linear. re2js parses Go's regexp/syntax (itself a port of RE2's parser), so it accepts and
// rejects the same patterns; its error texts are Go's and are translated back to RE2's below, so users read
// the message GKE would give them.
import { RE2JS, RE2JSSyntaxException } from 're2js';

export interface Regex {
  /** The whole input matches (RE2::FullMatch: Gateway API matches, Envoy safe_regex, Google's tester). */
  fullMatch(input: string): boolean;
  /** Some part of the input matches (RE2::PartialMatch: CEL `matches()`). */
  partialMatch(input: string): boolean;
}

/** A pattern RE2 refuses; `message` is RE2's own text with the 1-based position of the offending part. */
export class RegexSyntaxError extends Error {
  override name = 'RegexSyntaxError';
  constructor(
    /** RE2's error text, e.g. `invalid perl operator: (?=`. */
    readonly re2Message: string,
    /** 1-based position in the pattern of the text RE2 complains about. */
    readonly position: number,
  ) {
    super(`RE2 rejects it at position ${position}: ${re2Message}`);
  }
}

/** Go's regexp/syntax error codes (what re2js reports) → RE2's (re2/regexp.cc kErrorStrings). */
const RE2_ERROR_TEXT: Readonly<Record<string, string>> = {
  'invalid named capture': 'invalid named capture group',
  'duplicate capture group name': 'invalid named capture group',
  'invalid nested repetition operator': 'bad repetition operator',
  'invalid or unsupported Perl syntax': 'invalid perl operator',
  'invalid repeat count': 'invalid repetition size',
  'missing argument to repetition operator': 'no argument for repetition operator',
  'missing closing )': 'missing )',
  'missing closing ]': 'missing ]',
  'trailing backslash at end of expression': 'trailing \\',
  'expression too large': 'pattern too large - compile failed',
};

/**
 * Compiles `pattern` with RE2 syntax and semantics (UTF-8 mode, Perl classes, no `(?<=`: RE2 has no
 * lookbehind). Throws RegexSyntaxError for a pattern RE2 refuses.
 */
export function compileRegex(pattern: string): Regex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    if (!(err instanceof RE2JSSyntaxException)) throw err;
    const code = err.getDescription();
    const arg = err.getPattern() ?? '';
    const text = RE2_ERROR_TEXT[code] ?? code;
    const at = arg === '' ? -1 : pattern.indexOf(arg);
    throw new RegexSyntaxError(arg === '' ? text : `${text}: ${arg}`, at < 0 ? 1 : at + 1);
  }
  // Every match starts with the program's literal prefix (RE2 uses the same fact to skip ahead); checking it
  // with startsWith first rejects most non-matching routes in a few ns instead of a DFA run (~1 µs in re2js).
  // re2js keeps it on an internal object: if a release moves it, only this shortcut is lost.
  const internal = (re as unknown as { re2Input?: { prefix?: unknown } }).re2Input;
  const prefix = typeof internal?.prefix === 'string' ? internal.prefix : '';
  return {
    fullMatch:
      prefix === ''
        ? (input) => re.testExact(input)
        : (input) => input.startsWith(prefix) && re.testExact(input),
    partialMatch: (input) => re.test(input),
  };
}
