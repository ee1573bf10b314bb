// Extension events as trace steps, so that neither the chains nor the extensions know about tracing:
// `tracedExtension` wraps one chain member (callout or plugin) and records a step into the request's trace
// (the data plane's interface, trace.ts) for every event it answers — headers/body before and after,
// latency, effect, the failure.
//
// Wiring: give the ExtensionFactory handed to `compileChains` wrapped members,
//   { callout: (ir, chain) => tracedExtension(callouts(ir), traceOf, chainKindOf(chain)), ... }
// where `traceOf(request)` returns the RequestTrace the data plane began for that request.

import type { ExtensionChainIR, HttpEvent } from '../ir/snapshot.js';
import {
  ExtensionError,
  type BodyStepResult,
  type Direction,
  type Extension,
  type ExtensionStream,
  type HeaderMap,
  type RequestInfo,
  type StepResult,
} from '../extensions/extension.js';
import type { CapturedMessage, ChainKind, RequestTrace, TraceEffect } from './trace.js';

export type TraceOf = (request: RequestInfo) => RequestTrace | undefined;

const NO_HEADERS: ReadonlyArray<readonly [string, string]> = [];

/** `ext`, recording a trace step per event when the request's trace records; otherwise `ext`'s own stream. */
export function tracedExtension(
  ext: Extension,
  traceOf: TraceOf,
  kind: ChainKind,
  plugin?: { readonly key: string; readonly version: string },
): Extension {
  return {
    id: ext.id,
    failOpen: ext.failOpen,
    events: ext.events,
    ...(ext.holdsBodyDuringHeaders !== undefined
      ? { holdsBodyDuringHeaders: ext.holdsBodyDuringHeaders }
      : {}),
    open(request: RequestInfo): ExtensionStream {
      const stream = ext.open(request);
      const trace = traceOf(request);
      return trace?.recording ? new TracedStream(ext, kind, stream, trace, plugin) : stream;
    },
  };
}

/** Whether a chain runs before route selection (routing) or after it (traffic), from its IR. */
export function chainKindOf(chain: ExtensionChainIR): ChainKind {
  return chain.resourceKind === 'GCPRoutingExtension' ? 'routing' : 'traffic';
}

class TracedStream implements ExtensionStream {
  constructor(
    private readonly ext: Extension,
    private readonly kind: ChainKind,
    private readonly inner: ExtensionStream,
    private readonly trace: RequestTrace,
    private readonly plugin: { readonly key: string; readonly version: string } | undefined,
  ) {}

  requestHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    return this.headers('RequestHeaders', headers, () => this.inner.requestHeaders(headers, endOfStream));
  }
  responseHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    return this.headers('ResponseHeaders', headers, () => this.inner.responseHeaders(headers, endOfStream));
  }
  requestTrailers(trailers: HeaderMap): Promise<StepResult> {
    return this.headers('RequestTrailers', trailers, () => this.inner.requestTrailers(trailers));
  }
  responseTrailers(trailers: HeaderMap): Promise<StepResult> {
    return this.headers('ResponseTrailers', trailers, () => this.inner.responseTrailers(trailers));
  }
  requestBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    return this.body('RequestBody', chunk, () => this.inner.requestBody(chunk, endOfStream));
  }
  responseBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    return this.body('ResponseBody', chunk, () => this.inner.responseBody(chunk, endOfStream));
  }
  close(): void {
    this.inner.close();
  }

  /**
   * A plugin answers headers in this turn (ExtensionStream.headersNow): traced, it still does, so a request
   * whose trace only feeds the access log and metrics (every request in the product) keeps the synchronous
   * path. Undefined (nothing ran) when the inner stream cannot.
   */
  headersNow(direction: Direction, headers: HeaderMap, endOfStream: boolean): StepResult | undefined {
    const inner = this.inner;
    if (inner.headersNow === undefined) return undefined;
    const event: HttpEvent = direction === 'request' ? 'RequestHeaders' : 'ResponseHeaders';
    const before = this.trace.capturing ? this.trace.capture(headers) : undefined;
    const startedAt = performance.now();
    let result: StepResult | undefined;
    try {
      result = inner.headersNow(direction, headers, endOfStream);
    } catch (err) {
      this.failed(event, startedAt, err, before);
      throw err;
    }
    if (result !== undefined)
      this.record(
        event,
        startedAt,
        result,
        before,
        this.trace.capturing ? this.trace.capture(headers) : undefined,
      );
    return result;
  }

  private headers(event: HttpEvent, headers: HeaderMap, run: () => Promise<StepResult>): Promise<StepResult> {
    return this.step(
      event,
      () => this.trace.capture(headers),
      run,
      () => this.trace.capture(headers),
    );
  }

  private body(
    event: HttpEvent,
    chunk: Uint8Array,
    run: () => Promise<BodyStepResult>,
  ): Promise<BodyStepResult> {
    return this.step(
      event,
      () => this.trace.capture(NO_HEADERS, chunk),
      run,
      (result) => this.trace.capture(NO_HEADERS, result.chunks),
    );
  }

  /** Runs one event, recording what it saw before and after (captures only while the trace is capturing). */
  private async step<R extends StepResult>(
    event: HttpEvent,
    captureBefore: () => CapturedMessage | undefined,
    run: () => Promise<R>,
    captureAfter: (result: R) => CapturedMessage | undefined,
  ): Promise<R> {
    const before = this.trace.capturing ? captureBefore() : undefined;
    const startedAt = performance.now();
    let result: R;
    try {
      result = await run();
    } catch (err) {
      this.failed(event, startedAt, err, before);
      throw err;
    }
    this.record(event, startedAt, result, before, this.trace.capturing ? captureAfter(result) : undefined);
    return result;
  }

  private record(
    event: HttpEvent,
    startedAt: number,
    r: StepResult,
    before?: CapturedMessage,
    after?: CapturedMessage,
  ): void {
    const latencyMs = performance.now() - startedAt;
    this.trace.step({
      extension: this.ext.id,
      event,
      startedAt,
      latencyMs,
      effect: r.immediate ? 'IMMEDIATE_RESPONSE' : (r.effect ?? 'NONE'),
      plugin: this.plugin,
      before,
      after,
      // Most answers carry nothing to explain: no list built for them (this runs for every event).
      details:
        r.immediate !== undefined || r.clearRouteCache === true || r.selectedEndpoint !== undefined
          ? this.details(r)
          : undefined,
    });
  }

  private details(r: StepResult): string {
    const details: string[] = [];
    if (r.immediate)
      details.push(
        `immediate response ${r.immediate.status}${r.immediate.details ? ` (${r.immediate.details})` : ''}`,
      );
    // Only a routing chain re-selects the route; a traffic extension runs after the backend is chosen and,
    // as on GKE, does not change it.
    if (r.clearRouteCache)
      details.push(
        this.kind === 'routing'
          ? 'clear_route_cache: route re-selected'
          : 'clear_route_cache ignored: a traffic extension does not change the route',
      );
    if (r.selectedEndpoint) details.push(`endpoint selected: ${r.selectedEndpoint}`);
    return details.join('; ');
  }

  private failed(event: HttpEvent, startedAt: number, err: unknown, before?: CapturedMessage): void {
    const effect: TraceEffect = this.ext.failOpen ? 'FAILED_OPEN' : 'ERROR';
    this.trace.step({
      extension: this.ext.id,
      event,
      startedAt,
      latencyMs: performance.now() - startedAt,
      effect,
      error: err instanceof ExtensionError ? `${err.failure}: ${err.message}` : String(err),
      grpcStatus: err instanceof ExtensionError ? err.grpcStatus : undefined,
      plugin: this.plugin,
      before,
    });
  }
}
