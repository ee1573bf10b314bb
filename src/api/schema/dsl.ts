// The schema language every validated kind is written in. One description per kind feeds both the admission
// validator (validate.ts) and the CRD OpenAPI + CEL output (openapi.ts), so the two cannot drift apart.

export type FieldReason =
  'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueInvalid' | 'FieldValueDuplicate';

/**
 * A cross-field rule: the CEL text that goes into the CRD's `x-kubernetes-validations`, and the same predicate
 * in TypeScript for admission. `test/admission/cel-parity.test.ts` evaluates both on every test manifest so
 * they stay equivalent. `holds` only runs when the node and its children have the declared types.
 */
export interface Rule<T = unknown> {
  /** Verbatim message (GKE / Gateway API upstream wording where one exists). */
  message: string;
  /** CEL rule over `self` (and `oldSelf` for transition rules), as in the CRD. Omit for admission-only checks. */
  cel?: string;
  holds(self: T, oldSelf?: T): boolean;
  /** Child the error is reported on (CRD `fieldPath`), e.g. `timeout` or `backendRef.port`. */
  field?: string;
  /** Finer position for admission only, relative to the node (e.g. `[1].name`); wins over `field`. */
  locate?(self: T): string | undefined;
  /** Admission only: why the rule failed, appended to `message` (e.g. RE2's error and its position). */
  detail?(self: T): string | undefined;
  /** The value the message quotes, when it is not the one at the reported field (e.g. a bad map key). */
  shown?(self: T): unknown;
  /** Default: Required when the reported field is absent, otherwise Invalid. */
  reason?: FieldReason;
  /** A transition rule (uses oldSelf): only evaluated on update. */
  transition?: boolean;
}

interface Common {
  description?: string;
  rules?: Rule<never>[];
}

export interface StringSchema extends Common {
  type: 'string';
  enum?: readonly string[];
  pattern?: string;
  /**
   * The pattern the published CRD (deploy/, for `serve` on a real cluster) carries instead of `pattern`, when
   * the embedded API accepts more (e.g. `file://` plugin images, a local development convenience).
   */
  clusterPattern?: string;
  /** Admission-only replacement for the generic `should match` text (the CRD keeps `pattern`). */
  patternMessage?: (value: string) => string | undefined;
  /** Admission-only check with a computed message (regex compiles, CEL parses); undefined = fine. */
  check?: (value: string) => string | undefined;
  minLength?: number;
  maxLength?: number;
  format?: string;
  default?: string;
}

export interface IntegerSchema extends Common {
  type: 'integer';
  minimum?: number;
  maximum?: number;
  format?: 'int32' | 'int64';
  enum?: readonly number[];
  default?: number;
}

export interface BooleanSchema extends Common {
  type: 'boolean';
  default?: boolean;
}

/** Kubernetes `int-or-string` (Service targetPort). */
export interface IntOrStringSchema extends Common {
  type: 'int-or-string';
}

export interface ObjectSchema extends Common {
  type: 'object';
  properties?: Record<string, Schema>;
  required?: readonly string[];
  /** Schema for map values (`map[string]T`); `properties` is then absent. */
  additionalProperties?: Schema;
  maxProperties?: number;
  /** Fields beyond `properties` are kept and not reported (partial schemas of built-in kinds, opaque blobs). */
  open?: boolean;
  /** Stored when the field is absent (structural defaulting), then defaulted itself. */
  default?: Readonly<Record<string, unknown>>;
}

export interface ArraySchema extends Common {
  type: 'array';
  items: Schema;
  minItems?: number;
  maxItems?: number;
  /** `map` lists: items are unique by these keys; `set` lists: items are unique. */
  listType?: 'atomic' | 'map' | 'set';
  listMapKeys?: readonly string[];
  /** Stored when the field is absent (structural defaulting), then defaulted itself. */
  default?: readonly unknown[];
}

export type Schema =
  StringSchema | IntegerSchema | BooleanSchema | IntOrStringSchema | ObjectSchema | ArraySchema;

/** What one kind's validation is made of. */
export interface KindSchema {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  scope: 'Namespaced' | 'Cluster';
  /** `spec` (and friends) of the kind; metadata is checked separately. */
  root: ObjectSchema;
  /** True when `root` lists every field of the kind, so unknown fields can be reported (strict validation). */
  complete: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  /** Has a status subresource. */
  status?: boolean;
  /** Extra labels for the generated CRD (e.g. Gateway API policy label). */
  crdLabels?: Record<string, string>;
}

// Small constructors keep schema files close to the CRD text they mirror.
export const str = (o: Omit<StringSchema, 'type'> = {}): StringSchema => ({ type: 'string', ...o });
export const int = (o: Omit<IntegerSchema, 'type'> = {}): IntegerSchema => ({
  type: 'integer',
  format: 'int32',
  ...o,
});
export const bool = (o: Omit<BooleanSchema, 'type'> = {}): BooleanSchema => ({ type: 'boolean', ...o });
export const obj = (
  properties: Record<string, Schema>,
  o: Omit<ObjectSchema, 'type' | 'properties'> = {},
): ObjectSchema => ({
  type: 'object',
  properties,
  ...o,
});
export const map = (
  values: Schema,
  o: Omit<ObjectSchema, 'type' | 'additionalProperties'> = {},
): ObjectSchema => ({
  type: 'object',
  additionalProperties: values,
  ...o,
});
export const arr = (items: Schema, o: Omit<ArraySchema, 'type' | 'items'> = {}): ArraySchema => ({
  type: 'array',
  items,
  ...o,
});
/** An object whose content is not validated (kept as sent). */
export const opaque = (description?: string): ObjectSchema => ({
  type: 'object',
  open: true,
  ...(description ? { description } : {}),
});

/** Declares a rule over a node of type T (T documents what `holds` may assume). */
export function rule<T>(r: Rule<T>): Rule<never> {
  return r as unknown as Rule<never>;
}

/** Attaches the field description shown by `kubectl explain` on a real cluster (CRD only). */
export const doc = <S extends Schema>(description: string, s: S): S => ({ ...s, description });
