// When the controller is ready: after the first snapshot, once the first Wasm pulls are done — but not
// forever: a registry that does not answer must not keep the whole gateway unready.
import { systemClock, type Clock } from './clock.js';

export class Readiness {
  readonly synced: Promise<void>;
  private resolve!: () => void;
  private ready = false;
  private cancelWait: (() => void) | undefined;

  constructor(
    private readonly wasmWaitMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.synced = new Promise<void>((r) => (this.resolve = r));
  }

  /** Called after each translation with whether Wasm images are still being pulled. */
  translated(wasmPending: boolean): void {
    if (this.ready) return;
    if (!wasmPending) this.markReady();
    else this.cancelWait ??= this.clock.after(this.wasmWaitMs, () => this.markReady());
  }

  close(): void {
    this.cancelWait?.();
  }

  private markReady(): void {
    this.ready = true;
    this.cancelWait?.();
    this.resolve();
  }
}
