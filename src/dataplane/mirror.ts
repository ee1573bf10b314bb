// RequestMirror: a copy of the request to another backend, fire and forget. Its answer and its failures
// are ignored and it never holds up the real request. The copy's Host gets `-shadow` appended, as Envoy's
// request_mirror_policies do, so the mirror backend can tell shadow traffic apart.

import type { BackendIR } from '../ir/snapshot.js';
import type { UpstreamHandler } from './upstream/dispatcher.js';
import type { Upstreams } from './upstream/upstreams.js';

const IGNORE: UpstreamHandler = {
  onConnect: () => {},
  onHeaders: () => true,
  onData: () => true,
  onComplete: () => {},
  onError: () => {},
};

export function mirror(
  upstreams: Upstreams,
  target: BackendIR,
  method: string,
  path: string,
  requestHeaders: Readonly<Record<string, string | string[]>>,
): void {
  if (target.invalid !== undefined) return;
  const endpoint = upstreams.pick(target);
  if (endpoint === undefined) return;
  const headers = { ...requestHeaders };
  const host = typeof headers.host === 'string' ? headers.host : '';
  headers.host =
    host.includes(':') && !host.startsWith('[') ? host.replace(/:/, '-shadow:') : `${host}-shadow`;
  try {
    upstreams
      .dispatcher(endpoint, target.protocol)
      .dispatch({ path, method, headers, body: null, headersTimeout: 5_000 }, IGNORE);
  } catch {
    // A mirror must never affect the real request.
  }
}
