// The per-request state a Wasm stream context carries between callbacks: its own module so the VM, the
// hostcalls that read and write it and the pool that samples it share the type without importing each other.
import type { HeaderMap, LocalResponse, RequestInfo } from '../extension.js';

/**
 * The stream callbacks of the ABI, as indices into tables resolved once per VM and pool, so a request looks
 * nothing up by export name. `STREAM_CALLBACK_EXPORTS[c]` is the export's name.
 */
export const enum StreamCallback {
  ContextCreate,
  RequestHeaders,
  RequestBody,
  ResponseHeaders,
  ResponseBody,
  Log,
  Done,
  Delete,
}

export const STREAM_CALLBACK_EXPORTS: readonly string[] = [
  'proxy_on_context_create',
  'proxy_on_request_headers',
  'proxy_on_request_body',
  'proxy_on_response_headers',
  'proxy_on_response_body',
  'proxy_on_log',
  'proxy_on_done',
  'proxy_on_delete',
];

export type Phase =
  'start' | 'request_headers' | 'request_body' | 'response_headers' | 'response_body' | 'done';

/** Per-request state of one stream context, read and written by the hostcalls. */
export interface StreamState {
  readonly contextId: number;
  readonly request?: RequestInfo;
  requestHeaders?: HeaderMap;
  responseHeaders?: HeaderMap;
  phase: Phase;
  /** The body chunk of the current body callback (replaced by proxy_set_buffer_bytes). */
  body?: Uint8Array | undefined;
  headersChanged: boolean;
  bodyChanged: boolean;
  local?: LocalResponse | undefined;
  /**
   * What the plugin did wrong in this callback, which fails the stream: a GKE limit it broke (mutation size)
   * or a header edit the mutation rules refuse (src/extensions/mutation-rules.ts).
   */
  violation?: { readonly failure: 'limit' | 'protocol'; readonly message: string };
  resetRequested?: boolean;
  /** Frozen clock for the whole stream (GKE freezes plugin time per request). */
  readonly startNs: bigint;
  fuel: number;
  readonly setProperties: Map<string, Uint8Array>;
  readonly propertyOverrides?: ReadonlyMap<string, Uint8Array> | undefined;
  /** Only `propertyOverrides` answer get_property (Google's tester: unlisted properties are NotFound). */
  readonly onlyListedProperties?: boolean;
}
