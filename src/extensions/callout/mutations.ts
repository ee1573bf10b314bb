// Applying an ext_proc HeaderMutation to a HeaderMap, with Envoy's mutation rules (ext-proc.md §5.2, §6).
//
// Faults in the answer itself (invalid header name or value, both `value` and `raw_value`, too many entries)
// fail the whole answer: ExtensionError('protocol') → 500. Mutations that are well-formed but not allowed
// (removing a pseudo-header or `host`, appending to a pseudo-header, `x-envoy-*`, hop-by-hop headers) are
// ignored, as Envoy does with `disallow_is_error` unset. Routing headers (`:authority`, `host`, `:path`,
// `:method`, `:scheme`) may be set: Google's load balancer allows it (its `basic` sample rewrites `:authority`
// and `:path` and the seed's routing walkthrough depends on it), i.e. `allow_all_routing` is on.

import { headerText } from '../header-codec.js';
import { ExtensionError, type HeaderMap } from '../extension.js';
import { AppendAction, type HeaderMutation, type HeaderValue } from './protos.js';
import { HEADER_MAX_BYTES, HEADER_MUTATION_MAX_COUNT } from './limits.js';

/** RFC 9110 token characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
/** Field value: visible ASCII, obs-text, SP and HTAB; no CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);
const PSEUDO = new Set([':authority', ':path', ':method', ':scheme', ':status']);

export interface MutationTarget {
  /** Pseudo-headers that exist in this header block (`:status` only in responses). */
  readonly kind: 'request' | 'response' | 'trailers';
  /** Drop `content-length` edits: a streamed body may change length (ext-proc.md §3, Content-Length). */
  readonly bodyStreamed: boolean;
}

export function headerValueText(h: HeaderValue, field: string): string {
  const raw = h.raw_value && h.raw_value.length > 0 ? headerText(h.raw_value) : undefined;
  if (raw !== undefined && h.value) {
    throw new ExtensionError(
      'protocol',
      `${field}: header "${h.key}" has both value and raw_value; set only raw_value`,
    );
  }
  // Envoy reads only raw_value; we fall back to `value` so callouts written against older Envoy still work.
  return raw ?? h.value ?? '';
}

/** Applies removes, then sets, in order. Returns whether anything changed. */
export function applyHeaderMutation(
  headers: HeaderMap,
  m: HeaderMutation | undefined,
  target: MutationTarget,
  field: string,
): boolean {
  if (!m) return false;
  const removes = m.remove_headers ?? [];
  const sets = m.set_headers ?? [];
  if (removes.length > HEADER_MUTATION_MAX_COUNT || sets.length > HEADER_MUTATION_MAX_COUNT) {
    throw new ExtensionError(
      'protocol',
      `${field}: more than ${HEADER_MUTATION_MAX_COUNT} header mutations in one answer`,
    );
  }
  let changed = false;
  for (const raw of removes) {
    const name = raw.toLowerCase();
    checkName(name, `${field}.remove_headers`);
    if (name.startsWith(':') || name === 'host' || !allowed(name, target)) continue;
    if (headers.has(name)) {
      headers.remove(name);
      changed = true;
    }
  }
  for (const opt of sets) {
    if (!opt.header) continue;
    const name = opt.header.key.toLowerCase();
    checkName(name, `${field}.set_headers`);
    const value = headerValueText(opt.header, `${field}.set_headers`);
    if (value.length > HEADER_MAX_BYTES || !FIELD_VALUE.test(value)) {
      throw new ExtensionError('protocol', `${field}.set_headers: header "${name}" has an invalid value`);
    }
    if (!allowed(name, target) || !validPseudoValue(name, value, target)) continue;
    const append = opt.append?.value;
    if (name.startsWith(':') && append === true) continue; // rule 6: no APPEND to pseudo-headers
    const exists = headers.has(name);
    if (append === true) {
      headers.append(name, value);
    } else if (append === false) {
      headers.set(name, value);
    } else {
      // `append_action` 0 (APPEND_IF_EXISTS_OR_ADD) is also "unset" in proto3; Envoy's ext_proc overwrites then.
      switch (opt.append_action ?? AppendAction.APPEND_IF_EXISTS_OR_ADD) {
        case AppendAction.ADD_IF_ABSENT:
          if (exists) continue;
          headers.append(name, value);
          break;
        case AppendAction.OVERWRITE_IF_EXISTS:
          if (!exists) continue;
          headers.set(name, value);
          break;
        default:
          headers.set(name, value);
      }
    }
    changed = true;
  }
  return changed;
}

function checkName(name: string, field: string): void {
  const bare = name.startsWith(':') ? name.slice(1) : name;
  if (bare.length === 0 || name.length > HEADER_MAX_BYTES || !TOKEN.test(bare)) {
    throw new ExtensionError('protocol', `${field}: invalid header name "${name}"`);
  }
}

function allowed(name: string, target: MutationTarget): boolean {
  if (name.startsWith('x-envoy') || HOP_BY_HOP.has(name)) return false;
  if (name === 'content-length' && target.bodyStreamed) return false;
  if (name.startsWith(':')) {
    if (target.kind === 'trailers' || !PSEUDO.has(name)) return false;
    return name === ':status' ? target.kind === 'response' : target.kind === 'request';
  }
  return true;
}

function validPseudoValue(name: string, value: string, target: MutationTarget): boolean {
  switch (name) {
    case ':status': {
      const n = Number(value);
      return target.kind === 'response' && Number.isInteger(n) && n >= 200 && n <= 999;
    }
    case ':scheme':
      return value === 'http' || value === 'https';
    case ':authority':
    case 'host':
      return /^[A-Za-z0-9\-._~%!$&'()*+,;=:\[\]@]+$/.test(value);
    case ':path':
      return value.length > 0 && !/[\s]/.test(value);
    case ':method':
      return TOKEN.test(value.toLowerCase());
    default:
      return true;
  }
}
