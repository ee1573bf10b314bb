// The attributes a match condition can read, built from the request as the data plane sees it.
//
// Names follow GKE's `celMatcher` allow-list (gke-service-extensions.md §3.3) and Google's attribute
// reference (§3.2); where the two disagree (`source.address` vs `source.ip`, `connection.requested_server_name`
// vs `connection.sni`) both are provided. An attribute that does not exist for this request (no TLS, no
// backend yet, response attributes while selecting a chain) is left out, so an expression reading it
// evaluates to an error, which the matcher treats as false.

import type { HeaderMap, RequestInfo } from '../extension.js';

export interface MatchInput {
  readonly request: RequestInfo;
  readonly headers: HeaderMap;
}

/** Which top-level parts an expression reads; lets the matcher skip building the others per request. */
export interface AttributeNeeds {
  headers: boolean;
}

export function celAttributes(input: MatchInput, needs: AttributeNeeds): Record<string, unknown> {
  const { request: info, headers } = input;
  const rawPath = headers.get(':path') ?? '/';
  const q = rawPath.indexOf('?');
  const host = headers.get(':authority') ?? headers.get('host');
  const request: Record<string, unknown> = {
    path: q < 0 ? rawPath : rawPath.slice(0, q),
    query: q < 0 ? '' : rawPath.slice(q + 1),
    method: headers.get(':method') ?? 'GET',
    scheme: info.scheme,
  };
  if (host !== undefined) request.host = host;
  if (info.backendService !== undefined) request.backend_service_name = info.backendService;
  if (needs.headers) request.headers = headerAttribute(headers, host);

  const source = { address: info.sourceAddress, ip: info.sourceAddress, port: BigInt(info.sourcePort) };
  const connection: Record<string, unknown> = {};
  const tls = info.tls;
  if (tls) {
    if (tls.sni !== undefined) connection.requested_server_name = connection.sni = tls.sni;
    if (tls.version !== undefined) connection.tls_version = tls.version;
    if (tls.peerCertSha256 !== undefined) connection.sha256_peer_certificate_digest = tls.peerCertSha256;
  }
  return { request, source, connection };
}

/** `request.headers`: lowercase names, repeated headers joined by a comma, no pseudo-headers. */
function headerAttribute(headers: HeaderMap, host: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of headers.entries()) {
    if (name.startsWith(':')) continue;
    const prev = out.get(name);
    out.set(name, prev === undefined ? value : `${prev},${value}`);
  }
  if (host !== undefined && !out.has('host')) out.set('host', host);
  return out;
}
