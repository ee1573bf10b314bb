// Translation errors repeat on every translation until fixed: each distinct one is logged once.

/** Past this many distinct messages the memory is cleared (an error may then be logged again). */
const MAX_REMEMBERED = 1000;

export class OnceLog {
  private readonly seen = new Set<string>();

  constructor(private readonly warn: (msg: string) => void) {}

  warnNew(messages: Iterable<string>): void {
    for (const m of messages) {
      if (this.seen.has(m)) continue;
      if (this.seen.size > MAX_REMEMBERED) this.seen.clear();
      this.seen.add(m);
      this.warn(m);
    }
  }
}
