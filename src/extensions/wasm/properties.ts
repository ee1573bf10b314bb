// `proxy_get_property`: the attributes GCP's plugin runtime answers (docs/spec/proxy-wasm.md §6.2, §6.3, §7),
// encoded the way Envoy encodes them: strings raw, integers as 8 bytes little-endian, timestamps as i64 ns,
// maps as serialized pairs.
import type { HeaderMap, RequestInfo } from '../extension.js';
import { serializePairs } from './abi.js';

export interface PropertySource {
  readonly pluginName: string;
  readonly rootId: string;
  readonly vmId: string;
  readonly request?: RequestInfo | undefined;
  readonly requestHeaders?: HeaderMap | undefined;
  readonly responseHeaders?: HeaderMap | undefined;
  readonly startNs: bigint;
  /** Values stored by `proxy_set_property` (Envoy: filter state `wasm.<path>`). */
  readonly setByPlugin?: ReadonlyMap<string, Uint8Array> | undefined;
  /** Extra answers (the plugin tester's `properties { path value }`), keyed by dotted path. */
  readonly overrides?: ReadonlyMap<string, Uint8Array> | undefined;
}

function int64(v: number | bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
}

const str = (s: string | undefined): Uint8Array | undefined =>
  s === undefined ? undefined : Buffer.from(s, 'utf8');

function headerMap(h: HeaderMap | undefined): Uint8Array | undefined {
  if (!h) return undefined;
  const joined = new Map<string, string>();
  for (const [k, v] of h.entries()) joined.set(k, joined.has(k) ? `${joined.get(k)}, ${v}` : v);
  return serializePairs([...joined.entries()]);
}

/** Splits a property path: segments are NUL-separated; a single dotted segment is accepted too. */
export function propertySegments(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 1 && parts[0]!.includes('.') ? parts[0]!.split('.') : parts;
}

export function getProperty(src: PropertySource, segments: readonly string[]): Uint8Array | undefined {
  const dotted = segments.join('.');
  const override = src.overrides?.get(dotted);
  if (override) return override;
  const [top, second, ...rest] = segments;
  const req = src.request;
  const rh = src.requestHeaders;
  switch (top) {
    case 'plugin_root_id':
      return str(src.rootId);
    case 'plugin_name':
      return str(src.pluginName);
    case 'plugin_vm_id':
      return str(src.vmId);
    case 'request': {
      const path = rh?.get(':path');
      switch (second) {
        case 'path':
          return str(path);
        case 'url_path':
          return str(path?.split('?')[0]);
        case 'query':
          return path === undefined
            ? undefined
            : str(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
        case 'host':
          return str(rh?.get(':authority') ?? rh?.get('host'));
        case 'scheme':
          return str(rh?.get(':scheme') ?? req?.scheme);
        case 'method':
          return str(rh?.get(':method'));
        case 'id':
          return str(req?.requestId ?? rh?.get('x-request-id'));
        case 'referer':
          return str(rh?.get('referer'));
        case 'useragent':
          return str(rh?.get('user-agent'));
        case 'protocol':
          return str('HTTP/1.1');
        case 'time':
          return int64(src.startNs);
        case 'headers':
          if (rest.length > 0) return str(rh?.getAll(rest[0]!.toLowerCase()).join(', ') || undefined);
          return headerMap(rh);
        default:
          return undefined;
      }
    }
    case 'response': {
      const h = src.responseHeaders;
      if (second === 'code') {
        const s = h?.get(':status');
        return s === undefined ? undefined : int64(Number(s));
      }
      if (second === 'headers') {
        if (rest.length > 0) return str(h?.getAll(rest[0]!.toLowerCase()).join(', ') || undefined);
        return headerMap(h);
      }
      return undefined;
    }
    case 'source':
      if (second === 'address') return str(req && `${req.sourceAddress}:${req.sourcePort}`);
      if (second === 'port') return req && int64(req.sourcePort);
      return undefined;
    case 'destination':
      if (second === 'address') return str(req && `${req.destinationAddress}:${req.destinationPort}`);
      if (second === 'port') return req && int64(req.destinationPort);
      return undefined;
    case 'connection':
      if (second === 'requested_server_name') return str(req?.tls?.sni);
      if (second === 'tls_version') return str(req?.tls?.version);
      if (second === 'mtls') return req ? Uint8Array.of(req.tls?.peerCertSha256 ? 1 : 0) : undefined;
      if (second === 'sha256_peer_certificate_digest') return str(req?.tls?.peerCertSha256);
      return undefined;
    case 'xds':
      if (second === 'route_name') return str(req?.route);
      if (second === 'cluster_name') return str(req?.backendService);
      if (second === 'listener_name' || second === 'filter_chain_name') return str(req?.listener);
      return undefined;
    default:
      return src.setByPlugin?.get(dotted);
  }
}
