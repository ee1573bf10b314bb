// GET paths with one fixed answer each: health probes, /version, OpenAPI and the discovery roots.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from './context.js';
import {
  AGGREGATED_V2,
  AGGREGATED_V2BETA1,
  aggregatedAccept,
  aggregatedDiscovery,
  apiGroupList,
  apiVersions,
} from './discovery.js';
import { BASE_HEADERS, send } from './reply.js';
import { errors } from './status.js';

type FixedGet = (
  h: Handler,
  res: ServerResponse,
  accept: string | undefined,
  path: string,
  req: IncomingMessage,
) => void;

/** What `GET /version` reports: minor 32 makes the machine's kubectl dispatcher run kubectl 1.32. */
const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const healthy: FixedGet = (_h, res) => {
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/plain' });
  res.end('ok');
};

/** The v2 document (openapi-v2.ts): gnostic protobuf when the client says so, else JSON; 304 for its ETag. */
const openApiV2: FixedGet = (h, res, accept, _path, req) => {
  const inm = req.headers['if-none-match'];
  const v2 = h.openApi.v2.respond(accept, Array.isArray(inm) ? inm.join(',') : inm);
  res.writeHead(v2.status, { ...BASE_HEADERS, ...v2.headers });
  res.end(v2.body);
};

/** `/api` and `/apis`: aggregated discovery when the client accepts it, else the legacy documents. */
const discoveryRoot: FixedGet = (h, res, accept, path) => {
  const agg = aggregatedAccept(accept);
  if (agg)
    return send(
      res,
      200,
      aggregatedDiscovery(path === '/api', agg, h.kinds),
      agg === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1,
    );
  send(res, 200, path === '/api' ? apiVersions(h.serverAddress) : apiGroupList(h.kinds));
};

const FIXED_GETS: ReadonlyMap<string, FixedGet> = new Map([
  ['/healthz', healthy],
  ['/readyz', healthy],
  ['/livez', healthy],
  ['/version', (_h, res) => send(res, 200, VERSION)],
  ['/openapi/v2', openApiV2],
  ['/swagger-2.0.0.pb-v1', openApiV2],
  ['/openapi/v3', (h, res) => send(res, 200, h.openApi.v3.index())],
  ['/api', discoveryRoot],
  ['/apis', discoveryRoot],
]);

const OPENAPI_V3_PREFIX = '/openapi/v3/';

const openApiV3: FixedGet = (h, res, _accept, path) => {
  const doc = h.openApi.v3.document(path.slice(OPENAPI_V3_PREFIX.length));
  if (!doc) throw errors.noResource();
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(doc.json),
  });
  res.end(doc.json);
};

/** The handler of a fixed GET path, or undefined when the path names resources instead. */
export function fixedGet(path: string): FixedGet | undefined {
  return FIXED_GETS.get(path) ?? (path.startsWith(OPENAPI_V3_PREFIX) ? openApiV3 : undefined);
}
