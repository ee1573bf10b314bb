// `/api/capture` on the admin port: record the next requests that match, without keeping a dashboard open.
//
//   POST   /api/capture        {"count": 5, "path": "/x", "header": "x-debug: 1", "seconds": 60} → 201 the capture
//   GET    /api/capture        captures still running, with how many requests each still waits for
//   DELETE /api/capture/<id>   stops one
//
// Captured requests appear in /api/requests like the dashboard's. POST takes only `application/json`, which a
// page on another site cannot send without a CORS preflight this server never answers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRACE_DEMAND_LIMITS, type CaptureRequest, type TraceDemand } from './trace-demand.js';

const MAX_BODY_BYTES = 4096;
const DEFAULTS = { count: 100, seconds: 60 };

/** Handles `/api/capture*`; false for other paths. */
export async function handleCapture(
  demand: TraceDemand,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  if (path === '/api/capture') {
    if (req.method === 'GET') return json(res, 200, { captures: demand.list() });
    if (req.method !== 'POST') return json(res, 405, { error: 'use GET, POST or DELETE /api/capture/<id>' });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return json(res, 415, { error: 'send the capture as JSON with content-type: application/json' });
    let request: CaptureRequest;
    try {
      request = parseCapture(await readBody(req));
    } catch (err) {
      return json(res, 400, { error: (err as Error).message });
    }
    try {
      return json(res, 201, demand.startCapture(request));
    } catch (err) {
      return json(res, 429, { error: (err as Error).message });
    }
  }
  const one = /^\/api\/capture\/(\d+)$/.exec(path);
  if (one === null) return false;
  if (req.method !== 'DELETE') return json(res, 405, { error: 'use DELETE to stop a capture' });
  return demand.stopCapture(Number(one[1]))
    ? json(res, 200, { stopped: Number(one[1]) })
    : json(res, 404, { error: `no running capture ${one[1]}` });
}

/** The JSON body of a POST, checked field by field. */
export function parseCapture(text: string): CaptureRequest {
  let body: unknown;
  try {
    body = JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw new Error('the body is not JSON, e.g. {"count": 5, "path": "/x", "seconds": 60}');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error('the body must be a JSON object, e.g. {"count": 5, "path": "/x"}');
  const o = body as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!['count', 'path', 'header', 'seconds'].includes(key))
      throw new Error(`unknown field "${key}": use count, path, header, seconds`);
  const count = integer(o.count, 'count', DEFAULTS.count, TRACE_DEMAND_LIMITS.maxCount);
  const seconds = integer(o.seconds, 'seconds', DEFAULTS.seconds, TRACE_DEMAND_LIMITS.maxSeconds);
  const out: { -readonly [K in keyof CaptureRequest]: CaptureRequest[K] } = { count, seconds };
  if (o.path !== undefined) {
    if (typeof o.path !== 'string' || !o.path.startsWith('/') || o.path.length > 1024)
      throw new Error('"path": expected a path prefix starting with "/" (at most 1024 characters)');
    out.pathPrefix = o.path;
  }
  if (o.header !== undefined) {
    const header = typeof o.header === 'string' && o.header.length <= 8192 ? o.header : '';
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(header);
    if (m === null) throw new Error('"header": expected "name: value", e.g. "x-debug: 1"');
    out.header = { name: m[1]!, value: m[2]!.trim() };
  }
  return out;
}

function integer(value: unknown, field: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`"${field}": expected an integer 1-${max}`);
  return value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`the body is over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): true {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
  return true;
}
