// One direction's body (request or response) through a traffic chain, delivered as Envoy delivers it.
//
// The source side reproduces Envoy's codecs, because that is what extensions see on GKE:
//   - HTTP/1.1 (`http1/codec_impl.cc`, `onBody` / `onMessageCompleteBase`): every parsed body piece is one
//     event with end_of_stream false; the end of the message is a separate empty event with end_of_stream
//     true (or the trailers).
//   - HTTP/2 (`http2/codec_impl.cc`): a DATA frame carries END_STREAM, so the last chunk is the end. Node
//     does not expose the flag, but a DATA frame with END_STREAM pushes its data and the end in the same read,
//     so a chunk is held until the end of the current I/O turn: when the end came in the same turn, the chunk
//     carries it. An empty END_STREAM frame in a later read is an empty end-of-stream event, as in Envoy.
//
// The consumer side is Envoy's ext_proc filter (`ext_proc.cc` `onData`, `processor_state.cc`
// `handleHeadersResponse`): while the headers message is outstanding the body is held (up to the buffer
// limit; over it the source is paused). When the headers answer comes and the whole body is there, it goes as
// ONE body message with end_of_stream true (false when trailers follow) and the headers wait for that
// message's answer; otherwise what is held goes as one chunk and the rest streams chunk by chunk. Proxy-Wasm
// plugins hold nothing (Envoy's Wasm filter answers headers synchronously), so a chain of plugins only sees
// the codec's events.

import type { BodyStepResult, LocalResponse, TrailersStepResult } from '../extensions/extension.js';
import type { HeaderList } from '../extensions/header-map.js';
import { CALLOUT_MAX_BODY_MESSAGE_BYTES } from '../extensions/callout/limits.js';

/** Most body held while a headers message is outstanding (then the source pauses): one ext_proc body message. */
export const BODY_HOLD_LIMIT_BYTES = CALLOUT_MAX_BODY_MESSAGE_BYTES;

const EMPTY = new Uint8Array(0);

/** The chain's body and trailers events for one direction. */
export interface BodyCalls {
  body(chunk: Uint8Array, endOfStream: boolean): Promise<BodyStepResult>;
  trailers(trailers: HeaderList): Promise<TrailersStepResult>;
}

/** Where the direction's body goes once the chain passed it. */
export interface BodySink {
  /** Writes, resolving once the sink can take more. */
  write(chunks: readonly Uint8Array[]): Promise<void>;
  /** The body ended; `trailers` as the chain left them (null: none). */
  end(trailers: ReadonlyArray<readonly [string, string]> | null): void;
}

export interface BodyFlowOptions {
  /**
   * The direction's headers. While they wait for the answer to a complete held body, header edits in that
   * answer apply to them (Envoy's ext_proc in its buffered-body state, `processor_state.cc`
   * `handleBodyResponse`); once they went on, such edits are ignored, as there.
   */
  readonly heldHeaders: HeaderList;
  readonly wantsBody: boolean;
  readonly wantsTrailers: boolean;
  /** ext_proc semantics: a body held during the headers message goes as one message (a callout is in the chain). */
  readonly coalesceHeld: boolean;
  /** The source is HTTP/2 (END_STREAM rides on the last DATA frame). */
  readonly h2: boolean;
  readonly calls: BodyCalls;
  /** Flow control of the source. */
  readonly pause: () => void;
  readonly resume: () => void;
}

type SourceEvent =
  | {
      readonly chunk: Buffer;
      /** The stream ended with this chunk (HTTP/2 END_STREAM). */ readonly last: boolean;
    }
  | { readonly end: HeaderList | null };

export type BodyOutcome = { readonly immediate: LocalResponse } | undefined;

export class BodyFlow {
  private readonly events: SourceEvent[] = [];
  private queuedBytes = 0;
  private paused = false;
  private ended = false;
  private staged: Buffer | undefined;
  private stagedTimer: NodeJS.Immediate | undefined;
  private wake: (() => void) | undefined;
  private aborted = false;

  constructor(private readonly o: BodyFlowOptions) {}

  // ----- source side ---------------------------------------------------------------------------------------

  /** A chunk as the codec delivered it. Returns false when the source should pause. */
  data(chunk: Buffer): boolean {
    if (this.ended || this.aborted) return true;
    if (!this.o.h2) {
      this.push({ chunk, last: false });
    } else {
      if (this.staged !== undefined) this.push({ chunk: this.staged, last: false });
      this.staged = chunk;
      this.stagedTimer ??= setImmediate(this.flushStaged);
    }
    return !this.paused;
  }

  /** The source ended, with its trailers (null or empty: none). */
  end(trailers: HeaderList | null): void {
    if (this.ended || this.aborted) return;
    this.ended = true;
    if (this.staged !== undefined) {
      const chunk = this.staged;
      this.staged = undefined;
      this.push({ chunk, last: true });
    }
    this.push({ end: trailers !== null && trailers.size > 0 ? trailers : null });
  }

