// Where extensions run in a request (gke-service-extensions.md §2.2): routing chains on the request headers
// before the route is selected (`clearRouteCache` re-selects it, `selectedEndpoint` pins the endpoint);
// traffic chains after route and backend selection, on request headers, body chunks and trailers, then on the
// response (the chain reverses its members itself). Body events are wired only when the chain asks for them.
// A thrown ExtensionError answers the seed's JSON before response headers went out, and resets after.

import { Readable } from 'node:stream';
import type { OutgoingHttpHeaders } from 'node:http';
import {
  ExtensionError,
  type Extension,
  type ExtensionStream,
  type LocalResponse,
  type RequestInfo,
} from '../extensions/extension.js';
import type { ExtensionChainIR, HttpEvent } from '../ir/snapshot.js';
import { describeChainMatch, describeRouteMatch } from '../admin/trace-wiring.js';
import type { Exchange } from './exchange.js';
import { HeaderList } from '../extensions/header-map.js';
import { extensionFailureReply, REPLIES } from './replies.js';

export interface ResponseHooks {
  /** True when body chunks go through the chain (otherwise the Exchange streams them itself). */
  readonly wantsBody: boolean;
  readonly wantsEnd: boolean;
  onHeaders(status: number, headers: Record<string, string | string[]>, resume: () => void): void;
  onData(chunk: Buffer): boolean;
  onComplete(rawTrailers: Array<Buffer | string> | null): void;
  close(): void;
}

const EMPTY = new Uint8Array(0);

function traceChain(
  x: Exchange,
  kind: 'routing' | 'traffic',
  id: string | undefined,
  chains: readonly ExtensionChainIR[],
): void {
  const ir = id === undefined ? undefined : chains.find((c) => c.id === id);
  x.trace.chain(
    kind,
    id ?? null,
    ir ? describeChainMatch(ir) : `no ${kind} chain matched: ${chains.map(describeChainMatch).join('; ')}`,
  );
}

export async function runWithExtensions(x: Exchange): Promise<void> {
  const listener = x.listener;
  const headers = requestHeaderList(x);
  const info = requestInfo(x);
  const endOfStream = !x.hasBody;
  if (x.trace.recording) x.ctx.traceLinks.set(info, x.trace);

  // The route the request selects as the client sent it. A routing callout that rewrites the request and
  // clears the route cache re-selects; when the rewritten request matches no route, this selection stands,
  // as on GKE, where the seed's callout rewrites Host to service-extensions.com (a host no route names) and
  // the store app still answers, showing `host_header: service-extensions.com`.
  let selectedBeforeExtensions: ReturnType<Exchange['selectRoute']>;
  if (listener.routingChains !== undefined) {
    const chain = listener.routingChains.select(info, headers);
    if (x.trace.recording) traceChain(x, 'routing', chain?.id, listener.ir.routingChains);
    if (chain !== undefined && chain.events.has('RequestHeaders')) {
      selectedBeforeExtensions = x.selectRoute();
      const stream = openStream(x, chain, info);
      const r = await guard(x, stream.requestHeaders(headers, endOfStream));
      if (r === undefined || x.isFinished) return;
      if (r.immediate !== undefined) return immediate(x, r.immediate);
      if (r.selectedEndpoint !== undefined) x.selectedEndpoint = r.selectedEndpoint;
      if (r.clearRouteCache === true) {
        // Route selection sees the extension's changes only when it asks for it (ext_proc clear_route_cache).
        adoptRequestLine(x, headers);
        x.routeHeaders = headers;
      }
    }
  }

  const reselected = x.selectRoute();
  const rule = reselected ?? selectedBeforeExtensions;
  if (rule === undefined) return x.reply(REPLIES.noRoute);
  if (reselected === undefined && x.trace.recording) {
    x.trace.route(
      rule.ir.id,
      `${describeRouteMatch(rule.ir)} (chosen before the routing extension; the rewritten request matches no rule)`,
    );
  }
  // Whatever the route, the request goes upstream as the extensions left it.
  adoptRequestLine(x, headers);
  if (!x.prepare(rule)) return;

  if (listener.trafficChains !== undefined) {
    const trafficInfo: RequestInfo = { ...info, route: rule.ir.route, backendService: x.backend!.ir.id };
    if (x.trace.recording) x.ctx.traceLinks.set(trafficInfo, x.trace);
    const chain = listener.trafficChains.select(trafficInfo, headers);
    if (x.trace.recording) traceChain(x, 'traffic', chain?.id, listener.ir.trafficChains);
    if (chain !== undefined) {
      const stream = openStream(x, chain, trafficInfo);
      const events = chain.events;
      if (events.has('RequestHeaders')) {
        const r = await guard(x, stream.requestHeaders(headers, endOfStream));
        if (r === undefined || x.isFinished) return;
        if (r.immediate !== undefined) return immediate(x, r.immediate);
        adoptRequestLine(x, headers);
      }
      if (x.hasBody && (events.has('RequestBody') || events.has('RequestTrailers'))) {
        x.requestBody = Readable.from(requestBodyThroughChain(x, stream, events), { objectMode: false });
        // The chain may change the body's length; let the upstream connection frame it.
        if (events.has('RequestBody')) headers.remove('content-length');
      }
      const wantsBody = events.has('ResponseBody');
      const wantsEnd = wantsBody || events.has('ResponseTrailers');
      if (wantsEnd || events.has('ResponseHeaders'))
        x.responseHooks = new ChainResponse(x, stream, events, wantsBody, wantsEnd);
    }
  }

  x.buildUpstreamHeaders(headers.toObject());
  x.applyFilters();
  x.forward();
}

