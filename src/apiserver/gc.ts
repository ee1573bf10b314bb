// The garbage collector of ownerReferences, as kube-controller-manager's (pkg/controller/garbagecollector,
// docs/api-server.md "Garbage collection"): an object whose owners are all gone is deleted (background
// cascading); an owner deleted in the foreground (finalizer `foregroundDeletion`) has its dependents deleted and
// goes once none with `blockOwnerDeletion: true` is left; an owner deleted with `orphan` has its ownerReference
// removed from every dependent, then goes. It runs on the store's changes, after the write that caused them.
//
// Dependents are found through an index owner uid → dependents, kept from the store's changes, so a delete
// costs the owner's dependents, not a scan of every object.
import type { ResourceKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import type { KindTable } from './crd/kind-table.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type PropagationPolicy } from './delete-options.js';
import { isPlainObject } from './patch/json-patch.js';
import type { Change, ObjectStore } from './store.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The writes the collector makes (through the resource rules, so they are versioned and watched). */
export interface GcWriter {
  deleteObject(k: ResourceKind, obj: KubeObject, policy: PropagationPolicy): void;
  /** Keeps only these ownerReferences on the object. */
  setOwnerReferences(k: ResourceKind, obj: KubeObject, refs: OwnerReference[]): void;
  dropFinalizer(k: ResourceKind, obj: KubeObject, finalizer: string): void;
}

export function ownerReferencesOf(obj: KubeObject): OwnerReference[] {
  const refs = obj.metadata.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs.filter(
    (r): r is OwnerReference =>
      isPlainObject(r) &&
      typeof r.uid === 'string' &&
      typeof r.name === 'string' &&
      typeof r.kind === 'string' &&
      typeof r.apiVersion === 'string',
  );
}

interface Ref {
  k: ResourceKind;
  ns: string | undefined;
  name: string;
}

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);

/** Bound on one round's work items, so a cycle of owners can never spin the event loop. */
const ROUND_LIMIT = 10_000;

