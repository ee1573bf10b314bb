// Writing a JSON answer, and how a stored object is shown at the version and in the form the client asked for.
import type { ServerResponse } from 'node:http';
import type { ResourceKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';

/** kube-apiserver marks every API answer private and uncacheable. */
export const BASE_HEADERS = { 'Cache-Control': 'no-cache, private' };

export function send(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
  extra: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    ...BASE_HEADERS,
    ...extra,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function gvOf(k: ResourceKind, version: string): string {
  return k.group === '' ? version : `${k.group}/${version}`;
}

/** Objects are stored at the kind's storage version and shown at the version the client asked for. */
export function presenter(k: ResourceKind, version: string): (o: KubeObject) => KubeObject {
  if (version === k.version) return (o) => o;
  const apiVersion = gvOf(k, version);
  return (o) => ({ ...o, apiVersion });
}

export function tableContentType(apiVersion: string): string {
  return `application/json;as=Table;v=${apiVersion.split('/')[1]};g=meta.k8s.io`;
}
