// One client request through the proxy: the request context the pipeline's steps (pipeline.ts) read and
// write — request line, the one header list, listener, route, backend, trace — plus what ends a request
// (local replies, resets) and the upstream attempt: the Exchange is the undici dispatch handler of its
// upstream request, so the no-extension path allocates one object per request.

import { randomUUID } from 'node:crypto';
import { NO_TRACE, type RequestTrace } from './trace.js';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { EndpointIR, RequestRedirectIR } from '../ir/snapshot.js';
import type { ProxyContext } from './context.js';
import type { DownstreamRequest, DownstreamResponse } from './downstream.js';
import { hasRequestBody } from './downstream.js';
import { fieldsFromRaw, namesRepeat, type ClientHeaders } from './client-headers.js';
import {
  applyHeaderModifier,
  isHopByHop,
  proxyRequestHeaders,
  proxyRequestHeadersFromList,
  responseHeadersFromRaw,
  type ProxyHeaderValues,
} from './headers.js';
import { forEachRawHeader } from '../extensions/header-codec.js';
import { mirror } from './mirror.js';
import { REPLIES, type LocalReply } from './replies.js';
import {
  chooseBackend,
  type CompiledBackend,
  type CompiledListener,
  type CompiledPort,
  type CompiledRule,
} from './compiled-port.js';
import { hostWithoutPort } from './routing/host-table.js';
import type { RouteRequest } from './routing/route-matcher.js';
import { isConnectFailure, type UpstreamHandler } from './upstream/dispatcher.js';
import { endpointKey, overrideEndpoint } from './upstream/upstreams.js';
import { redirectLocation, modifyPath } from './url.js';
import { tunnel } from './upgrade.js';
import { extensionFailed } from './extension-flow.js';
import type { RequestContext, ResponseHandler } from './request-context.js';
import { runRequestPipeline } from './pipeline.js';
import type { HeaderList } from '../extensions/header-map.js';
import { ExtensionError, type HeaderMap, type RequestInfo } from '../extensions/extension.js';

/**
 * Why the upstream request is aborted once the gateway has ended the exchange itself (a local reply, a reset,
 * a timeout, or an answer that came before the upstream connected): the upstream answer is no longer wanted.
 */
const EXCHANGE_ENDED = Object.assign(
  new Error('the gateway ended the exchange before the upstream answered'),
  {
    code: 'EXTGATE_EXCHANGE_ENDED',
  },
);

export class Exchange implements UpstreamHandler, RouteRequest, RequestContext {
  listener!: CompiledListener;
  host = '';
  method: string;
  path = '/';
  query = '';
  requestId = '';
  rule: CompiledRule | undefined;
  backend: CompiledBackend | undefined;
  /** ext_proc dynamic forwarding (`ip:port`) from a routing extension. */
  selectedEndpoint: string | undefined;
  /** A dynamic forwarding target that was not an endpoint of the chosen backend (for the trace). */
  private ignoredOverride: string | undefined;
  upstreamHeaders: Record<string, string | string[]> = {};
  /**
   * The client's header fields, every line kept (client-headers.ts): Node's parsed object until a walk over
   * it finds that a name repeats (resolveClientHeaders, buildUpstreamHeaders), then the fields from the raw
   * lines.
   */
  clientHeaders: ClientHeaders;
  private clientHeadersResolved = false;
  /** Headers route matching reads, when a routing extension changed them and cleared the route cache. */
  routeHeaders: HeaderMap | undefined;
  /** Authority set by an extension (`:authority`), overriding the client's Host upstream. */
  private authority: string | undefined;
  /** Set for HTTP/1.1 Upgrade requests: forwarded through a raw tunnel instead of a pool. */
  upgrade: { readonly client: Duplex; readonly head: Buffer; readonly value: string } | undefined;
  /** The traffic chain's response step, when it takes response events (else responses go straight down). */
  responseHandler: ResponseHandler | undefined;
  /**
   * The request headers (pseudo-headers included) once an extension step needs them: from then on the one
   * header list of the request, which the upstream request is built from.
   */
  headerList: HeaderList | undefined;
  /** `headerList.version` when it was built: equal later means no extension edited the request headers. */
  headerListBuilt = 0;
  /** The RequestInfo extensions are opened with (linked to the trace). */
  extensionInfo: RequestInfo | undefined;
  /** The route the request matched before a routing extension rewrote it (kept if the rewrite matches none). */
  routeBeforeExtensions: CompiledRule | undefined;

