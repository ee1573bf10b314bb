// Kubernetes `Status` errors (docs/spec/kubernetes-api.md §7). Handlers throw an ApiError; the server renders it.
import type { FieldCause } from '../api/types.js';
import { groupResource, qualifiedKind, type ResourceKind } from '../api/kinds.js';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field?: string }[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  code: number;
  details?: StatusDetails;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) body.details = this.details;
    return body;
  }
}

function resourceDetails(k: ResourceKind, name: string): StatusDetails {
  return { name, group: k.group, kind: k.plural };
}

export const errors = {
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (k: ResourceKind, name: string, why: string) =>
    new ApiError(
      403,
      'Forbidden',
      `${groupResource(k)} "${name}" is forbidden: ${why}`,
      resourceDetails(k, name),
    ),
  notFound: (k: ResourceKind, name: string) =>
    new ApiError(404, 'NotFound', `${groupResource(k)} "${name}" not found`, resourceDetails(k, name)),
  noResource: () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {}),
  methodNotAllowed: () =>
    new ApiError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
      {},
    ),
  notAcceptable: () =>
    new ApiError(
      406,
      'NotAcceptable',
      'only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io',
    ),
  alreadyExists: (k: ResourceKind, name: string) =>
    new ApiError(
      409,
      'AlreadyExists',
      `${groupResource(k)} "${name}" already exists`,
      resourceDetails(k, name),
    ),
  conflict: (
    k: ResourceKind,
    name: string,
    why = 'the object has been modified; please apply your changes to the latest version and try again',
  ) =>
    new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${groupResource(k)} "${name}": ${why}`,
      resourceDetails(k, name),
    ),
  expired: (asked: string, oldest: number) =>
    new ApiError(410, 'Expired', `too old resource version: ${asked} (${oldest})`),
  unsupportedMediaType: (k: ResourceKind) =>
    new ApiError(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml' +
        (k.patch === 'strategic' ? ', application/strategic-merge-patch+json' : ''),
    ),
  /** 422 with field causes: kubectl prints `The <Kind> "<name>" is invalid: <field>: <message>`. */
  invalid: (k: ResourceKind, name: string, causes: FieldCause[]) => {
    const texts = causes.map((c) => `${c.field}: ${c.message}`);
    const list = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
    return new ApiError(422, 'Invalid', `${qualifiedKind(k)} "${name}" is invalid: ${list}`, {
      name,
      group: k.group,
      kind: k.kind,
      causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
    });
  },
  internal: (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),
  /**
   * Admission's `denied` text as a 422 Invalid whose rendering by kubectl contains the text verbatim (checked with
   * kubectl 1.32 and 1.20). kubectl prints every Invalid Status as `The <details.kind> "<details.name>" is invalid:
   * <field>: <message>` (or `The request is invalid` without details), so a text shaped
   * `<Kind.group> "<name>" is invalid: <field>: <message>` is split back into exactly those parts.
   */
  denied: (k: ResourceKind, name: string, denied: string): ApiError => {
    const m = /^(\S+) "([^"]*)" is invalid: ([A-Za-z0-9_.[\]-]+): ([\s\S]*)$/.exec(denied);
    if (!m)
      return new ApiError(422, 'Invalid', denied, {
        name,
        group: k.group,
        kind: qualifiedKind(k),
        causes: [{ reason: 'FieldValueInvalid', message: denied }],
      });
    const [, deniedKind = '', deniedName = '', field = '', message = ''] = m; // every group takes part
    return new ApiError(422, 'Invalid', denied, {
      name: deniedName,
      group: k.group,
      kind: deniedKind,
      causes: [{ reason: 'FieldValueInvalid', message, field }],
    });
  },
};
