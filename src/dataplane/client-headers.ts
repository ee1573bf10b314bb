// The client's request header fields as the data plane forwards them and extensions see them: every line the
// client sent, as Envoy's codecs and header map keep them (docs/dataplane.md, "Repeated request headers").
//
// node:http's parse (`req.headers`) joins a repeated field into one `, ` line, joins `cookie` lines with `; `
// and drops all but the first line of the fields it keeps once (`authorization`, `user-agent`, `referer`, ...).
// Envoy keeps a repeated field as separate entries unless it is one of its inline headers, which it folds into
// one value joined with `,` (HeaderMapImpl::insertByKey, source/common/http/header_map_impl.cc). So the fields
// are read again from `rawHeaders` whenever a name repeats; a request without repeats (nearly all) keeps Node's
// object, which then holds every line already.

import type { DownstreamRequest } from './downstream.js';

/** Header fields by lowercase name; an array is one line per value, in the client's order. */
export type ClientHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Envoy's inline request headers, whose repeats it folds into one `,`-joined value: the default set of
 * `INLINE_REQ_HEADERS` and `INLINE_REQ_RESP_HEADERS` (envoy/http/header_map.h), `host` (mapped to `:authority`,
 * header_map_impl.cc), and the custom inline headers that extensions of Envoy's standard build register at
 * start-up whether configured or not: `authorization` and the conditional/cache fields (the cache filter,
 * source/extensions/filters/http/cache/inline_headers_handles.h; `authorization` also oauth2), `referer` and
 * `origin` (CEL attributes, source/extensions/filters/common/expr/context.cc; the CSRF filter).
 */
const ENVOY_INLINE = new Set([
  // INLINE_REQ_RESP_HEADERS
  'connection',
  'content-type',
  'x-envoy-decorator-operation',
  'keep-alive',
  'proxy-connection',
  'proxy-status',
  'x-request-id',
  'transfer-encoding',
  'upgrade',
  'via',
  'content-length',
  'x-envoy-attempt-count',
  // INLINE_REQ_HEADERS
  'x-client-trace-id',
  'x-envoy-downstream-service-cluster',
  'x-envoy-downstream-service-node',
  'x-envoy-external-address',
  'x-envoy-force-trace',
  'x-envoy-hedge-on-per-try-timeout',
  'x-envoy-internal',
  'x-envoy-ip-tags',
  'x-envoy-retry-on',
  'x-envoy-retry-grpc-on',
  'x-envoy-retriable-status-codes',
  'x-envoy-retriable-header-names',
  'x-envoy-original-path',
  'x-envoy-original-url',
  'x-envoy-upstream-alt-stat-name',
  'x-envoy-upstream-rq-timeout-alt-response',
  'expect',
  'x-forwarded-client-cert',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'grpc-timeout',
  'te',
  'user-agent',
  'x-envoy-expected-rq-timeout-ms',
  'x-envoy-max-retries',
  'x-envoy-upstream-rq-timeout-ms',
  'x-envoy-upstream-rq-per-try-timeout-ms',
  'x-envoy-upstream-stream-duration-ms',
  // Registered by extensions linked into Envoy's standard build.
  'authorization',
  'pragma',
  'cache-control',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'if-range',
  'referer',
  'origin',
]);

/**
 * Whether node:http joined or dropped a line of this request: Node makes one key per distinct name, so fewer
 * keys than lines means a name repeats and the fields must be read again (fieldsFromRaw). The no-extension
 * path counts the keys in the walk it makes anyway (headers.ts proxyRequestHeaders) instead.
 */
export function namesRepeat(req: DownstreamRequest): boolean {
  let keys = 0;
  for (const _ in req.headers) keys++;
  return keys * 2 !== req.rawHeaders.length;
}

/**
 * The client's fields read from `rawHeaders`; undefined for a request that carries more than one `host` (or
 * `:authority`), which RFC 9112 §3.2 has a server answer 400 (the caller does).
 */
export function fieldsFromRaw(req: DownstreamRequest): ClientHeaders | undefined {
  const raw = req.rawHeaders;
  const h2 = req.httpVersionMajor === 2;
  // No prototype: a `__proto__` field is an own field like any other.
  const out = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const prev = out[name];
    if (prev === undefined) {
      out[name] = value;
      continue;
    }
    if (name === 'host' || name === ':authority') return undefined;
    if (ENVOY_INLINE.has(name)) out[name] = `${prev as string},${value}`;
    // RFC 9113 §8.2.3: HTTP/2 cookie crumbs are one `; `-joined field again (Envoy's HTTP/2 codec,
    // reconstituteCrumbledCookies in source/common/http/http2/codec_impl.cc). HTTP/1.1 lines stay apart.
    else if (h2 && name === 'cookie') out[name] = `${prev as string}; ${value}`;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}
