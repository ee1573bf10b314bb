// The extension steps of the request pipeline (pipeline.ts; docs/spec/gke-service-extensions.md §2.2): routing chains
// on the request headers before the route is selected (`clearRouteCache` re-selects it, `selectedEndpoint`
// pins the endpoint); traffic chains after route and backend selection, on request headers, body chunks and
// trailers, then as the response handler (the chain reverses its members itself). Body events are wired only
// when the chain asks for them. A thrown ExtensionError answers the seed's JSON (docs/spec/README.md) before response headers went
// out, and resets after.

import { Readable } from 'node:stream';
import type { OutgoingHttpHeaders } from 'node:http';
import {
  ExtensionError,
  type Extension,
  type ExtensionStream,
  type LocalResponse,
  type Direction,
  type RequestInfo,
  type StepResult,
} from '../extensions/extension.js';
import type { ExtensionChainIR } from '../ir/snapshot.js';
import { describeChainMatch, TRACE_LINK, type TraceLinked } from './trace.js';
import type { RequestContext, ResponseHandler, StepOutcome } from './request-context.js';
import { addHeaderValue, HeaderList } from '../extensions/header-map.js';
import { extensionFailureReply, localAnswerStatus } from './replies.js';
import { matchRoute } from './match-route.js';
import { BodyFlow, type BodySink } from './body-flow.js';
import { forEachRawHeader } from '../extensions/header-codec.js';

