// Ports and listeners the data plane refused, each with when: they stay out of the snapshot until
// `retryMs` has passed, then the book forgets them and asks for a new translation, which tries them again.
import { systemClock, type Clock } from './clock.js';
import type { SnapshotFeedback } from './feedback.js';
import type { DataPlaneRefusals } from './translator/gateways.js';

interface Refusal {
  error: string;
  at: number;
}

export class RefusalBook {
  private readonly ports = new Map<number, Refusal>();
  private readonly listeners = new Map<string, Refusal>();
  private cancelRetry: (() => void) | undefined;
  private closed = false;

  /** `expired` runs whenever refusals were forgotten, so the caller translates again. */
  constructor(
    readonly retryMs: number,
    private readonly expired: () => void,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Books the refusals of one feedback; true when it held any (the retry timer then restarts). */
  record(feedback: SnapshotFeedback): boolean {
    if (this.closed) return false;
    const now = this.clock.now();
    let any = false;
    for (const [port, error] of Object.entries(feedback.portErrors ?? {})) {
      this.ports.set(Number(port), { error, at: now });
      any = true;
    }
    for (const [id, error] of Object.entries(feedback.listenerErrors ?? {})) {
      this.listeners.set(id, { error, at: now });
      any = true;
    }
    if (any) this.arm(this.retryMs);
    return any;
  }

  /** What the translator leaves out and reports, as it is now. */
  current(): DataPlaneRefusals {
    return {
      ports: new Map([...this.ports].map(([k, v]) => [k, v.error])),
      listeners: new Map([...this.listeners].map(([k, v]) => [k, v.error])),
    };
  }

  /** `port 8080, ns/gw/https`: every refusal booked, for the log. */
  describe(): string {
    return [...this.ports.keys()]
      .map((p) => `port ${p}`)
      .concat([...this.listeners.keys()])
      .join(', ');
  }

  close(): void {
    this.closed = true;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
  }

  private arm(delayMs: number): void {
    this.cancelRetry?.();
    this.cancelRetry = this.clock.after(delayMs, () => this.expire());
  }

  // The timer re-arms while refusals remain, so none is left behind by a timer that fired a millisecond
  // before the clock says it is due.
  private expire(): void {
    this.cancelRetry = undefined;
    if (this.closed) return;
    const now = this.clock.now();
    let next = Infinity;
    for (const refusals of [this.ports, this.listeners] as Array<Map<unknown, Refusal>>) {
      for (const [k, v] of refusals) {
        const due = v.at + this.retryMs - now;
        if (due <= 0) refusals.delete(k);
        else next = Math.min(next, due);
      }
    }
    this.expired();
    if (next !== Infinity) this.arm(next);
  }
}
