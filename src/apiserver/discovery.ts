// Discovery (legacy and aggregated, docs/spec/kubernetes-api.md §2), derived from the resource table. OpenAPI is in
// openapi-v2.ts and openapi-v3.ts.
import type { ResourceKind } from '../api/kinds.js';
import { FIXED_KINDS, type KindTable } from './crd/kind-table.js';

const WRITE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const READ_VERBS = ['get', 'list', 'watch'];

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

function verbs(k: ResourceKind): string[] {
  if (k.review) return ['create'];
  return k.readOnly ? READ_VERBS : WRITE_VERBS;
}

function subresourceVerbs(k: ResourceKind, sub: string): string[] {
  if (k.readOnly) return ['get'];
  return sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'];
}

/** Group names in discovery order (core excluded). */
function groups(kinds: KindTable): string[] {
  return [...new Set(kinds.groupVersions().map((gv) => gv.group))].filter((g) => g !== '');
}

function versionsOf(group: string, kinds: KindTable): string[] {
  // Preferred (v1) first, as the discovery documents must list it.
  return kinds
    .groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => gv.version)
    .sort((a, b) => (a === 'v1' ? -1 : b === 'v1' ? 1 : a.localeCompare(b)));
}

export function apiVersions(host: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
  };
}

function apiGroup(group: string, kinds: KindTable) {
  const versions = versionsOf(group, kinds).map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(kinds: KindTable = FIXED_KINDS): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups(kinds).map((g) => apiGroup(g, kinds)) };
}

export function apiGroupDoc(group: string, kinds: KindTable = FIXED_KINDS): unknown | undefined {
  if (!groups(kinds).includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, kinds) };
}

export function apiResourceList(
  group: string,
  version: string,
  kinds: KindTable = FIXED_KINDS,
): unknown | undefined {
  const served = kinds.at(group, version);
  if (served.length === 0) return undefined;
  const resources: unknown[] = [];
  for (const k of served) {
    const r: Record<string, unknown> = {
      name: k.plural,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: verbs(k),
    };
    if (k.shortNames.length) r.shortNames = k.shortNames;
    if (k.categories.length) r.categories = k.categories;
    resources.push(r);
    for (const sub of k.subresources) {
      if (sub === 'scale')
        resources.push({
          name: `${k.plural}/scale`,
          singularName: '',
          namespaced: k.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
      else
        resources.push({
          name: `${k.plural}/${sub}`,
          singularName: '',
          namespaced: k.namespaced,
          kind: k.kind,
          verbs: subresourceVerbs(k, sub),
        });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources,
  };
}

function aggregatedGroup(group: string, kinds: KindTable) {
  const versions = (group === '' ? ['v1'] : versionsOf(group, kinds)).map((v) => ({
    version: v,
    freshness: 'Current',
    resources: kinds.at(group, v).map((k) => {
      const version = v;
      const r: Record<string, unknown> = {
        resource: k.plural,
        responseKind: { group: k.group, version, kind: k.kind },
        scope: k.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: k.singular,
        verbs: verbs(k),
      };
      if (k.shortNames.length) r.shortNames = k.shortNames;
      if (k.categories.length) r.categories = k.categories;
      if (k.subresources.length)
        r.subresources = k.subresources.map((sub) =>
          sub === 'scale'
            ? {
                subresource: 'scale',
                responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
                verbs: ['get', 'patch', 'update'],
              }
            : {
                subresource: sub,
                responseKind: { group: k.group, version, kind: k.kind },
                verbs: subresourceVerbs(k, sub),
              },
        );
      return r;
    }),
  }));
  return { metadata: { name: group }, versions };
}

/** Aggregated discovery for `/api` (core) or `/apis` (every group). */
export function aggregatedDiscovery(
  core: boolean,
  version: 'v2' | 'v2beta1',
  kinds: KindTable = FIXED_KINDS,
): unknown {
  const items = core ? [aggregatedGroup('', kinds)] : groups(kinds).map((g) => aggregatedGroup(g, kinds));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function aggregatedAccept(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.split(';').map((s) => s.trim());
    if (!p.includes('g=apidiscovery.k8s.io') || !p.includes('as=APIGroupDiscoveryList')) continue;
    if (p.includes('v=v2')) return 'v2';
    if (p.includes('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}

export type { OpenApiSchemaSource } from './openapi-schemas.js';
