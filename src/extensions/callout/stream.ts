// One ext_proc `Process` stream for one HTTP request: the client half of docs/spec/ext-proc.md §3-§5.
//
// The stream opens lazily on the first event. Each sent message that needs an answer is a Waiter, queued per
// direction (the request and the response path are independent state machines sharing one gRPC stream,
// §4.3); answers must match the head waiter of their direction, anything else is out of protocol. Streamed
// body chunks may be pipelined (several waiters). In FullDuplexStreamed the answers are a separate stream of
// `streamed_response` chunks, collected per direction. In observability mode nothing waits and answers are
// dropped.

import type { CalloutExtensionIR, HttpEvent } from '../../ir/snapshot.js';
import {
  ExtensionError,
  type BodyStepResult,
  type ExtensionStream,
  type HeaderMap,
  type LocalResponse,
  type StepEffect,
  type StepResult,
  type TrailersStepResult,
} from '../extension.js';
import type { CallListener, ProcessCall } from './channels.js';
import { GrpcStatus, type CallStatus } from './grpc-frames.js';
import {
  CALLOUT_MAX_BODY_MESSAGE_BYTES,
  OBSERVABILITY_DEFERRED_CLOSE_MS,
  REMOTE_CLOSE_TIMEOUT_MS,
} from './limits.js';
import { Deadline, type DeadlineQueue } from './deadlines.js';
import { DuplexBody } from './duplex.js';
import { applyBodyAnswer, applyHeadersAnswer, immediateResult, type Direction } from './answers.js';
import { applyHeaderMutation } from './mutations.js';
import {
  BodySendModeValue,
  type CommonResponse,
  type HeaderMutation,
  type ProcessingRequest,
  type ProcessingResponse,
  type ProtocolConfiguration,
  type RequestKind,
  type StructValue,
} from './protos.js';
import { grpcFailure, selectedEndpoint, toHeaderMapMessage, toLocalResponse } from './wire.js';

/** Everything a stream needs from its extension, computed once per snapshot. */
export interface CalloutStreamConfig {
  readonly ir: CalloutExtensionIR;
  readonly events: ReadonlySet<HttpEvent>;
  readonly forward: ReadonlySet<string> | undefined;
  readonly metadataContext: { filter_metadata?: Record<string, StructValue> };
  /** Opens the gRPC call; throws ExtensionError('unreachable') when the target has no endpoint. */
  readonly openCall: (listener: CallListener) => ProcessCall;
  /** The per-message timeouts (`ir.timeoutMs`) of all this extension's streams. */
  readonly deadlines: DeadlineQueue;
}

type Answer = ProcessingResponse | 'closed';

/** A sent message waiting for its answer, on the extension's deadline queue until answered or failed. */
class Waiter extends Deadline {
  resolve!: (a: Answer) => void;
  reject!: (e: ExtensionError) => void;

  constructor(
    readonly kind: RequestKind,
    private readonly stream: CalloutStream,
  ) {
    super();
  }

  expire(): void {
    this.reject(this.stream.timedOut(this.kind));
  }
}

/** After CONTINUE_AND_REPLACE: no more messages for the direction (§5.1). */
interface ReplacedState {
  /** A body mutation replaced the whole body: the original chunks are dropped. */
  readonly hasBody: boolean;
  /** The replacement, emitted in place of the first original chunk; undefined once emitted. */
  pending: Uint8Array | undefined;
}

/** The order events can happen in, per HTTP request. */
const EVENT_ORDER: readonly HttpEvent[] = [
  'RequestHeaders',
  'RequestBody',
  'RequestTrailers',
  'ResponseHeaders',
  'ResponseBody',
  'ResponseTrailers',
];
const KIND_EVENT: Record<RequestKind, HttpEvent> = {
  request_headers: 'RequestHeaders',
  request_body: 'RequestBody',
  request_trailers: 'RequestTrailers',
  response_headers: 'ResponseHeaders',
  response_body: 'ResponseBody',
  response_trailers: 'ResponseTrailers',
};
const KINDS = Object.keys(KIND_EVENT) as RequestKind[];

const NONE: StepResult = Object.freeze({ effect: 'NONE' });
/** Both directions, for the loops over them (not an array literal per call). */
const DIRECTIONS: readonly Direction[] = ['request', 'response'];

/** Each config's protocol_config, computed on its first stream (it is the same for all of them). */
const protocolConfigs = new WeakMap<CalloutStreamConfig, ProtocolConfiguration>();