function traceChain(
  x: RequestContext,
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

/**
 * Pipeline step "routing chain": the first routing chain whose match holds, on the request headers. Its
 * `clearRouteCache` makes route selection read the extension's headers, `selectedEndpoint` pins the endpoint.
 */
export function routingChainStep(x: RequestContext): StepOutcome {
  const chains = x.listener.routingChains;
  if (chains === undefined) return true;
  const headers = requestHeaders(x);
  if (headers === undefined) return false;
  const info = extensionInfo(x);
  const chain = chains.select(info, headers);
  if (x.trace.recording) traceChain(x, 'routing', chain?.id, x.listener.ir.routingChains);
  if (chain === undefined || !chain.events.has('RequestHeaders')) return true;
  // The route as the client asked for it stands if the rewritten request matches none.
  x.routeBeforeExtensions = matchRoute(x);
  const stream = openStream(x, chain, info);
  return guard(x, stream.requestHeaders(headers, !x.hasBody)).then((r) => {
    if (r === undefined || x.isFinished) return false;
    if (r.immediate !== undefined) return immediate(x, r.immediate);
    if (r.selectedEndpoint !== undefined) x.selectedEndpoint = r.selectedEndpoint;
    if (r.clearRouteCache === true) {
      // Route selection sees the extension's changes only when it asks for it (ext_proc clear_route_cache).
      x.adoptRequestLine();
      x.routeHeaders = headers;
    }
    return true;
  });
}

/**
 * Pipeline step "traffic chain (request)": the first traffic chain whose match holds, with the route and
 * backend known, on the request headers, body and trailers; it becomes the response handler when it takes
 * response events.
 *
 * Hot path (docs/benchmarks.md, extgate+noop-ext): a chain on headers only costs one promise callback per
 * direction; headers no extension edited are not rebuilt (HeaderList.version), and nothing is allocated per
 * request beyond the stream, its RequestInfo and the response handler.
 */
export function trafficRequestStep(x: RequestContext): StepOutcome {
  const chains = x.listener.trafficChains;
  if (chains === undefined) return true;
  const headers = requestHeaders(x);
  if (headers === undefined) return false;
  const info = requestInfo(x, x.rule!.ir.route, x.backend!.ir.id);
  const chain = chains.select(info, headers);
  if (x.trace.recording) traceChain(x, 'traffic', chain?.id, x.listener.ir.trafficChains);
  if (chain === undefined) return true;
  const stream = openStream(x, chain, info);
  const events = chain.events;
  if (events.has('ResponseHeaders') || events.has('ResponseBody') || events.has('ResponseTrailers'))
    x.responseHandler = new ChainResponse(x, stream, chain);
  if (x.hasBody && (events.has('RequestBody') || events.has('RequestTrailers')))
    return trafficRequestWithBody(x, headers, stream, chain);
  if (!events.has('RequestHeaders')) return true;
  const before = headers.version;
  // A chain of plugins answers in this turn: the request goes upstream without a promise hop.
  return answerHeaders(
    x,
    stream,
    'request',
    headers,
    !x.hasBody,
    (r) => {
      if (x.isFinished) return false;
      if (r.immediate !== undefined) return immediate(x, r.immediate);
      if (headers.version !== before) x.adoptRequestLine();
      return true;
    },
    false,
  );
}

/**
 * The stream's headers answer passed to `then`: in this turn when the stream can give it (plugins), else when
 * its promise settles. A failure answers the client (extensionFailed) and gives `failed`.
 */
function answerHeaders<T>(
  x: RequestContext,
  stream: ExtensionStream,
  direction: Direction,
  headers: HeaderList,
  eos: boolean,
  then: (r: StepResult) => T,
  failed: T,
): T | Promise<T> {
  let now: StepResult | undefined;
  try {
    now = stream.headersNow?.(direction, headers, eos);
  } catch (err) {
    extensionFailed(x, err);
    return failed;
  }
  if (now !== undefined) return then(now);
  const answer =
    direction === 'request' ? stream.requestHeaders(headers, eos) : stream.responseHeaders(headers, eos);
  return answer.then(then, (err: unknown) => {
    extensionFailed(x, err);
    return failed;
  });
}

async function trafficRequestWithBody(
  x: RequestContext,
  headers: HeaderList,
  stream: ExtensionStream,
  chain: Extension,
): Promise<boolean> {
  const events = chain.events;
  // The request line is the list's as of this version (route selection adopted it): adopted again only
  // after an edit.
  let adopted = headers.version;
  // Body events read the body from now on (held while the headers message is outstanding).
  const body = requestBodyFlow(x, stream, chain, headers);
  if (events.has('RequestHeaders')) {
    const r = await guard(x, stream.requestHeaders(headers, false));
    if (r === undefined || x.isFinished) return false;
    if (r.immediate !== undefined) return immediate(x, r.immediate);
    if (headers.version !== adopted) {
      x.adoptRequestLine();
      adopted = headers.version;
    }
  }
  // The chain may change the body's length; let the upstream connection frame it.
  if (events.has('RequestBody')) headers.remove('content-length');
  const sink = new RequestBodySink(x);
  x.requestBody = sink;
  let proceed!: () => void;
  const proceeded = new Promise<void>((resolve) => (proceed = resolve));
  const done = body.run(sink, proceed).then(
    (out) => {
      if (out !== undefined) immediate(x, out.immediate);
    },
    (err: unknown) => extensionFailed(x, err),
  );
  // The request headers go upstream once the flow lets them (after the answer to a complete body, whose
  // header mutations may have changed the request line).
  await Promise.race([proceeded, done]);
  if (x.isFinished) return false;
  if (headers.version !== adopted) x.adoptRequestLine();
  return true;
}

/**
 * The request's one header list (built once, when the first extension step needs it); undefined when the
 * request has more than one Host, answered 400.
 */
function requestHeaders(x: RequestContext): HeaderList | undefined {
  let list = x.headerList;
  if (list === undefined) {
    if (!x.resolveClientHeaders()) return undefined;
    list = x.headerList = requestHeaderList(x);
    x.headerListBuilt = list.version;
  }
  return list;
}

/** What routing extensions see of the request besides headers; one object per request, linked to its trace. */
function extensionInfo(x: RequestContext): RequestInfo {
  if (x.extensionInfo !== undefined) return x.extensionInfo;
  return (x.extensionInfo = requestInfo(x, undefined, undefined));
}

function openStream(x: RequestContext, chain: Extension, info: RequestInfo): ExtensionStream {
  const stream = chain.open(info);
  x.onDone(stream);
  return stream;
}

/** Resolves the step, or answers the client per the failure and resolves undefined. */
async function guard<T>(x: RequestContext, step: Promise<T>): Promise<T | undefined> {
  try {
    return await step;
  } catch (err) {
    extensionFailed(x, err);
    return undefined;
  }
}

export function extensionFailed(x: RequestContext, err: unknown): void {
  if (x.res.headersSent) return x.reset(err as Error);
  const failure = err instanceof ExtensionError ? err.failure : 'error';
  x.reply(extensionFailureReply(failure));
}

/** Answers the client with an extension's response; false, so a step can return it. */
function immediate(x: RequestContext, r: LocalResponse): false {
  // As an edited response's list becomes headers (HeaderList.toObject): repeats as arrays, `set-cookie` a
  // list, and a `__proto__` name (a callout or plugin may send one) an own field, not the object's prototype.
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of r.headers) {
    const key = name.toLowerCase();
    if (key.charCodeAt(0) === 58) continue;
    addHeaderValue(headers, key, value);
  }
  x.reply(
    {
      status: localAnswerStatus(r.status),
      contentType: (headers['content-type'] as string) ?? 'text/plain',
      body: '',
      details: r.details ?? 'immediate_response',
    },
    headers,
    r.body,
  );
  return false;
}

