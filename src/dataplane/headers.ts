// Header handling shared by the request and response paths: hop-by-hop removal and the Gateway API header
// modifiers. (The HeaderMap extensions edit is src/extensions/header-map.ts.)

import { forEachRawHeader } from '../extensions/header-codec.js';
import { addHeaderValue, type HeaderList } from '../extensions/header-map.js';
import type { HeaderModifierIR } from '../ir/snapshot.js';
import { checkHeaderEdit, type HeaderEdit } from '../extensions/mutation-rules.js';

/** RFC 9110 §7.6.1 connection-specific fields, never forwarded; plus any named in `Connection`. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // undici refuses `expect`; Node's server already answered `100-continue` by the time we forward.
  'expect',
  // HTTP/2 downstream: carried as :authority; HTTP/1 upstream gets `host` from it.
  'http2-settings',
]);

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name);
}

/** Names listed in a `Connection` header value (lowercased), which are hop-by-hop too. */
export function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  // Nearly every peer sends exactly one of these; answer without allocating.
  if (
    value === 'keep-alive' ||
    value === 'close' ||
    value === 'Keep-Alive' ||
    value === 'Upgrade' ||
    value === 'upgrade'
  )
    return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  const tokens = new Set<string>();
  for (const t of joined.split(',')) {
    const name = t.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive') tokens.add(name);
  }
  return tokens.size > 0 ? tokens : undefined;
}

/**
 * Applies a Gateway API header modifier to a Node header object in place: set replaces, add appends (the
 * spec: "add ... appends to any existing values"), remove deletes. Edits go through the mutation rules every
 * extension shares (src/extensions/mutation-rules.ts): framing and connection fields, and removing `host`, are
 * ignored (the proxy frames what it sends).
 */
export function applyHeaderModifier(
  headers: Record<string, string | string[] | undefined>,
  m: HeaderModifierIR,
): void {
  for (const { name, value } of m.set) {
    const key = name.toLowerCase();
    if (filterMay('set', key, value)) headers[key] = value;
  }
  for (const { name, value } of m.add) {
    const key = name.toLowerCase();
    const prev = headers[key];
    if (!filterMay(prev === undefined ? 'set' : 'append', key, value)) continue;
    if (prev === undefined) headers[key] = value;
    else if (Array.isArray(prev)) headers[key] = [...prev, value];
    else headers[key] = key === 'cookie' ? `${prev}; ${value}` : [prev, value];
  }
  for (const name of m.remove) if (filterMay('remove', name, '')) delete headers[name];
}

/** Route filters never name pseudo-headers (admission refuses them), so the header block does not matter. */
function filterMay(op: HeaderEdit, name: string, value: string): boolean {
  return checkHeaderEdit(op, name, value, 'request') === 'apply';
}

/**
 * An upstream response's raw header list (undici / llhttp shape: name, value, name, value...) as a Node
 * header object: names lowercased, hop-by-hop fields and those named in `Connection` dropped, repeated
 * fields joined (`set-cookie` kept as a list).
 */
export function responseHeadersFromRaw(
  raw: ReadonlyArray<Buffer | string>,
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  let extra: Set<string> | undefined;
  forEachRawHeader(raw, (rawName, value) => {
    const name = rawName.toLowerCase();
    if (isHopByHop(name)) {
      if (name === 'connection') extra = connectionTokens(value);
      return;
    }
    const prev = headers[name];
    if (prev === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(prev)) prev.push(value);
    else headers[name] = `${prev}, ${value}`;
  });
  if (extra !== undefined) for (const name of extra) delete headers[name];
  return headers;
}

export interface ProxyHeaderValues {
  /**
   * Value for `host` (HTTP/1.1) / `:authority` (HTTP/2) upstream when an extension or an absolute-form target
   * set it; undefined: the request's own `host` (or `:authority`), else `hostname`.
   */
  readonly authority: string | undefined;
  /** The request's host without port, for a request that carries no authority at all. */
  readonly hostname: string;
  readonly client: string;
  readonly scheme: 'http' | 'https';
  /** This proxy's `via` entry, e.g. `1.1 extgate`. */
  readonly via: string;
  readonly requestId: string;
  readonly keepTeTrailers: boolean;
}

