// Lease-based leadership (coordination.k8s.io/v1 Lease), the protocol of client-go's leaderelection:
// the holder renews `renewTime` every LEASE_RENEW_MS; anyone may take the Lease over once
// `renewTime + leaseDurationSeconds` has passed; every write carries the resourceVersion it read, so two
// candidates can never both win (the loser gets 409). Only the leader writes status and events; every
// replica keeps translating and serving traffic.

import { LEASE_DURATION_SECONDS, LEASE_RENEW_MS } from './config.js';
import { KubeApiError, type KubeRest } from './kube/rest.js';

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds?: number;
  readonly renewMs?: number;
}

/** Kubernetes MicroTime: `2006-01-02T15:04:05.000000Z`. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  private readonly duration: number;
  private readonly renewMs: number;
  private readonly path: string;

  constructor(
    private readonly rest: KubeRest,
    private readonly opts: LeaderElectionOptions,
    private readonly onChange: (leading: boolean) => void,
    private readonly onError: (msg: string) => void,
  ) {
    this.duration = opts.leaseDurationSeconds ?? LEASE_DURATION_SECONDS;
    this.renewMs = opts.renewMs ?? LEASE_RENEW_MS;
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.tick();
  }

  /** Stops renewing; a leader gives the Lease up so a standby takes over at once instead of after expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const lease = await this.rest.get<Lease>(`${this.path}/${this.opts.name}`);
      if (lease.spec.holderIdentity === this.opts.identity) {
        await this.rest.replace(`${this.path}/${this.opts.name}`, {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: null,
            renewTime: microTime(Date.now() - this.duration * 1000),
            leaseDurationSeconds: 1,
          },
        });
      }
    } catch {
      // best effort: the Lease expires on its own
    }
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.attempt().finally(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), this.renewMs);
      this.timer.unref();
    });
  }

  private async attempt(): Promise<void> {
    const now = Date.now();
    try {
      let lease: Lease | undefined;
      try {
        lease = await this.rest.get<Lease>(`${this.path}/${this.opts.name}`);
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      }
      if (!lease) {
        await this.rest.create(this.path, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.opts.name, namespace: this.opts.namespace },
          spec: {
            holderIdentity: this.opts.identity,
            leaseDurationSeconds: this.duration,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        return this.renewed(now);
      }
      const spec = lease.spec ?? {};
      const mine = spec.holderIdentity === this.opts.identity;
      const renewedAt = spec.renewTime ? Date.parse(spec.renewTime) : 0;
      const expired =
        !spec.holderIdentity || renewedAt + (spec.leaseDurationSeconds ?? this.duration) * 1000 < now;
      if (!mine && !expired) {
        if (this.leading) this.setLeading(false);
        return;
      }
      await this.rest.replace(`${this.path}/${this.opts.name}`, {
        ...lease,
        spec: {
          holderIdentity: this.opts.identity,
          leaseDurationSeconds: this.duration,
          acquireTime: mine ? spec.acquireTime : microTime(now),
          renewTime: microTime(now),
          leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
        },
      });
      this.renewed(now);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409))
        this.onError(
          `lease ${this.opts.namespace}/${this.opts.name}: ${err instanceof Error ? err.message : String(err)}`,
        );
      // Could not renew: keep leading only while the last renewal is still valid.
      if (this.leading && Date.now() - this.lastRenew > this.duration * 800) this.setLeading(false); // renew deadline: 80% of the lease, before anyone else may take it
    }
  }

  private renewed(at: number): void {
    this.lastRenew = at;
    if (!this.leading) this.setLeading(true);
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.onChange(leading);
  }
}