/**
 * The request headers as extensions see them: the pseudo-headers, then the client's headers in order
 * (`host` is `:authority`), then `x-request-id` when the client sent none. Every line the client sent, as
 * Envoy's header map keeps it (client-headers.ts): a repeated field's lines where the client sent them, a
 * field Envoy folds as its one value at its first line's place. Names are lowercase already.
 */
function requestHeaderList(x: RequestContext): HeaderList {
  const list = new HeaderList();
  list.appendLowercase(':method', x.method);
  list.appendLowercase(':scheme', x.scheme);
  list.appendLowercase(':authority', x.requestAuthority);
  list.appendLowercase(':path', x.query === '' ? x.path : `${x.path}?${x.query}`);
  const src = x.clientHeaders;
  let hasRequestId = false;
  if (src === x.req.headers) {
    // No name repeats: Node's object holds every line, in the client's order.
    for (const name in src) {
      if (name.charCodeAt(0) === 58 || name === 'host') continue;
      const v = src[name];
      if (typeof v === 'string') list.appendLowercase(name, v);
      else if (v === undefined || v.length === 0) continue;
      else for (const one of v) list.appendLowercase(name, one);
      if (name === 'x-request-id') hasRequestId = true;
    }
  } else {
    const raw = x.req.rawHeaders;
    let placed: Set<string> | undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      if (name.charCodeAt(0) === 58 || name === 'host') continue;
      const v = src[name];
      // A list: one value per line, this line's where it stands; a string: the field's one (folded) value.
      if (typeof v !== 'string') list.appendLowercase(name, raw[i + 1]!);
      else if ((placed ??= new Set()).has(name)) continue;
      else {
        placed.add(name);
        list.appendLowercase(name, v);
      }
      if (name === 'x-request-id') hasRequestId = true;
    }
  }
  if (!hasRequestId) list.appendLowercase('x-request-id', x.requestId);
  return list;
}

function requestInfo(
  x: RequestContext,
  route: string | undefined,
  backendService: string | undefined,
): RequestInfo {
  const socket = x.req.socket;
  const info: {
    -readonly [K in keyof (RequestInfo & TraceLinked)]: (RequestInfo & TraceLinked)[K];
  } = {
    // Linked to the request's trace for tracedExtension (trace.ts linkedTrace); in every object's shape alike.
    [TRACE_LINK]: x.trace.recording ? x.trace : undefined,
    requestId: x.requestId,
    scheme: x.scheme,
    sourceAddress: socket.remoteAddress ?? '',
    sourcePort: socket.remotePort ?? 0,
    destinationAddress: socket.localAddress ?? '',
    destinationPort: socket.localPort ?? 0,
    listener: x.listener.ir.id,
  };
  if (x.scheme === 'https') {
    const sni = x.sni;
    info.tls = {
      ...(sni !== undefined ? { sni } : {}),
      version: (socket as { getProtocol?: () => string | null }).getProtocol?.() ?? '',
    };
  }
  if (route !== undefined) info.route = route;
  if (backendService !== undefined) info.backendService = backendService;
  return info;
}

