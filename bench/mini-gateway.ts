// A minimal traced proxy for the observability overhead bench: real HTTP in, the real ExtensionChain
// (src/extensions/chain.ts) over the given extensions, real HTTP to an upstream, and the RequestTrace calls
// where the data plane makes them (begin, listener, route, chain, upstream, end; the steps come from
// tracedExtension around each chain member), so the cost of recording is measured without the rest.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type {
  CalloutExtensionIR,
  ExtensionChainIR,
  HttpEvent,
  RouteRuleIR,
  WasmExtensionIR,
  WasmPluginIR,
} from '../src/ir/snapshot.js';
import type {
  Extension,
  ExtensionStream,
  HeaderMap,
  RequestInfo,
  StepResult,
} from '../src/extensions/extension.js';
import { compileChains } from '../src/extensions/chain.js';
import { HeaderList } from '../src/extensions/header-map.js';
import { forEachRawHeader } from '../src/extensions/header-codec.js';
import type { TraceRecorder } from '../src/admin/trace.js';
import type { RequestTrace } from '../src/dataplane/trace.js';
import { describeChainMatch, describeRouteMatch } from '../src/dataplane/trace.js';
import { chainKindOf, tracedExtension } from '../src/dataplane/traced-extension.js';

/** An extension whose request/response header behaviour is given as functions (stands in for a callout). */
export function headerExtension(
  id: string,
  onRequest: ((h: HeaderMap) => StepResult | void) | undefined,
  onResponse: ((h: HeaderMap) => StepResult | void) | undefined,
  failOpen = false,
): Extension {
  const events = new Set<HttpEvent>();
  if (onRequest) events.add('RequestHeaders');
  if (onResponse) events.add('ResponseHeaders');
  const stream: ExtensionStream = {
    requestHeaders: async (h) => onRequest?.(h) ?? { effect: 'NONE' },
    requestBody: async (chunk) => ({ chunks: [chunk] }),
    requestTrailers: async () => ({}),
    responseHeaders: async (h) => onResponse?.(h) ?? { effect: 'NONE' },
    responseBody: async (chunk) => ({ chunks: [chunk] }),
    responseTrailers: async () => ({}),
    close: () => {},
  };
  return { id, failOpen, events, open: (_req: RequestInfo) => stream };
}

export interface MiniGateway {
  readonly port: number;
  close(): Promise<void>;
}

export interface MiniGatewayOptions {
  recorder: TraceRecorder;
  upstreamPort: number;
  /** Traffic chains of the one listener, as the snapshot carries them. */
  chains: ExtensionChainIR[];
  /** The extension for a callout IR (a CalloutClient's, or a stand-in); the gateway wraps it for tracing. */
  callout: (ir: CalloutExtensionIR) => Extension;
  /** Proxy-Wasm plugins the chains reference, and the runtime's factory for them (WasmRuntime.forSnapshot). */
  plugins?: Readonly<Record<string, WasmPluginIR>>;
  wasm?: (ir: WasmExtensionIR) => Extension;
}

const LISTENER = 'default/internal-http/http';
const ROUTE: RouteRuleIR = {
  id: 'default/store/0/0',
  ruleId: 'default/store/0',
  route: 'default/store',
  hostnames: ['store.example.com'],
  match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
  filters: [],
  backends: [],
  timeouts: {},
};

