// The ext_proc client of the data plane: turns a CalloutExtensionIR into an Extension whose streams talk to
// the callout over pooled channels. One CalloutClient lives for the whole process (across snapshots).

import type { CalloutExtensionIR, HttpEvent } from '../../ir/snapshot.js';
import { ExtensionError, type Extension, type ExtensionStream, type RequestInfo } from '../extension.js';
import {
  CalloutChannels,
  type CallListener,
  type CalloutConnectionStats,
  type ChannelTarget,
  type ProcessCall,
} from './channels.js';
import type { CalloutConnectionOptions } from './connection-policy.js';
import { CalloutHealth, type CalloutProblems } from './health.js';
import { DeadlineQueue } from './deadlines.js';
import { CalloutStream, type CalloutStreamConfig } from './stream.js';
import { toStruct } from './struct.js';

export class CalloutClient {
  private readonly channels: CalloutChannels;
  private readonly health: CalloutHealth | undefined;

  /**
   * `onProblems`: called with every extension whose callout cannot be connected to (after repeated
   * failures), and again when that changes (health.ts).
   */
  constructor(
    opts: {
      onProblems?: (problems: CalloutProblems) => void;
      /** Keepalive, idle timeout and retry budget (connection-policy.ts; its defaults otherwise). */
      connections?: Partial<CalloutConnectionOptions>;
    } = {},
  ) {
    this.health = opts.onProblems ? new CalloutHealth(opts.onProblems) : undefined;
    this.channels = new CalloutChannels(this.health, opts.connections);
  }

  /** Connections, retries, keepalive failures and idle closes of the client's connections so far. */
  get connectionStats(): Readonly<CalloutConnectionStats> {
    return this.channels.stats;
  }

  /** The same per callout authority (what /metrics reports, metrics.ts). */
  get connectionStatsByAuthority(): ReadonlyMap<string, Readonly<CalloutConnectionStats>> {
    return this.channels.statsByAuthority;
  }

  extension(ir: CalloutExtensionIR): Extension {
    this.health?.use(
      ir.id,
      ir.target.endpoints.map((endpoint) => ({ endpoint, authority: ir.authority, tls: ir.target.tls })),
    );
    return new CalloutExtension(ir, this.channels);
  }

  /** Closes every pooled channel; streams still open on them fail. */
  close(): void {
    this.channels.close();
  }
}

class CalloutExtension implements Extension {
  readonly id: string;
  readonly failOpen: boolean;
  readonly events: ReadonlySet<HttpEvent>;
  readonly holdsBodyDuringHeaders = true;
  private readonly config: CalloutStreamConfig;
  /** One target per endpoint, made once: the channel pool finds its channel by the object. */
  private readonly targets: readonly ChannelTarget[];
  private next = 0;

  constructor(
    private readonly ir: CalloutExtensionIR,
    private readonly channels: CalloutChannels,
  ) {
    this.id = ir.id;
    this.failOpen = ir.failOpen;
    this.targets = ir.target.endpoints.map((endpoint) => ({
      endpoint,
      authority: ir.authority,
      tls: ir.target.tls,
    }));
    this.events = new Set(ir.events);
    this.config = {
      ir,
      events: this.events,
      forward: ir.forwardHeaders ? new Set(ir.forwardHeaders.map((h) => h.toLowerCase())) : undefined,
      // Envoy always sends metadata_context; the extension's metadata sits under its own namespace (docs/spec/gke-service-extensions.md §2.3).
      metadataContext:
        ir.metadata && Object.keys(ir.metadata).length > 0
          ? { filter_metadata: { [ir.metadataNamespace]: toStruct(ir.metadata) } }
          : {},
      openCall: (listener) => this.callNext(listener),
      deadlines: new DeadlineQueue(ir.timeoutMs),
    };
  }

  open(_request: RequestInfo): ExtensionStream {
    return new CalloutStream(this.config);
  }

  /** Round-robin over the Service's endpoints, as the load balancer spreads streams over backends. */
  private callNext(listener: CallListener): ProcessCall {
    const targets = this.targets;
    if (targets.length === 0) {
      throw new ExtensionError(
        'unreachable',
        `callout ${this.id}: service ${this.ir.target.service} has no endpoints`,
      );
    }
    return this.channels.call(targets[this.next++ % targets.length]!, listener);
  }
}
