// Admission for every write the API server accepts: schema and cross-field rules (422 with field causes),
// then the reference checks of the seed (docs/spec/README.md) for extensions (422 with the seed's verbatim text).
import type {
  Admit,
  AdmissionRequest,
  AdmissionResult,
  FieldCause,
  KubeObject,
  ObjectLookup,
} from './types.js';
import { schemaFor } from './schema/registry.js';
import { unknownFieldPaths, validate, withDefaults as fillDefaults } from './schema/validate.js';
import { isExtension, referenceError } from './references.js';

export const admit: Admit = (request: AdmissionRequest, lookup: ObjectLookup): AdmissionResult => {
  const { object, oldObject } = request;
  const schema = schemaFor(object.apiVersion, object.kind);
  if (schema) {
    let causes: FieldCause[] = [];
    validate(object, schema.root, '', causes, oldObject);
    // Ratcheting, as kube-apiserver does for unchanged fields: a spec or label edit must not fail over a status
    // the user did not touch (status is written through the status subresource by the controller).
    if (oldObject && JSON.stringify(object.status) === JSON.stringify(oldObject.status)) {
      causes = causes.filter((c) => c.field !== 'status' && !c.field.startsWith('status.'));
    }
    if (causes.length > 0) return { allowed: false, causes };
  }
  // Only when the spec changes: status and metadata writes (the controller's, finalizer removal) must keep
  // working after a referenced Service or Gateway goes away.
  const specChanged = () =>
    request.operation === 'CREATE' || JSON.stringify(object.spec) !== JSON.stringify(oldObject?.spec);
  if (isExtension(object) && specChanged()) {
    const denied = referenceError(object, lookup);
    if (denied) return { allowed: false, denied };
  }
  return { allowed: true };
};

/**
 * Paths (`spec.strict`, `spec.extensionChains[0].foo`) of fields the kind's schema does not declare, for the
 * API server's strict field validation. Empty for kinds without a complete schema (Pods, Deployments, ...).
 */
export function unknownFields(obj: KubeObject): string[] {
  const schema = schemaFor(obj.apiVersion, obj.kind);
  if (!schema?.complete) return [];
  const out: string[] = [];
  unknownFieldPaths(obj, schema.root, '', out);
  return out;
}

/**
 * The object with its kind's schema defaults filled in (backendRef `group: ""`/`kind: Service`, HTTPRoute path
 * match `PathPrefix /`, ...), as a real API server stores custom resources. Objects of other kinds are returned as is.
 */
export function withDefaults(obj: KubeObject): KubeObject {
  const schema = schemaFor(obj.apiVersion, obj.kind);
  return schema ? (fillDefaults(obj, schema.root) as KubeObject) : obj;
}
