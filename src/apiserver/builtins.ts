// Objects every embedded API starts with (what `extgate up` promises, listed in docs/api-server.md): namespaces, the GKE GatewayClasses
// and a read-only CustomResourceDefinition per custom kind, so `kubectl get crd` and kubectl's CRD checks work.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { KINDS, apiVersionOf, kindOf, type ResourceKind } from '../api/kinds.js';
import { compact } from '../api/compact.js';
import type { KubeObject, ObjectMeta } from '../api/types.js';
import type { OpenApiSchemaSource } from './discovery.js';
import { isPlainObject } from './patch/json-patch.js';
import type { ObjectStore } from './store.js';

/** The GKE GatewayClasses a cluster offers (GKE docs, "GatewayClass capabilities"). */
export const GKE_GATEWAY_CLASSES = [
  'gke-l7-global-external-managed',
  'gke-l7-regional-external-managed',
  'gke-l7-rilb',
  'gke-l7-gxlb',
] as const;
export const GKE_CONTROLLER_NAME = 'networking.gke.io/gateway';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function crdFor(k: ResourceKind, created: string, schemaOf?: OpenApiSchemaSource): KubeObject {
  const name = `${k.plural}.${k.group}`;
  const names: Record<string, unknown> = {
    plural: k.plural,
    singular: k.singular,
    kind: k.kind,
    listKind: `${k.kind}List`,
  };
  if (k.shortNames.length) names.shortNames = k.shortNames;
  if (k.categories.length) names.categories = k.categories;
  const version: Record<string, unknown> = {
    name: k.version,
    served: true,
    storage: true,
    schema: {
      openAPIV3Schema: schemaOf?.(apiVersionOf(k), k.kind) ?? {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
      },
    },
  };
  if (k.subresources.includes('status')) version.subresources = { status: {} };
  const printer = k.columns.filter((c) => c.name !== 'Age');
  if (printer.length)
    version.additionalPrinterColumns = k.columns.map((c) => ({
      name: c.name,
      type: c.type,
      jsonPath: c.jsonPath,
      ...(c.priority ? { priority: c.priority } : {}),
      ...(c.description ? { description: c.description } : {}),
    }));
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name, uid: randomUUID(), creationTimestamp: created, generation: 1 },
    spec: {
      group: k.group,
      names,
      scope: k.namespaced ? 'Namespaced' : 'Cluster',
      versions: [version, ...(k.alsoServed ?? []).map((name) => ({ ...version, name, storage: false }))],
      conversion: { strategy: 'None' },
    },
    status: {
      acceptedNames: names,
      storedVersions: [k.version],
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: created,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: created,
        },
      ],
    },
  };
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { name: o.metadata.name }, status: undefined });
  return isDeepStrictEqual(strip(a), strip(b));
}

/** A client wrote the object itself (not only its status, which the CRD controller keeps). */
function writtenByClient(o: KubeObject): boolean {
  const entries = o.metadata.managedFields;
  return Array.isArray(entries) && entries.some((e) => isPlainObject(e) && e.subresource === undefined);
}

/** Creates what is missing. GatewayClasses only on a brand-new store, so a user may delete them for good. */
export function seedBuiltins(store: ObjectStore, schemaOf?: OpenApiSchemaSource): void {
  const fresh = store.resourceVersion === 0;
  const created = now();
  const nsKind = kindOf('v1', 'Namespace')!;
  for (const name of NAMESPACES) {
    if (store.get(nsKind, undefined, name)) continue;
    store.put(nsKind, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        uid: randomUUID(),
        creationTimestamp: created,
        labels: { 'kubernetes.io/metadata.name': name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }
  const crdKind = kindOf('apiextensions.k8s.io/v1', 'CustomResourceDefinition')!;
  for (const k of KINDS.filter((x) => x.custom)) {
    const crd = crdFor(k, created, schemaOf);
    const existing = store.get(crdKind, undefined, crd.metadata.name!);
    // A client-written definition (the upstream Gateway API CRDs applied) is kept as written: the kind served
    // stays extgate's either way (src/apiserver/crd/controller.ts).
    if (existing && (sameContent(existing, crd) || writtenByClient(existing))) continue;
    if (existing)
      crd.metadata = compact<ObjectMeta>({
        ...crd.metadata,
        uid: existing.metadata.uid,
        creationTimestamp: existing.metadata.creationTimestamp,
      });
    store.put(crdKind, crd);
  }
  if (fresh) {
    const gcKind = kindOf('gateway.networking.k8s.io/v1', 'GatewayClass')!;
    for (const name of GKE_GATEWAY_CLASSES) {
      store.put(gcKind, {
        apiVersion: apiVersionOf(gcKind),
        kind: 'GatewayClass',
        metadata: { name, uid: randomUUID(), creationTimestamp: created, generation: 1 },
        spec: { controllerName: GKE_CONTROLLER_NAME },
        status: {
          conditions: [
            {
              type: 'Accepted',
              status: 'True',
              reason: 'Accepted',
              message: '',
              observedGeneration: 1,
              lastTransitionTime: created,
            },
          ],
        },
      });
    }
  }
}