export async function startMiniGateway(opts: MiniGatewayOptions): Promise<MiniGateway> {
  // The trace of each request reaches the chain members through the RequestInfo they are opened with.
  const traces = new WeakMap<RequestInfo, RequestTrace>();
  const traceOf = (request: RequestInfo) => traces.get(request);
  const wasm = opts.wasm;
  const chains = compileChains(opts.chains, {
    callout: (ir, chain) => tracedExtension(opts.callout(ir), traceOf, chainKindOf(chain)),
    ...(wasm
      ? {
          wasm: (ir: WasmExtensionIR, chain: ExtensionChainIR) =>
            tracedExtension(wasm(ir), traceOf, chainKindOf(chain), {
              key: ir.plugin,
              version: opts.plugins?.[ir.plugin]?.serving.name ?? '?',
            }),
        }
      : {}),
  });
  const chainIRs = new Map(opts.chains.map((c) => [c.id, c]));
  const server: Server = createServer((req, res) => {
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    const path = req.url ?? '/';
    const headers = new HeaderList([
      [':method', req.method ?? 'GET'],
      [':path', path],
      [':authority', req.headers.host ?? ''],
      [':scheme', 'http'],
    ]);
    forEachRawHeader(req.rawHeaders, (name, value) => {
      if (name.toLowerCase() !== 'host') headers.append(name, value);
    });
    headers.set('x-request-id', requestId);
    const trace = opts.recorder.begin({
      requestId,
      method: req.method ?? 'GET',
      authority: req.headers.host ?? '',
      path,
      scheme: 'http',
      source: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      headers,
    });
    trace.listener(LISTENER);
    trace.route(ROUTE.id, describeRouteMatch(ROUTE));
    const info: RequestInfo = {
      requestId,
      scheme: 'http',
      sourceAddress: req.socket.remoteAddress ?? '',
      sourcePort: req.socket.remotePort ?? 0,
      destinationAddress: '127.0.0.1',
      destinationPort: 0,
      listener: LISTENER,
      route: ROUTE.route,
    };
    traces.set(info, trace);
    const chain = chains.select(info, headers);
    const chosen = chain ? chainIRs.get(chain.id) : undefined;
    trace.chain(
      'traffic',
      chain?.id ?? null,
      chosen
        ? describeChainMatch(chosen)
        : `no chain matched (${opts.chains.map(describeChainMatch).join('; ')})`,
    );
    const stream = chain?.open(info);
    void (async () => {
      try {
        if (stream && chain!.events.has('RequestHeaders')) {
          const r = await stream.requestHeaders(headers, false);
          if (r.immediate) {
            res.writeHead(r.immediate.status).end(r.immediate.body);
            trace.end({ status: r.immediate.status, bytes: r.immediate.body.byteLength });
            return;
          }
        }
        const upStart = performance.now();
        const up = await new Promise<{ status: number; headers: HeaderList; body: Buffer }>(
          (resolve, reject) => {
            const out: Record<string, string> = {};
            for (const [k, v] of headers.entries()) if (!k.startsWith(':')) out[k] = v;
            const u = httpRequest(
              { host: '127.0.0.1', port: opts.upstreamPort, path, method: req.method, headers: out },
              (ur) => {
                const chunks: Buffer[] = [];
                ur.on('data', (c: Buffer) => chunks.push(c));
                ur.on('end', () => {
                  const rh = HeaderList.fromRaw([':status', String(ur.statusCode), ...ur.rawHeaders]);
                  resolve({ status: ur.statusCode ?? 0, headers: rh, body: Buffer.concat(chunks) });
                });
              },
            );
            u.on('error', reject);
            req.pipe(u);
          },
        );
        trace.upstream({
          endpoint: `127.0.0.1:${opts.upstreamPort}`,
          status: up.status,
          latencyMs: performance.now() - upStart,
          response: trace.capturing ? trace.capture(up.headers, up.body) : undefined,
        });
        if (stream && chain!.events.has('ResponseHeaders')) await stream.responseHeaders(up.headers, false);
        const outHeaders: Record<string, string> = {};
        for (const [k, v] of up.headers.entries())
          if (!k.startsWith(':') && k !== 'content-length') outHeaders[k] = v;
        res.writeHead(up.status, outHeaders).end(up.body);
        trace.end({ status: up.status, bytes: up.body.byteLength });
      } catch (err) {
        const body = '{"error": {"code": 500, "message": "Internal server error.", "status": "INTERNAL"}}';
        res.writeHead(500, { 'content-type': 'application/json' }).end(body);
        trace.end({
          status: 500,
          bytes: body.length,
          error: err instanceof Error ? err.message : String(err),
        });
      } finally {
        stream?.close();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
