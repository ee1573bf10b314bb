// The API server's own writes (the CRD controller's status and cleanup, the garbage collector's deletes and
// ownerReference/finalizer removals) made through the resource rules, so they get resourceVersions, watch
// events and managedFields like any client's; each is conditional on the resourceVersion it was decided on.
import type { ResourceKind } from '../api/kinds.js';
import { compact } from '../api/compact.js';
import type { KubeObject } from '../api/types.js';
import { CRD_KIND, type CrdWriter } from './crd/controller.js';
import type { PropagationPolicy } from './delete-options.js';
import type { GcWriter, OwnerReference } from './gc.js';
import type { Resources } from './resources.js';
import type { WriteContext } from './write-context.js';

function context(manager: string): WriteContext {
  return { dryRun: false, fieldValidation: 'Ignore', defaultManager: manager, warnings: [] };
}

const MERGE = 'application/merge-patch+json';

export class SystemWriter implements CrdWriter, GcWriter {
  constructor(private readonly resources: Resources) {}

  writeStatus(crd: KubeObject, status: Record<string, unknown>): void {
    this.resources.update(
      CRD_KIND,
      undefined,
      crd.metadata.name ?? '',
      'status',
      { ...crd, status },
      context('kube-apiserver'),
    );
  }

  deleteObject(k: ResourceKind, obj: KubeObject, policy?: PropagationPolicy): void {
    this.resources.delete(
      k,
      obj.metadata.namespace,
      obj.metadata.name ?? '',
      {
        preconditions: compact({ uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion }),
        ...(policy ? { propagationPolicy: policy } : {}),
      },
      context('generic-garbage-collector'),
    );
  }

  setOwnerReferences(k: ResourceKind, obj: KubeObject, refs: OwnerReference[]): void {
    this.patchMetadata(k, obj, { ownerReferences: refs.length ? refs : null }, 'generic-garbage-collector');
  }

  dropFinalizer(k: ResourceKind, obj: KubeObject, finalizer: string): void {
    const left = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.patchMetadata(
      k,
      obj,
      { finalizers: left.length ? left : null },
      k === CRD_KIND ? 'kube-apiserver' : 'generic-garbage-collector',
    );
  }

  private patchMetadata(
    k: ResourceKind,
    obj: KubeObject,
    metadata: Record<string, unknown>,
    manager: string,
  ): void {
    this.resources.patch(
      k,
      obj.metadata.namespace,
      obj.metadata.name ?? '',
      undefined,
      MERGE,
      { metadata: { ...metadata, resourceVersion: obj.metadata.resourceVersion } },
      context(manager),
    );
  }
}