/** Reads the client's body into a BodyFlow of the chain's request body and trailers events. */
function requestBodyFlow(
  x: RequestContext,
  stream: ExtensionStream,
  chain: Extension,
  headers: HeaderList,
): BodyFlow {
  const req = x.req;
  const flow = new BodyFlow({
    heldHeaders: headers,
    wantsBody: chain.events.has('RequestBody'),
    wantsTrailers: chain.events.has('RequestTrailers'),
    coalesceHeld: chain.holdsBodyDuringHeaders === true,
    h2: req.httpVersionMajor === 2,
    calls: {
      body: (chunk, eos) => stream.requestBody(chunk, eos),
      trailers: (list) => stream.requestTrailers(list),
    },
    pause: () => req.pause(),
    resume: () => req.resume(),
  });
  req.on('data', (chunk: Buffer) => flow.data(chunk));
  req.on('end', () => flow.end(HeaderList.fromObject(req.trailers as Record<string, string | undefined>)));
  x.onDone({ close: () => flow.abort() });
  return flow;
}

/** The request body as the chain passed it, read by the upstream connection. */
class RequestBodySink extends Readable implements BodySink {
  private demand: (() => void) | undefined;

  constructor(private readonly x: RequestContext) {
    super();
  }

  override _read(): void {
    const d = this.demand;
    this.demand = undefined;
    d?.();
  }

  async write(chunks: readonly Uint8Array[]): Promise<void> {
    let more = true;
    for (const c of chunks) if (c.byteLength > 0) more = this.push(c);
    if (!more) await new Promise<void>((resolve) => (this.demand = resolve));
  }

  end(trailers: ReadonlyArray<readonly [string, string]> | null): void {
    this.x.requestTrailers = trailers ?? [];
    this.push(null);
  }
}

/** Response side of a traffic chain: headers, then the body and trailers through a BodyFlow. */
class ChainResponse implements ResponseHandler, BodySink {
  private flow: BodyFlow | undefined;
  /**
   * Headers only: what the upstream delivered while the headers answer was outstanding (an HTTP/2 stream
   * may end while paused), replayed to the Exchange once the headers went down.
   */
  private held: Array<Buffer | { readonly trailers: Array<Buffer | string> | null }> | undefined;
  private sourcePaused = false;
  private resumeSource: () => void = noop;

  constructor(
    private readonly x: RequestContext,
    private readonly stream: ExtensionStream,
    private readonly chain: Extension,
  ) {}

  onHeaders(
    status: number,
    headers: Record<string, string | string[]>,
    resume: () => void,
    endOfStream: boolean,
  ): boolean {
    this.resumeSource = resume;
    const events = this.chain.events;
    if (endOfStream || (!events.has('ResponseBody') && !events.has('ResponseTrailers'))) {
      // Headers only (or a response without body, where Envoy has no body event to give): the upstream
      // waits (paused) for the headers answer, then the rest goes straight down — at once when the chain
      // answered in this turn (plugins).
      return this.headersOnly(status, headers, endOfStream);
    }
    const list = responseHeaderList(status, headers);
    const stream = this.stream;
    this.flow = new BodyFlow({
      heldHeaders: list,
      wantsBody: events.has('ResponseBody'),
      wantsTrailers: events.has('ResponseTrailers'),
      coalesceHeld: this.chain.holdsBodyDuringHeaders === true,
      h2: this.x.backend?.ir.protocol !== 'http1',
      calls: {
        body: (chunk, eos) => stream.responseBody(chunk, eos),
        trailers: (trailers) => stream.responseTrailers(trailers),
      },
      pause: () => (this.sourcePaused = true),
      resume: () => {
        if (!this.sourcePaused) return;
        this.sourcePaused = false;
        this.resumeSource();
      },
    });
    this.process(list).catch((err: unknown) => extensionFailed(this.x, err));
    // Body data keeps coming while the headers message is outstanding: the flow holds it.
    return true;
  }

