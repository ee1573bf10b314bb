// A minimal traced proxy for the admin tests: real HTTP in, one extension chain of real Extension objects,
// real HTTP to an upstream, and the RequestTrace calls placed where the data plane places them. It is the
// reference for wiring the recorder into src/dataplane and src/extensions/chain.ts.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { HttpEvent } from '../../src/ir/snapshot.js';
import type { Extension, ExtensionStream, HeaderMap, RequestInfo, StepResult } from '../../src/extensions/extension.js';
import { ExtensionError } from '../../src/extensions/extension.js';
import type { RequestTrace, TraceEffect, TraceRecorder } from '../../src/admin/trace.js';

export class SimpleHeaderMap implements HeaderMap {
  private list: Array<[string, string]> = [];
  constructor(init: Iterable<readonly [string, string]> = []) {
    for (const [k, v] of init) this.append(k, v);
  }
  get(name: string): string | undefined {
    const n = name.toLowerCase();
    return this.list.find(([k]) => k === n)?.[1];
  }
  getAll(name: string): string[] {
    const n = name.toLowerCase();
    return this.list.filter(([k]) => k === n).map(([, v]) => v);
  }
  set(name: string, value: string): void {
    this.remove(name);
    this.append(name, value);
  }
  append(name: string, value: string): void {
    this.list.push([name.toLowerCase(), value]);
  }
  remove(name: string): void {
    const n = name.toLowerCase();
    this.list = this.list.filter(([k]) => k !== n);
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  entries(): Array<[string, string]> {
    return this.list.map(([k, v]) => [k, v]);
  }
  get size(): number {
    return this.list.length;
  }
}

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
  chainId: string;
  /** Runs the chain when the CEL-like predicate holds for the path. */
  chainMatches: (path: string) => boolean;
  chainWhy: string;
  extensions: Extension[];
}

/** Runs `ext` for one header event with the trace calls around it; returns the step's result. */
async function runHeaderStep(
  trace: RequestTrace,
  ext: Extension,
  stream: ExtensionStream,
  event: 'RequestHeaders' | 'ResponseHeaders',
  headers: HeaderMap,
): Promise<StepResult | undefined> {
  const before = trace.capturing ? trace.capture(headers) : undefined;
  const startedAt = performance.now();
  let effect: TraceEffect = 'NONE';
  let result: StepResult | undefined;
  let error: string | undefined;
  let grpcStatus: number | undefined;
  try {
    result = event === 'RequestHeaders' ? await stream.requestHeaders(headers, false) : await stream.responseHeaders(headers, false);
    effect = result.immediate ? 'IMMEDIATE_RESPONSE' : (result.effect ?? 'NONE');
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    if (err instanceof ExtensionError) grpcStatus = err.grpcStatus;
    effect = ext.failOpen ? 'FAILED_OPEN' : 'ERROR';
  }
  if (trace.recording) {
    trace.step({
      extension: ext.id,
      event,
      startedAt,
      latencyMs: performance.now() - startedAt,
      effect,
      error,
      grpcStatus,
      before,
      after: trace.capturing ? trace.capture(headers) : undefined,
    });
  }
  if (effect === 'ERROR') throw new Error(error);
  return result;
}

export async function startMiniGateway(opts: MiniGatewayOptions): Promise<MiniGateway> {
  const server: Server = createServer((req, res) => {
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    const headers = new SimpleHeaderMap([
      [':method', req.method ?? 'GET'],
      [':path', req.url ?? '/'],
      [':authority', req.headers.host ?? ''],
      [':scheme', 'http'],
    ]);
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() !== 'host') headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    headers.set('x-request-id', requestId);
    const trace = opts.recorder.begin({
      requestId,
      method: req.method ?? 'GET',
      authority: req.headers.host ?? '',
      path: req.url ?? '/',
      scheme: 'http',
      source: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      headers,
    });
    trace.listener('default/internal-http/http');
    const path = req.url ?? '/';
    const run = opts.chainMatches(path);
    trace.chain('traffic', run ? opts.chainId : null, run ? opts.chainWhy : `no chain matched: ${opts.chainWhy} is false`);
    trace.route('default/store/0/0', 'PathPrefix / on hostnames store.example.com');
    const info: RequestInfo = {
      requestId,
      scheme: 'http',
      sourceAddress: req.socket.remoteAddress ?? '',
      sourcePort: req.socket.remotePort ?? 0,
      destinationAddress: '127.0.0.1',
      destinationPort: 0,
      listener: 'default/internal-http/http',
    };
    const streams = run ? opts.extensions.map((e) => [e, e.open(info)] as const) : [];
    void (async () => {
      try {
        for (const [ext, stream] of streams) {
          if (!ext.events.has('RequestHeaders')) continue;
          const r = await runHeaderStep(trace, ext, stream, 'RequestHeaders', headers);
          if (r?.immediate) {
            res.writeHead(r.immediate.status).end(r.immediate.body);
            trace.end({ status: r.immediate.status, bytes: r.immediate.body.byteLength });
            return;
          }
        }
        const upStart = performance.now();
        const up = await new Promise<{ status: number; headers: SimpleHeaderMap; body: Buffer }>((resolve, reject) => {
          const out: Record<string, string> = {};
          for (const [k, v] of headers.entries()) if (!k.startsWith(':')) out[k] = v;
          const u = httpRequest({ host: '127.0.0.1', port: opts.upstreamPort, path, method: req.method, headers: out }, (ur) => {
            const chunks: Buffer[] = [];
            ur.on('data', (c: Buffer) => chunks.push(c));
            ur.on('end', () => {
              const rh = new SimpleHeaderMap([[':status', String(ur.statusCode)]]);
              for (let i = 0; i < ur.rawHeaders.length; i += 2) rh.append(ur.rawHeaders[i], ur.rawHeaders[i + 1]);
              resolve({ status: ur.statusCode ?? 0, headers: rh, body: Buffer.concat(chunks) });
            });
          });
          u.on('error', reject);
          req.pipe(u);
        });
        trace.upstream({
          endpoint: `127.0.0.1:${opts.upstreamPort}`,
          status: up.status,
          latencyMs: performance.now() - upStart,
          response: trace.capturing ? trace.capture(up.headers, up.body) : undefined,
        });
        for (const [ext, stream] of [...streams].reverse()) if (ext.events.has('ResponseHeaders')) await runHeaderStep(trace, ext, stream, 'ResponseHeaders', up.headers);
        const outHeaders: Record<string, string> = {};
        for (const [k, v] of up.headers.entries()) if (!k.startsWith(':') && k !== 'content-length') outHeaders[k] = v;
        res.writeHead(up.status, outHeaders).end(up.body);
        trace.end({ status: up.status, bytes: up.body.byteLength });
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":500,"status":"INTERNAL"}}');
        trace.end({ status: 500, bytes: 0, error: err instanceof Error ? err.message : String(err) });
      } finally {
        for (const [, stream] of streams) stream.close();
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
