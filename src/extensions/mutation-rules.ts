// The header edits a route filter, a callout or a plugin may make: one rule set for all of them.
//
// It follows Envoy's mutation rule checker (source/extensions/filters/common/mutation_rules/mutation_rules.cc,
// Checker::isAllowed and Checker::isValidValue) with `allow_all_routing` on, as on Google's load balancer
// (callouts rewrite `:authority` and `:path`): removing `host` or a pseudo-header, appending to a
// pseudo-header, a pseudo-header that does not exist in the block, or an invalid routing value is ignored
// (Envoy's CheckResult::IGNORE), never an error. On top of Envoy's checker, the fields that frame a message or
// its connection belong to the proxy: setting them is ignored, as Envoy's ext_proc skips a `content-length`
// in `set_headers` whenever the body may change (ext_proc/processor_state.cc; docs/spec/ext-proc.md "Content-Length
// handling"). The proxy frames each message from the body it actually sends (src/dataplane/upstream/h1.ts,
// src/dataplane/downstream.ts), so a `Content-Length: 0` over a real body cannot reach a pooled connection.
// Removing `content-length` is allowed: the proxy then sends the body chunked.
//
// Errors are kept for what would otherwise break the message head: a `:path` that is not origin-form, a name
// that is not a token, a value carrying CR, LF or NUL. A callout's answer then fails (docs/spec/ext-proc.md §5.2, "invalid characters"), a
// plugin's stream fails.

export type HeaderBlock = 'request' | 'response' | 'trailers';
export type HeaderEdit = 'set' | 'append' | 'remove';

/** Made, silently skipped (Envoy's IGNORE), or refused with a reason that fails the extension's answer. */
export type EditVerdict = 'apply' | 'ignore' | { readonly error: string };

/** Fields that frame a message or manage a connection (RFC 9110 §7.6.1, RFC 9112 §6): the proxy's alone. */
const PROXY_OWNED: ReadonlySet<string> = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'te',
  'keep-alive',
  'proxy-connection',
  'trailer',
]);

const REQUEST_PSEUDO: ReadonlySet<string> = new Set([':authority', ':path', ':method', ':scheme']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field value: HTAB, SP, visible ASCII and obs-text; never CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** RFC 9112 §3.2.1 origin-form: an absolute path and optional query, visible ASCII only, no fragment. */
const ORIGIN_FORM = /^\/[\x21-\x22\x24-\x7e]*$/;
const AUTHORITY = /^[A-Za-z0-9\-._~%!$&'()*+,;=:[\]@]+$/;

/** True for the framing and connection fields only the proxy writes. */
export function isProxyOwned(name: string): boolean {
  return PROXY_OWNED.has(name);
}

/** True for a field value that cannot split a header block (no CR, LF, NUL). */
export function isValidFieldValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

/** True for an RFC 9110 token (header names, methods). */
export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/** True for an origin-form request target (`/path?query`). */
export function isOriginForm(path: string): boolean {
  return ORIGIN_FORM.test(path);
}

/** The verdict on one edit of `name` (lowercase) in a header block. */
export function checkHeaderEdit(
  op: HeaderEdit,
  name: string,
  value: string,
  block: HeaderBlock,
): EditVerdict {
  const pseudo = name.charCodeAt(0) === 58; /* ':' */
  if (!TOKEN.test(pseudo ? name.slice(1) : name)) return { error: `invalid header name ${quote(name)}` };
  if (op === 'remove') return pseudo || name === 'host' ? 'ignore' : 'apply';
  if (PROXY_OWNED.has(name)) return 'ignore';
  if (!pseudo) {
    if (!FIELD_VALUE.test(value)) return { error: `header "${name}" has an invalid value (CR, LF or NUL)` };
    if (name === 'host' && !AUTHORITY.test(value)) return 'ignore';
    return 'apply';
  }
  if (op === 'append' || block === 'trailers') return 'ignore';
  if (block === 'response') return name === ':status' && validStatus(value) ? 'apply' : 'ignore';
  if (!REQUEST_PSEUDO.has(name)) return 'ignore';
  switch (name) {
    case ':path':
      return ORIGIN_FORM.test(value)
        ? 'apply'
        : {
            error: `":path" must be origin-form ("/" then path and query, visible ASCII), got ${quote(value)}`,
          };
    case ':method':
      return TOKEN.test(value) ? 'apply' : 'ignore';
    case ':scheme':
      return value === 'http' || value === 'https' ? 'apply' : 'ignore';
    default: // ':authority'
      return AUTHORITY.test(value) ? 'apply' : 'ignore';
  }
}

function validStatus(value: string): boolean {
  const n = Number(value);
  return /^\d{3}$/.test(value) && n >= 200;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
}
