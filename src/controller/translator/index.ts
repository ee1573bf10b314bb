// Lookup tables over a ResourceSet, built once per translation so every resolution is a map lookup
// (10,000 routes must translate in well under a second).

import { SERVICE_NAME_LABEL } from '../config.js';
import type {
  BackendTLSPolicy,
  ConfigMap,
  EndpointSlice,
  Endpoints,
  Gateway,
  GatewayClass,
  GCPWasmPlugin,
  Namespace,
  ReferenceGrant,
  ResourceSet,
  Secret,
  Service,
} from '../resources.js';
import { keyOf } from '../resources.js';

export class ResourceIndex {
  readonly gatewayClasses = new Map<string, GatewayClass>();
  readonly gateways = new Map<string, Gateway>();
  readonly services = new Map<string, Service>();
  readonly slicesByService = new Map<string, EndpointSlice[]>();
  readonly endpoints = new Map<string, Endpoints>();
  readonly secrets = new Map<string, Secret>();
  readonly configMaps = new Map<string, ConfigMap>();
  readonly namespaces = new Map<string, Namespace>();
  readonly grantsByNamespace = new Map<string, ReferenceGrant[]>();
  readonly tlsPoliciesByService = new Map<string, BackendTLSPolicy[]>();
  readonly wasmPlugins = new Map<string, GCPWasmPlugin>();

  constructor(readonly resources: ResourceSet) {
    for (const c of resources.gatewayClasses) this.gatewayClasses.set(c.metadata.name ?? '', c);
    for (const g of resources.gateways) this.gateways.set(keyOf(g), g);
    for (const s of resources.services) this.services.set(keyOf(s), s);
    for (const e of resources.endpoints) this.endpoints.set(keyOf(e), e);
    for (const s of resources.secrets) this.secrets.set(keyOf(s), s);
    for (const c of resources.configMaps) this.configMaps.set(keyOf(c), c);
    for (const n of resources.namespaces) this.namespaces.set(n.metadata.name ?? '', n);
    for (const p of resources.wasmPlugins) this.wasmPlugins.set(keyOf(p), p);
    for (const slice of resources.endpointSlices) {
      const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      push(this.slicesByService, `${slice.metadata.namespace ?? ''}/${svc}`, slice);
    }
    for (const g of resources.referenceGrants) push(this.grantsByNamespace, g.metadata.namespace ?? '', g);
    for (const p of resources.backendTLSPolicies) {
      for (const t of p.spec?.targetRefs ?? []) {
        if ((t.group ?? '') === '' && t.kind === 'Service') push(this.tlsPoliciesByService, `${p.metadata.namespace ?? ''}/${t.name}`, p);
      }
    }
  }

  /**
   * Whether a ReferenceGrant in `toNamespace` lets `from` (group/kind in `fromNamespace`) refer to the
   * object `toGroup/toKind/toName` (Gateway API ReferenceGrant semantics: `to.name` absent = any name).
   */
  granted(fromGroup: string, fromKind: string, fromNamespace: string, toGroup: string, toKind: string, toNamespace: string, toName: string): boolean {
    if (fromNamespace === toNamespace) return true;
    for (const grant of this.grantsByNamespace.get(toNamespace) ?? []) {
      const fromOk = (grant.spec?.from ?? []).some(
        (f) => (f.group ?? '') === fromGroup && f.kind === fromKind && f.namespace === fromNamespace,
      );
      if (!fromOk) continue;
      const toOk = (grant.spec?.to ?? []).some(
        (t) => (t.group ?? '') === toGroup && t.kind === toKind && (t.name === undefined || t.name === '' || t.name === toName),
      );
      if (toOk) return true;
    }
    return false;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Sort key of objects: creationTimestamp (older first), then `namespace/name` (Gateway API tie-break). */
export function byAge(a: { metadata: { creationTimestamp?: string; namespace?: string; name?: string } }, b: typeof a): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