  /** The exchange ended: drop everything, wake the consumer. */
  abort(): void {
    this.aborted = true;
    if (this.stagedTimer !== undefined) clearImmediate(this.stagedTimer);
    this.events.length = 0;
    this.wake?.();
  }

  private readonly flushStaged = (): void => {
    this.stagedTimer = undefined;
    const chunk = this.staged;
    if (chunk === undefined || this.aborted) return;
    this.staged = undefined;
    this.push({ chunk, last: false });
  };

  private push(e: SourceEvent): void {
    this.events.push(e);
    if ('chunk' in e) {
      this.queuedBytes += e.chunk.length;
      if (this.queuedBytes > BODY_HOLD_LIMIT_BYTES && !this.paused) {
        this.paused = true;
        this.o.pause();
      }
    }
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async next(): Promise<SourceEvent | undefined> {
    while (this.events.length === 0) {
      if (this.aborted) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.aborted) return undefined;
    const e = this.events[0]!;
    if ('chunk' in e) return this.take();
    this.events.shift();
    return e;
  }

  // ----- consumer side ---------------------------------------------------------------------------------------

  /**
   * Runs the body through the chain into `sink`. Call it once the headers answer came (at once without a
   * headers event). `proceed` lets the headers go on: after the answer to a complete held body (the headers
   * wait for it, as in Envoy), otherwise before the first body write. Resolves with an extension's immediate
   * response, or undefined once the body ended (or the exchange was aborted).
   */
  async run(sink: BodySink, proceed: () => void): Promise<BodyOutcome> {
    const o = this.o;
    let proceeded = false;
    const go = (): void => {
      if (proceeded) return;
      proceeded = true;
      proceed();
    };
    /** A body message with end_of_stream true went out: no empty one at the end. */
    let endSent = false;
    const trailersFollow = (t: HeaderList | null): t is HeaderList => o.wantsTrailers && t !== null;

    if (o.coalesceHeld && o.wantsBody && this.events.length > 0) {
      const held: Buffer[] = [];
      while (this.events.length > 0 && 'chunk' in this.events[0]!) held.push(this.take().chunk);
      const endEvent = this.events[0] as { readonly end: HeaderList | null } | undefined;
      const eos = endEvent !== undefined && !trailersFollow(endEvent.end);
      if (held.length > 0 || eos) {
        // Incomplete: the held data goes as one chunk and the headers go on without waiting for its answer.
        if (endEvent === undefined) go();
        const r = await o.calls.body(held.length === 1 ? held[0]! : Buffer.concat(held), eos);
        if (r.immediate !== undefined) return { immediate: r.immediate };
        // Complete: the headers are still held, waiting for this answer.
        if (endEvent !== undefined) r.editHeldHeaders?.(o.heldHeaders);
        endSent = eos;
        go();
        await sink.write(r.chunks);
      }
    }
    go();
    for (;;) {
      const e = await this.next();
      if (e === undefined) return undefined;
      if ('chunk' in e) {
        if (!o.wantsBody) {
          await sink.write([e.chunk]);
          continue;
        }
        // The end pushed with the chunk that carried it (HTTP/2 END_STREAM) is next in the queue.
        const endEvent = e.last ? (this.events[0] as { readonly end: HeaderList | null }) : undefined;
        const eos = endEvent !== undefined && !trailersFollow(endEvent.end);
        const r = await o.calls.body(e.chunk, eos);
        if (r.immediate !== undefined) return { immediate: r.immediate };
        if (eos) endSent = true;
        await sink.write(r.chunks);
        continue;
      }
      const trailers = e.end;
      if (o.wantsBody && !endSent && !trailersFollow(trailers)) {
        // The stream ended with no data in hand (HTTP/1.1 message end, an empty END_STREAM frame).
        const r = await o.calls.body(EMPTY, true);
        if (r.immediate !== undefined) return { immediate: r.immediate };
        await sink.write(r.chunks);
      }
      if (trailersFollow(trailers)) {
        const r = await o.calls.trailers(trailers);
        if (r.immediate !== undefined) return { immediate: r.immediate };
        // Body a FullDuplexStreamed callout was still streaming when it answered the trailers goes first.
        if (r.chunks !== undefined) await sink.write(r.chunks);
      }
      sink.end(trailers === null ? null : trailers.entries());
      return undefined;
    }
  }

  private take(): { readonly chunk: Buffer; readonly last: boolean } {
    const e = this.events.shift() as { readonly chunk: Buffer; readonly last: boolean };
    this.queuedBytes -= e.chunk.length;
    this.maybeResume();
    return e;
  }

  private maybeResume(): void {
    if (this.paused && this.queuedBytes <= BODY_HOLD_LIMIT_BYTES / 2) {
      this.paused = false;
      this.o.resume();
    }
  }
}
