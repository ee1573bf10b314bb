// Callouts the data plane cannot connect to, reported on their extensions until the data plane says
// otherwise: each feedback that carries the set replaces it whole.
import type { ControllerLog } from './feedback.js';

export class CalloutProblems {
  private problems: ReadonlyMap<string, string> = new Map();

  /** Extension id → why its callout is unreachable. */
  get current(): ReadonlyMap<string, string> {
    return this.problems;
  }

  /** Replaces the set; true (after logging each problem) when anything changed. */
  replace(next: Readonly<Record<string, string>>, log: ControllerLog): boolean {
    const incoming = new Map(Object.entries(next));
    const before = this.problems;
    const changed = incoming.size !== before.size || [...incoming].some(([id, m]) => before.get(id) !== m);
    this.problems = incoming;
    if (changed) for (const [id, m] of incoming) log.warn(`callout of ${id}: ${m}`);
    return changed;
  }
}
