// The `scale` subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets and StatefulSets, so `kubectl scale`
// works on the stored-only workloads of the seed's manifests (docs/spec/README.md). Nothing runs: only spec.replicas changes.
import type { ResourceKind } from '../api/kinds.js';
import { compact } from '../api/compact.js';
import type { KubeObject, ObjectMeta } from '../api/types.js';
import { isPlainObject, jsonPatch, mergePatch, PatchError } from './patch/json-patch.js';
import type { Resources, WriteContext } from './resources.js';
import { ApiError, errors } from './status.js';

type Obj = Record<string, unknown>;

export function toScale(d: KubeObject): KubeObject {
  const spec = isPlainObject(d.spec) ? d.spec : {};
  const status = isPlainObject(d.status) ? d.status : {};
  const selector =
    isPlainObject(spec.selector) && isPlainObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  const m = d.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: compact<ObjectMeta>({
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    }),
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      selector: Object.entries(selector)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
    },
  };
}

/** Applies a PUT body (`patchType` undefined) or a patch to the Scale view and writes spec.replicas back. */
export function writeScale(
  resources: Resources,
  k: ResourceKind,
  ns: string | undefined,
  name: string,
  body: unknown,
  patchType: string | undefined,
  ctx: WriteContext,
): KubeObject {
  const current = toScale(resources.get(k, ns, name));
  let next: unknown;
  try {
    if (patchType === undefined) next = body;
    else if (patchType === 'application/json-patch+json') next = jsonPatch(current, body);
    else next = mergePatch(current, body); // a Scale has no lists: strategic merge = merge patch
  } catch (err) {
    if (err instanceof PatchError) throw new ApiError(422, 'Invalid', err.message);
    throw err;
  }
  const scale = (isPlainObject(next) ? next : {}) as Obj;
  const spec = isPlainObject(scale.spec) ? scale.spec : {};
  const replicas = spec.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
    throw errors.invalid(k, name, [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      },
    ]);
  const meta = isPlainObject(scale.metadata) ? scale.metadata : {};
  const patch: Obj = { spec: { replicas } };
  if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '')
    patch.metadata = { resourceVersion: meta.resourceVersion };
  const { object } = resources.patch(k, ns, name, undefined, 'application/merge-patch+json', patch, ctx);
  return toScale(object);
}
