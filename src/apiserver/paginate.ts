// `limit`/`continue` paging of a list (docs/spec/kubernetes-api.md §4.1).
import type { KubeObject } from '../api/types.js';
import { errors } from './status.js';

export interface Page {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remaining?: number;
}

/** Position of an object in list order (namespace, then name): NUL sorts before every character of a name. */
function listKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}\u0000${o.metadata.name ?? ''}`;
}

const BAD_TOKEN = 'continue key is not valid: send the `continue` value of the previous page unchanged';

function parseToken(token: string): { rv: string; after: string } {
  let parsed: { rv?: unknown; after?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      rv?: unknown;
      after?: unknown;
    };
  } catch {
    throw errors.badRequest(BAD_TOKEN);
  }
  if (typeof parsed.rv !== 'string' || typeof parsed.after !== 'string') throw errors.badRequest(BAD_TOKEN);
  return { rv: parsed.rv, after: parsed.after };
}

/**
 * A continue token holds the resourceVersion of the first page and the last key served; later pages show
 * current state after that key under the first page's resourceVersion, so a watch started from it replays
 * anything that changed meanwhile.
 */
export function paginate(all: KubeObject[], limit: number, token: string | null, currentRv: number): Page {
  let items = all;
  let resourceVersion = String(currentRv);
  if (token) {
    const { rv, after } = parseToken(token);
    items = all.filter((o) => listKey(o) > after);
    resourceVersion = rv;
  }
  const n = limit;
  if (n <= 0 || items.length <= n) return { items, resourceVersion };
  const pageItems = items.slice(0, n);
  const next = Buffer.from(
    JSON.stringify({ rv: resourceVersion, after: listKey(pageItems[n - 1]!) }),
  ).toString('base64url');
  return { items: pageItems, resourceVersion, continue: next, remaining: items.length - n };
}
