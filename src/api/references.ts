// Reference checks GKE makes when an extension is created or changed (the seed's troubleshooting messages, docs/spec/README.md): the
// targeted Gateway, the callout Service and its port must exist, and the Service must have endpoints.
// A missing GCPWasmPlugin is not an admission error: the controller reports GCPWasmPluginNotFound on status.
import type { KubeObject, ObjectLookup } from './types.js';

interface ExtensionSpec {
  targetRefs?: { group?: string; kind?: string; name?: string }[];
  extensionChains?: {
    extensions?: { backendRef?: { group?: string; kind?: string; name?: string; port?: number } }[];
  }[];
}

const EXTENSION_KINDS = new Set(['GCPTrafficExtension', 'GCPRoutingExtension']);

/** GCPTrafficExtension / GCPRoutingExtension: the kinds whose references admission resolves. */
export function isExtension(object: KubeObject): boolean {
  return EXTENSION_KINDS.has(object.kind) && object.apiVersion.startsWith('networking.gke.io/');
}

/** The seed's error text for the first unresolved reference, or undefined when all resolve. */
export function referenceError(object: KubeObject, lookup: ObjectLookup): string | undefined {
  if (!isExtension(object)) return undefined;
  const namespace = object.metadata.namespace ?? 'default';
  const prefix = `${object.kind}.networking.gke.io "${object.metadata.name ?? ''}" is invalid`;
  const spec = (object.spec ?? {}) as ExtensionSpec;

  for (const ref of spec.targetRefs ?? []) {
    if (ref.kind !== 'Gateway' || !ref.name) continue;
    if (!lookup.get('gateway.networking.k8s.io/v1', 'Gateway', namespace, ref.name)) {
      return `${prefix}: spec.gatewayRef: gateway "${ref.name}" not found in namespace "${namespace}"`;
    }
  }

  for (const chain of spec.extensionChains ?? []) {
    for (const ext of chain.extensions ?? []) {
      const ref = ext.backendRef;
      if (!ref?.name || (ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '') continue;
      const service = lookup.get('v1', 'Service', namespace, ref.name);
      if (!service || !servicePorts(service).includes(ref.port ?? -1)) {
        return `${prefix}: spec.service: service "${ref.name}" not found in namespace "${namespace}"`;
      }
      if (!hasEndpoints(ref.name, namespace, lookup)) {
        return `${prefix}: spec.service: no network endpoints found for service "${ref.name}"`;
      }
    }
  }
  return undefined;
}

function servicePorts(service: KubeObject): number[] {
  const ports = (service.spec as { ports?: { port?: number }[] } | undefined)?.ports ?? [];
  return ports.map((p) => p.port ?? -1);
}

/** An EndpointSlice labelled for the Service with an address, or a legacy Endpoints object with addresses. */
function hasEndpoints(service: string, namespace: string, lookup: ObjectLookup): boolean {
  const slices = lookup.list('discovery.k8s.io/v1', 'EndpointSlice', namespace);
  for (const slice of slices) {
    if (slice.metadata.labels?.['kubernetes.io/service-name'] !== service) continue;
    const endpoints = (slice.endpoints ?? []) as { addresses?: string[] }[];
    if (endpoints.some((e) => (e.addresses ?? []).length > 0)) return true;
  }
  const legacy = lookup.get('v1', 'Endpoints', namespace, service);
  const subsets = (legacy?.subsets ?? []) as { addresses?: unknown[] }[];
  return subsets.some((s) => (s.addresses ?? []).length > 0);
}
