// The attributes a match condition can read, built from the request as the data plane sees it.
//
// Names follow GKE's `celMatcher` allow-list (docs/spec/gke-service-extensions.md §3.3) and Google's attribute
// reference (§3.2); where the two disagree (`source.address` vs `source.ip`, `connection.requested_server_name`
// vs `connection.sni`) both are provided. An attribute that does not exist for this request (no TLS, no
// backend yet, response attributes while selecting a chain) is left out, so an expression reading it
// evaluates to an error, which the matcher treats as false.

import type { HeaderMap, RequestInfo } from '../extension.js';

export interface MatchInput {
  readonly request: RequestInfo;
  readonly headers: HeaderMap;
}

/** Which attributes the chain's expressions read, so only those are built per request. */
export interface AttributeNeeds {
  readonly request: ReadonlySet<string>;
  readonly source: boolean;
  readonly connection: boolean;
}

/** From the expressions' text: attribute names can only appear as `root.name` identifiers. */
export function attributeNeeds(exprs: readonly string[]): AttributeNeeds {
  const request = new Set<string>();
  let source = false;
  let connection = false;
  for (const e of exprs) {
    for (const m of e.matchAll(/\b(request|source|connection)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (m[1] === 'request') request.add(m[2]!);
      else if (m[1] === 'source') source = true;
      else connection = true;
    }
    // A bare root (`request['path']`, `request == ...`) reads anything: build it all.
    if (/\brequest\b(?!\s*\.)/.test(e)) for (const k of REQUEST_FIELDS) request.add(k);
    if (/\bsource\b(?!\s*\.)/.test(e)) source = true;
    if (/\bconnection\b(?!\s*\.)/.test(e)) connection = true;
  }
  return { request, source, connection };
}

const REQUEST_FIELDS = ['path', 'query', 'host', 'method', 'scheme', 'headers', 'backend_service_name'];

export function celAttributes(input: MatchInput, needs: AttributeNeeds): Record<string, unknown> {
  const { request: info, headers } = input;
  const want = needs.request;
  const request: Record<string, unknown> = {};
  if (want.has('path') || want.has('query')) {
    const rawPath = headers.get(':path') ?? '/';
    const q = rawPath.indexOf('?');
    request.path = q < 0 ? rawPath : rawPath.slice(0, q);
    request.query = q < 0 ? '' : rawPath.slice(q + 1);
  }
  const host =
    want.has('host') || want.has('headers') ? (headers.get(':authority') ?? headers.get('host')) : undefined;
  if (host !== undefined) request.host = host;
  if (want.has('method')) request.method = headers.get(':method') ?? 'GET';
  if (want.has('scheme')) request.scheme = info.scheme;
  if (want.has('backend_service_name') && info.backendService !== undefined)
    request.backend_service_name = info.backendService;
  if (want.has('headers')) request.headers = headerAttribute(headers, host);
  const vars: Record<string, unknown> = { request };
  if (needs.source)
    vars.source = { address: info.sourceAddress, ip: info.sourceAddress, port: BigInt(info.sourcePort) };
  if (needs.connection) {
    const connection: Record<string, unknown> = {};
    const tls = info.tls;
    if (tls) {
      if (tls.sni !== undefined) connection.requested_server_name = connection.sni = tls.sni;
      if (tls.version !== undefined) connection.tls_version = tls.version;
      if (tls.peerCertSha256 !== undefined) connection.sha256_peer_certificate_digest = tls.peerCertSha256;
    }
    vars.connection = connection;
  }
  return vars;
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