  private endpoint: EndpointIR | undefined;
  private tried: Set<string> | undefined;
  private upstreamPath = '/';
  private abortUpstream: ((reason?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private timedOut = false;
  private responseStarted = false;
  readonly hasBody: boolean;
  private readonly startedAt: number;
  private status = 0;
  /** NO_TRACE unless a recorder records: every trace call below is then a no-op. */
  trace: RequestTrace = NO_TRACE;
  private upstreamStartedAt = 0;
  private bytesOut = 0;
  private closers: Array<{ close(): void }> | undefined;

  constructor(
    readonly ctx: ProxyContext,
    readonly port: CompiledPort,
    readonly req: DownstreamRequest,
    readonly res: DownstreamResponse,
  ) {
    this.method = req.method ?? 'GET';
    this.hasBody = hasRequestBody(req);
    this.clientHeaders = req.headers;
    this.startedAt = ctx.observer !== undefined ? performance.now() : 0;
  }

  header(name: string): string | undefined {
    if (this.routeHeaders !== undefined) {
      const all = this.routeHeaders.getAll(name);
      return all.length === 0 ? undefined : all.join(',');
    }
    const v = this.clientHeaders[name];
    return Array.isArray(v) ? v.join(',') : v;
  }

  get scheme(): 'http' | 'https' {
    return this.port.ir.protocol === 'HTTPS' ? 'https' : 'http';
  }

  get sni(): string | undefined {
    const s = (this.req.socket as TLSSocket).servername;
    return typeof s === 'string' && s !== '' ? s.toLowerCase() : undefined;
  }

  /** Parses the request target and runs the request pipeline. */
  start(): void {
    const req = this.req;
    this.ctx.stats.requests++;
    const headers = this.clientHeaders;
    const authority = (headers.host ?? headers[':authority']) as string | undefined;
    this.host = hostWithoutPort(authority);
    let url = req.url ?? '/';
    if (url.charCodeAt(0) !== 47 /* / */ && /^https?:\/\//i.test(url)) {
      // Absolute-form request target (RFC 9112 §3.2.2): its authority wins over Host.
      const at = url.indexOf('/', url.indexOf('//') + 2);
      this.setAuthority(url.slice(url.indexOf('//') + 2, at < 0 ? url.length : at));
      url = at < 0 ? '/' : url.slice(at);
    }
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.query = q < 0 ? '' : url.slice(q + 1);
    runRequestPipeline(this);
  }

  /** Pipeline step "listener": HTTPS picks the Gateway listener by SNI (as the certificate was), else Host. */
  selectListener(): boolean {
    const req = this.req;
    const sni = this.sni;
    const listener =
      this.port.only ??
      (sni !== undefined ? this.port.listeners.find(sni) : undefined) ??
      this.port.listeners.find(this.host);
    if (listener === undefined) {
      this.reply(REPLIES.noListener);
      return false;
    }
    // A Host that another listener serves than the one the SNI chose (whose certificate the client accepted)
    // is misdirected: 421 (RFC 9110 §15.5.20; Gateway API GatewayHTTPSListenerDetectMisdirectedRequests).
    if (
      sni !== undefined &&
      this.port.only === undefined &&
      this.port.listeners.find(this.host) !== listener
    ) {
      this.reply(REPLIES.misdirected);
      return false;
    }
    this.listener = listener;
    const headers = this.clientHeaders;
    this.requestId = (headers['x-request-id'] as string | undefined) ?? randomUUID();
    const recorder = this.ctx.recorder;
    if (recorder?.enabled) {
      this.trace = recorder.begin({
        requestId: this.requestId,
        method: this.method,
        authority: (headers.host ?? headers[':authority'] ?? '') as string,
        path: this.query === '' ? this.path : `${this.path}?${this.query}`,
        scheme: this.scheme,
        source: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        headers: req.rawHeaders,
      });
      this.trace.listener(listener.ir.id);
    }
    this.res.on('close', () => this.onClientClose());
    return true;
  }

  /** Takes host, path and method back from the header list's (possibly mutated) pseudo-headers. */
  adoptRequestLine(): void {
    const headers = this.headerList;
    if (headers === undefined) return;
    const authority = headers.getLowercase(':authority');
    if (authority !== undefined) this.setAuthority(authority);
    const path = headers.getLowercase(':path');
    if (path !== undefined) {
      const q = path.indexOf('?');
      this.path = q < 0 ? path : path.slice(0, q);
      this.query = q < 0 ? '' : path.slice(q + 1);
    }
    const method = headers.getLowercase(':method');
    if (method !== undefined) this.method = method;
  }

  /** Closes `it` once when the exchange ends, however it ends (extension streams are closed this way). */
  onDone(it: { close(): void }): void {
    (this.closers ??= []).push(it);
  }

  /** The authority the request goes upstream with: an extension's or absolute-form's, else the client's. */
  get requestAuthority(): string {
    const h = this.clientHeaders;
    return (this.authority ?? h.host ?? h[':authority'] ?? this.host) as string;
  }

  setAuthority(authority: string): void {
    this.authority = authority;
    this.host = hostWithoutPort(authority);
  }

  /** Redirect and backend choice; false when the exchange was answered locally. */
  prepare(rule: CompiledRule): boolean {
    this.rule = rule;
    if (rule.redirect !== undefined) return this.redirect(rule.redirect);
    if (rule.backends.length === 0) {
      this.reply(REPLIES.noBackendRefs);
      return false;
    }
    const backend = chooseBackend(rule);
    if (backend === undefined || backend.ir.invalid !== undefined) {
      this.reply(REPLIES.invalidBackend);
      return false;
    }
    // A redirect on the chosen backendRef answers instead of the backend (HTTPRouteBackendRequestRedirect).
    if (backend.redirect !== undefined) return this.redirect(backend.redirect);
    this.backend = backend;
    return true;
  }

  /** Answers with a redirect; false (answered locally) for prepare's caller. */
  private redirect(redirect: RequestRedirectIR): false {
    const location = redirectLocation(redirect, {
      scheme: this.scheme,
      host: this.host,
      listenerPort: this.listener.ir.specPort,
      path: this.path,
      search: this.query === '' ? '' : `?${this.query}`,
    });
    this.reply(
      { status: redirect.statusCode, contentType: 'text/plain', body: '', details: 'redirect' },
      { location },
    );
    return false;
  }

  /** Header modifiers, URL rewrite, timeouts and mirrors of the selected rule and backend. */
  applyFilters(): void {
    const rule = this.rule!;
    const backend = this.backend!;
    const headers = this.upstreamHeaders;
    for (const m of rule.requestHeaders) applyHeaderModifier(headers, m);
    for (const m of backend.requestHeaders) applyHeaderModifier(headers, m);
    let path = this.path;
    for (const rewrite of [rule.rewrite, backend.rewrite]) {
      if (rewrite === undefined) continue;
      if (rewrite.hostname !== undefined) headers.host = rewrite.hostname;
      if (rewrite.path !== undefined) path = modifyPath(path, rewrite.path);
    }
    this.upstreamPath = this.query === '' ? path : `${path}?${this.query}`;
    const { requestMs, backendRequestMs } = rule.ir.timeouts;
    const limit = Math.min(requestMs ?? Infinity, backendRequestMs ?? Infinity);
    if (limit !== Infinity && limit > 0 && this.upgrade === undefined)
      this.timer = setTimeout(() => this.onTimeout(), limit);
    // Fire and forget; requests with a body are not mirrored (the body streams once, to the real backend).
    if (!this.hasBody) {
      for (const m of rule.mirrors)
        if (m.percent === undefined || Math.random() * 100 < m.percent)
          mirror(this.ctx.upstreams, m.target, this.method, this.upstreamPath, this.upstreamHeaders);
    }
  }

  /**
   * The upstream request's headers: the client's minus hop-by-hop ones, plus the standard proxy headers; from
   * the extensions' list, in one walk, once one edited it (else the client's headers as Node parsed them).
   */
  buildUpstreamHeaders(): boolean {
    const list = this.headerList;
    const p: ProxyHeaderValues = {
      authority: this.authority,
      hostname: this.host,
      client: this.req.socket.remoteAddress ?? '',
      scheme: this.scheme,
      via: this.ctx.via,
      requestId: this.requestId,
      // gRPC over HTTP/2 needs `te: trailers` end to end; HTTP/1.1 backends get no hop-by-hop fields at all.
      keepTeTrailers: this.backend !== undefined && this.backend.ir.protocol !== 'http1',
    };
    if (list !== undefined && list.version !== this.headerListBuilt) {
      this.upstreamHeaders = proxyRequestHeadersFromList(list, p);
      return true;
    }
    if (!this.clientHeadersResolved) {
      // Node's object, its keys counted in the walk: undefined when a name repeats.
      const fromNode = proxyRequestHeaders(this.clientHeaders, p, this.req.rawHeaders.length);
      if (fromNode !== undefined) {
        this.upstreamHeaders = fromNode;
        return true;
      }
      if (!this.adoptRawFields()) return false;
    }
    this.upstreamHeaders = proxyRequestHeaders(this.clientHeaders, p);
    return true;
  }

  /**
   * Makes `clientHeaders` every line the client sent (client-headers.ts), once; false when the request has more
   * than one Host, answered 400 (RFC 9112 §3.2) before anything reaches an extension or the backend.
   */
  resolveClientHeaders(): boolean {
    if (this.clientHeadersResolved) return true;
    if (!namesRepeat(this.req)) {
      this.clientHeadersResolved = true;
      return true;
    }
    return this.adoptRawFields();
  }

  /** The fields read again from the raw lines (a name repeats); false, answered 400, for two Hosts. */
  private adoptRawFields(): boolean {
    this.clientHeadersResolved = true;
    const fields = fieldsFromRaw(this.req);
    if (fields === undefined) {
      this.reply(REPLIES.duplicateHost);
      return false;
    }
    this.clientHeaders = fields;
    return true;
  }

  /** Sends the request to an endpoint of the chosen backend (another one after a refused connection). */
  forward(): void {
    const backend = this.backend!;
    let endpoint: EndpointIR | undefined;
    if (this.selectedEndpoint !== undefined && this.tried === undefined) {
      endpoint = overrideEndpoint(backend.ir, this.selectedEndpoint);
      if (endpoint === undefined) {
        // Not an endpoint of the chosen backend: ignored, the load balancer chooses (and the trace says so).
        this.ignoredOverride = this.selectedEndpoint;
        this.ctx.stats.ignoredOverrides++;
      }
    }
    endpoint ??= this.ctx.upstreams.pick(backend.ir, this.tried);
    if (endpoint === undefined) {
      return this.reply(this.tried === undefined ? REPLIES.noEndpoints : REPLIES.connectFailure);
    }
    this.endpoint = endpoint;
    if (this.trace.recording) this.upstreamStartedAt = performance.now();
    if (this.upgrade !== undefined) {
      tunnel(
        {
          endpoint,
          method: this.method,
          path: this.upstreamPath,
          headers: this.upstreamHeaders,
          upgrade: this.upgrade.value,
          client: this.upgrade.client,
          head: this.upgrade.head,
        },
        this,
      );
      return;
    }
    const dispatcher = this.ctx.upstreams.dispatcher(endpoint, backend.ir.protocol);
    const body = this.hasBody ? (this.requestBody ?? this.req) : null;
    dispatcher.dispatch(
      {
        path: this.upstreamPath,
        method: this.method,
        headers: this.upstreamHeaders,
        body,
        // Only a request with a body can have trailers; a bodyless one (most) allocates nothing for them.
        trailers:
          body === null
            ? undefined
            : () => forwardableTrailers(this.requestTrailers ?? Object.entries(this.req.trailers ?? {})),
        headersTimeout: this.timer === undefined ? this.ctx.limits.defaultBackendTimeoutMs : 0,
      },
      this,
    );
  }

  /** Replaced by the extension flow when a traffic chain processes the request body. */
  requestBody: import('node:stream').Readable | undefined;
  /** The request trailers as the extensions left them (the client's, when no extension saw them). */
  requestTrailers: ReadonlyArray<readonly [string, string]> | undefined;

  // ----- undici handler -------------------------------------------------------------------------------

  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.finished) abort(EXCHANGE_ENDED);
  }

