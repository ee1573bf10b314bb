// The Proxy-Wasm exports of @solo-io/proxy-runtime 0.1.8, with the stream callbacks looking their context up
// without leaking it. Use `export * from '../../lib/proxy-exports'` instead of
// `export * from '@solo-io/proxy-runtime/proxy'`.
//
// Why: the SDK's stream callbacks find their context with `getContext(id)`, which is
// `context_map.get(id) as Context`. AssemblyScript 0.17 retains the result of that downcast once too often
// (reference counting: `x as Derived` on a temporary leaks one reference; `changetype<Derived>(x)` does not),
// so every stream context that got a request/response callback or on_log stays alive after on_delete: about
// 64 bytes per request, until the VM reaches its memory limit and fails (docs/plugins.md, "Plugin memory").
// The callbacks below are the SDK's own, with that one lookup replaced.
import { getBaseContext, ensureContext, ensureRootContext, Context } from '@solo-io/proxy-runtime/runtime';

export { malloc, free } from '@solo-io/proxy-runtime/malloc';
export {
  proxy_abi_version_0_2_0,
  proxy_on_vm_start,
  proxy_validate_configuration,
  proxy_on_configure,
  proxy_on_tick,
  proxy_on_foreign_function,
  proxy_on_queue_ready,
  proxy_on_http_call_response,
  proxy_on_grpc_receive_initial_metadata,
  proxy_on_grpc_trailing_metadata,
  proxy_on_grpc_receive,
  proxy_on_grpc_close,
  proxy_on_done,
  proxy_on_delete,
} from '@solo-io/proxy-runtime/exports';

// Defined before the stream callbacks, as in the SDK: AssemblyScript 0.17 resolves a virtual call's overrides
// among the classes compiled so far, and the plugin's Context subclass is first compiled through
// createContext; with the stream callbacks first, they would call the SDK's default methods, not the plugin's.
export function proxy_on_context_create(context_id: u32, root_context_id: u32): void {
  if (root_context_id != 0) ensureContext(context_id, root_context_id);
  else ensureRootContext(context_id);
}

/** The stream context `id`, without the leaking `as Context` downcast. */
function streamContext(id: u32): Context {
  return changetype<Context>(getBaseContext(id));
}

export function proxy_on_request_headers(context_id: u32, headers: u32, end_of_stream: u32): i32 {
  return streamContext(context_id).onRequestHeaders(headers, end_of_stream != 0) as i32;
}
export function proxy_on_request_body(context_id: u32, body_buffer_length: u32, end_of_stream: u32): i32 {
  return streamContext(context_id).onRequestBody(body_buffer_length, end_of_stream != 0) as i32;
}
export function proxy_on_request_trailers(context_id: u32, trailers: u32): i32 {
  return streamContext(context_id).onRequestTrailers(trailers) as i32;
}
export function proxy_on_request_metadata(context_id: u32, nelements: u32): i32 {
  return streamContext(context_id).onRequestMetadata(nelements) as i32;
}
export function proxy_on_response_headers(context_id: u32, headers: u32, end_of_stream: u32): i32 {
  return streamContext(context_id).onResponseHeaders(headers, end_of_stream != 0) as i32;
}
export function proxy_on_response_body(context_id: u32, body_buffer_length: u32, end_of_stream: u32): i32 {
  return streamContext(context_id).onResponseBody(body_buffer_length, end_of_stream != 0) as i32;
}
export function proxy_on_response_trailers(context_id: u32, trailers: u32): i32 {
  return streamContext(context_id).onResponseTrailers(trailers) as i32;
}
export function proxy_on_response_metadata(context_id: u32, nelements: u32): i32 {
  return streamContext(context_id).onResponseMetadata(nelements) as i32;
}
export function proxy_on_log(context_id: u32): void {
  streamContext(context_id).onLog();
}
