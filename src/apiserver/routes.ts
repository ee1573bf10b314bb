// Maps a request path to the resource it names (docs/spec/kubernetes-api.md §1.2).
import type { ResourceKind } from '../api/kinds.js';
import { FIXED_KINDS, type KindTable } from './crd/kind-table.js';

export type Route =
  | {
      type: 'resource';
      kind: ResourceKind;
      /** The version in the path; objects are stored at `kind.version` and shown at this one. */
      version: string;
      namespace?: string;
      name?: string;
      subresource?: string;
      /** Reached through the legacy `/watch/` prefix (deprecated in kube-apiserver, still served). */
      watch?: boolean;
    }
  | { type: 'resourceList'; group: string; version: string }
  | { type: 'group'; group: string }
  | { type: 'other' };

/** Parses `/api/v1/...` and `/apis/<group>/<version>/...`; `undefined` for paths that name nothing served. */
export function parseRoute(pathname: string, kinds: KindTable = FIXED_KINDS): Route | undefined {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  const [root, first, second] = parts;
  if (root === 'api') {
    if (first === undefined) return { type: 'other' };
    if (first !== 'v1') return undefined;
    [group, version, rest] = ['', 'v1', parts.slice(2)];
  } else if (root === 'apis') {
    if (first === undefined) return { type: 'other' };
    if (second === undefined) return { type: 'group', group: first };
    [group, version, rest] = [first, second, parts.slice(3)];
  } else return { type: 'other' };
  if (!kinds.groupVersions().some((gv) => gv.group === group && gv.version === version)) return undefined;
  if (rest.length === 0) return { type: 'resourceList', group, version };
  if (rest[0] === 'watch' && rest.length > 1) {
    const inner = resourceRoute(kinds, group, version, rest.slice(1));
    return inner && { ...inner, watch: true };
  }
  return resourceRoute(kinds, group, version, rest);
}

function resourceRoute(
  kinds: KindTable,
  group: string,
  version: string,
  rest: string[],
): Extract<Route, { type: 'resource' }> | undefined {
  const [first, second, third, fourth, fifth] = rest;
  if (first === undefined) return undefined;
  // namespaces/<ns>/<resource>... only when <resource> is a namespaced resource of this group/version.
  if (first === 'namespaces' && second !== undefined && third !== undefined) {
    const k = kinds.byResource(group, version, third);
    if (k && k.namespaced) {
      if (rest.length > 5) return undefined;
      return resource(k, version, second, fourth, fifth);
    }
  }
  const k = kinds.byResource(group, version, first);
  if (!k || rest.length > 3) return undefined;
  // A namespaced resource is addressable without a namespace only as a collection (list/watch across namespaces).
  if (k.namespaced && rest.length > 1) return undefined;
  return resource(k, version, undefined, second, third);
}

/** A resource route with only the parts the path has (the optional keys stay absent, not undefined). */
function resource(
  kind: ResourceKind,
  version: string,
  namespace: string | undefined,
  name: string | undefined,
  subresource: string | undefined,
): Extract<Route, { type: 'resource' }> {
  return {
    type: 'resource',
    kind,
    version,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}
