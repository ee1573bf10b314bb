// What the request pipeline's steps (pipeline.ts, extension-flow.ts) read and write of one request: the
// Exchange implements it. A leaf module of types only, so the steps do not import the Exchange and the
// Exchange can import the steps without a cycle.

import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { HeaderList } from '../extensions/header-map.js';
import type { HeaderMap, RequestInfo } from '../extensions/extension.js';
import type { CompiledBackend, CompiledListener, CompiledRule } from './compiled-port.js';
import type { ProxyContext } from './context.js';
import type { ClientHeaders } from './client-headers.js';
import type { DownstreamRequest, DownstreamResponse } from './downstream.js';
import type { LocalReply } from './replies.js';
import type { RouteRequest } from './routing/route-matcher.js';
import type { RequestTrace } from './trace.js';

/** What a step returns: go on (true), answered (false), or either once an extension answered. */
export type StepOutcome = boolean | Promise<boolean>;

/** A response step after the route filters: the traffic chain's handler (it ends in the downstream). */
export interface ResponseHandler {
  /**
   * Returns false to pause the upstream until `resume` is called. `endOfStream`: the response has no body
   * (HEAD, 204, 304, content-length 0, HTTP/2 HEADERS with END_STREAM), as Envoy's codecs report it.
   */
  onHeaders(
    status: number,
    headers: Record<string, string | string[]>,
    resume: () => void,
    endOfStream: boolean,
  ): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(rawTrailers: Array<Buffer | string> | null): void;
  close(): void;
}

/** One request as the pipeline's steps see it. */
export interface RequestContext extends RouteRequest {
  readonly ctx: ProxyContext;
  readonly req: DownstreamRequest;
  /** The client's header fields, every line kept as Envoy keeps it (client-headers.ts). */
  readonly clientHeaders: ClientHeaders;
  readonly res: DownstreamResponse;
  readonly listener: CompiledListener;
  readonly scheme: 'http' | 'https';
  readonly sni: string | undefined;
  readonly requestId: string;
  readonly requestAuthority: string;
  readonly hasBody: boolean;
  readonly trace: RequestTrace;
  readonly isFinished: boolean;
  rule: CompiledRule | undefined;
  readonly backend: CompiledBackend | undefined;
  selectedEndpoint: string | undefined;
  routeHeaders: HeaderMap | undefined;
  routeBeforeExtensions: CompiledRule | undefined;
  responseHandler: ResponseHandler | undefined;
  headerList: HeaderList | undefined;
  headerListBuilt: number;
  extensionInfo: RequestInfo | undefined;
  requestBody: Readable | undefined;
  requestTrailers: ReadonlyArray<readonly [string, string]> | undefined;

  selectListener(): boolean;
  adoptRequestLine(): void;
  prepare(rule: CompiledRule): boolean;
  /** The upstream request's headers, from the client's or (once an extension edited them) the header list. */
  buildUpstreamHeaders(): boolean;
  /** Makes `clientHeaders` every line the client sent; false when answered 400 (more than one Host). */
  resolveClientHeaders(): boolean;
  applyFilters(): void;
  forward(): void;
  onDone(it: { close(): void }): void;
  reply(r: LocalReply, extraHeaders?: Record<string, string | string[]>, bodyBytes?: Uint8Array): void;
  reset(err: Error): void;
  writeResponseHead(statusCode: number, headers: OutgoingHttpHeaders): void;
  onData(chunk: Buffer): boolean;
  onComplete(rawTrailers: Array<Buffer | string> | null): void;
  finishResponse(rawTrailers: Array<Buffer | string> | null): void;
}
