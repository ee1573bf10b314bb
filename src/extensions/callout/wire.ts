// Conversions between the data plane's types and ext_proc messages.

import { ExtensionError, type HeaderMap, type LocalResponse } from '../extension.js';
import { HeaderList } from '../header-map.js';
import { ForwardedHeaders } from './forwarded-headers.js';
import { GrpcStatus, grpcStatusName, type CallStatus } from './grpc-frames.js';
import { DYNAMIC_FORWARDING_KEY, DYNAMIC_FORWARDING_NAMESPACE } from './limits.js';
import { applyHeaderMutation } from './mutations.js';
import type { HeaderMapMessage, ImmediateResponse, StructValue } from './protos.js';
import { fromStruct, type Json } from './struct.js';

/**
 * Header values travel as `raw_value` bytes, in the header codec (latin1), written by the encoder from the
 * strings (forwarded-headers.ts). A HeaderList is walked in place rather than copied into pairs.
 */
export function toHeaderMapMessage(
  headers: HeaderMap,
  allow: ReadonlySet<string> | undefined,
): HeaderMapMessage {
  const flat: string[] = [];
  if (headers instanceof HeaderList) {
    for (let i = 0; i < headers.size; i++) keep(flat, headers.nameAt(i), headers.valueAt(i), allow);
  } else {
    for (const [key, value] of headers.entries()) keep(flat, key, value, allow);
  }
  return new ForwardedHeaders(flat);
}

function keep(flat: string[], key: string, value: string, allow: ReadonlySet<string> | undefined): void {
  // forwardHeaders filters ordinary headers; pseudo-headers always go (a callout needs :path, :method...).
  if (allow && key.charCodeAt(0) !== 58 /* ':' */ && !allow.has(key)) return;
  flat.push(key, value);
}

export function toLocalResponse(ir: ImmediateResponse): LocalResponse {
  const code = ir.status?.code ?? 0;
  const headers = new HeaderList();
  // Envoy checks local-reply header mutations with a permissive rule set; invalid names still fail.
  applyHeaderMutation(headers, ir.headers, 'response', 'immediate_response.headers');
  if (ir.grpc_status?.status !== undefined) headers.set('grpc-status', String(ir.grpc_status.status));
  return {
    // No status at all is 200, as in Envoy; a status outside 200–599 answers 500 (the data plane decides).
    status: code === 0 ? 200 : code,
    headers: headers.entries().filter(([k]) => !k.startsWith(':')),
    body: ir.body ? new Uint8Array(ir.body) : new Uint8Array(0),
    details: ir.details ? ir.details.replace(/\s/g, '_') : 'immediate_response',
  };
}

/**
 * The endpoint chosen by dynamic forwarding metadata, in either shape: Google's samples send one top-level key
 * `com.google.envoy.dynamic_forwarding.selected_endpoints`; Envoy's namespace form nests `selected_endpoints`
 * under the namespace `com.google.envoy.dynamic_forwarding`. The value is `{primary: "ip:port"}`.
 */
export function selectedEndpoint(dynamicMetadata: StructValue | undefined): string | undefined {
  if (!dynamicMetadata?.fields) return undefined;
  const md = fromStruct(dynamicMetadata);
  const flat = md[`${DYNAMIC_FORWARDING_NAMESPACE}.${DYNAMIC_FORWARDING_KEY}`];
  const ns = md[DYNAMIC_FORWARDING_NAMESPACE];
  const nested = isObject(ns) ? ns[DYNAMIC_FORWARDING_KEY] : undefined;
  return primary(flat) ?? primary(nested);
}

function primary(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return v || undefined;
  if (isObject(v) && typeof v.primary === 'string' && v.primary) return v.primary;
  return undefined;
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const CONNECT_FAILURE =
  /No connection established|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|handshake|Connection dropped|Failed to connect|ECONNRESET/i;

/** A gRPC failure of the Process stream as the chain sees it. */
export function grpcFailure(id: string, err: CallStatus, answered: boolean): ExtensionError {
  const what = `callout ${id}: ${grpcStatusName(err.code)}: ${err.details}`;
  if (err.code === GrpcStatus.UNAVAILABLE && !answered && CONNECT_FAILURE.test(err.details)) {
    return new ExtensionError('unreachable', what, err.code);
  }
  if (err.code === GrpcStatus.DEADLINE_EXCEEDED) return new ExtensionError('timeout', what, err.code);
  return new ExtensionError('error', what, err.code);
}
