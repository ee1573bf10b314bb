// CPU per request of the data plane's own work around a traffic chain's header hooks, in process (no sockets):
// an Exchange runs the real request pipeline (listener, route, traffic chain step, upstream headers), the
// request head the HTTP/1.1 upstream client would write (requestHead), then the response path (raw upstream
// headers to the response object, the chain's response step, the response head handed downstream). The
// sockets at both ends are replaced by objects that take what the Exchange hands them, so what is measured is
// what the gateway pays to build, carry and rebuild headers: no chain, a member that changes nothing, and the
// same member adding one header each way (bench scenario `extgate+js-add-header`), for a request as wrk sends
// it and one with a browser's headers. CPU time per request (process.cpuUsage) stays stable to ~0.1 µs on a
// busy machine (docs/benchmarks.md).
//
//   npx tsc -p . && node dist/bench/edit-path-cost.js [--requests 20000] [--only <row text>] [--show]
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { compilePort, type CompiledPort } from '../src/dataplane/compiled-port.js';
import type { ProxyContext } from '../src/dataplane/context.js';
import type { DownstreamRequest, DownstreamResponse } from '../src/dataplane/downstream.js';
import { Exchange } from '../src/dataplane/exchange.js';
import { DEFAULT_LIMITS } from '../src/dataplane/limits.js';
import { requestHead } from '../src/dataplane/upstream/request-head.js';
import type { Upstreams } from '../src/dataplane/upstream/upstreams.js';
import type { UpstreamRequest } from '../src/dataplane/upstream/dispatcher.js';
import type { CompiledChains, Extension } from '../src/extensions/extension.js';
import { benchSnapshot } from './snapshots.js';
import { addHeadersMember, memberChainIR, noopMember } from './members.js';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const requests = Number(option('--requests') ?? 20_000);
/** `--only browser` or `--only 'member adding'`: the rows whose label contains it (for a profile of one). */
const only = option('--only');

/** What wrk sends (`Host` only), and a browser's request with the usual dozen fields. */
const WRK: IncomingHttpHeaders = { host: 'app-0.example.com' };
const BROWSER: IncomingHttpHeaders = {
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

/** The request the fake upstream client was handed, with the head h1.ts would write for it. */
let sent: { readonly head: string } | undefined;
let ended: (() => void) | undefined;

const upstreams = {
  pick: (backend: { endpoints: readonly unknown[] }) => backend.endpoints[0],
  dispatcher: () => ({
    dispatch(request: UpstreamRequest, handler: Exchange): void {
      const head = requestHead(request.method, request.path, request.headers, request.body !== null);
      if (typeof head === 'string') throw new Error(head);
      sent = { head: head.text };
      handler.onConnect(() => {});
      handler.onHeaders(200, RESPONSE.slice(), () => {}, 'OK');
      handler.onData(BODY);
      handler.onComplete(null);
    },
  }),
} as unknown as Upstreams;

const ctx: ProxyContext = {
  observer: undefined,
  recorder: undefined,
  upstreams,
  limits: DEFAULT_LIMITS,
  stats: { requests: 0, localReplies: 0, upstreamErrors: 0, resets: 0, badRequests: 0, ignoredOverrides: 0 },
  via: '1.1 extgate',
};

const socket = { remoteAddress: '127.0.0.1', remotePort: 40000, localAddress: '127.0.0.1', localPort: 8080 };

function downstreamRequest(headers: IncomingHttpHeaders): DownstreamRequest {
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

/** The response head the Exchange handed downstream last. */
let head: OutgoingHttpHeaders | undefined;
/** The downstream response: takes the head and the body, resolves the request when it ends. */
const res = {
  headersSent: false,
  writableEnded: false,
  writeHead(_status: number, headers: OutgoingHttpHeaders) {
    head = headers;
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

function port(member: Extension | undefined): CompiledPort {
  const snap = benchSnapshot(9, 1);
  const trafficChains = [memberChainIR];
  const ir = snap.ports[0]!;
  const withChain =
    member === undefined ? ir : { ...ir, listeners: [{ ...ir.listeners[0]!, trafficChains }] };
  const chains: CompiledChains = { select: () => member };
  return compilePort(withChain, snap, () => chains);
}

async function one(p: CompiledPort, req: DownstreamRequest): Promise<void> {
  const done = new Promise<void>((resolve) => (ended = resolve));
  new Exchange(ctx, p, req, res).start();
  await done;
}

async function cpuPerRequest(p: CompiledPort, req: DownstreamRequest): Promise<number[]> {
  for (let i = 0; i < requests; i++) await one(p, req); // warm-up and tier-up
  const out: number[] = [];
  for (let round = 0; round < 5; round++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < requests; i++) await one(p, req);
    const c = process.cpuUsage(c0);
    out.push((c.user + c.system) / requests);
  }
  return out.sort((a, b) => a - b);
}

const members: Array<[string, Extension | undefined]> = [
  ['no chain', undefined],
  ['member that changes nothing', noopMember],
  ['member adding a header each way', addHeadersMember],
];
console.log(`CPU µs per request, 5 × ${requests} requests (median, min):`);
for (const [shape, headers] of [
  ['wrk', WRK],
  ['browser', BROWSER],
] as const) {
  const req = downstreamRequest(headers);
  for (const [label, member] of members) {
    if (only !== undefined && !`${shape} ${label}`.includes(only)) continue;
    const p = port(member);
    const r = await cpuPerRequest(p, req);
    console.log(
      `  ${shape.padEnd(8)} ${label.padEnd(34)} ${r[2]!.toFixed(2).padStart(6)} ${r[0]!.toFixed(2).padStart(6)}`,
    );
  }
  // The edited request and response as they leave, so a change to the path can be checked at a glance.
  if (process.argv.includes('--show')) {
    await one(port(addHeadersMember), req);
    console.log(sent?.head, head);
  }
}
