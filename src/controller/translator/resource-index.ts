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
  /** Objects skipped because they are malformed beyond what conditions can express (logged by the controller). */
  readonly errors: string[] = [];
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

  readonly resources: ResourceSet;

  constructor(resources: ResourceSet) {
    resources = sanitizeSet(resources, this.errors);
    this.resources = resources;
    const each = <T>(list: readonly T[], what: string, fn: (o: T) => void) => {
      for (const o of list) guard(this, what, () => fn(o));
    };
    each(resources.gatewayClasses, 'GatewayClass', (c) => this.gatewayClasses.set(c.metadata.name ?? '', c));
    each(resources.gateways, 'Gateway', (g) => this.gateways.set(keyOf(g), g));
    each(resources.services, 'Service', (s) => this.services.set(keyOf(s), s));
    each(resources.endpoints, 'Endpoints', (e) => this.endpoints.set(keyOf(e), e));
    each(resources.secrets, 'Secret', (s) => this.secrets.set(keyOf(s), s));
    each(resources.configMaps, 'ConfigMap', (c) => this.configMaps.set(keyOf(c), c));
    each(resources.namespaces, 'Namespace', (n) => this.namespaces.set(n.metadata.name ?? '', n));
    each(resources.wasmPlugins, 'GCPWasmPlugin', (p) => this.wasmPlugins.set(keyOf(p), p));
    each(resources.endpointSlices, 'EndpointSlice', (slice) => {
      const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc) push(this.slicesByService, `${slice.metadata.namespace ?? ''}/${svc}`, slice);
    });
    each(resources.referenceGrants, 'ReferenceGrant', (g) =>
      push(this.grantsByNamespace, g.metadata.namespace ?? '', g),
    );
    each(resources.backendTLSPolicies, 'BackendTLSPolicy', (p) => {
      for (const t of p.spec?.targetRefs ?? []) {
        if ((t.group ?? '') === '' && t.kind === 'Service')
          push(this.tlsPoliciesByService, `${p.metadata.namespace ?? ''}/${t.name}`, p);
      }
    });
  }

  /**
   * Whether a ReferenceGrant in `toNamespace` lets `from` (group/kind in `fromNamespace`) refer to the
   * object `toGroup/toKind/toName` (Gateway API ReferenceGrant semantics: `to.name` absent = any name).
   */
  granted(
    fromGroup: string,
    fromKind: string,
    fromNamespace: string,
    toGroup: string,
    toKind: string,
    toNamespace: string,
    toName: string,
  ): boolean {
    if (fromNamespace === toNamespace) return true;
    for (const grant of this.grantsByNamespace.get(toNamespace) ?? []) {
      const fromOk = (grant.spec?.from ?? []).some(
        (f) => (f.group ?? '') === fromGroup && f.kind === fromKind && f.namespace === fromNamespace,
      );
      if (!fromOk) continue;
      const toOk = (grant.spec?.to ?? []).some(
        (t) =>
          (t.group ?? '') === toGroup &&
          t.kind === toKind &&
          (t.name === undefined || t.name === '' || t.name === toName),
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
export function byAge(
  a: { metadata: { creationTimestamp?: string; namespace?: string; name?: string } },
  b: typeof a,
): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Runs the translation of one object; an exception (a malformed object the code did not foresee) skips
 * that object instead of failing the whole snapshot, and is reported.
 */
export function guard(index: ResourceIndex, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    index.errors.push(`${what} skipped: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Drops objects without usable metadata (name) and lists that are not arrays, so lookups can trust them. */
function sanitizeSet(resources: ResourceSet, errors: string[]): ResourceSet {
  const out: Record<string, unknown[]> = {};
  for (const [field, list] of Object.entries(resources) as Array<[string, unknown]>) {
    out[field] = (Array.isArray(list) ? list : []).filter((o) => {
      const ok =
        !!o &&
        typeof o === 'object' &&
        !!(o as { metadata?: unknown }).metadata &&
        typeof (o as { metadata: { name?: unknown } }).metadata.name === 'string';
      if (!ok) errors.push(`${field}: an object without metadata.name skipped`);
      return ok;
    });
  }
  return out as unknown as ResourceSet;
}
