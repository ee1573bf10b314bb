// Query parameters as kube-apiserver decodes them (apimachinery's parameter codec + ListOptions validation), so
// every client's spelling means what it means on a cluster: the Python client sends `watch=True`, client-go
// `watch=true`, curl users `watch=1` or a bare `watch`.
import { ApiError, errors } from './status.js';

/**
 * apimachinery `Convert_Slice_string_To_bool`: an absent parameter is false; `0` and `false` in any letter case
 * are false; ANY other value, the empty string included (`?watch`), is true. This is not Go's ParseBool: `t`,
 * `True`, `yes` and `on` are all true, and nothing is a decoding error.
 */
export function queryBool(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** apimachinery `Convert_Slice_string_To_int64`: Go's ParseInt base 10 (sign allowed); a bad value is a 400. */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[+-]?[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v)))
    throw errors.badRequest(
      `strconv.ParseInt: parsing ${JSON.stringify(v)}: ${/^[+-]?[0-9]+$/.test(v) ? 'value out of range' : 'invalid syntax'}`,
    );
  return Number(v);
}

export type ResourceVersionMatch = 'Exact' | 'NotOlderThan';

/** metav1.ListOptions as a list or watch request carries it. */
export interface ListOptions {
  watch: boolean;
  labelSelector: string | null;
  fieldSelector: string | null;
  /** `null` when absent; `""` and `"0"` keep their distinct meanings (docs/spec/kubernetes-api.md §4.1). */
  resourceVersion: string | null;
  resourceVersionMatch?: ResourceVersionMatch;
  /** 0 = no limit (kube-apiserver treats limit <= 0 as unset). */
  limit: number;
  continue: string | null;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  /** `undefined` when absent: watch-list semantics apply only when the client set it either way. */
  sendInitialEvents?: boolean;
}

/** `ListOptions.meta.k8s.io "" is invalid: …` — kube-apiserver's 422 for options that contradict each other. */
function invalidOptions(causes: { field: string; message: string; reason: string }[]): ApiError {
  const texts = causes.map((c) => `${c.field}: ${c.message}`);
  const list = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${list}`, {
    group: 'meta.k8s.io',
    kind: 'ListOptions',
    causes,
  });
}

const forbidden = (field: string, message: string) => ({
  field,
  reason: 'FieldValueForbidden',
  message: `Forbidden: ${message}`,
});
const notSupported = (field: string, value: string, supported: string[]) => ({
  field,
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});

/**
 * Decodes and validates list/watch options (apimachinery `ValidateListOptions`; the WatchList feature is treated
 * as enabled, so `sendInitialEvents` is accepted on watches). `watchPath` is true for the legacy
 * `/api/v1/watch/...` prefix, which means watch whatever the query says.
 */
export function parseListOptions(q: URLSearchParams, watchPath = false): ListOptions {
  const rvm = q.get('resourceVersionMatch') ?? '';
  const opts: ListOptions = {
    watch: watchPath || queryBool(q, 'watch') === true,
    labelSelector: q.get('labelSelector'),
    fieldSelector: q.get('fieldSelector'),
    resourceVersion: q.get('resourceVersion'),
    limit: Math.max(0, queryInt(q, 'limit') ?? 0),
    continue: q.get('continue') || null,
    allowWatchBookmarks: queryBool(q, 'allowWatchBookmarks') === true,
  };
  const timeout = queryInt(q, 'timeoutSeconds');
  if (timeout !== undefined && timeout > 0) opts.timeoutSeconds = timeout;
  const initial = queryBool(q, 'sendInitialEvents');
  if (initial !== undefined) opts.sendInitialEvents = initial;
  if (rvm !== '') opts.resourceVersionMatch = rvm as ResourceVersionMatch;

  const causes = [];
  const rv = opts.resourceVersion ?? '';
  if (opts.watch) {
    if (initial !== undefined && rvm !== 'NotOlderThan')
      causes.push(
        forbidden(
          'resourceVersionMatch',
          'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
        ),
      );
    if (rvm !== '') {
      if (initial === undefined)
        causes.push(
          forbidden(
            'resourceVersionMatch',
            'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
          ),
        );
      if (rvm !== 'NotOlderThan') causes.push(notSupported('resourceVersionMatch', rvm, ['NotOlderThan']));
      if (opts.continue)
        causes.push(
          forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'),
        );
    }
  } else {
    if (rvm !== '') {
      if (rv === '')
        causes.push(
          forbidden(
            'resourceVersionMatch',
            'resourceVersionMatch is forbidden unless resourceVersion is provided',
          ),
        );
      if (opts.continue)
        causes.push(
          forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'),
        );
      if (rvm !== 'Exact' && rvm !== 'NotOlderThan')
        causes.push(notSupported('resourceVersionMatch', rvm, ['Exact', 'NotOlderThan', '']));
      if (rvm === 'Exact' && rv === '0')
        causes.push(
          forbidden(
            'resourceVersionMatch',
            'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
          ),
        );
    }
    if (initial !== undefined)
      causes.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  if (causes.length) throw invalidOptions(causes);
  return opts;
}
