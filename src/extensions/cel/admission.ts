// Admission check for `celMatcher`: GKE's allow-list, then a real parse, each fault with its position.
//
// GKE enforces a token allow-list regex on the CRD field (gke-service-extensions.md §3.3): only the attributes,
// functions, operators and literal forms below, max 512 characters. `true`, `has()`, `in`, `size()` are
// therefore refused (match-all is written `1 == 1`). We scan tokens instead of using one regex so the error
// can name the offending token and its position.

import { parseCel } from './match.js';

/** Source: GKE CRD `celMatcher` maxLength (gke-service-extensions.md §0). */
export const CEL_MATCHER_MAX_LENGTH = 512;

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
const METHODS = ['endsWith', 'startsWith', 'matches', 'contains', 'lowerAscii', 'upperAscii'];
const GLOBAL_FUNCTIONS = ['int'];
const OPERATORS = ['==', '!=', '&&', '||', '>=', '<=', '!', '>', '<', '+', '/', '(', ')', '[', ']'];

export type CelCheck = { ok: true } | { ok: false; message: string; position: number };

export function checkCelMatcher(expr: string): CelCheck {
  if (expr.length > CEL_MATCHER_MAX_LENGTH) {
    return fail(
      `celMatcher is ${expr.length} characters; GKE allows at most ${CEL_MATCHER_MAX_LENGTH}`,
      CEL_MATCHER_MAX_LENGTH,
    );
  }
  const lexical = scan(expr);
  if (!lexical.ok) return lexical;
  return checkCelSyntax(expr);
}

/** Only the CEL parse (no allow-list): for callers that check GKE's pattern themselves. */
export function checkCelSyntax(expr: string): CelCheck {
  try {
    parseCel(expr);
  } catch (err) {
    const e = err as Error & { node?: { pos?: number } };
    const position = e.node?.pos ?? 0;
    const first = e.message.split('\n')[0] ?? e.message;
    return fail(`invalid CEL: ${first}`, position);
  }
  return { ok: true };
}

function fail(message: string, position: number): CelCheck {
  return { ok: false, message: `${message} (at column ${position + 1})`, position };
}

function scan(s: string): CelCheck {
  let i = 0;
  // After an attribute or a closing bracket/paren a `.method(` may follow; elsewhere a `.` is not allowed.
  let afterValue = false;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const lit = stringLiteral(s, i);
    if (lit === -1) return fail('unterminated string literal', i);
    if (lit > i) {
      i = lit;
      afterValue = true;
      continue;
    }
    if (c >= '0' && c <= '9') {
      while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
      afterValue = true;
      continue;
    }
    if (c === '.' && afterValue) {
      const m = /^\.([A-Za-z_]+)\s*\(/.exec(s.slice(i));
      if (m && METHODS.includes(m[1]!)) {
        i += 1 + m[1]!.length;
        afterValue = false;
        continue;
      }
      const name = /^\.([A-Za-z_]*)/.exec(s.slice(i))?.[1] ?? '';
      return fail(
        `function "${name}" is not allowed in celMatcher; allowed: ${METHODS.join(', ')}, int`,
        i + 1,
      );
    }
    if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(s.slice(i))![0].replace(/\.$/, '');
      const attr = ATTRIBUTES.find((a) => word === a || word.startsWith(a + '.'));
      if (attr) {
        i += attr.length;
        afterValue = true;
        continue;
      }
      if (GLOBAL_FUNCTIONS.includes(word) && /^\s*\(/.test(s.slice(i + word.length))) {
        i += word.length;
        afterValue = false;
        continue;
      }
      return fail(
        `"${word}" is not allowed in celMatcher: GKE admits only the attributes request.*, response.*, source.*, connection.* listed in docs/cel.md and the function int()`,
        i,
      );
    }
    const op = OPERATORS.find((o) => s.startsWith(o, i));
    if (op) {
      i += op.length;
      afterValue = op === ')' || op === ']';
      continue;
    }
    return fail(`character "${c}" is not allowed in celMatcher`, i);
  }
  return { ok: true };
}

/** End index of a string literal starting at `i`, `i` if none starts there, -1 if it never ends. */
function stringLiteral(s: string, i: number): number {
  let open = s[i]!;
  let start = i + 1;
  if (open === 'R' || open === 'r') {
    const q = s[i + 1];
    if (q !== '"' && q !== "'") return i;
    open = q;
    start = i + 2;
    const end = s.indexOf(open, start);
    return end < 0 ? -1 : end + 1;
  }
  const close = open === '\u201c' ? '\u201d' : open;
  if (open !== '"' && open !== "'" && open !== '\u201c') return i;
  for (let j = start; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === close) return j + 1;
  }
  return -1;
}
