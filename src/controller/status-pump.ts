// Writes the desired statuses one pass at a time: a translation that arrives during a pass marks the pump
// dirty, and one more pass writes the newest statuses when the current one ends.

export class StatusPump<T> {
  private writing: Promise<void> | undefined;
  private dirty = false;

  /**
   * `latest` is what to write now (undefined: nothing yet); `allowed` says whether this replica may write
   * (not closed, and leader when leader election is on); `write` does one pass.
   */
  constructor(
    private readonly latest: () => T | undefined,
    private readonly allowed: () => boolean,
    private readonly write: (statuses: T) => Promise<unknown>,
  ) {}

  /** Starts a pass, or asks the running one for another. */
  kick(): void {
    if (!this.allowed() || this.latest() === undefined) return;
    if (this.writing) {
      this.dirty = true;
      return;
    }
    this.writing = this.passes().finally(() => {
      this.writing = undefined;
    });
  }

  /** Resolves when no pass is running (a pass started meanwhile is waited for too). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Like idle(), but a failed pass does not reject (close() must not throw for a status write). */
  async settled(): Promise<void> {
    if (this.writing) await this.writing.catch(() => undefined);
  }

  private async passes(): Promise<void> {
    do {
      this.dirty = false;
      const statuses = this.latest();
      if (statuses === undefined || !this.allowed()) break;
      await this.write(statuses);
    } while (this.dirty && this.allowed());
  }
}
