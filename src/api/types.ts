// Shapes shared by the API server, admission and the controller.

/** Any Kubernetes object as JSON. Kind-specific code narrows it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: unknown[];
  [field: string]: unknown;
}

/** One field-level problem, rendered by the API server as a Kubernetes `StatusCause`. */
export interface FieldCause {
  reason:
    | 'FieldValueInvalid'
    | 'FieldValueRequired'
    | 'FieldValueNotSupported'
    | 'FieldValueDuplicate'
    | 'FieldValueForbidden'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany'
    | 'FieldValueTypeInvalid';
  /** Path such as `spec.extensionChains[0].extensions[0].timeout`. */
  field: string;
  /** Full text as kube-apiserver words it, e.g. `Invalid value: "5ms": timeout must be between 10-10000 milliseconds`. */
  message: string;
}

/** Read access to the store for admission's reference checks (same namespace lookups). */
export interface ObjectLookup {
  /** `apiVersion` like `v1` or `gateway.networking.k8s.io/v1`; namespace undefined for cluster-scoped kinds. */
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace: string | undefined): KubeObject[];
}

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE';
  object: KubeObject;
  oldObject?: KubeObject;
}

/**
 * Admission's answer. `causes` → 422 Invalid with those causes (kubectl prints
 * `The <Kind> "<name>" is invalid: <field>: <message>`). `denied` → 422 Invalid whose Status message is the
 * text itself; the API server splits a `<Kind.group> "<name>" is invalid: <field>: <message>` text into the
 * Status details so kubectl 1.32 and 1.20 both print `The <text>` verbatim (kubectl renders every single 422
 * through that branch; see docs/api-server.md). Used for the reference errors of the seed (docs/spec/README.md) such as
 * `GCPTrafficExtension.networking.gke.io "x" is invalid: spec.gatewayRef: gateway "g" not found in namespace "default"`).
 */
export type AdmissionResult =
  { allowed: true } | { allowed: false; causes: FieldCause[] } | { allowed: false; denied: string };

export type Admit = (request: AdmissionRequest, lookup: ObjectLookup) => AdmissionResult;