export class GarbageCollector {
  private readonly attempts = new Map<string, Ref>();
  private readonly owners = new Map<string, Ref>();
  /** Owner uid → its dependents (by resource key). */
  private readonly index = new Map<string, Map<string, Ref>>();
  private scheduled = false;
  private readonly stop: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly kinds: KindTable,
    private readonly writer: GcWriter,
  ) {
    this.stop = store.onChange((c) => this.changed(c));
    // What changed while the server was down: dependents of owners deleted then, deletions left half done.
    for (const k of kinds.all())
      for (const o of store.list(k)) {
        this.indexObject(k, o, undefined);
        if (ownerReferencesOf(o).length) this.enqueue(this.attempts, k, o);
        if (o.metadata.deletionTimestamp) this.enqueue(this.owners, k, o);
      }
  }

  close(): void {
    this.stop();
  }

  private enqueue(queue: Map<string, Ref>, k: ResourceKind, o: KubeObject): void {
    queue.set(...this.refOf(k, o));
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private refOf(k: ResourceKind, o: KubeObject): [string, Ref] {
    const ns = k.namespaced ? o.metadata.namespace : undefined;
    const name = o.metadata.name ?? '';
    return [`${k.group}/${k.plural}/${ns ?? ''}/${name}`, { k, ns, name }];
  }

  /** Moves an object's entries in the owner index from its previous ownerReferences to its current ones. */
  private indexObject(k: ResourceKind, now: KubeObject | undefined, before: KubeObject | undefined): void {
    const o = now ?? before;
    if (!o) return;
    const [key, ref] = this.refOf(k, o);
    for (const r of before ? ownerReferencesOf(before) : []) {
      const deps = this.index.get(r.uid);
      deps?.delete(key);
      if (deps?.size === 0) this.index.delete(r.uid);
    }
    for (const r of now ? ownerReferencesOf(now) : []) {
      let deps = this.index.get(r.uid);
      if (!deps) this.index.set(r.uid, (deps = new Map()));
      deps.set(key, ref);
    }
  }

  private changed(c: Change): void {
    const o = c.object;
    if (c.type === 'DELETED') this.indexObject(c.kind, undefined, o);
    else this.indexObject(c.kind, o, c.previous);
    if (c.type === 'DELETED') {
      // Its dependents may now be orphans; its owners deleting in the foreground may now be unblocked.
      for (const d of this.dependentsOf(o.metadata.uid ?? '')) this.enqueue(this.attempts, d.k, d.obj);
      for (const ref of ownerReferencesOf(o)) {
        const owner = this.resolve(ref, o.metadata.namespace);
        if (owner && owner !== 'unknown' && owner.obj.metadata.deletionTimestamp)
          this.enqueue(this.owners, owner.k, owner.obj);
      }
      return;
    }
    if (ownerReferencesOf(o).length) this.enqueue(this.attempts, c.kind, o);
    if (
      o.metadata.deletionTimestamp &&
      (hasFinalizer(o, FOREGROUND_FINALIZER) || hasFinalizer(o, ORPHAN_FINALIZER))
    )
      this.enqueue(this.owners, c.kind, o);
  }

  private run(): void {
    this.scheduled = false;
    let budget = ROUND_LIMIT;
    while ((this.owners.size || this.attempts.size) && budget-- > 0) {
      const queue = this.owners.size ? this.owners : this.attempts;
      const [key, ref] = queue.entries().next().value as [string, Ref];
      queue.delete(key);
      const live = this.store.get(ref.k, ref.ns, ref.name);
      if (!live) continue;
      try {
        if (queue === this.owners) this.processOwner(ref.k, live);
        else this.attemptToDelete(ref.k, live);
      } catch (err) {
        // A write the resource rules refuse (admission, a conflict): the next change of the object retries.
        process.stderr.write(
          `garbage collector: ${ref.k.kind} ${ref.ns ?? ''}/${ref.name}: ${String(err)}\n`,
        );
      }
    }
    if ((this.owners.size || this.attempts.size) && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.run());
    }
  }

  /** The owner an ownerReference names, if it exists with that uid; 'unknown' when its kind is not served. */
  private resolve(
    ref: OwnerReference,
    namespace: string | undefined,
  ): { k: ResourceKind; obj: KubeObject } | 'unknown' | undefined {
    const k = this.kinds.of(ref.apiVersion, ref.kind);
    if (!k) return 'unknown';
    const obj = this.store.get(k, k.namespaced ? namespace : undefined, ref.name);
    return obj && obj.metadata.uid === ref.uid ? { k, obj } : undefined;
  }

  private dependentsOf(uid: string): { k: ResourceKind; obj: KubeObject; ref: OwnerReference }[] {
    const out: { k: ResourceKind; obj: KubeObject; ref: OwnerReference }[] = [];
    for (const d of this.index.get(uid)?.values() ?? []) {
      const obj = this.store.get(d.k, d.ns, d.name);
      const ref = obj && ownerReferencesOf(obj).find((r) => r.uid === uid);
      if (obj && ref) out.push({ k: d.k, obj, ref });
    }
    return out;
  }

  /** garbagecollector.attemptToDeleteItem: delete a dependent none of whose owners is left. */
  private attemptToDelete(k: ResourceKind, dep: KubeObject): void {
    if (dep.metadata.deletionTimestamp) return;
    const refs = ownerReferencesOf(dep);
    if (refs.length === 0) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = this.resolve(ref, dep.metadata.namespace);
      // An owner of a kind not served here is never taken as gone (kube retries until it can tell).
      if (owner === 'unknown') solid.push(ref);
      else if (!owner) dangling.push(ref);
      else if (owner.obj.metadata.deletionTimestamp && hasFinalizer(owner.obj, FOREGROUND_FINALIZER))
        waiting.push(ref);
      else solid.push(ref);
    }
    if (solid.length) {
      // Still owned: references to owners that are gone (or waiting on their dependents) are dropped.
      if (dangling.length || waiting.length) {
        const gone = new Set([...dangling, ...waiting].map((r) => r.uid));
        const all = Array.isArray(dep.metadata.ownerReferences) ? dep.metadata.ownerReferences : [];
        this.writer.setOwnerReferences(
          k,
          dep,
          all.filter((r) => !(isPlainObject(r) && gone.has(r.uid as string))) as OwnerReference[],
        );
      }
      return;
    }
    let policy: PropagationPolicy = 'Background';
    if (waiting.length && this.dependentsOf(dep.metadata.uid ?? '').length) policy = 'Foreground';
    else if (hasFinalizer(dep, ORPHAN_FINALIZER)) policy = 'Orphan';
    else if (hasFinalizer(dep, FOREGROUND_FINALIZER)) policy = 'Foreground';
    this.writer.deleteObject(k, dep, policy);
  }

  /** An owner being deleted with `orphan` or `foregroundDeletion`. */
  private processOwner(k: ResourceKind, owner: KubeObject): void {
    if (!owner.metadata.deletionTimestamp) return;
    const uid = owner.metadata.uid ?? '';
    if (hasFinalizer(owner, ORPHAN_FINALIZER)) {
      for (const d of this.dependentsOf(uid)) {
        const all = Array.isArray(d.obj.metadata.ownerReferences) ? d.obj.metadata.ownerReferences : [];
        this.writer.setOwnerReferences(
          d.k,
          d.obj,
          all.filter((r) => !(isPlainObject(r) && r.uid === uid)) as OwnerReference[],
        );
      }
      this.writer.dropFinalizer(k, owner, ORPHAN_FINALIZER);
      return;
    }
    if (hasFinalizer(owner, FOREGROUND_FINALIZER)) {
      const deps = this.dependentsOf(uid);
      for (const d of deps) this.enqueue(this.attempts, d.k, d.obj);
      if (deps.some((d) => d.ref.blockOwnerDeletion === true)) return;
      this.writer.dropFinalizer(k, owner, FOREGROUND_FINALIZER);
    }
  }
}
