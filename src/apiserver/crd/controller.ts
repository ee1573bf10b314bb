// What kube-apiserver's apiextensions controllers do with stored CustomResourceDefinitions: the kind a CRD
// defines is served as soon as the CRD is stored (and no longer once it is gone); its status gets the accepted
// names, `NamesAccepted`/`Established` conditions and stored versions; a deleted CRD first loses every object of
// its kind (finalizer `customresourcecleanup.apiextensions.k8s.io`, set by the delete), then goes.
//
// CRDs named like one of extgate's fixed custom kinds (the Gateway API and GKE kinds) are stored as written
// (applying the upstream Gateway API CRDs is accepted and idempotent, as on GKE where they come installed), but
// the kind stays the fixed one: its schema is extgate's admission's and the controller depends on it, so such a
// CRD cannot be deleted (docs/api-server.md, "CustomResourceDefinitions").
import { isDeepStrictEqual } from 'node:util';
import { KINDS, kindOf, type ResourceKind } from '../../api/kinds.js';
import type { FieldCause, KubeObject } from '../../api/types.js';
import { ApiError } from '../status.js';
import type { Change, ObjectStore } from '../store.js';
import { definitionCauses, definitionOf, type Definition } from './definition.js';
import type { KindTable } from './kind-table.js';
import type { Schema } from './structural.js';

export const CRD_KIND: ResourceKind = kindOf('apiextensions.k8s.io/v1', 'CustomResourceDefinition')!;
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** The CRD names of the fixed custom kinds (`gateways.gateway.networking.k8s.io`). */
const FIXED_CRD_NAMES = new Set(KINDS.filter((k) => k.custom).map((k) => `${k.plural}.${k.group}`));

export function isFixedCrd(name: string): boolean {
  return FIXED_CRD_NAMES.has(name);
}

/** The writes the controller makes, done through the resource rules (resourceVersions, watch events). */
export interface CrdWriter {
  /** Replaces the status of a CRD. */
  writeStatus(crd: KubeObject, status: Record<string, unknown>): void;
  /** Deletes one object (its own finalizers still hold it). */
  deleteObject(k: ResourceKind, obj: KubeObject): void;
  /** Removes a finalizer from an object being deleted (the last one lets it go). */
  dropFinalizer(k: ResourceKind, obj: KubeObject, finalizer: string): void;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class CrdController {
  private readonly definitions = new Map<string, Definition>();
  private writer?: CrdWriter;
  private readonly pending = new Set<string>();
  private scheduled = false;
  private readonly stop: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly kinds: KindTable,
  ) {
    for (const crd of store.list(CRD_KIND)) this.define(crd);
    this.stop = store.onChange((c) => this.changed(c));
  }

  /** Starts the status and cleanup writes (the resource rules exist only after the controller). */
  start(writer: CrdWriter): void {
    this.writer = writer;
    for (const crd of this.store.list(CRD_KIND)) this.enqueue(crd.metadata.name ?? '');
  }

  close(): void {
    this.stop();
  }

  /** The structural schema of a CRD-defined kind (at its storage version); undefined for fixed kinds. */
  schemaOf(k: ResourceKind): Schema | undefined {
    if (!this.kinds.isDefined(k)) return undefined;
    return this.definitions.get(`${k.plural}.${k.group}`)?.schemas.get(k.version);
  }

  /** apiextensions-apiserver refuses new objects of a kind whose CRD is being deleted (its cleanup runs). */
  refuseCreateWhileTerminating(k: ResourceKind): void {
    if (!this.kinds.isDefined(k)) return;
    if (this.store.get(CRD_KIND, undefined, `${k.plural}.${k.group}`)?.metadata.deletionTimestamp)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'create not allowed while custom resource definition is terminating',
      );
  }

  /** Refusals of a CRD write (422 causes). */
  causes(crd: KubeObject, previous?: KubeObject): FieldCause[] {
    return definitionCauses(crd, previous);
  }

  private define(crd: KubeObject): void {
    const name = crd.metadata.name ?? '';
    if (isFixedCrd(name)) return;
    const d = definitionOf(crd);
    if (d) this.definitions.set(name, d);
    else this.definitions.delete(name);
    this.kinds.define(name, d?.kind);
  }

  private changed(c: Change): void {
    if (c.kind === CRD_KIND) {
      const name = c.object.metadata.name ?? '';
      if (c.type === 'DELETED') {
        this.definitions.delete(name);
        if (!isFixedCrd(name)) this.kinds.define(name, undefined);
        return;
      }
      this.define(c.object);
      this.enqueue(name);
      return;
    }
    // An object of a CRD-defined kind went: a CRD waiting for its objects to go may be done.
    if (c.type === 'DELETED' && this.kinds.isDefined(c.kind))
      this.enqueue(`${c.kind.plural}.${c.kind.group}`);
  }

  /** Work runs after the write that caused it has been answered and its watch events sent. */
  private enqueue(name: string): void {
    this.pending.add(name);
    if (this.scheduled || !this.writer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const names = [...this.pending];
      this.pending.clear();
      for (const n of names) this.reconcile(n);
    });
  }

  private reconcile(name: string): void {
    const crd = this.store.get(CRD_KIND, undefined, name);
    const writer = this.writer;
    if (!crd || !writer) return;
    if (crd.metadata.deletionTimestamp) {
      if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) return;
      const k = this.kinds.definedBy(name);
      const left = k ? this.store.list(k) : [];
      for (const o of left) if (!o.metadata.deletionTimestamp) writer.deleteObject(k!, o);
      if (k && this.store.list(k).length > 0) return;
      writer.dropFinalizer(CRD_KIND, crd, CLEANUP_FINALIZER);
      return;
    }
    const status = this.statusOf(crd);
    if (!isDeepStrictEqual(status, crd.status)) writer.writeStatus(crd, status);
  }

  /** The status the apiextensions controllers give an accepted CRD (kept as is when nothing changed). */
  private statusOf(crd: KubeObject): Record<string, unknown> {
    const spec = (crd.spec ?? {}) as Record<string, unknown>;
    const old = (crd.status ?? {}) as Record<string, unknown>;
    const oldConditions = Array.isArray(old.conditions) ? (old.conditions as Record<string, unknown>[]) : [];
    const since = (type: string) =>
      (oldConditions.find((c) => c.type === type && c.status === 'True')?.lastTransitionTime as string) ??
      now();
    const versions = Array.isArray(spec.versions) ? (spec.versions as Record<string, unknown>[]) : [];
    const storage = versions.find((v) => v.storage === true)?.name;
    const stored = Array.isArray(old.storedVersions) ? (old.storedVersions as string[]) : [];
    return {
      acceptedNames: spec.names ?? {},
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: since('NamesAccepted'),
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: since('Established'),
        },
      ],
      storedVersions:
        typeof storage === 'string' && !stored.includes(storage) ? [...stored, storage] : stored,
    };
  }
}
