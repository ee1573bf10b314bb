// node:http2 sends a field it holds to one value (lib/internal/http2/util.js, kSingleValueHeaders) only as
// one field: an array of values for it throws ERR_HTTP2_HEADER_SINGLE_VALUE. A client may still send such a
// field twice (two `range` or `dnt` lines), and the data plane forwards each line it keeps
// (src/dataplane/client-headers.ts), so toward an HTTP/2 backend these are joined with `, ` (RFC 9110 §5.3)
// where Envoy would send two fields. The ones Envoy folds itself are one value already.

const NODE_SINGLE_VALUE = new Set([
  'age',
  'authorization',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-md5',
  'content-range',
  'content-type',
  'date',
  'dnt',
  'etag',
  'expires',
  'from',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'range',
  'referer',
  'retry-after',
  'tk',
  'upgrade-insecure-requests',
  'user-agent',
  'x-content-type-options',
  'access-control-allow-credentials',
  'access-control-max-age',
  'access-control-request-method',
]);

/** The value node:http2 accepts for `name`: `value` itself unless it is a list of a field Node keeps once. */
export function h2FieldValue(name: string, value: string | string[]): string | string[] {
  return typeof value === 'string' || !NODE_SINGLE_VALUE.has(name) ? value : value.join(', ');
}

/** `headers` for an HTTP/2 request: the same object unless a field Node keeps once has several values. */
export function h2Fields(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  let out: Record<string, string | string[]> | undefined;
  for (const name in headers) {
    const v = headers[name]!;
    const accepted = h2FieldValue(name, v);
    if (accepted !== v) (out ??= { ...headers })[name] = accepted;
  }
  return out ?? headers;
}
