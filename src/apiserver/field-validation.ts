// Unknown fields under `fieldValidation` (docs/spec/kubernetes-api.md §7): Strict rejects, Warn reports and drops,
// Ignore drops. Which fields are unknown is the schema owner's call (the `unknownFields` hook).
import type { ResourceKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { isPlainObject } from './patch/json-patch.js';
import type { WriteContext } from './write-context.js';
import { errors } from './status.js';

/** Deletes the field at a `spec.rules[0].foo`-style path. */
function deletePath(obj: unknown, path: string): void {
  const tokens = path.match(/[^.[\]]+/g) ?? [];
  let cur: unknown = obj;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isPlainObject(cur)) cur = cur[t];
    else return;
  }
  const last = tokens[tokens.length - 1];
  if (isPlainObject(cur) && last !== undefined) delete cur[last];
}

/** How the object arrived: each path words a Strict refusal as kube-apiserver does. */
export type Arrival =
  | { via: 'body' }
  | { via: 'patch'; type: 'merge' | 'json'; patch: unknown }
  | { via: 'patch'; type: 'strategic' }
  | { via: 'apply' };

/** `unknown` are the paths the schema does not declare. */
export function applyFieldValidation(
  k: ResourceKind,
  obj: KubeObject,
  unknown: string[],
  ctx: WriteContext,
  arrival: Arrival = { via: 'body' },
): void {
  if (unknown.length === 0) return;
  if (ctx.fieldValidation === 'Strict') {
    const text = unknown.map((p) => `unknown field "${p}"`).join(', ');
    switch (arrival.via) {
      case 'body':
        // apimachinery's strict JSON decoder (create/update bodies).
        throw errors.badRequest(
          `${k.kind} in version "${k.version}" cannot be handled as a ${k.kind}: strict decoding error: ${text}`,
        );
      case 'apply':
        // structured-merge-diff converting the apply configuration to a typed value.
        throw errors.badRequest(
          `failed to create typed patch object (${k.group}/${k.version}, Kind=${k.kind}): ${unknown
            .map((p) => `.${p}: field not declared in schema`)
            .join(', ')}`,
        );
      case 'patch':
        // A strategic merge patch is converted map → object (patch.go applyPatchToObject): 400; JSON and
        // merge patches are decoded strictly after patching (jsonPatcher): 422 on the field `patch`.
        if (arrival.type === 'strategic') throw errors.badRequest(`strict decoding error: ${text}`);
        throw errors.invalid(k, obj.metadata.name ?? '', [
          {
            reason: 'FieldValueInvalid',
            field: 'patch',
            message: `Invalid value: ${JSON.stringify(JSON.stringify(arrival.patch))}: strict decoding error: ${text}`,
          },
        ]);
    }
  }
  for (const p of unknown) {
    if (ctx.fieldValidation === 'Warn') ctx.warnings.push(`unknown field "${p}"`);
    deletePath(obj, p);
  }
}
