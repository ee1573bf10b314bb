// The per-extension deadline queue (one timer for every message's timeout): entries expire at their deadline,
// in order, never early; answered entries never expire and are not kept.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Deadline, DeadlineQueue } from '../../src/extensions/callout/deadlines.js';

class Entry extends Deadline {
  expiredAt = 0;
  readonly queuedAt = performance.now();
  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {
    super();
  }
  expire(): void {
    this.expiredAt = performance.now();
    this.log.push(this.name);
  }
}

describe('DeadlineQueue', () => {
  it('expires entries at their deadline, in order, and never one that was removed', async () => {
    const log: string[] = [];
    const q = new DeadlineQueue(40);
    const a = new Entry('a', log);
    q.add(a);
    await sleep(15);
    const b = new Entry('b', log);
    const c = new Entry('c', log);
    q.add(b);
    q.add(c);
    q.remove(b);
    await sleep(10);
    const d = new Entry('d', log);
    q.add(d);
    await sleep(120);
    assert.deepEqual(log, ['a', 'c', 'd']);
    for (const e of [a, c, d]) assert.ok(e.expiredAt - e.queuedAt >= 39, `${e.name} not early`);
    assert.equal(b.expiredAt, 0);
    assert.equal(q.size, 0);
  });

  it('keeps nothing once entries are answered, and fires nothing', async () => {
    const log: string[] = [];
    const q = new DeadlineQueue(20);
    const entries = Array.from({ length: 1000 }, (_, i) => new Entry(String(i), log));
    for (const e of entries) q.add(e);
    assert.equal(q.size, 1000);
    // Answered out of order, some twice.
    for (let i = 0; i < 1000; i += 2) q.remove(entries[i]!);
    for (let i = 999; i >= 1; i -= 2) q.remove(entries[i]!);
    q.remove(entries[0]!);
    assert.equal(q.size, 0);
    assert.equal(q.armed, false, 'no timer holds the process once nothing waits');
    await sleep(60);
    assert.deepEqual(log, []);
    // Usable again after draining.
    const late = new Entry('late', log);
    q.add(late);
    await sleep(60);
    assert.deepEqual(log, ['late']);
  });
});