  onHeaders(
    statusCode: number,
    raw: Array<Buffer | string>,
    resume: () => void,
    _statusText?: string,
    endOfStream?: boolean,
  ): boolean {
    if (statusCode < 200) return true;
    if (this.finished) return false;
    this.resumeUpstream = resume;
    this.responseStarted = true;
    this.status = statusCode;
    if (this.trace.recording) {
      this.trace.upstream({
        endpoint: this.endpoint ? endpointKey(this.endpoint) : '',
        status: statusCode,
        latencyMs: performance.now() - this.upstreamStartedAt,
        response: this.trace.capturing ? this.trace.capture(raw.map(String)) : undefined,
        ...(this.ignoredOverride !== undefined ? { ignoredOverride: this.ignoredOverride } : {}),
      });
    }
    if (this.endpoint !== undefined && this.tried !== undefined) this.ctx.upstreams.restore(this.endpoint);
    const headers = responseHeadersFromRaw(raw);
    const rule = this.rule!;
    const backend = this.backend!;
    for (const m of rule.responseHeaders) applyHeaderModifier(headers, m);
    for (const m of backend.responseHeaders) applyHeaderModifier(headers, m);
    if (this.responseHandler !== undefined)
      return this.responseHandler.onHeaders(
        statusCode,
        headers,
        resume,
        endOfStream ?? this.responseCannotHaveBody(statusCode, headers),
      );
    this.res.writeHead(statusCode, headers);
    return true;
  }

