// What the data plane tells the controller after a snapshot. A leaf module: the controller and its parts
// (refusal book, callout problems) share it without importing each other.
import type { Snapshot } from '../ir/snapshot.js';

/** The data plane's answer to a snapshot: what it could not serve, and why. */
export interface SnapshotFeedback {
  /** Bound port → error (e.g. `listen EADDRINUSE 127.0.0.1:8080`). */
  readonly portErrors?: Readonly<Record<number, string>>;
  /** Listener id (`ns/gateway/listener`) → error (e.g. an unusable certificate). */
  readonly listenerErrors?: Readonly<Record<string, string>>;
  /**
   * Extension id (IR `id`) → why its callout cannot be connected to, with the fix. The whole current set:
   * an extension missing here has recovered. Arrives between snapshots (Controller.feedback).
   */
  readonly calloutProblems?: Readonly<Record<string, string>>;
}

export interface ControllerLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/**
 * The data plane as the controller sees it: called with every new snapshot, it may resolve to what it
 * could not serve.
 */
export type SnapshotSink = (s: Snapshot) => void | Promise<void | SnapshotFeedback>;
