// Applying an ext_proc HeaderMutation to a HeaderMap (docs/spec/ext-proc.md §5.2, §6). Which edits are allowed is decided
// by the rules every extension and route filter shares (../mutation-rules.ts); this file adds what is
// ext_proc's own.
//
// Faults in the answer itself (invalid header name or value, both `value` and `raw_value`, too many entries,
// a `:path` that is not origin-form) fail the whole answer: ExtensionError('protocol') → 500. Mutations that
// are well-formed but not allowed (removing a pseudo-header or `host`, appending to a pseudo-header,
// `x-envoy-*`, framing and connection headers) are ignored, as Envoy does with `disallow_is_error` unset.
// Routing headers (`:authority`, `host`, `:path`, `:method`, `:scheme`) may be set: Google's load balancer
// allows it (its `basic` sample rewrites `:authority` and `:path` and the routing walkthrough of the seed,
// docs/spec/README.md, depends on it), i.e. `allow_all_routing` is on.

import { headerText } from '../header-codec.js';
import { ExtensionError, type HeaderMap } from '../extension.js';
import { checkHeaderEdit, type HeaderBlock, type HeaderEdit } from '../mutation-rules.js';
import { AppendAction, type HeaderMutation, type HeaderValue } from './protos.js';
import { HEADER_MAX_BYTES, HEADER_MUTATION_MAX_COUNT } from './limits.js';

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

/** Applies removes, then sets, in order, to a header block. Returns whether anything changed. */
export function applyHeaderMutation(
  headers: HeaderMap,
  m: HeaderMutation | undefined,
  block: HeaderBlock,
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
    if (!allowed('remove', name, '', block, `${field}.remove_headers`)) continue;
    if (headers.has(name)) {
      headers.remove(name);
      changed = true;
    }
  }
  for (const opt of sets) {
    if (!opt.header) continue;
    const name = opt.header.key.toLowerCase();
    const value = headerValueText(opt.header, `${field}.set_headers`);
    if (value.length > HEADER_MAX_BYTES || name.length > HEADER_MAX_BYTES) {
      throw new ExtensionError('protocol', `${field}.set_headers: header "${name}" is too long`);
    }
    const append = opt.append?.value;
    if (!allowed(append === true ? 'append' : 'set', name, value, block, `${field}.set_headers`)) continue;
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

/** The shared rules plus ext_proc's `allow_envoy` (off): `x-envoy-*` is Envoy's own namespace. */
function allowed(op: HeaderEdit, name: string, value: string, block: HeaderBlock, field: string): boolean {
  const verdict = checkHeaderEdit(op, name, value, block);
  if (typeof verdict === 'object') throw new ExtensionError('protocol', `${field}: ${verdict.error}`);
  return verdict === 'apply' && !name.startsWith('x-envoy');
}
