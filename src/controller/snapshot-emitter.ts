// Hands a translation's snapshot to the data plane only when the configuration changed (status-only churn
// never reaches the data plane), numbers the snapshots, and passes the data plane's answer on.
import type { Snapshot } from '../ir/snapshot.js';
import type { ControllerLog, SnapshotFeedback, SnapshotSink } from './feedback.js';

export class SnapshotEmitter {
  private lastJson = '';
  private version = 0;
  private last: Snapshot | undefined;

  constructor(
    private readonly sink: SnapshotSink,
    private readonly answered: (feedback: void | SnapshotFeedback) => void,
    private readonly log: ControllerLog,
  ) {}

  /** The last snapshot handed to the data plane. */
  get snapshot(): Snapshot | undefined {
    return this.last;
  }

  /** The version the next emitted snapshot will carry (the translator stamps it). */
  get nextVersion(): number {
    return this.version + 1;
  }

  /** Emits `snapshot` when its ports or Wasm plugins differ from the last one emitted. */
  offer(snapshot: Snapshot): void {
    const json = JSON.stringify({ ports: snapshot.ports, wasmPlugins: snapshot.wasmPlugins });
    if (json === this.lastJson) return;
    this.lastJson = json;
    this.version++;
    this.last = Object.freeze(snapshot);
    try {
      const feedback = this.sink(this.last);
      if (feedback && typeof feedback.then === 'function')
        feedback.then(this.answered, (err: unknown) => this.failed(err));
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    this.log.warn(`onSnapshot failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
