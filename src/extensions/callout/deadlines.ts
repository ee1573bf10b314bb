// Per-message timeouts of one callout extension, with one timer for all its streams.
//
// Every message of an extension waits the same `timeoutMs`, so deadlines expire in the order messages were
// sent: a FIFO list (intrusive, O(1) insert and removal) and one timer armed for its head replace a
// setTimeout and clearTimeout per message (a Timeout object and its timer-list work each, on the callout
// headers path). An entry answered in time is unlinked at once, so nothing lives longer than its message.

/** A message waiting for its answer; `expire` runs if it is still queued at its deadline. */
export abstract class Deadline {
  /** ms on the monotonic clock (performance.now()); 0 while not queued. */
  at = 0;
  prev: Deadline | undefined;
  next: Deadline | undefined;
  abstract expire(): void;
}

export class DeadlineQueue {
  private head: Deadline | undefined;
  private tail: Deadline | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(d: Deadline): void {
    d.at = performance.now() + this.timeoutMs;
    d.prev = this.tail;
    d.next = undefined;
    if (this.tail) this.tail.next = d;
    else this.head = d;
    this.tail = d;
    if (!this.timer) this.arm(d.at);
  }

  /** Unlinks an answered (or abandoned) entry; no-op if it is not queued. */
  remove(d: Deadline): void {
    if (d.at === 0) return;
    d.at = 0;
    if (d.prev) d.prev.next = d.next;
    else this.head = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.tail = d.prev;
    d.prev = d.next = undefined;
    if (!this.head && this.timer) {
      // Nothing waits: no timer left behind to hold the process (as clearTimeout per message did).
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Otherwise the timer stays armed: when it fires with nothing due it re-arms for the new head.
  }

  /** A timer is pending (only while something waits). */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  get size(): number {
    let n = 0;
    for (let d = this.head; d; d = d.next) n++;
    return n;
  }

  private arm(at: number): void {
    // Timers may fire up to a millisecond early by performance.now(); sweep() re-arms for what is not due.
    this.timer = setTimeout(() => this.sweep(), Math.max(1, Math.ceil(at - performance.now())));
  }

  private sweep(): void {
    this.timer = undefined;
    const now = performance.now();
    // Due entries are taken off first: expiring one fails its stream, which removes that stream's others.
    const due: Deadline[] = [];
    while (this.head && this.head.at <= now) {
      const d = this.head;
      this.remove(d);
      due.push(d);
    }
    if (this.head && !this.timer) this.arm(this.head.at);
    for (const d of due) d.expire();
  }
}