function openStream(x: Exchange, chain: Extension, info: RequestInfo): ExtensionStream {
  const stream = chain.open(info);
  x.onDone(() => stream.close());
  return stream;
}

/** Resolves the step, or answers the client per the failure and resolves undefined. */
async function guard<T>(x: Exchange, step: Promise<T>): Promise<T | undefined> {
  try {
    return await step;
  } catch (err) {
    extensionFailed(x, err);
    return undefined;
  }
}

export function extensionFailed(x: Exchange, err: unknown): void {
  if (x.res.headersSent) return x.reset(err as Error);
  const failure = err instanceof ExtensionError ? err.failure : 'error';
  x.reply(extensionFailureReply(failure));
}

function immediate(x: Exchange, r: LocalResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of r.headers) {
    const key = name.toLowerCase();
    if (key.charCodeAt(0) === 58) continue;
    const prev = headers[key];
    headers[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  x.reply(
    {
      status: r.status,
      contentType: (headers['content-type'] as string) ?? 'text/plain',
      body: '',
      details: r.details ?? 'immediate_response',
    },
    headers as Record<string, string>,
    r.body,
  );
}

function requestHeaderList(x: Exchange): HeaderList {
  const list = new HeaderList();
  list.append(':method', x.method);
  list.append(':scheme', x.scheme);
  list.append(':authority', x.requestAuthority);
  list.append(':path', x.query === '' ? x.path : `${x.path}?${x.query}`);
  const src = x.req.headers;
  for (const name in src) {
    if (name.charCodeAt(0) === 58 || name === 'host') continue;
    const v = src[name];
    if (Array.isArray(v)) for (const one of v) list.append(name, one);
    else if (v !== undefined) list.append(name, v);
  }
  if (!list.has('x-request-id')) list.append('x-request-id', x.requestId);
  return list;
}

/** Takes host, path and method back from the (possibly mutated) pseudo-headers. */
function adoptRequestLine(x: Exchange, headers: HeaderList): void {
  const authority = headers.get(':authority');
  if (authority !== undefined) x.setAuthority(authority);
  const path = headers.get(':path');
  if (path !== undefined) {
    const q = path.indexOf('?');
    x.path = q < 0 ? path : path.slice(0, q);
    x.query = q < 0 ? '' : path.slice(q + 1);
  }
  const method = headers.get(':method');
  if (method !== undefined) x.method = method;
}

function requestInfo(x: Exchange): RequestInfo {
  const socket = x.req.socket;
  const sni = x.sni;
  return {
    requestId: x.requestId,
    scheme: x.scheme,
    sourceAddress: socket.remoteAddress ?? '',
    sourcePort: socket.remotePort ?? 0,
    destinationAddress: socket.localAddress ?? '',
    destinationPort: socket.localPort ?? 0,
    ...(x.scheme === 'https'
      ? {
          tls: {
            ...(sni !== undefined ? { sni } : {}),
            version: (socket as { getProtocol?: () => string | null }).getProtocol?.() ?? '',
          },
        }
      : {}),
    listener: x.listener.ir.id,
  };
}

async function* requestBodyThroughChain(
  x: Exchange,
  stream: ExtensionStream,
  events: ReadonlySet<HttpEvent>,
): AsyncGenerator<Uint8Array> {
  const wantsBody = events.has('RequestBody');
  for await (const chunk of x.req as AsyncIterable<Buffer>) {
    if (!wantsBody) {
      yield chunk;
      continue;
    }
    const r = await stream.requestBody(chunk, false);
    if (r.immediate !== undefined) return immediate(x, r.immediate);
    for (const c of r.chunks) if (c.byteLength > 0) yield c;
  }
  // As in Envoy, end_of_stream on the body means no trailers follow: with trailers, they end the stream.
  const trailers = x.req.trailers as Record<string, string | undefined>;
  const trailersFollow = events.has('RequestTrailers') && Object.keys(trailers).length > 0;
  if (wantsBody && !trailersFollow) {
    const r = await stream.requestBody(EMPTY, true);
    if (r.immediate !== undefined) return immediate(x, r.immediate);
    for (const c of r.chunks) if (c.byteLength > 0) yield c;
  }
  if (trailersFollow) {
    const list = HeaderList.fromObject(trailers);
    const r = await stream.requestTrailers(list);
    if (r.immediate !== undefined) return immediate(x, r.immediate);
    x.requestTrailers = list.entries();
    // Body a FullDuplexStreamed callout was still streaming when it answered the trailers.
    for (const c of r.chunks ?? []) if (c.byteLength > 0) yield c;
  }
}

/** Response side of a traffic chain: every step is queued so events reach the chain in order. */
class ChainResponse implements ResponseHooks {
  private queue: Promise<void> = Promise.resolve();
  private resume: () => void = () => {};
  private closed = false;

  constructor(
    private readonly x: Exchange,
    private readonly stream: ExtensionStream,
    private readonly events: ReadonlySet<HttpEvent>,
    readonly wantsBody: boolean,
    readonly wantsEnd: boolean,
  ) {}

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue
      .then(() => (this.closed || this.x.isFinished ? undefined : step()))
      .catch((err) => {
        this.closed = true;
        extensionFailed(this.x, err);
      });
  }

  onHeaders(status: number, headers: Record<string, string | string[]>, resume: () => void): void {
    this.resume = resume;
    this.enqueue(async () => {
      let outStatus = status;
      let out: OutgoingHttpHeaders = headers;
      if (this.events.has('ResponseHeaders')) {
        const list = HeaderList.fromObject(headers);
        list.set(':status', String(status));
        const r = await this.stream.responseHeaders(list, false);
        if (r.immediate !== undefined) return immediate(this.x, r.immediate);
        outStatus = Number(list.get(':status') ?? status);
        out = list.toObject();
      }
      if (this.wantsBody) delete out['content-length'];
      this.x.writeResponseHead(outStatus, out);
      this.resume();
    });
  }

  onData(chunk: Buffer): boolean {
    this.enqueue(async () => {
      const r = await this.stream.responseBody(chunk, false);
      if (r.immediate !== undefined) return immediate(this.x, r.immediate);
      await this.write(r.chunks);
      this.resume();
    });
    return false;
  }

  onComplete(rawTrailers: Array<Buffer | string> | null): void {
    this.enqueue(async () => {
      // As in Envoy, end_of_stream on the body means no trailers follow: with trailers, they end the stream.
      const trailersFollow =
        this.events.has('ResponseTrailers') && rawTrailers !== null && rawTrailers.length > 0;
      if (this.wantsBody && !trailersFollow) {
        const r = await this.stream.responseBody(EMPTY, true);
        if (r.immediate !== undefined) return immediate(this.x, r.immediate);
        await this.write(r.chunks);
      }
      let trailers = rawTrailers;
      if (trailersFollow && rawTrailers !== null) {
        const list = new HeaderList();
        for (let i = 0; i < rawTrailers.length; i += 2)
          list.append(rawTrailers[i]!.toString(), rawTrailers[i + 1]!.toString());
        const r = await this.stream.responseTrailers(list);
        if (r.immediate !== undefined) return immediate(this.x, r.immediate);
        // Body a FullDuplexStreamed callout was still streaming when it answered the trailers goes out first.
        if (r.chunks !== undefined) await this.write(r.chunks);
        trailers = list.entries().flat();
      }
      this.x.finishResponse(trailers);
    });
  }

  private async write(chunks: readonly Uint8Array[]): Promise<void> {
    let ok = true;
    for (const c of chunks) if (c.byteLength > 0) ok = this.x.res.write(c);
    if (!ok) await new Promise<void>((resolve) => this.x.res.once('drain', resolve));
  }

  close(): void {
    this.closed = true;
  }
}
