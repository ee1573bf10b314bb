// The one interface every extension kind implements (ext_proc callout, Proxy-Wasm plugin), per HTTP event.
//
// The data plane never calls callouts or plugins by name: it runs an ExtensionChain (a list of these), and
// each extension sees the mutations of the ones before it. One ExtensionStream lives for one HTTP request.
// Headers are passed as a mutable HeaderMap that the extension edits in place; body chunks are returned
// (possibly replaced). A stream answers each event with a StepResult; a failure is a thrown ExtensionError,
// which the chain turns into fail-open (skip) or fail-closed (the seed's JSON 500/404, docs/spec/README.md) by `failOpen`.

import type { HttpEvent } from '../ir/snapshot.js';

/**
 * Ordered, case-insensitive header multimap. Names are stored lowercased. Pseudo-headers (`:method`,
 * `:path`, `:authority`, `:scheme`, `:status`) are carried in the same map, as ext_proc and Proxy-Wasm do.
 */
export interface HeaderMap {
  get(name: string): string | undefined;
  getAll(name: string): string[];
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  remove(name: string): void;
  has(name: string): boolean;
  entries(): Array<[string, string]>;
  readonly size: number;
}

/** What an extension sees of the request besides headers; read-only. */
export interface RequestInfo {
  /** `x-request-id` (generated when the client sent none). */
  readonly requestId: string;
  readonly scheme: 'http' | 'https';
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly destinationAddress: string;
  readonly destinationPort: number;
  /** Downstream TLS details, when the listener is HTTPS. */
  readonly tls?: { readonly sni?: string; readonly version?: string; readonly peerCertSha256?: string };
  /** The Gateway listener id (`ns/gateway/listener`). */
  readonly listener: string;
  /** Set once a route is selected (traffic extensions always see it; routing extensions do not). */
  readonly route?: string;
  readonly backendService?: string;
}

/** A response produced by an extension instead of the upstream's. */
export interface LocalResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array;
  /** For the access log and trace: who answered and why (e.g. `immediate_response`, `send_local_response`). */
  readonly details?: string;
}

export interface StepResult {
  /** Answer the client with this instead of continuing. Ends the chain for this request. */
  readonly immediate?: LocalResponse;
  /** Request headers changed in a way that must re-select the route (ext_proc `clear_route_cache`). */
  readonly clearRouteCache?: boolean;
  /** ext_proc dynamic forwarding: `ip:port` of the endpoint to use for this request. */
  readonly selectedEndpoint?: string;
  /** What the step did, as GKE's logs name it; traces add ERROR for a failure (dataplane/trace.ts TraceEffect). */
  readonly effect?: StepEffect;
}

export type StepEffect = 'NONE' | 'CONTENT_MODIFIED' | 'IMMEDIATE_RESPONSE' | 'FAILED_OPEN';

/**
 * Answer to a trailers event. A FullDuplexStreamed callout may still be streaming body when it answers the
 * trailers: that body comes back here and goes out before the trailers.
 */
export interface TrailersStepResult extends StepResult {
  readonly chunks?: readonly Uint8Array[];
}

export interface BodyStepResult extends StepResult {
  /** The chunk(s) to pass on in place of the input chunk; may be empty (the extension consumed it). */
  readonly chunks: readonly Uint8Array[];
  /**
   * Header edits the answer carries for its direction's headers. They apply only while those headers are
   * still held, waiting for this answer (ext_proc: a body answer's `header_mutation` in Envoy's buffered-body
   * state, `processor_state.cc` `handleBodyResponse`); the data plane calls this then and ignores it
   * otherwise. Returns whether anything changed; throws ExtensionError for a malformed mutation.
   */
  readonly editHeldHeaders?: (headers: HeaderMap) => boolean;
}

/** Per-request stream of one extension. Only the events listed in `events` are called. */
export interface ExtensionStream {
  requestHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult>;
  requestBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult>;
  requestTrailers(trailers: HeaderMap): Promise<TrailersStepResult>;
  responseHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult>;
  responseBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult>;
  responseTrailers(trailers: HeaderMap): Promise<TrailersStepResult>;
  /**
   * The headers event answered in this turn, for a stream that needs no I/O to answer (a Proxy-Wasm plugin
   * runs synchronously): the data plane then goes on without a promise and a microtask hop per event.
   * Returns undefined, having run nothing, when the event must go through the promise form instead (a chain
   * whose members are not all synchronous); otherwise the same result, and failures are thrown
   * (ExtensionError) where the promise form rejects.
   */
  headersNow?(direction: Direction, headers: HeaderMap, endOfStream: boolean): StepResult | undefined;
  /** Request finished (completed, failed or cancelled): release resources; never throws. */
  close(): void;
}

export type Direction = 'request' | 'response';

export interface Extension {
  /** The IR id (`<chain id>/<extension name>`). */
  readonly id: string;
  readonly failOpen: boolean;
  readonly events: ReadonlySet<HttpEvent>;
  /**
   * ext_proc semantics (a callout, or a chain with one): body data that arrives while a headers message is
   * outstanding is held, and a body complete by the headers answer goes as one message that the headers wait
   * for. Proxy-Wasm plugins answer headers at once and hold nothing.
   */
  readonly holdsBodyDuringHeaders?: boolean;
  open(request: RequestInfo): ExtensionStream;
}

/**
 * Why an extension failed. `unreachable` (cannot connect) answers 404 NOT_FOUND, every other kind 500
 * INTERNAL, as the seed's troubleshooting section says.
 */
export type ExtensionFailure = 'unreachable' | 'timeout' | 'error' | 'protocol' | 'limit';

export class ExtensionError extends Error {
  constructor(
    readonly failure: ExtensionFailure,
    message: string,
    readonly grpcStatus?: number,
  ) {
    super(message);
    this.name = 'ExtensionError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Chains, as the data plane sees them.
//
// A chain is itself an Extension: its stream runs the chain's members in order on the request path and in
// reverse on the response path, applies each member's failOpen, and lets mutations flow from one member to
// the next. The data plane compiles the chains of a listener once per snapshot (`compileChains` in
// chain.ts) and asks, per request, which chain (if any) runs.

export interface CompiledChains {
  /** The first chain whose match condition holds for this request, or undefined (no chain runs). */
  select(request: RequestInfo, headers: HeaderMap): Extension | undefined;
}
