// Callout limits and defaults, each with its GKE/Envoy value and source.

/** Largest ProcessingResponse accepted: 128 KB, else the stream fails RESOURCE_EXHAUSTED (§0, [S]). */
export const CALLOUT_MAX_RESPONSE_BYTES = 128 * 1024;

/**
 * Largest body sent in one message: a chunk bigger than this goes as several messages (the last one carries
 * end_of_stream). Half the answer cap, so a callout can always answer a chunk with a replacement as large as
 * it (a FullDuplexStreamed callout upper-casing chunk by chunk) plus the rest of its answer. Also the most
 * body the data plane holds while a headers message is outstanding, so a small body goes as one message.
 */
export const CALLOUT_MAX_BODY_MESSAGE_BYTES = CALLOUT_MAX_RESPONSE_BYTES / 2;

/** Header name/value length cap: `HeaderValue.key`/`value` ≤ 16384 bytes (docs/spec/ext-proc.md §2.2). */
export const HEADER_MAX_BYTES = 16_384;

/** Envoy's default HCM header count limit (`max_headers_count`, 100): more mutations fail the answer (§5.2). */
export const HEADER_MUTATION_MAX_COUNT = 100;

/** Observability mode: close the stream this long after the request ended (Envoy `deferred_close_timeout`, 5 s). */
export const OBSERVABILITY_DEFERRED_CLOSE_MS = 5_000;

/** After half-closing a finished stream, reset it if the callout has not ended it by then (Envoy's
 * `remote_close_timeout_milliseconds`, default 1000 ms, docs/spec/ext-proc.md §1). */
export const REMOTE_CLOSE_TIMEOUT_MS = 1_000;

/** Namespace and key of Google's dynamic forwarding metadata (docs/spec/gke-service-extensions.md §2.3). */
export const DYNAMIC_FORWARDING_NAMESPACE = 'com.google.envoy.dynamic_forwarding';
export const DYNAMIC_FORWARDING_KEY = 'selected_endpoints';
