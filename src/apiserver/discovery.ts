// Discovery (legacy and aggregated, docs/spec/kubernetes-api.md §2), derived from the resource table. OpenAPI is in
// openapi-v2.ts and openapi-v3.ts.
import { groupVersions, kindsAt, type ResourceKind } from '../api/kinds.js';

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

const kindsIn = kindsAt;

/** Group names in discovery order (core excluded). */
function groups(): string[] {
  return [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== '');
}

function versionsOf(group: string): string[] {
  // Preferred (v1) first, as the discovery documents must list it.
  return groupVersions()
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

function apiGroup(group: string) {
  const versions = versionsOf(group).map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(apiGroup) };
}

export function apiGroupDoc(group: string): unknown | undefined {
  if (!groups().includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

export function apiResourceList(group: string, version: string): unknown | undefined {
  const kinds = kindsIn(group, version);
  if (kinds.length === 0) return undefined;
  const resources: unknown[] = [];
  for (const k of kinds) {
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

function aggregatedGroup(group: string) {
  const versions = (group === '' ? ['v1'] : versionsOf(group)).map((v) => ({
    version: v,
    freshness: 'Current',
    resources: kindsIn(group, v).map((k) => {
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
export function aggregatedDiscovery(core: boolean, version: 'v2' | 'v2beta1'): unknown {
  const items = core ? [aggregatedGroup('')] : groups().map((g) => aggregatedGroup(g));
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
