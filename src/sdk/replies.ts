// Building a callout's answers: header and body mutations, immediate responses, dynamic forwarding.
// Values are always written as `raw_value`, which is what Envoy reads (docs/spec/ext-proc.md §7).

import {
  AppendAction,
  ResponseStatus,
  type CommonResponse,
  type HeaderMutation,
  type HeaderValueOption,
  type ImmediateResponse,
} from '../extensions/callout/protos.js';
import { DYNAMIC_FORWARDING_KEY, DYNAMIC_FORWARDING_NAMESPACE } from '../extensions/callout/limits.js';
import type { Json } from '../extensions/callout/struct.js';

export type HeaderList = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
export type BodyBytes = string | Uint8Array;

/** What a handler returns for one event. */
export type Reply =
  | { readonly continue: CommonResponse; readonly dynamicMetadata?: Readonly<Record<string, Json>> }
  | { readonly immediate: ImmediateResponse; readonly dynamicMetadata?: Readonly<Record<string, Json>> }
  | { readonly trailers: HeaderMutation; readonly dynamicMetadata?: Readonly<Record<string, Json>> }
  | { readonly streamed: { readonly body: Uint8Array; readonly endOfStream: boolean } };

export interface HeaderEdits {
  /** Replace (or add) these headers. */
  readonly set?: HeaderList;
  /** Add another value, keeping existing ones. */
  readonly add?: HeaderList;
  /** Only add when absent. */
  readonly addIfAbsent?: HeaderList;
  readonly remove?: readonly string[];
}

export interface HeadersReplyOptions extends HeaderEdits {
  /** Ask the proxy to re-select the route after these edits (request headers only). */
  readonly clearRouteCache?: boolean;
  /** CONTINUE_AND_REPLACE: no more events for this direction; with `body`, that is the whole new body. */
  readonly replace?: boolean;
  readonly body?: BodyBytes;
}

export function headerMutation(edits: HeaderEdits): HeaderMutation {
  const set_headers: HeaderValueOption[] = [
    ...options(edits.set, AppendAction.OVERWRITE_IF_EXISTS_OR_ADD),
    ...options(edits.add, AppendAction.APPEND_IF_EXISTS_OR_ADD, true),
    ...options(edits.addIfAbsent, AppendAction.ADD_IF_ABSENT),
  ];
  return { set_headers, remove_headers: [...(edits.remove ?? [])] };
}

function options(list: HeaderList | undefined, action: AppendAction, append = false): HeaderValueOption[] {
  if (!list) return [];
  const pairs: ReadonlyArray<readonly [string, string]> = Array.isArray(list) ? list : Object.entries(list);
  return pairs.map(([key, value]) => ({
    header: { key: key.toLowerCase(), raw_value: Buffer.from(value, 'latin1') },
    // `append` is what Envoy's ext_proc honours; append_action says the same for newer proxies.
    ...(append ? { append: { value: true } } : {}),
    append_action: action,
  }));
}

export function headersReply(o: HeadersReplyOptions = {}): Reply {
  const common: CommonResponse = { header_mutation: headerMutation(o) };
  if (o.clearRouteCache) common.clear_route_cache = true;
  if (o.replace) common.status = ResponseStatus.CONTINUE_AND_REPLACE;
  if (o.body !== undefined) common.body_mutation = { body: bytes(o.body) };
  return { continue: common };
}

/** Streamed body answer: replace this chunk, clear it, or pass it (no options). */
export function bodyReply(
  o: { readonly body?: BodyBytes; readonly clear?: boolean } & HeaderEdits = {},
): Reply {
  const common: CommonResponse = { header_mutation: headerMutation(o) };
  if (o.clear) common.body_mutation = { clear_body: true };
  else if (o.body !== undefined) common.body_mutation = { body: bytes(o.body) };
  return { continue: common };
}

/** FullDuplexStreamed body answer: one piece of the new body; the last one has `endOfStream`. */
export function streamedBody(body: BodyBytes, endOfStream: boolean): Reply {
  return { streamed: { body: bytes(body), endOfStream } };
}

export function trailersReply(edits: HeaderEdits = {}): Reply {
  return { trailers: headerMutation(edits) };
}

export interface ImmediateOptions {
  readonly headers?: HeaderList;
  readonly body?: BodyBytes;
  readonly details?: string;
  readonly grpcStatus?: number;
}

/** Answer the client directly; the request goes no further. */
export function immediateReply(status: number, o: ImmediateOptions = {}): Reply {
  const r: ImmediateResponse = {
    status: { code: status },
    headers: headerMutation(o.headers ? { set: o.headers } : {}),
  };
  if (o.body !== undefined) r.body = bytes(o.body);
  if (o.details) r.details = o.details;
  if (o.grpcStatus !== undefined) r.grpc_status = { status: o.grpcStatus };
  return { immediate: r };
}

export function redirectReply(location: string, status = 301): Reply {
  return immediateReply(status, { headers: { location } });
}

/**
 * Adds dynamic forwarding metadata selecting `address` (`ip:port`) for this request, in the shape Google's
 * samples send: `com.google.envoy.dynamic_forwarding.selected_endpoints: {primary: "ip:port"}`.
 */
export function withDynamicForwarding(reply: Reply, address: string): Reply {
  if ('streamed' in reply)
    throw new Error('dynamic forwarding metadata cannot ride on a streamed body chunk');
  return {
    ...reply,
    dynamicMetadata: {
      ...(reply.dynamicMetadata ?? {}),
      [`${DYNAMIC_FORWARDING_NAMESPACE}.${DYNAMIC_FORWARDING_KEY}`]: { primary: address },
    },
  };
}

function bytes(b: BodyBytes): Uint8Array {
  return typeof b === 'string' ? Buffer.from(b) : b;
}
