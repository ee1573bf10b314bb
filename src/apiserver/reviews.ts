// The self reviews `kubectl auth can-i` and `kubectl auth whoami` create: answered from the request, never stored.
// The embedded API has one credential, the kubeconfig's token, and it may do everything (a cluster-admin), so
// every access review is allowed and the rules review lists `*`.
import type { ResourceKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { isPlainObject } from './patch/json-patch.js';
import { ApiError, errors } from './status.js';

/** Who the token is: the kubeconfig's user, in the group kube-apiserver never asks RBAC about. */
export const TOKEN_USER = { username: 'extgate', groups: ['system:masters', 'system:authenticated'] };

function invalid(k: ResourceKind, field: string, message: string): ApiError {
  return new ApiError(422, 'Invalid', `${k.kind}.${k.group} "" is invalid: ${field}: ${message}`, {
    group: k.group,
    kind: k.kind,
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });
}

/** The created review: the request's spec with the answer in `status` (kube-apiserver answers 201). */
export function answerReview(k: ResourceKind, body: unknown): KubeObject {
  if (!isPlainObject(body)) throw errors.badRequest(`the body of a ${k.kind} must be a JSON object`);
  const spec = isPlainObject(body.spec) ? body.spec : {};
  const head = {
    apiVersion: `${k.group}/${k.version}`,
    kind: k.kind,
    metadata: {},
  };
  switch (k.kind) {
    case 'SelfSubjectReview':
      return { ...head, status: { userInfo: TOKEN_USER } };
    case 'SelfSubjectAccessReview': {
      // authorization/validation: exactly one of the two attribute sets.
      if ((spec.resourceAttributes === undefined) === (spec.nonResourceAttributes === undefined))
        throw invalid(
          k,
          'spec.resourceAttributes',
          `Invalid value: ${JSON.stringify(JSON.stringify(spec))}: exactly one of nonResourceAttributes or resourceAttributes must be specified`,
        );
      return { ...head, spec, status: { allowed: true } };
    }
    case 'SelfSubjectRulesReview':
      return {
        ...head,
        spec,
        status: {
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          incomplete: false,
        },
      };
    default:
      throw errors.methodNotAllowed();
  }
}
