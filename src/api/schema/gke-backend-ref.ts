// backendRef of GKE extensions (and of CEL backendRefs): which kinds each extension kind may call and GKE's
// group/port rules per kind (docs/spec/gke-service-extensions.md §1.2, §1.5).
import { int, obj, rule, type ObjectSchema, type Rule } from './dsl.js';
import { group, kind, objectName } from './common.js';

export type Variant = 'GCPTrafficExtension' | 'GCPRoutingExtension';

export interface BackendRef {
  group: string;
  kind: string;
  name: string;
  port?: number;
}

// Admission does not apply CRD defaults, so predicates read defaulted fields the way the CRD defaults them.
export const refKind = (r: { kind?: string }) => r.kind ?? 'Service';
const refGroup = (r: { group?: string }) => r.group ?? '';
const has = (v: unknown) => v !== undefined;

/** backendRef group/kind/port rules (same list on extensions and on CEL backendRefs). */
const backendRefRules: Rule<never>[] = [
  rule<BackendRef>({
    message: 'Group must be empty if kind is Service',
    cel: "self.kind == 'Service' ? size(self.group) == 0 : true",
    holds: (r) => (refKind(r) === 'Service' ? refGroup(r) === '' : true),
    field: 'group',
  }),
  rule<BackendRef>({
    message: 'Group must be set to `net.gke.io` if kind is ServiceImport',
    cel: "self.kind == 'ServiceImport' ? self.group == 'net.gke.io' : true",
    holds: (r) => (refKind(r) === 'ServiceImport' ? refGroup(r) === 'net.gke.io' : true),
    field: 'group',
  }),
  rule<BackendRef>({
    message: 'Group must be set to `networking.gke.io` if kind is GCPWasmPlugin',
    cel: "self.kind == 'GCPWasmPlugin' ? self.group == 'networking.gke.io' : true",
    holds: (r) => (refKind(r) === 'GCPWasmPlugin' ? refGroup(r) === 'networking.gke.io' : true),
    field: 'group',
  }),
  rule<BackendRef>({
    message: 'Group must be set to `apim.googleapis.com` if kind is ApigeeBackendService',
    cel: "self.kind == 'ApigeeBackendService' ? self.group == 'apim.googleapis.com' : true",
    holds: (r) => (refKind(r) === 'ApigeeBackendService' ? refGroup(r) === 'apim.googleapis.com' : true),
    field: 'group',
  }),
  rule<BackendRef>({
    message: 'Port has to be set if kind is Service',
    cel: "self.kind == 'Service' ? has(self.port) : true",
    holds: (r) => (refKind(r) === 'Service' ? has(r.port) : true),
    field: 'port',
    reason: 'FieldValueRequired',
  }),
  rule<BackendRef>({
    message: 'Port has to be set if kind is ServiceImport',
    cel: "self.kind == 'ServiceImport' ? has(self.port) : true",
    holds: (r) => (refKind(r) === 'ServiceImport' ? has(r.port) : true),
    field: 'port',
    reason: 'FieldValueRequired',
  }),
  rule<BackendRef>({
    message: 'Port has to be empty if kind is GCPWasmPlugin',
    cel: "self.kind == 'GCPWasmPlugin' ? !has(self.port) : true",
    holds: (r) => (refKind(r) === 'GCPWasmPlugin' ? !has(r.port) : true),
    field: 'port',
    reason: 'FieldValueForbidden',
  }),
];

export function backendRef(variant: Variant): ObjectSchema {
  // Routing extensions call Services (or ServiceImports); plugins and Apigee are traffic-only (§1.2).
  const kinds =
    variant === 'GCPTrafficExtension'
      ? ['Service', 'ServiceImport', 'GCPWasmPlugin', 'ApigeeBackendService']
      : ['Service', 'ServiceImport'];
  const groups =
    variant === 'GCPTrafficExtension'
      ? ['', 'net.gke.io', 'networking.gke.io', 'apim.googleapis.com']
      : ['', 'net.gke.io'];
  return obj(
    {
      group: group({ default: '', enum: groups }),
      kind: kind({ default: 'Service', enum: kinds }),
      name: objectName(),
      port: int({ minimum: 1, maximum: 65535 }),
    },
    { required: ['group', 'kind', 'name'], rules: backendRefRules },
  );
}