/**
 * The headers sent upstream: the client's minus hop-by-hop ones (and those its `Connection` names), plus
 * `x-forwarded-for` (appended), `x-forwarded-proto`, `via` (appended) and `x-request-id`. With `rawLines`
 * (the length of the request's `rawHeaders`), `src` is Node's parsed object and undefined is returned when it
 * has fewer fields than the client sent lines: a name repeats, and the fields must be read again from the raw
 * lines (client-headers.ts). Counted in this walk, so a request without repeats pays nothing more.
 */
export function proxyRequestHeaders(
  src: Readonly<Record<string, string | string[] | undefined>>,
  p: ProxyHeaderValues,
): Record<string, string | string[]>;
export function proxyRequestHeaders(
  src: Readonly<Record<string, string | string[] | undefined>>,
  p: ProxyHeaderValues,
  rawLines: number,
): Record<string, string | string[]> | undefined;
export function proxyRequestHeaders(
  src: Readonly<Record<string, string | string[] | undefined>>,
  p: ProxyHeaderValues,
  rawLines = -1,
): Record<string, string | string[]> | undefined {
  const out: Record<string, string | string[]> = {};
  const extra = connectionTokens(src.connection);
  let fields = 0;
  for (const name in src) {
    fields++;
    const v = src[name];
    if (v === undefined || name.charCodeAt(0) === 58 /* ':' */) continue;
    if (HOP_BY_HOP.has(name) && !(p.keepTeTrailers && name === 'te' && v === 'trailers')) continue;
    if (extra !== undefined && extra.has(name)) continue;
    out[name] = v;
  }
  if (rawLines >= 0 && fields * 2 !== rawLines) return undefined;
  return addProxyFields(out, src.host ?? src[':authority'], src['x-forwarded-for'], src.via, p);
}

/**
 * `proxyRequestHeaders` of an extension-edited header list, in one walk over it: the same object as
 * `proxyRequestHeaders(list.toObject(), p)` (repeated fields as arrays, `set-cookie` always one) without
 * building that intermediate object. The list's names are lowercase (HeaderList keeps them so).
 */
export function proxyRequestHeadersFromList(
  list: HeaderList,
  p: ProxyHeaderValues,
): Record<string, string | string[]> {
  const size = list.size;
  // The fields `Connection` names are dropped wherever they stand, so read it first.
  let connection: string | undefined;
  for (let i = 0; i < size; i++)
    if (list.nameAt(i) === 'connection') {
      const v = list.valueAt(i);
      connection = connection === undefined ? v : `${connection},${v}`;
    }
  const extra = connectionTokens(connection);
  const out: Record<string, string | string[]> = {};
  // What `Connection` dropped of host, x-forwarded-for and via still feeds the proxy's own fields.
  let dropped: Record<string, string | string[]> | undefined;
  let te = false;
  for (let i = 0; i < size; i++) {
    const name = list.nameAt(i);
    if (name.charCodeAt(0) === 58 /* ':' */) continue;
    if (HOP_BY_HOP.has(name)) {
      if (!(p.keepTeTrailers && name === 'te')) continue;
      te = true;
    }
    if (extra !== undefined && extra.has(name)) addHeaderValue((dropped ??= {}), name, list.valueAt(i));
    else addHeaderValue(out, name, list.valueAt(i));
  }
  // `te` passes only as one `trailers` (repeated, it is an array here, as in list.toObject()).
  if (te && out.te !== 'trailers') delete out.te;
  return addProxyFields(
    out,
    out.host ?? dropped?.host,
    out['x-forwarded-for'] ?? dropped?.['x-forwarded-for'],
    out.via ?? dropped?.via,
    p,
  );
}

/** `host`, then `x-forwarded-for`, `x-forwarded-proto`, `via` and `x-request-id`, the proxy's own fields. */
function addProxyFields(
  out: Record<string, string | string[]>,
  host: string | string[] | undefined,
  xff: string | string[] | undefined,
  via: string | string[] | undefined,
  p: ProxyHeaderValues,
): Record<string, string | string[]> {
  out.host = p.authority ?? host ?? p.hostname;
  out['x-forwarded-for'] =
    xff === undefined ? p.client : `${Array.isArray(xff) ? xff.join(', ') : xff}, ${p.client}`;
  out['x-forwarded-proto'] = p.scheme;
  out.via = via === undefined ? p.via : `${Array.isArray(via) ? via.join(', ') : via}, ${p.via}`;
  out['x-request-id'] = p.requestId;
  return out;
}
