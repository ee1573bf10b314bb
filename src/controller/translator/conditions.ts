// Building and reading status conditions. The translator sets type/status/reason/message/observedGeneration;
// lastTransitionTime is the status writer's business (it keeps the old time when nothing else changed).

import type { Condition } from '../resources.js';

export function cond(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  observedGeneration: number | undefined,
): Condition {
  const c: Condition = { type, status: ok ? 'True' : 'False', reason, message };
  if (observedGeneration !== undefined) c.observedGeneration = observedGeneration;
  return c;
}

/** A list of problems that each carry a condition reason; the first one names the condition. */
export class Problems {
  private readonly items: Array<{ reason: string; message: string }> = [];

  add(reason: string, message: string): void {
    if (!this.items.some((p) => p.message === message)) this.items.push({ reason, message });
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  get reason(): string {
    return this.items[0]?.reason ?? '';
  }

  get message(): string {
    return this.items.map((p) => p.message).join('; ');
  }
}
