// GKE's admission check for `celMatcher` (docs/spec/gke-service-extensions.md §3.3): the CRD accepts only strings
// made of an allow-list of tokens. The pattern is rebuilt from the same token list, so the CRD carries GKE's
// exact regex while admission can say where the first token it does not know starts.
import { celRegexError, parseCel } from '../extensions/cel/match.js';

/** A token is a regex alternative of GKE's pattern; quoted strings may end at several places, so they are kept apart. */
type Token = { fixed: string } | { open: string; chars: string; close: string };

const CHARS = '[a-zA-Z0-9\\/\\-._~%!$&\'()*+,;=:\\"\\\\]'; // quoted-string content (no spaces)
const RAW_CHARS = "[a-zA-Z0-9\\/\\-._~%!$&'()*+,;=:\\\\]"; // R"..." content

const ATTRIBUTES = [
  'request.headers',
  'request.method',
  'request.host',
  'request.path',
  'request.query',
  'request.scheme',
  'request.backend_service_num_endpoints',
  'response.code',
  'response.grpc_status',
  'response.headers',
  'source.address',
  'source.port',
  'connection.requested_server_name',
  'connection.tls_version',
  'connection.sha256_peer_certificate_digest',
];
const FUNCTIONS = ['endsWith', 'startsWith', 'matches', 'contains', 'lowerAscii', 'upperAscii', 'int'];
const OPERATORS = ['==', '!=', '&&', '>=', '<=', '>', '<', '\\|\\|', '!', '\\+', '\\.', '/'];

const TOKENS: Token[] = [
  { fixed: '( )' },
  ...ATTRIBUTES.map((a) => ({ fixed: `(${a})` })), // GKE leaves the dots unescaped; so do we, to match exactly
  ...FUNCTIONS.map((f) => ({ fixed: `(${f})` })),
  ...OPERATORS.map((o) => ({ fixed: `(${o})` })),
  { open: "'", chars: CHARS, close: "'" },
  { open: '"', chars: CHARS, close: '"' },
  { open: '“', chars: CHARS, close: '”' },
  { open: 'R"', chars: RAW_CHARS, close: '"' },
  { fixed: '[0-9]' },
  { fixed: '(\\()' },
  { fixed: '(\\))' },
  { fixed: '(\\[)' },
  { fixed: '(\\])' },
];

const alternative = (t: Token) => ('fixed' in t ? t.fixed : `(${t.open}${t.chars}*${t.close})`);

/** GKE's `celMatcher` pattern, character for character (traffic CRD, GoogleCloudPlatform/gke-gateway-api). */
export const CEL_MATCHER_PATTERN = `^(${TOKENS.map(alternative).join('|')})+$`;

const fixedMatchers = TOKENS.filter((t): t is { fixed: string } => 'fixed' in t).map(
  (t) => new RegExp(t.fixed, 'y'),
);
const quoted = TOKENS.filter((t): t is { open: string; chars: string; close: string } => !('fixed' in t)).map(
  (t) => ({
    open: t.open,
    close: t.close,
    char: new RegExp(`^${t.chars}$`),
  }),
);

/**
 * Where the pattern stops matching: the 0-based index of the first character no sequence of allowed tokens
 * reaches, or undefined when the whole string is made of allowed tokens. Mirrors the regex `(alt)+` exactly
 * by tracking every position a token sequence can end at.
 */
export function firstDisallowedIndex(expr: string): number | undefined {
  const reachable = new Set<number>([0]);
  let furthest = 0;
  for (let p = 0; p < expr.length; p++) {
    if (!reachable.has(p)) continue;
    furthest = Math.max(furthest, p);
    for (const m of fixedMatchers) {
      m.lastIndex = p;
      const hit = m.exec(expr);
      if (hit && hit[0].length > 0) reachable.add(p + hit[0].length);
    }
    for (const q of quoted) {
      if (!expr.startsWith(q.open, p)) continue;
      for (let i = p + q.open.length; i < expr.length; i++) {
        if (expr.startsWith(q.close, i)) reachable.add(i + q.close.length);
        if (!q.char.test(expr[i]!)) break;
      }
    }
  }
  if (expr.length > 0 && reachable.has(expr.length)) return undefined;
  for (const p of reachable) if (p < expr.length) furthest = Math.max(furthest, p);
  return furthest;
}

const ALLOWED =
  `GKE's celMatcher allows only the attributes ${ATTRIBUTES.join(', ')}; the functions ${FUNCTIONS.join(', ')}; ` +
  `the operators == != && || ! >= <= > < + . /; quoted strings without spaces; digits; ( ) [ ] and spaces ` +
  `(so no true, has(), in or size(): write 1 == 1 to match everything)`;

/** The pattern failure worded with the position (1-based) of the first character GKE would not accept. */
export function celMatcherPatternMessage(expr: string): string | undefined {
  const at = firstDisallowedIndex(expr);
  if (at === undefined) return undefined;
  if (expr.length === 0) return `celMatcher must not be empty; ${ALLOWED}`;
  const word = /^\S{1,20}/.exec(expr.slice(at))?.[0] ?? expr.slice(at, at + 1);
  return `unsupported text at position ${at + 1}: ${JSON.stringify(word)}; ${ALLOWED}`;
}

/**
 * Full CEL parse of a celMatcher that passed the allow-list (e.g. `request.path.contains("a"` is made of allowed
 * tokens but is not CEL). PLUG-IN POINT for the CEL owner: it uses the same parser the data plane compiles
 * match conditions with (src/extensions/cel/match.ts), so whatever admission accepts the gateway can run.
 * Returns the problem with its 1-based column, or undefined when the expression parses.
 */
export function celMatcherSyntaxError(expr: string): string | undefined {
  try {
    parseCel(expr);
  } catch (err) {
    const e = err as Error & { node?: { pos?: number } };
    return `invalid CEL: ${e.message.split('\n')[0]} (at column ${(e.node?.pos ?? 0) + 1})`;
  }
  return celRegexError(expr);
}
