// The Proxy-Wasm exports of @solo-io/proxy-runtime 0.1.8, over a context registry of our own. Use
// `export * from '../../lib/proxy-exports'` instead of `export * from '@solo-io/proxy-runtime/proxy'`.
//
// Why (docs/plugins.md, "Plugin memory"):
// - the SDK's callbacks find their context with `context_map.get(id) as Context`. AssemblyScript 0.17 retains
//   the result of that downcast once too often (`x as Derived` on a temporary leaks one reference), so every
//   stream context that got a callback stayed alive after on_delete: ~64 bytes per request until the VM hit
//   its memory limit and failed. Here stream and root contexts live in maps of their own type: no downcast.
// - the SDK's context create builds three debug strings listing every live context id (`context_map.keys()
//   .join(", ")`) and five more, whatever the log level: work growing with the streams open on the VM.
// - the host's log level is read once per VM start and configure (log-level.ts), so HttpContext can skip the
//   per-stream debug lines the host would drop.
// The callbacks are otherwise the SDK's (exports.ts): same order of calls into the plugin's classes.
import { ensureRootContext, deleteContext, Context, RootContext } from '@solo-io/proxy-runtime/runtime';
import { readLogLevel } from './log-level';

export { malloc, free } from '@solo-io/proxy-runtime/malloc';
export { proxy_abi_version_0_2_0 } from '@solo-io/proxy-runtime/exports';

const roots = new Map<u32, RootContext>();
const streams = new Map<u32, Context>();

// Defined before the other callbacks: AssemblyScript 0.17 resolves a virtual call's overrides among the
// classes compiled so far, and the plugin's Context subclass is first compiled through createContext; with
// the stream callbacks first, they would call the SDK's default methods instead of the plugin's.
export function proxy_on_context_create(context_id: u32, root_context_id: u32): void {
  if (root_context_id == 0) {
    readLogLevel();
    // The SDK's registry makes the root from the factory registered under plugin_root_id; once per VM.
    roots.set(context_id, ensureRootContext(context_id));
    return;
  }
  if (!roots.has(root_context_id)) {
    roots.set(root_context_id, ensureRootContext(root_context_id));
  }
  const root = roots.get(root_context_id);
  streams.set(context_id, root.createContext(context_id));
}

export function proxy_on_vm_start(root_context_id: u32, configuration_size: u32): u32 {
  return roots.get(root_context_id).onStart(configuration_size) ? 1 : 0;
}
export function proxy_validate_configuration(root_context_id: u32, configuration_size: u32): u32 {
  return roots.get(root_context_id).validateConfiguration(configuration_size) ? 1 : 0;
}
export function proxy_on_configure(root_context_id: u32, configuration_size: u32): u32 {
  readLogLevel();
  return roots.get(root_context_id).onConfigure(configuration_size) ? 1 : 0;
}
export function proxy_on_tick(root_context_id: u32): void {
  roots.get(root_context_id).onTick();
}
export function proxy_on_foreign_function(root_context_id: u32, function_id: u32, data_size: u32): void {}
export function proxy_on_queue_ready(root_context_id: u32, token: u32): void {
  roots.get(root_context_id).onQueueReady(token);
}

export function proxy_on_request_headers(context_id: u32, headers: u32, end_of_stream: u32): i32 {
  return streams.get(context_id).onRequestHeaders(headers, end_of_stream != 0) as i32;
}
export function proxy_on_request_body(context_id: u32, body_buffer_length: u32, end_of_stream: u32): i32 {
  return streams.get(context_id).onRequestBody(body_buffer_length, end_of_stream != 0) as i32;
}
export function proxy_on_request_trailers(context_id: u32, trailers: u32): i32 {
  return streams.get(context_id).onRequestTrailers(trailers) as i32;
}
export function proxy_on_request_metadata(context_id: u32, nelements: u32): i32 {
  return streams.get(context_id).onRequestMetadata(nelements) as i32;
}
export function proxy_on_response_headers(context_id: u32, headers: u32, end_of_stream: u32): i32 {
  return streams.get(context_id).onResponseHeaders(headers, end_of_stream != 0) as i32;
}
export function proxy_on_response_body(context_id: u32, body_buffer_length: u32, end_of_stream: u32): i32 {
  return streams.get(context_id).onResponseBody(body_buffer_length, end_of_stream != 0) as i32;
}
export function proxy_on_response_trailers(context_id: u32, trailers: u32): i32 {
  return streams.get(context_id).onResponseTrailers(trailers) as i32;
}
export function proxy_on_response_metadata(context_id: u32, nelements: u32): i32 {
  return streams.get(context_id).onResponseMetadata(nelements) as i32;
}

export function proxy_on_http_call_response(
  context_id: u32,
  token: u32,
  headers: u32,
  body_size: u32,
  trailers: u32,
): void {
  roots.get(context_id).onHttpCallResponse(token, headers, body_size, trailers);
}
export function proxy_on_grpc_receive_initial_metadata(context_id: u32, token: u32, headers: u32): void {
  roots.get(context_id).on_grpc_receive_initial_metadata(token, headers);
}
export function proxy_on_grpc_trailing_metadata(context_id: u32, token: u32, trailers: u32): void {
  roots.get(context_id).on_grpc_trailing_metadata(token, trailers);
}
export function proxy_on_grpc_receive(context_id: u32, token: u32, response_size: u32): void {
  roots.get(context_id).on_grpc_receive(token, response_size);
}
export function proxy_on_grpc_close(context_id: u32, token: u32, status_code: u32): void {
  roots.get(context_id).on_grpc_close(token, status_code);
}

export function proxy_on_done(context_id: u32): u32 {
  if (streams.has(context_id)) return streams.get(context_id).onDone() ? 1 : 0;
  return roots.get(context_id).onDone() ? 1 : 0;
}
export function proxy_on_log(context_id: u32): void {
  streams.get(context_id).onLog();
}
export function proxy_on_delete(context_id: u32): void {
  if (streams.has(context_id)) {
    streams.get(context_id).onDelete();
    streams.delete(context_id);
    return;
  }
  roots.get(context_id).onDelete();
  roots.delete(context_id);
  deleteContext(context_id);
}
