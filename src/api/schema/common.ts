// Shapes shared by the Gateway API and GKE kinds: references, conditions, policy status, object metadata.
import { GATEWAY_API, PATTERNS } from './limits.js';
import { arr, int, map, obj, opaque, str, type ObjectSchema } from './dsl.js';

export const group = (o: { default?: string; enum?: readonly string[] } = {}) =>
  str({ maxLength: 253, pattern: PATTERNS.group, ...o });
export const kind = (o: { default?: string; enum?: readonly string[] } = {}) =>
  str({ minLength: 1, maxLength: 63, pattern: PATTERNS.kind, ...o });
export const objectName = () => str({ minLength: 1, maxLength: 253 });
export const namespace = () => str({ minLength: 1, maxLength: 63, pattern: PATTERNS.namespace });
export const sectionName = () => str({ minLength: 1, maxLength: 253, pattern: PATTERNS.sectionName });
export const port = () => int({ minimum: 1, maximum: 65535 });
export const headerName = () => str({ minLength: 1, maxLength: 256, pattern: PATTERNS.headerName });

/** Gateway API ParentReference. */
export const parentReference = (): ObjectSchema =>
  obj(
    {
      group: group({ default: 'gateway.networking.k8s.io' }),
      kind: kind({ default: 'Gateway' }),
      namespace: namespace(),
      name: objectName(),
      sectionName: sectionName(),
      port: port(),
    },
    { required: ['name'] },
  );

/** Gateway API LocalPolicyTargetReference (targetRefs of policies). */
export const localPolicyTargetReference = (
  o: { group?: readonly string[]; kind?: readonly string[] } = {},
): ObjectSchema =>
  obj(
    {
      group: group(o.group ? { enum: o.group } : {}),
      kind: kind(o.kind ? { enum: o.kind } : {}),
      name: objectName(),
    },
    { required: ['group', 'kind', 'name'] },
  );

/** metav1.Condition. */
export const condition = (): ObjectSchema =>
  obj(
    {
      type: str({
        maxLength: 316,
        pattern:
          '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      }),
      status: str({ enum: ['True', 'False', 'Unknown'] }),
      observedGeneration: int({ minimum: 0, format: 'int64' }),
      lastTransitionTime: str({ format: 'date-time' }),
      reason: str({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
      message: str({ maxLength: 32768 }),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  );

export const conditions = (max = 8, min = 0) =>
  arr(condition(), {
    maxItems: max,
    ...(min ? { minItems: min } : {}),
    listType: 'map',
    listMapKeys: ['type'],
  });

/** Gateway API PolicyStatus (GKE extensions, BackendTLSPolicy). */
export const policyStatus = (): ObjectSchema =>
  obj({
    ancestors: arr(
      obj(
        {
          ancestorRef: parentReference(),
          controllerName: str({ minLength: 1, maxLength: 253, pattern: PATTERNS.controllerName }),
          conditions: conditions(8, 1),
        },
        { required: ['ancestorRef', 'controllerName', 'conditions'] },
      ),
      { maxItems: 16 },
    ),
  });

/** ObjectMeta: known fields for strict decoding; contents are the API server's business. */
export const objectMeta = (): ObjectSchema =>
  obj({
    name: str(),
    generateName: str(),
    namespace: str(),
    selfLink: str(),
    uid: str(),
    resourceVersion: str(),
    generation: int({ format: 'int64' }),
    creationTimestamp: str(),
    deletionTimestamp: str(),
    deletionGracePeriodSeconds: int({ format: 'int64' }),
    labels: map(str()),
    annotations: map(str()),
    ownerReferences: arr(opaque()),
    finalizers: arr(str()),
    managedFields: arr(opaque()),
  });

export const weight = () =>
  int({ minimum: GATEWAY_API.weight.min, maximum: GATEWAY_API.weight.max, default: 1 });
