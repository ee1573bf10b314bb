// Admission for every write the API server accepts: schema and cross-field rules (422 with field causes),
// then the seed's reference checks for extensions (422 with the seed's verbatim text).
import type { Admit, AdmissionRequest, AdmissionResult, FieldCause, KubeObject, ObjectLookup } from './types.js';
import { schemaFor } from './schema/registry.js';
import { unknownFieldPaths, validate } from './schema/validate.js';
import { referenceError } from './references.js';

export const admit: Admit = (request: AdmissionRequest, lookup: ObjectLookup): AdmissionResult => {
  const { object, oldObject } = request;
  const schema = schemaFor(object.apiVersion, object.kind);
  if (schema) {
    const causes: FieldCause[] = [];
    validate(object, schema.root, '', causes, oldObject);
    if (causes.length > 0) return { allowed: false, causes };
  }
  // Only when the spec changes: status and metadata writes (the controller's, finalizer removal) must keep
  // working after a referenced Service or Gateway goes away.
  const specChanged = request.operation === 'CREATE' || JSON.stringify(object.spec) !== JSON.stringify(oldObject?.spec);
  if (specChanged) {
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
