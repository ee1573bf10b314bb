// Service references → resolved Service ports with ready endpoints.
//
// Used by routes (backendRefs, mirrors) and by extensions (callout Services). Endpoints come from
// EndpointSlices labelled `kubernetes.io/service-name`, with ports matched by name as kube-proxy does, and
// from core Endpoints when a Service has no slices at all (older tooling still writes only those).

import type { BackendIR, EndpointIR, UpstreamProtocol } from '../../ir/snapshot.js';
import type { BackendObjectReference, Service, ServicePort } from '../resources.js';
import type { ResourceIndex } from './resource-index.js';

export interface RefProblem {
  reason: string;
  message: string;
}

export type ServicePortLookup =
  { ok: true; service: Service; port: ServicePort; key: string } | { ok: false; problem: RefProblem };

const H2C_APP_PROTOCOLS = new Set(['kubernetes.io/h2c', 'http2', 'h2c']);

export function upstreamProtocol(port: ServicePort): UpstreamProtocol {
  return H2C_APP_PROTOCOLS.has((port.appProtocol ?? '').toLowerCase()) ? 'h2c' : 'http1';
}

export class BackendResolver {
  private readonly endpointCache = new Map<string, readonly EndpointIR[]>();
  private readonly backendCache = new Map<string, BackendIR>();

  constructor(private readonly index: ResourceIndex) {}

  servicePort(namespace: string, name: string, port: number | undefined): ServicePortLookup {
    const key = `${namespace}/${name}`;
    const service = this.index.services.get(key);
    if (!service)
      return {
        ok: false,
        problem: {
          reason: 'BackendNotFound',
          message: `service "${name}" not found in namespace "${namespace}"`,
        },
      };
    if (port === undefined)
      return {
        ok: false,
        problem: {
          reason: 'BackendNotFound',
          message: `backendRef to service "${key}" has no port; set backendRefs[].port`,
        },
      };
    const sp = (service.spec?.ports ?? []).find((p) => p.port === port);
    if (!sp)
      return {
        ok: false,
        problem: { reason: 'BackendNotFound', message: `service "${key}" has no port ${port}` },
      };
    return { ok: true, service, port: sp, key };
  }

  /** Ready endpoints of one Service port, sorted for stable snapshots. */
  endpoints(serviceKey: string, port: ServicePort): readonly EndpointIR[] {
    const cacheKey = `${serviceKey}:${port.port}`;
    const cached = this.endpointCache.get(cacheKey);
    if (cached) return cached;
    const wanted = port.name ?? '';
    const seen = new Map<string, EndpointIR>();
    const slices = this.index.slicesByService.get(serviceKey);
    if (slices && slices.length > 0) {
      for (const slice of slices) {
        const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === wanted);
        if (!sp || sp.port === undefined) continue;
        for (const ep of slice.endpoints ?? []) {
          if (ep.conditions?.ready === false) continue;
          for (const address of ep.addresses ?? [])
            seen.set(`${address}:${sp.port}`, { address, port: sp.port });
        }
      }
    } else {
      for (const subset of this.index.endpoints.get(serviceKey)?.subsets ?? []) {
        const sp =
          (subset.ports ?? []).find((p) => (p.name ?? '') === wanted) ??
          (subset.ports?.length === 1 && wanted === '' ? subset.ports[0] : undefined);
        if (!sp) continue;
        for (const a of subset.addresses ?? [])
          seen.set(`${a.ip}:${sp.port}`, { address: a.ip, port: sp.port });
      }
    }
    const list = [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
    this.endpointCache.set(cacheKey, list);
    return list;
  }

  /**
   * A route's backendRef (or mirror target). Invalid references still yield a BackendIR (with `invalid`) so
   * the data plane answers 500 for that share of traffic, as Gateway API requires.
   */
  routeBackend(
    routeNamespace: string,
    ref: BackendObjectReference,
  ): { backend: BackendIR; problem?: RefProblem } {
    const group = ref.group ?? '';
    const kind = ref.kind ?? 'Service';
    const namespace = ref.namespace ?? routeNamespace;
    const id = `${namespace}/${ref.name}:${ref.port ?? ''}`;
    const invalid = (problem: RefProblem) => ({
      backend: { id, protocol: 'http1' as const, endpoints: [], invalid: problem.message },
      problem,
    });
    if (group !== '' || kind !== 'Service') {
      return invalid({
        reason: 'InvalidKind',
        message: `backendRef ${group || 'core'}/${kind} "${ref.name}" is not supported; only Services (group "", kind Service) are`,
      });
    }
    if (
      !this.index.granted(
        'gateway.networking.k8s.io',
        'HTTPRoute',
        routeNamespace,
        '',
        'Service',
        namespace,
        ref.name,
      )
    ) {
      return invalid({
        reason: 'RefNotPermitted',
        message: `backendRef to service "${namespace}/${ref.name}" is not permitted: add a ReferenceGrant in namespace "${namespace}" from HTTPRoutes in "${routeNamespace}"`,
      });
    }
    const cacheKey = `${routeNamespace}>${id}`;
    const cached = this.backendCache.get(cacheKey);
    if (cached)
      return cached.invalid
        ? { backend: cached, problem: { reason: 'BackendNotFound', message: cached.invalid } }
        : { backend: cached };
    const sp = this.servicePort(namespace, ref.name, ref.port);
    if (!sp.ok) {
      const r = invalid(sp.problem);
      this.backendCache.set(cacheKey, r.backend);
      return r;
    }
    const backend: BackendIR = {
      id,
      protocol: upstreamProtocol(sp.port),
      endpoints: this.endpoints(sp.key, sp.port),
    };
    this.backendCache.set(cacheKey, backend);
    return { backend };
  }
}
