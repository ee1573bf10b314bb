// Gateway API URL filters: RequestRedirect (Location) and URLRewrite (path), including ReplacePrefixMatch.

import type { PathModifierIR, RequestRedirectIR } from '../ir/snapshot.js';

/**
 * ReplacePrefixMatch per the Gateway API table: the matched prefix (trailing `/` ignored) is replaced, the rest
 * of the path kept, and an empty result becomes `/` (e.g. prefix `/foo`, `/foo/bar`, replacement `/` → `/bar`).
 */
export function modifyPath(path: string, modifier: PathModifierIR): string {
  if (modifier.type === 'ReplaceFullPath') return modifier.value;
  const prefix = stripTrailingSlash(modifier.matchedPrefix);
  const rest = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  const replaced = stripTrailingSlash(modifier.value) + rest;
  return replaced === '' ? '/' : replaced.startsWith('/') ? replaced : `/${replaced}`;
}

function stripTrailingSlash(p: string): string {
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

export interface RedirectInput {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  /** The Gateway listener's port as written in the Gateway. */
  readonly listenerPort: number;
  readonly path: string;
  /** Including the leading `?`, or ''. */
  readonly search: string;
}

/**
 * The Location of a RequestRedirect. Port rules from the Gateway API: an explicit port wins; else the
 * well-known port of an explicitly set scheme; else the listener's port. Port 80 with http and 443 with https
 * are left out of the URL.
 */
export function redirectLocation(r: RequestRedirectIR, input: RedirectInput): string {
  const scheme = r.scheme ?? input.scheme;
  const host = r.hostname ?? input.host;
  const port = r.port ?? (r.scheme !== undefined ? (r.scheme === 'https' ? 443 : 80) : input.listenerPort);
  const showPort = !((scheme === 'http' && port === 80) || (scheme === 'https' && port === 443));
  const path = r.path !== undefined ? modifyPath(input.path, r.path) : input.path;
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}://${hostPart}${showPort ? `:${port}` : ''}${path}${input.search}`;
}
