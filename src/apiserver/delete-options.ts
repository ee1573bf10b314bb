// DeleteOptions (meta.k8s.io/v1) as kube-apiserver reads them: preconditions, and how dependents are treated
// (propagationPolicy, or the deprecated orphanDependents), which a delete turns into the garbage collector's
// finalizers (`foregroundDeletion`, `orphan`) on the object (apiserver pkg/registry/generic/registry/store.go,
// deletionFinalizersForGarbageCollection).
import type { ResourceKind } from '../api/kinds.js';
import { queryBool } from './query.js';
import { ApiError } from './status.js';

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: unknown;
  orphanDependents?: unknown;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

function invalidOptions(field: string, message: string): ApiError {
  return new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: ${field}: ${message}`, {
    group: 'meta.k8s.io',
    kind: 'DeleteOptions',
    causes: [{ reason: 'FieldValueNotSupported', message, field }],
  });
}

/**
 * The policy a delete asks for; undefined when it asks for none (the kind's default applies: Background for
 * every kind served here, and dependents are collected either way).
 */
export function propagationPolicy(
  _k: ResourceKind,
  _name: string,
  options: DeleteOptions,
): PropagationPolicy | undefined {
  const p = options.propagationPolicy;
  const orphan = options.orphanDependents;
  if (p !== undefined && p !== null && orphan !== undefined && orphan !== null)
    throw invalidOptions(
      'orphanDependents',
      `Invalid value: ${JSON.stringify(orphan)}: Cannot both set OrphanDependents and PropagationPolicy`,
    );
  if (orphan === true) return 'Orphan';
  if (orphan === false) return 'Background';
  if (p === undefined || p === null) return undefined;
  if (p === 'Background' || p === 'Foreground' || p === 'Orphan') return p;
  throw invalidOptions(
    'propagationPolicy',
    `Unsupported value: ${JSON.stringify(p)}: supported values: "Foreground", "Background", "Orphan"`,
  );
}

/** The finalizers after a delete with `policy`: Orphan and Foreground exclude each other; Background drops both. */
export function deletionFinalizers(
  current: readonly string[],
  policy: PropagationPolicy | undefined,
  extra: readonly string[] = [],
): string[] {
  let out = [...current];
  if (policy === 'Orphan')
    out = [
      ...out.filter((f) => f !== FOREGROUND_FINALIZER),
      ...(out.includes(ORPHAN_FINALIZER) ? [] : [ORPHAN_FINALIZER]),
    ];
  else if (policy === 'Foreground')
    out = [
      ...out.filter((f) => f !== ORPHAN_FINALIZER),
      ...(out.includes(FOREGROUND_FINALIZER) ? [] : [FOREGROUND_FINALIZER]),
    ];
  else if (policy === 'Background')
    out = out.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  for (const f of extra) if (!out.includes(f)) out.push(f);
  return out;
}

/**
 * DeleteOptions sent as query parameters (`?propagationPolicy=Foreground`, as the Python client and curl users
 * send them): kube-apiserver reads them when the request has no body.
 */
export function deleteOptionsFromQuery(q: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  const policy = q.get('propagationPolicy');
  if (policy !== null) options.propagationPolicy = policy;
  const orphan = queryBool(q, 'orphanDependents');
  if (orphan !== undefined) options.orphanDependents = orphan;
  return options;
}
