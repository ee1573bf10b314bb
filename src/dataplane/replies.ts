// Answers the data plane produces itself: routing and upstream failures (docs/dataplane.md, "Answers the data
// plane makes itself") and the seed's JSON bodies for failed extensions (the seed's troubleshooting section, docs/spec/README.md).

import type { ExtensionFailure } from '../extensions/extension.js';

export interface LocalReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Short reason for logs (`response_code_details` in Envoy's words). */
  readonly details: string;
}

const text = (status: number, body: string, details: string): LocalReply => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body,
  details,
});

export const REPLIES = {
  noListener: text(404, 'no listener for this host\n', 'no_listener'),
  noRoute: text(404, 'no route\n', 'route_not_found'),
  misdirected: text(
    421,
    'misdirected request: the Host is not served by the listener of the TLS server name\n',
    'misdirected_request',
  ),
  invalidBackend: text(500, 'invalid backend\n', 'invalid_backend'),
  noBackendRefs: text(500, 'route rule has no backends\n', 'no_backends'),
  noEndpoints: text(503, 'no healthy upstream\n', 'no_healthy_upstream'),
  connectFailure: text(502, 'upstream connect error\n', 'upstream_connect_failure'),
  upstreamReset: text(
    502,
    'upstream reset before response headers\n',
    'upstream_reset_before_response_started',
  ),
  upstreamTimeout: text(504, 'upstream request timeout\n', 'upstream_response_timeout'),
  badRequest: text(400, 'bad request\n', 'bad_request'),
  duplicateHost: text(400, 'more than one Host header\n', 'duplicate_host'),
  /** A step threw what it should have answered itself (a bug, or input nothing anticipated): never a hang. */
  internalError: text(500, 'internal error\n', 'internal_error'),
} as const;

/** The seed's JSON for a fail-closed extension: 404 NOT_FOUND when it cannot be reached, 500 INTERNAL else. */
export function extensionFailureReply(failure: ExtensionFailure): LocalReply {
  if (failure === 'unreachable') {
    return {
      status: 404,
      contentType: 'application/json',
      body: '{"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}',
      details: 'extension_unreachable',
    };
  }
  return {
    status: 500,
    contentType: 'application/json',
    body: '{"error": {"code": 500, "message": "Internal server error.", "status": "INTERNAL"}}',
    details: `extension_${failure}`,
  };
}

/**
 * The status an extension's local answer (ext_proc `immediate_response`, Proxy-Wasm `send_local_response`) is
 * sent with: 200–599 as asked, anything else 500. A 1xx would go out as an interim answer with a body after
 * it, and Node refuses codes outside 100–999 by throwing.
 */
export function localAnswerStatus(status: number): number {
  return Number.isInteger(status) && status >= 200 && status <= 599 ? status : 500;
}
