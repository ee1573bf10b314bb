// FullDuplexStreamed, one direction: the callout's `streamed_response` pieces arrive on their own schedule
// (docs/spec/ext-proc.md §3); they are collected here and handed to the data plane with the next body event, and the
// last body event waits for the callout's end_of_stream.

import type { StreamedBodyResponse } from './protos.js';

export class DuplexBody {
  private chunks: Uint8Array[] = [];
  private ended = false;
  private waiter: (() => void) | undefined;

  /** A piece of the new body from the callout. */
  push(piece: StreamedBodyResponse): void {
    if (piece.body && piece.body.length > 0) this.chunks.push(new Uint8Array(piece.body));
    if (piece.end_of_stream) this.end();
  }

  /** Everything received so far, removed from the buffer. */
  take(): Uint8Array[] {
    return this.chunks.splice(0);
  }

  /** No more pieces will come (end_of_stream, the callout closed, or the stream failed). */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Wakes a waiter without ending (an immediate response or a failure it must look at). */
  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Resolves at end_of_stream or when woken; rejects with `onTimeout()` after `timeoutMs`. */
  waitForEnd(timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(onTimeout());
      }, timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
