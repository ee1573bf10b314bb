// An Exchange without sockets, for the in-process per-request benches (edit-path-cost.ts,
// product-path-cost.ts): the downstream request and response and the upstream client are objects that take what
// the Exchange hands them and answer at once as bench/backend.ts would, so a request runs the real pipeline
// (listener, route, chains, upstream headers, response path) and what is measured is the gateway's own CPU.
// CPU time per request (process.cpuUsage) stays stable to ~0.1 µs on a busy machine (docs/benchmarks.md).
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { CompiledPort } from '../src/dataplane/compiled-port.js';
import { newProxyStats, type ProxyContext } from '../src/dataplane/context.js';
import type { DownstreamRequest, DownstreamResponse } from '../src/dataplane/downstream.js';
import { Exchange } from '../src/dataplane/exchange.js';
import { DEFAULT_LIMITS } from '../src/dataplane/limits.js';
import type { TraceSource } from '../src/dataplane/trace.js';
import { requestHead } from '../src/dataplane/upstream/request-head.js';
import type { Upstreams } from '../src/dataplane/upstream/upstreams.js';
import type { UpstreamRequest } from '../src/dataplane/upstream/dispatcher.js';

/** What wrk sends (`Host` only), and a browser's request with the usual dozen fields. */
export const WRK: IncomingHttpHeaders = { host: 'app-0.example.com' };
export const BROWSER: IncomingHttpHeaders = {
  host: 'app-0.example.com',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.5',
  'accept-encoding': 'gzip, deflate, br, zstd',
  referer: 'https://app-0.example.com/',
  cookie: 'session=0123456789abcdef; theme=dark',
  'upgrade-insecure-requests': '1',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'same-origin',
  connection: 'keep-alive',
  priority: 'u=0, i',
};
/** What bench/backend.ts answers, as the HTTP/1.1 client hands it over (name, value, ...). */
const RESPONSE = [
  'Content-Type',
  'application/json',
  'Content-Length',
  '34',
  'Date',
  'Mon, 07 Dec 2026 08:00:00 GMT',
  'Connection',
  'keep-alive',
  'Keep-Alive',
  'timeout=5',
];
const BODY = Buffer.from('{"ok":true,"path":"/","n":123456}\n');

/** The request head the upstream client was handed last, and the response head handed downstream last. */
export const lastSeen: { upstreamHead?: string; responseHead?: OutgoingHttpHeaders } = {};
let ended: (() => void) | undefined;

const upstreams = {
  pick: (backend: { endpoints: readonly unknown[] }) => backend.endpoints[0],
  dispatcher: () => ({
    dispatch(request: UpstreamRequest, handler: Exchange): void {
      const head = requestHead(request.method, request.path, request.headers, request.body !== null);
      if (typeof head === 'string') throw new Error(head);
      lastSeen.upstreamHead = head.text;
      handler.onConnect(() => {});
      handler.onHeaders(200, RESPONSE.slice(), () => {}, 'OK');
      handler.onData(BODY);
      handler.onComplete(null);
    },
  }),
} as unknown as Upstreams;

/** The data plane's shared context, with the product's recorder (traces, access log, metrics) or none. */
export function stubContext(recorder?: TraceSource): ProxyContext {
  return {
    observer: undefined,
    recorder,
    upstreams,
    limits: DEFAULT_LIMITS,
    stats: newProxyStats(),
    via: '1.1 extgate',
  };
}

const socket = { remoteAddress: '127.0.0.1', remotePort: 40000, localAddress: '127.0.0.1', localPort: 8080 };

export function downstreamRequest(headers: IncomingHttpHeaders): DownstreamRequest {
  const rawHeaders = Object.entries(headers).flatMap(([n, v]) => [n, String(v)]);
  return {
    method: 'GET',
    url: '/',
    headers,
    rawHeaders,
    httpVersionMajor: 1,
    socket,
  } as unknown as DownstreamRequest;
}

/** The downstream response: takes the head and the body, resolves the request when it ends. */
const res = {
  headersSent: false,
  writableEnded: false,
  writeHead(_status: number, headers: OutgoingHttpHeaders) {
    lastSeen.responseHead = headers;
  },
  write: () => true,
  end() {
    ended?.();
  },
  addTrailers: () => {},
  destroy: () => {},
  abort: () => {},
  on: () => {},
  once: () => {},
  removeListener: () => {},
} as unknown as DownstreamResponse;

/** One request through the pipeline, resolved when its response ends. */
export async function oneRequest(
  ctx: ProxyContext,
  port: CompiledPort,
  req: DownstreamRequest,
): Promise<void> {
  const done = new Promise<void>((resolve) => (ended = resolve));
  new Exchange(ctx, port, req, res).start();
  await done;
}

/**
 * The main thread's CPU time (`BENCH_CPU=process` for the whole process's): the pipeline runs there; other
 * threads (GC helpers, the log writer's file writes) come and go with what else the machine does.
 */
const cpuUsage = (previous?: NodeJS.CpuUsage): NodeJS.CpuUsage =>
  process.env.BENCH_CPU === 'process' ? process.cpuUsage(previous) : process.threadCpuUsage(previous);

/**
 * CPU µs per call of `run`, five rounds after one warm-up round (tier-up), sorted: [min, ..., max]. The event
 * loop turns every 32 requests, as a worker's does under wrk -c32: what a request leaves for after its turn
 * (the access log's batched lines, timers) runs and is counted, instead of piling up over a whole round.
 */
export async function cpuPerRequest(run: () => Promise<void>, requests: number): Promise<number[]> {
  const round = async (): Promise<void> => {
    for (let i = 0; i < requests; i++) {
      await run();
      if (i % 32 === 31) await new Promise(setImmediate);
    }
  };
  await round();
  const out: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = cpuUsage();
    await round();
    const c = cpuUsage(c0);
    out.push((c.user + c.system) / requests);
  }
  return out.sort((a, b) => a - b);
}
