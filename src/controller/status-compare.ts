// Comparing desired and stored status: what counts as a change (never lastTransitionTime alone).

import type { Condition, ParentReference } from './resources.js';

/** lastTransitionTime moves only when a condition's status changes (Kubernetes API conventions). */
export function withTransitionTimes(
  desired: readonly Condition[],
  previous: readonly Condition[] | undefined,
  now: string,
): Condition[] {
  return desired.map((c) => {
    const prev = previous?.find((p) => p.type === c.type);
    return {
      ...c,
      lastTransitionTime:
        prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
    };
  });
}

export function sameRef(a: ParentReference, b: ParentReference): boolean {
  return (
    (a.group ?? 'gateway.networking.k8s.io') === (b.group ?? 'gateway.networking.k8s.io') &&
    (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway') &&
    (a.namespace ?? '') === (b.namespace ?? '') &&
    a.name === b.name &&
    (a.sectionName ?? '') === (b.sectionName ?? '') &&
    (a.port ?? 0) === (b.port ?? 0)
  );
}

export function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  return deepEqual(stripTimes(a), stripTimes(b));
}

/** Drops lastTransitionTime everywhere so comparisons see only what the translator decides. */
export function stripTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTimes);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (k !== 'lastTransitionTime' && v !== undefined) out[k] = stripTimes(v);
    return out;
  }
  return value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}