  /**
   * Whether an HTTP/1.1 response has no body, by Envoy's rule (`http1/codec_impl.cc`,
   * `ClientConnectionImpl::cannotHaveBody`): a HEAD request, 204, 304, or a 2xx+ with content-length 0 (not
   * chunked; transfer-encoding is already gone from `headers`, and llhttp refuses both together). Envoy then
   * decodes the headers with end_stream true. HTTP/2 upstreams say it themselves (END_STREAM on HEADERS).
   */
  private responseCannotHaveBody(status: number, headers: Record<string, string | string[]>): boolean {
    return this.method === 'HEAD' || status === 204 || status === 304 || headers['content-length'] === '0';
  }

  /** Downstream: called by the traffic chain's response handler once response headers went through it. */
  writeResponseHead(statusCode: number, headers: OutgoingHttpHeaders): void {
    this.status = statusCode;
    if (!this.finished) this.res.writeHead(statusCode, headers);
  }

  onData(chunk: Buffer): boolean {
    this.bytesOut += chunk.length;
    if (this.finished) return false;
    if (this.responseHandler !== undefined) return this.responseHandler.onData(chunk);
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.onDrain);
    return false;
  }

  private readonly onDrain = (): void => {
    this.resumeUpstream?.();
  };

  onComplete(rawTrailers: Array<Buffer | string> | null): void {
    if (this.finished) return;
    if (this.responseHandler !== undefined) {
      this.responseHandler.onComplete(rawTrailers);
      return;
    }
    this.finishResponse(rawTrailers);
  }

  finishResponse(rawTrailers: Array<Buffer | string> | null): void {
    if (this.finished) return;
    if (rawTrailers !== null && rawTrailers.length > 0) {
      const trailers: OutgoingHttpHeaders = {};
      forEachRawHeader(rawTrailers, (name, value) => (trailers[name.toLowerCase()] = value));
      this.res.addTrailers(trailers);
    }
    this.finished = true;
    this.settle('via_upstream');
    this.res.end();
  }

  onError(err: Error): void {
    if (this.finished) return;
    if (err instanceof ExtensionError) return extensionFailed(this, err);
    const endpoint = this.endpoint;
    if (this.trace.recording && !this.responseStarted) {
      this.trace.upstream({
        endpoint: endpoint ? endpointKey(endpoint) : '',
        status: 0,
        latencyMs: performance.now() - this.upstreamStartedAt,
        error: err.message,
        ...(this.ignoredOverride !== undefined ? { ignoredOverride: this.ignoredOverride } : {}),
      });
    }
    if (!this.responseStarted && !this.timedOut && isConnectFailure(err) && endpoint !== undefined) {
      this.ctx.upstreams.eject(endpoint);
      // Nothing reached the backend: another endpoint can take the request, if its body is still unread.
      if (!this.hasBody || (this.requestBody === undefined && !this.req.readableDidRead)) {
        (this.tried ??= new Set()).add(endpointKey(endpoint));
        return this.forward();
      }
      this.ctx.stats.upstreamErrors++;
      return this.reply(REPLIES.connectFailure);
    }
    this.ctx.stats.upstreamErrors++;
    if (this.responseStarted || this.res.headersSent) return this.reset(err);
    const code = (err as { code?: string }).code;
    if (this.timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return this.reply(REPLIES.upstreamTimeout);
    }
    return this.reply(REPLIES.upstreamReset);
  }

  onUpgrade(_statusCode: number, _raw: Array<Buffer | string> | null, socket: Duplex): void {
    socket.destroy();
  }

  /** The Upgrade tunnel is up: from now on bytes flow without the Exchange. */
  onTunnel(): void {
    this.responseStarted = true;
    this.finished = true;
    this.status = 101;
    this.settle('upgrade');
  }

  // ----- endings --------------------------------------------------------------------------------------

  private onTimeout(): void {
    this.timer = undefined;
    if (this.finished) return;
    this.timedOut = true;
    if (this.res.headersSent) return this.reset(EXCHANGE_ENDED);
    this.reply(REPLIES.upstreamTimeout);
  }

  private onClientClose(): void {
    // Ended already (answered, reset, or handed to an Upgrade tunnel, which closes its own sockets).
    if (this.finished) return;
    // The client went away (or the response errored): stop the upstream side too.
    this.finished = true;
    this.status = 0;
    this.settle('client_closed');
    this.abortUpstream?.(new Error('client closed'));
    this.responseHandler?.close();
  }

  reply(r: LocalReply, extraHeaders?: Record<string, string | string[]>, bodyBytes?: Uint8Array): void {
    if (this.finished) return;
    this.finished = true;
    this.status = r.status;
    // Counted before settle() reports the request: response_bytes includes local and immediate replies.
    if (!this.res.headersSent) this.bytesOut += bodyBytes?.length ?? Buffer.byteLength(r.body);
    this.settle(r.details);
    this.ctx.stats.localReplies++;
    this.abortUpstream?.(EXCHANGE_ENDED);
    const res = this.res;
    if (res.headersSent) {
      this.cut();
      return;
    }
    const body = bodyBytes ?? Buffer.from(r.body);
    res.writeHead(r.status, {
      'content-type': r.contentType,
      'content-length': body.length,
      ...(this.requestId !== '' ? { 'x-request-id': this.requestId } : {}),
      ...extraHeaders,
    });
    res.end(body);
  }

  /** After response headers went out nothing can be answered: reset the stream (HTTP/2) or connection. */
  reset(_err: Error): void {
    if (this.finished && this.res.writableEnded) return;
    this.finished = true;
    this.status = 0;
    this.settle('reset');
    this.ctx.stats.resets++;
    this.abortUpstream?.(EXCHANGE_ENDED);
    this.cut();
  }

  /** Ends a response whose headers went out: RST_STREAM on HTTP/2, connection close on HTTP/1.1. */
  private cut(): void {
    this.res.abort();
  }

  get isFinished(): boolean {
    return this.finished;
  }

  private settle(details: string): void {
    if (this.trace.recording) {
      this.trace.end({
        status: this.status,
        bytes: this.bytesOut,
        ...(details === 'via_upstream' || details === 'upgrade' || this.status > 0 ? {} : { error: details }),
      });
    }
    const observer = this.ctx.observer;
    if (observer !== undefined) {
      try {
        observer.requestEnd({
          requestId: this.requestId,
          listener: this.listener?.ir.id,
          route: this.rule?.ir.route,
          rule: this.rule?.ir.ruleId,
          backend: this.backend?.ir.id,
          method: this.method,
          host: this.host,
          path: this.path,
          status: this.status,
          details,
          durationMs: performance.now() - this.startedAt,
        });
      } catch {
        // An observer must not break the request path.
      }
    }
    const closers = this.closers;
    if (closers !== undefined) {
      this.closers = undefined;
      for (const c of closers) c.close();
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

/** Fields a trailer section must not carry (RFC 9110 §6.5.1): framing, routing, and connection-specific ones. */
const NOT_IN_TRAILERS = new Set(['content-length', 'host', 'trailer']);

function forwardableTrailers(
  trailers: Iterable<readonly [string, string | string[] | undefined]>,
): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const [name, value] of trailers) {
    const n = name.toLowerCase();
    if (value === undefined || NOT_IN_TRAILERS.has(n) || isHopByHop(n) || n.startsWith(':')) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([n, v]);
  }
  return out;
}
