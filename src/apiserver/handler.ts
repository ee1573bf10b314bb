// HTTP → API verbs: a request goes to a fixed path (fixed-paths.ts) or through the route table
// (route-table.ts) to one verb handler; an ApiError anywhere becomes a Status answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from './context.js';
import { fixedGet } from './fixed-paths.js';
import { checkedRequestPath } from './request-path.js';
import { send } from './reply.js';
import { routeApiPath } from './route-table.js';
import { ApiError } from './status.js';

export type { Handler } from './context.js';

export async function handleRequest(h: Handler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await dispatch(h, req, res);
  } catch (err) {
    if (err instanceof ApiError) {
      if (!res.headersSent) send(res, err.code, err.toStatus());
      else res.end();
      return;
    }
    throw err;
  }
}

async function dispatch(h: Handler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  checkedRequestPath(req.url ?? '/'); // before URL parsing can fold `..` into another resource's path
  const url = new URL(req.url ?? '/', 'https://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const fixed = req.method === 'GET' || req.method === undefined ? fixedGet(path) : undefined;
  if (fixed) return fixed(h, res, req.headers.accept, path, req);
  return routeApiPath(h, req, res, path, url.searchParams);
}
