// The kinds one API server serves: the fixed table of src/api/kinds.ts plus the kinds its stored
// CustomResourceDefinitions define (changing as CRDs are written). One per server, so two servers in one process
// (tests) never see each other's CRDs. Routing, discovery, OpenAPI and the resource rules look kinds up here.
import { KINDS, groupVersions, kindByResource, kindOf, kindsAt, type ResourceKind } from '../../api/kinds.js';

export class KindTable {
  /** CRD-defined kinds by CRD name (`<plural>.<group>`). */
  private readonly defined = new Map<string, ResourceKind>();
  private cache: readonly ResourceKind[] = KINDS;
  private readonly listeners = new Set<() => void>();

  /** Every served kind: the fixed ones first, then CRD-defined ones by CRD name. */
  all(): readonly ResourceKind[] {
    return this.cache;
  }

  /** Defines (or redefines, or with `undefined` removes) the kind a CRD serves. */
  define(crdName: string, kind: ResourceKind | undefined): void {
    if (kind) this.defined.set(crdName, kind);
    else if (!this.defined.delete(crdName)) return;
    this.cache = [
      ...KINDS,
      ...[...this.defined.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, k]) => k),
    ];
    for (const l of this.listeners) l();
  }

  /** The kind a CRD of this name defines, if it is served through that CRD (not a fixed kind). */
  definedBy(crdName: string): ResourceKind | undefined {
    return this.defined.get(crdName);
  }

  /** True for kinds served through a client-written CRD (structural schema, pruning, CRD-deletion cleanup). */
  isDefined(k: ResourceKind): boolean {
    return [...this.defined.values()].includes(k);
  }

  /** Called after every change of the served kinds (discovery documents are recomputed). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The kind served as `plural` at group/version (any served version). */
  byResource(group: string, version: string, plural: string): ResourceKind | undefined {
    return kindByResource(group, version, plural, this.cache);
  }

  /** The kind of a manifest's `apiVersion` + `kind` (any served version). */
  of(apiVersion: string, kind: string): ResourceKind | undefined {
    return kindOf(apiVersion, kind, this.cache);
  }

  /** Kinds served at group/version. */
  at(group: string, version: string): ResourceKind[] {
    return kindsAt(group, version, this.cache);
  }

  /** Group/version pairs served, in discovery order. */
  groupVersions(): { group: string; version: string }[] {
    return groupVersions(this.cache);
  }
}

/** The fixed table alone, for callers without a server (tools, tests of pure functions). */
export const FIXED_KINDS = new KindTable();
