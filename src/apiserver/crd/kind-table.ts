// The kinds one API server serves: the fixed table of src/api/kinds.ts plus the kinds its stored
// CustomResourceDefinitions define (changing as CRDs are written). One per server, so two servers in one process
// (tests) never see each other's CRDs. Routing, discovery, OpenAPI and the resource rules look kinds up here.
import { KINDS, servedVersions, type ResourceKind } from '../../api/kinds.js';

function apiVersionAt(k: ResourceKind, version: string): string {
  return k.group === '' ? version : `${k.group}/${version}`;
}

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
    return this.cache.find(
      (k) => k.group === group && k.plural === plural && servedVersions(k).includes(version),
    );
  }

  /** The kind of a manifest's `apiVersion` + `kind` (any served version). */
  of(apiVersion: string, kind: string): ResourceKind | undefined {
    return this.cache.find(
      (k) => k.kind === kind && servedVersions(k).some((v) => apiVersionAt(k, v) === apiVersion),
    );
  }

  /** Kinds served at group/version. */
  at(group: string, version: string): ResourceKind[] {
    return this.cache.filter((k) => k.group === group && servedVersions(k).includes(version));
  }

  /** Group/version pairs served, in discovery order. */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Set<string>();
    const out: { group: string; version: string }[] = [];
    for (const k of this.cache)
      for (const version of servedVersions(k)) {
        const key = `${k.group}/${version}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push({ group: k.group, version });
        }
      }
    return out;
  }
}

/** The fixed table alone, for callers without a server (tools, tests of pure functions). */
export const FIXED_KINDS = new KindTable();
