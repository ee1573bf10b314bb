// The request path as the client sent it, checked before anything routes on it. WHATWG URL parsing (which the
// handler uses for the query) removes `.` and `..` segments, their percent-encoded forms and backslash
// variants: `/api/v1/namespaces/a/secrets/..%2f..%2fconfigmaps/x` must not quietly become another resource.
// kube-apiserver refuses such names (`may not be '..'`); here any dot segment is a 400, as is a malformed
// percent-escape (which decodeURIComponent would throw on later, answering 500).
import { errors } from './status.js';

/** The raw path of `rawUrl` (no query); throws a 400 ApiError for dot segments or malformed escapes. */
export function checkedRequestPath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  for (const segment of path.split(/[/\\]/)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw errors.badRequest(
        `malformed percent-escape in the request path segment "${segment.slice(0, 100)}": escape '%' as %25`,
      );
    }
    if (decoded === '.' || decoded === '..')
      throw errors.badRequest(
        `the request path may not contain "." or ".." segments (nor their %2e forms): name the resource directly`,
      );
  }
  return path;
}