export class CalloutStream implements ExtensionStream, CallListener {
  private call: ProcessCall | undefined;
  private readonly pending: Record<Direction, Waiter[]> = { request: [], response: [] };
  /** FullDuplexStreamed state per direction, made on first use (most streams never need it). */
  private readonly duplex: Partial<Record<Direction, DuplexBody>> = {};
  private readonly replaced: Partial<Record<Direction, ReplacedState>> = {};
  /** The server closed with OK or answered immediately: pass everything through from now on. */
  private done = false;
  private failure: ExtensionError | undefined;
  private immediate: LocalResponse | undefined;
  private answered = false;
  private first = true;
  private halfClosed = false;
  private closed = false;

  constructor(private readonly cfg: CalloutStreamConfig) {}

  // ------------------------------------------------------------------------------------------------------
  // ExtensionStream
  //
  // Not `async`: each returns the (async) worker's own promise; an async wrapper would add a promise and
  // three microtask turns per event to adopt it.

  requestHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    return this.headers('request', headers, endOfStream);
  }

  responseHeaders(headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    return this.headers('response', headers, endOfStream);
  }

  requestBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    return this.body('request', chunk, endOfStream);
  }

  responseBody(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    return this.body('response', chunk, endOfStream);
  }

  requestTrailers(trailers: HeaderMap): Promise<TrailersStepResult> {
    return this.trailers('request', trailers);
  }

  responseTrailers(trailers: HeaderMap): Promise<TrailersStepResult> {
    return this.trailers('response', trailers);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const pendingAnswers = this.pending.request.length + this.pending.response.length > 0;
    for (const d of DIRECTIONS) {
      const waiting = this.pending[d];
      while (waiting.length > 0) {
        const w = waiting.shift()!;
        this.cfg.deadlines.remove(w);
        w.resolve('closed');
      }
      this.duplex[d]?.wake();
    }
    const call = this.call;
    if (!call || call.finished) return;
    if (this.cfg.ir.observabilityMode) {
      // Let the callout read what was sent; reset only if it does not finish on its own.
      call.closeGracefully(OBSERVABILITY_DEFERRED_CLOSE_MS);
      return;
    }
    if (this.failure || pendingAnswers) {
      call.cancel();
      return;
    }
    // Graceful close (Envoy's ext_proc_graceful_grpc_close): half-close and let the callout finish the stream.
    // Resetting every stream instead would trip HTTP/2 rapid-reset protection on busy callout servers.
    call.closeGracefully(REMOTE_CLOSE_TIMEOUT_MS);
  }

  // ------------------------------------------------------------------------------------------------------
  // CallListener (the gRPC call's answers and status)

  onMessage(resp: ProcessingResponse): void {
    this.onAnswer(resp);
  }

  onStatus(st: CallStatus): void {
    if (st.code === GrpcStatus.OK) {
      this.onServerClosed();
      return;
    }
    if (this.closed || this.cfg.ir.observabilityMode) return;
    this.fail(grpcFailure(this.cfg.ir.id, st, this.answered));
  }

  // ------------------------------------------------------------------------------------------------------
  // Events

  private async headers(dir: Direction, headers: HeaderMap, endOfStream: boolean): Promise<StepResult> {
    const early = this.shortCircuit();
    if (early) return early;
    const kind: RequestKind = dir === 'request' ? 'request_headers' : 'response_headers';
    const event = { headers: toHeaderMapMessage(headers, this.cfg.forward), end_of_stream: endOfStream };
    // Literal keys, not `{ [kind]: ... }`: a computed key makes every message a megamorphic keyed store.
    const message: ProcessingRequest =
      dir === 'request' ? { request_headers: event } : { response_headers: event };
    if (this.cfg.ir.observabilityMode) return this.observe(message);
    const answer = await this.exchange(kind, message);
    if (answer === 'closed') return NONE;
    if (answer.response === 'immediate_response') return this.immediateResult(answer);
    const { result, replacement } = applyHeadersAnswer(dir, headers, answer, kind);
    if (replacement)
      this.replaced[dir] = replacement.body
        ? { hasBody: true, pending: replacement.body }
        : { hasBody: false, pending: undefined };
    return result;
  }

  /** A chunk larger than one body message goes as several; their answers are joined in order. */
  private async body(dir: Direction, chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult> {
    const max = CALLOUT_MAX_BODY_MESSAGE_BYTES;
    if (chunk.byteLength <= max) return this.bodyMessage(dir, chunk, endOfStream);
    const chunks: Uint8Array[] = [];
    let effect: StepEffect = 'NONE';
    for (let at = 0; at < chunk.byteLength; at += max) {
      const end = Math.min(at + max, chunk.byteLength);
      const r = await this.bodyMessage(dir, chunk.subarray(at, end), endOfStream && end === chunk.byteLength);
      if (r.immediate !== undefined) return r;
      if (r.effect !== undefined && r.effect !== 'NONE') effect = r.effect;
      chunks.push(...r.chunks);
    }
    return { effect, chunks };
  }

  private async bodyMessage(
    dir: Direction,
    chunk: Uint8Array,
    endOfStream: boolean,
  ): Promise<BodyStepResult> {
    const early = this.shortCircuit();
    if (early) return { ...early, chunks: early.immediate ? [] : [chunk] };
    const replaced = this.replaced[dir];
    if (replaced) {
      if (!replaced.hasBody) return { effect: 'NONE', chunks: [chunk] };
      const body = replaced.pending;
      replaced.pending = undefined;
      return { effect: 'CONTENT_MODIFIED', chunks: body ? [body] : [] };
    }
    const kind: RequestKind = dir === 'request' ? 'request_body' : 'response_body';
    const event = { body: chunk, end_of_stream: endOfStream };
    const message: ProcessingRequest = dir === 'request' ? { request_body: event } : { response_body: event };
    if (this.cfg.ir.observabilityMode) return { ...this.observe(message), chunks: [chunk] };
    if (this.halfClosed) return { effect: 'NONE', chunks: [chunk] };
    if (this.isDuplex(dir)) return this.duplexBody(dir, message, endOfStream);

    const answer = await this.exchange(kind, message);
    if (answer === 'closed') return { effect: 'NONE', chunks: [chunk] };
    if (answer.response === 'immediate_response') return { ...this.immediateResult(answer), chunks: [] };
    try {
      return applyBodyAnswer(dir, chunk, answer, kind, this.cfg.ir.id);
    } catch (err) {
      throw this.fail(err as ExtensionError);
    }
  }

  private async trailers(dir: Direction, trailers: HeaderMap): Promise<TrailersStepResult> {
    const early = this.shortCircuit();
    if (early) return early;
    if (this.replaced[dir]) return NONE;
    const kind: RequestKind = dir === 'request' ? 'request_trailers' : 'response_trailers';
    const event = { trailers: toHeaderMapMessage(trailers, this.cfg.forward) };
    const message: ProcessingRequest =
      dir === 'request' ? { request_trailers: event } : { response_trailers: event };
    if (this.cfg.ir.observabilityMode) return this.observe(message);
    const answer = await this.exchange(kind, message);
    const chunks = this.isDuplex(dir) ? this.duplexOf(dir).take() : undefined;
    if (answer === 'closed') return chunks ? { effect: 'NONE', chunks } : NONE;
    if (answer.response === 'immediate_response') return this.immediateResult(answer);
    const mutation = (answer[kind] as { header_mutation?: HeaderMutation } | undefined)?.header_mutation;
    const changed = applyHeaderMutation(trailers, mutation, 'trailers', `${kind}.header_mutation`);
    const effect = changed || (chunks && chunks.length > 0) ? 'CONTENT_MODIFIED' : 'NONE';
    const md = selectedEndpoint(answer.dynamic_metadata);
    return { effect, ...(md ? { selectedEndpoint: md } : {}), ...(chunks ? { chunks } : {}) };
  }

  // ------------------------------------------------------------------------------------------------------
  // FullDuplexStreamed

  private duplexOf(dir: Direction): DuplexBody {
    return (this.duplex[dir] ??= new DuplexBody());
  }

  private isDuplex(dir: Direction): boolean {
    const mode = dir === 'request' ? this.cfg.ir.requestBodySendMode : this.cfg.ir.responseBodySendMode;
    return mode === 'FullDuplexStreamed';
  }

  /** Sends the chunk without waiting; returns what the callout streamed back so far (all of it at the end). */
  private async duplexBody(
    dir: Direction,
    message: ProcessingRequest,
    endOfStream: boolean,
  ): Promise<BodyStepResult> {
    this.send(message);
    const state = this.duplexOf(dir);
    if (endOfStream) {
      await state.waitForEnd(this.cfg.ir.timeoutMs, () =>
        this.fail(this.timeoutError(`${dir}_body end_of_stream`)),
      );
    }
    if (this.failure) throw this.failure;
    if (this.immediate) return { ...this.takeImmediate(), chunks: [] };
    const chunks = state.take();
    return { effect: 'CONTENT_MODIFIED', chunks };
  }

  // ------------------------------------------------------------------------------------------------------
  // Plumbing

  /** Result for an event when the stream no longer consults the callout. */
  private shortCircuit(): StepResult | undefined {
    if (this.failure) throw this.failure;
    if (this.immediate) return this.takeImmediate();
    if (this.done || this.closed) return NONE;
    return undefined;
  }

  private takeImmediate(): StepResult {
    const immediate = this.immediate!;
    this.immediate = undefined;
    this.done = true;
    return { immediate, effect: 'IMMEDIATE_RESPONSE' };
  }

  private observe(message: ProcessingRequest): StepResult {
    message.observability_mode = true;
    try {
      this.send(message);
    } catch {
      // Fire and forget: an unreachable callout must not affect the request.
    }
    return NONE;
  }

  private immediateResult(answer: ProcessingResponse): StepResult {
    this.done = true;
    return immediateResult(answer);
  }

  private exchange(kind: RequestKind, message: ProcessingRequest): Promise<Answer> {
    // Already half-closed: the data plane sent an event it had announced would not come; pass it through.
    if (this.halfClosed) return Promise.resolve('closed');
    const dir: Direction = kind.startsWith('request') ? 'request' : 'response';
    const w = new Waiter(kind, this);
    const answer = new Promise<Answer>((resolve, reject) => {
      w.resolve = resolve;
      w.reject = reject;
    });
    this.cfg.deadlines.add(w);
    this.pending[dir].push(w);
    try {
      this.send(message);
    } catch (err) {
      this.cfg.deadlines.remove(w);
      this.pending[dir].pop();
      w.reject(err as ExtensionError);
    }
    return answer;
  }

  /** A message's deadline passed: the stream fails with a timeout (Waiter.expire). */
  timedOut(kind: RequestKind): ExtensionError {
    return this.fail(this.timeoutError(kind));
  }

  private timeoutError(what: string): ExtensionError {
    return new ExtensionError(
      'timeout',
      `callout ${this.cfg.ir.id}: no answer to ${what} within ${this.cfg.ir.timeoutMs} ms`,
    );
  }

  private send(message: ProcessingRequest): void {
    if (this.failure) throw this.failure;
    if (this.halfClosed) return;
    const call = this.call ?? this.open();
    message.metadata_context = this.cfg.metadataContext;
    if (this.first) {
      this.first = false;
      if (!this.cfg.ir.observabilityMode) message.protocol_config = this.protocolConfig();
    }
    // Half-close with the last message this stream can ever send (as Envoy 1.37's stream-close optimization):
    // the END_STREAM flag rides on the same frame, saving the callout a separate end-of-stream event.
    this.halfClosed = this.isLastMessage(message);
    call.write(message, this.halfClosed);
  }

  /** No event in this extension's `events` can follow `message` for this request. */
  private isLastMessage(message: ProcessingRequest): boolean {
    let kind: RequestKind | undefined;
    for (const k of KINDS) {
      if (message[k] !== undefined) {
        kind = k;
        break;
      }
    }
    if (kind === undefined) return false;
    const at = EVENT_ORDER.indexOf(KIND_EVENT[kind]);
    let from = at + 1;
    // More chunks may follow a body chunk until end_of_stream.
    if (kind === 'request_body' && !message.request_body?.end_of_stream) from = at;
    if (kind === 'response_body' && !message.response_body?.end_of_stream) from = at;
    // Headers with end_of_stream: no body and no trailers follow in that direction.
    if (kind === 'request_headers' && message.request_headers?.end_of_stream) from = 3;
    if (kind === 'response_headers' && message.response_headers?.end_of_stream) from = 6;
    for (let i = from; i < EVENT_ORDER.length; i++) if (this.cfg.events.has(EVENT_ORDER[i]!)) return false;
    return true;
  }

  private protocolConfig(): ProtocolConfiguration {
    let config = protocolConfigs.get(this.cfg);
    if (!config) protocolConfigs.set(this.cfg, (config = this.computeProtocolConfig()));
    return config;
  }

  private computeProtocolConfig(): ProtocolConfiguration {
    const mode = (event: HttpEvent, m: string): BodySendModeValue =>
      !this.cfg.events.has(event)
        ? BodySendModeValue.NONE
        : m === 'FullDuplexStreamed'
          ? BodySendModeValue.FULL_DUPLEX_STREAMED
          : BodySendModeValue.STREAMED;
    return {
      request_body_mode: mode('RequestBody', this.cfg.ir.requestBodySendMode),
      response_body_mode: mode('ResponseBody', this.cfg.ir.responseBodySendMode),
    };
  }

  private open(): ProcessCall {
    let call: ProcessCall;
    try {
      call = this.cfg.openCall(this);
    } catch (err) {
      throw this.fail(err instanceof ExtensionError ? err : new ExtensionError('unreachable', String(err)));
    }
    this.call = call;
    return call;
  }

  private onAnswer(resp: ProcessingResponse): void {
    this.answered = true;
    if (this.closed || this.done || this.failure || this.cfg.ir.observabilityMode) return;
    const kind = resp.response;
    if (kind === undefined) {
      // override_message_timeout alone (§5.7): the feature is off (max_message_timeout 0), so it is ignored.
      if (resp.override_message_timeout) return;
      this.fail(new ExtensionError('protocol', `callout ${this.cfg.ir.id}: answer without a response`));
      return;
    }
    if (kind === 'immediate_response') {
      // The request is answered: the oldest waiter carries the response, every other one passes through.
      // Anything the callout sends after this is ignored (§5.5).
      this.done = true;
      const waiters = [...this.pending.request.splice(0), ...this.pending.response.splice(0)];
      for (const w of waiters) this.cfg.deadlines.remove(w);
      if (waiters.length > 0) {
        waiters[0]!.resolve(resp);
        for (const w of waiters.slice(1)) w.resolve('closed');
        return;
      }
      // Answer to a duplex body chunk nobody waits for: the next event returns it.
      try {
        this.immediate = toLocalResponse(resp.immediate_response ?? {});
      } catch (err) {
        this.fail(err instanceof ExtensionError ? err : new ExtensionError('protocol', String(err)));
        return;
      }
      for (const d of DIRECTIONS) this.duplex[d]?.wake();
      return;
    }
    const dir: Direction = kind.startsWith('request') ? 'request' : 'response';
    if ((kind === 'request_body' || kind === 'response_body') && this.isDuplex(dir)) {
      this.onDuplexBody(dir, resp);
      return;
    }
    const w = this.pending[dir][0];
    if (!w || w.kind !== kind) {
      const expected = w ? w.kind : 'nothing';
      this.fail(
        new ExtensionError(
          'protocol',
          `callout ${this.cfg.ir.id}: spurious ${kind} answer (expected ${expected})`,
        ),
      );
      return;
    }
    this.pending[dir].shift();
    this.cfg.deadlines.remove(w);
    w.resolve(resp);
  }

  private onDuplexBody(dir: Direction, resp: ProcessingResponse): void {
    const kind = dir === 'request' ? 'request_body' : 'response_body';
    const streamed = (resp[kind] as { response?: CommonResponse } | undefined)?.response?.body_mutation
      ?.streamed_response;
    if (!streamed) {
      this.fail(
        new ExtensionError(
          'protocol',
          `callout ${this.cfg.ir.id}: ${kind} answer in FullDuplexStreamed must be a streamed_response`,
        ),
      );
      return;
    }
    this.duplexOf(dir).push(streamed);
  }

  /** OK close by the server: "stop consulting me" (§1); pending events pass through unmodified. */
  private onServerClosed(): void {
    if (this.failure) return;
    this.done = true;
    for (const d of DIRECTIONS) {
      const waiting = this.pending[d];
      while (waiting.length > 0) {
        const w = waiting.shift()!;
        this.cfg.deadlines.remove(w);
        w.resolve('closed');
      }
      this.duplex[d]?.end();
    }
  }

  /** Records the first failure, fails everything waiting, resets the gRPC stream. Returns the failure. */
  private fail(err: ExtensionError): ExtensionError {
    if (this.failure) return this.failure;
    this.failure = err;
    for (const d of DIRECTIONS) {
      const waiting = this.pending[d];
      while (waiting.length > 0) {
        const w = waiting.shift()!;
        this.cfg.deadlines.remove(w);
        w.reject(err);
      }
      this.duplex[d]?.wake();
    }
    this.call?.cancel();
    return err;
  }
}