  /** Returns whether the upstream may go on at once (the chain answered in this turn), as onHeaders does. */
  private headersOnly(status: number, headers: Record<string, string | string[]>, eos: boolean): boolean {
    const x = this.x;
    // Still inside onHeaders: the upstream is not paused yet, and goes on when onHeaders returns true.
    let inTurn = true;
    const done = (status: number, out: OutgoingHttpHeaders): void => {
      // The rest of the response does not concern the chain: the Exchange streams it down itself.
      x.responseHandler = undefined;
      x.writeResponseHead(status, out);
      const held = this.held;
      this.held = undefined;
      if (held !== undefined)
        for (const e of held) {
          if (Buffer.isBuffer(e)) x.onData(e);
          else x.onComplete(e.trailers);
        }
      if (!inTurn) this.resumeSource();
    };
    if (!this.chain.events.has('ResponseHeaders')) {
      done(status, headers);
      return true;
    }
    const list = responseHeaderList(status, headers);
    const before = list.version;
    const answered = answerHeaders(
      x,
      this.stream,
      'response',
      list,
      eos,
      (r): void => {
        if (x.isFinished) return;
        if (r.immediate !== undefined) return void immediate(x, r.immediate);
        // Headers no extension edited go down as the upstream sent them, without a rebuild.
        if (list.version === before) return done(status, headers);
        done(statusOf(list, status), list.toObject());
      },
      undefined,
    );
    inTurn = false;
    return !(answered instanceof Promise) && !x.isFinished;
  }

  private async process(list: HeaderList): Promise<void> {
    const x = this.x;
    const status = Number(list.getLowercase(':status'));
    if (this.chain.events.has('ResponseHeaders')) {
      const r = await this.stream.responseHeaders(list, false);
      if (x.isFinished) return;
      if (r.immediate !== undefined) return void immediate(x, r.immediate);
    }
    // The chain may change the body's length; the downstream frames it.
    if (this.chain.events.has('ResponseBody')) list.remove('content-length');
    // Read when the flow lets the headers go: a body answer may have edited them while they were held.
    const done = await this.flow!.run(this, () =>
      x.writeResponseHead(statusOf(list, status), list.toObject()),
    );
    if (done !== undefined) immediate(x, done.immediate);
  }

  onData(chunk: Buffer): boolean {
    if (this.flow !== undefined) return this.flow.data(chunk);
    (this.held ??= []).push(chunk);
    return false;
  }

  onComplete(rawTrailers: Array<Buffer | string> | null): void {
    if (this.flow === undefined) {
      (this.held ??= []).push({ trailers: rawTrailers });
      return;
    }
    let list: HeaderList | null = null;
    if (rawTrailers !== null && rawTrailers.length > 0) {
      const trailers = new HeaderList();
      forEachRawHeader(rawTrailers, (name, value) => trailers.append(name, value));
      list = trailers;
    }
    this.flow.end(list);
  }

  async write(chunks: readonly Uint8Array[]): Promise<void> {
    const res = this.x.res;
    let ok = true;
    for (const c of chunks) if (c.byteLength > 0 && !this.x.isFinished) ok = res.write(c);
    if (!ok && !this.x.isFinished) await new Promise<void>((resolve) => res.once('drain', resolve));
  }

  end(trailers: ReadonlyArray<readonly [string, string]> | null): void {
    this.x.finishResponse(trailers === null ? null : trailers.flatMap(([n, v]) => [n, v]));
  }

  close(): void {
    this.flow?.abort();
  }
}

function noop(): void {}

/** The response headers as extensions see them: `:status` with the upstream's (filtered) headers. */
function responseHeaderList(status: number, headers: Record<string, string | string[]>): HeaderList {
  // The names are lowercase already: responseHeadersFromRaw lowercased them, header modifiers lowercase theirs.
  const list = HeaderList.fromLowercaseObject(headers);
  list.setLowercase(':status', String(status));
  return list;
}

/** The status an extension left in `:status` (the upstream's when it removed it or made it unreadable). */
function statusOf(list: HeaderList, fallback: number): number {
  const v = Number(list.getLowercase(':status') ?? fallback);
  return Number.isInteger(v) ? v : fallback;
}
