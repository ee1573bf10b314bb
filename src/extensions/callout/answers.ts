// What one ext_proc answer does to the request (docs/spec/ext-proc.md §5): pure functions from a ProcessingResponse to
// header edits and a StepResult. The stream (stream.ts) decides which answer belongs to which event.

import { ExtensionError, type BodyStepResult, type HeaderMap, type StepResult } from '../extension.js';
import { applyHeaderMutation } from './mutations.js';
import { ResponseStatus, type CommonResponse, type ProcessingResponse, type RequestKind } from './protos.js';
import { selectedEndpoint, toLocalResponse } from './wire.js';

export type Direction = 'request' | 'response';

const NONE: StepResult = Object.freeze({ effect: 'NONE' });
const MODIFIED: StepResult = Object.freeze({ effect: 'CONTENT_MODIFIED' });

/** `<kind>.response.header_mutation` for error messages, made once rather than per answer. */
const MUTATION_FIELD = {
  request_headers: 'request_headers.response.header_mutation',
  response_headers: 'response_headers.response.header_mutation',
  request_body: 'request_body.response.header_mutation',
  response_body: 'response_body.response.header_mutation',
  request_trailers: 'request_trailers.response.header_mutation',
  response_trailers: 'response_trailers.response.header_mutation',
} as const satisfies Record<RequestKind, string>;

export function commonResponse(answer: ProcessingResponse, kind: RequestKind): CommonResponse {
  return (answer[kind] as { response?: CommonResponse } | undefined)?.response ?? {};
}

/** After CONTINUE_AND_REPLACE on a headers answer: what becomes of that direction's body (§5.1). */
export type Replacement = { readonly body: Uint8Array } | { readonly body?: undefined };

/**
 * Applies a headers answer to `headers`. Returns the step result and, for CONTINUE_AND_REPLACE, what replaces
 * the direction's body (undefined body = the original body flows unmodified, unexamined).
 */
export function applyHeadersAnswer(
  dir: Direction,
  headers: HeaderMap,
  answer: ProcessingResponse,
  kind: RequestKind,
): { result: StepResult; replacement?: Replacement } {
  const common = commonResponse(answer, kind);
  let changed = applyHeaderMutation(headers, common.header_mutation, dir, MUTATION_FIELD[kind]);
  let replacement: Replacement | undefined;
  if (common.status === ResponseStatus.CONTINUE_AND_REPLACE) {
    const m = common.body_mutation;
    const body = m?.body ? new Uint8Array(m.body) : m?.clear_body ? new Uint8Array(0) : undefined;
    replacement = body ? { body } : {};
    if (body) {
      headers.remove('content-length');
      changed = true;
    }
  }
  const result = stepResult(dir, answer, common, changed);
  return replacement ? { result, replacement } : { result };
}

/**
 * Applies a body answer to its chunk. Its header mutations go with the result as `editHeldHeaders`: the data
 * plane applies them when the headers still wait for this answer (a complete body held during the headers
 * message, Envoy's buffered-body state in `processor_state.cc` `handleBodyResponse`) and ignores them once the
 * headers went on (§3).
 */
export function applyBodyAnswer(
  dir: Direction,
  chunk: Uint8Array,
  answer: ProcessingResponse,
  kind: RequestKind,
  id: string,
): BodyStepResult {
  const common = commonResponse(answer, kind);
  const m = common.body_mutation;
  if (m?.streamed_response) {
    throw new ExtensionError('protocol', `callout ${id}: streamed_response outside FullDuplexStreamed`);
  }
  const hm = common.header_mutation;
  const edits =
    (hm?.set_headers?.length ?? 0) + (hm?.remove_headers?.length ?? 0) > 0
      ? {
          editHeldHeaders: (h: HeaderMap) => applyHeaderMutation(h, hm, dir, MUTATION_FIELD[kind]),
        }
      : undefined;
  if (m?.mutation === 'body' || m?.body) {
    return {
      ...stepResult(dir, answer, common, true),
      chunks: [new Uint8Array(m.body ?? new Uint8Array(0))],
      ...edits,
    };
  }
  if (m?.clear_body) return { ...stepResult(dir, answer, common, true), chunks: [], ...edits };
  return { ...stepResult(dir, answer, common, false), chunks: [chunk], ...edits };
}

export function stepResult(
  dir: Direction,
  answer: ProcessingResponse,
  common: CommonResponse,
  changed: boolean,
): StepResult {
  // clear_route_cache only counts on the request path (§4.5).
  const clear = dir === 'request' && common.clear_route_cache === true;
  const endpoint = selectedEndpoint(answer.dynamic_metadata);
  const effect = changed || clear || endpoint ? 'CONTENT_MODIFIED' : 'NONE';
  if (!clear && !endpoint) return effect === 'NONE' ? NONE : MODIFIED;
  return {
    effect,
    ...(clear ? { clearRouteCache: true } : {}),
    ...(endpoint ? { selectedEndpoint: endpoint } : {}),
  };
}

export function immediateResult(answer: ProcessingResponse): StepResult {
  const immediate = toLocalResponse(answer.immediate_response ?? {});
  const endpoint = selectedEndpoint(answer.dynamic_metadata);
  return { immediate, effect: 'IMMEDIATE_RESPONSE', ...(endpoint ? { selectedEndpoint: endpoint } : {}) };
}
