// The controller's timed parts against a clock moved by hand: refusals expire exactly retryMs after they
// were booked (re-arming for the ones booked later), and readiness waits for Wasm pulls only so long.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../../src/controller/clock.js';
import { Readiness } from '../../src/controller/readiness.js';
import { RefusalBook } from '../../src/controller/refusal-book.js';

/** A clock whose time moves only when the test says so. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000;
  let timers: Array<{ at: number; fn: () => void }> = [];
  return {
    now: () => now,
    after(ms, fn) {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return () => (timers = timers.filter((t) => t !== timer));
    },
    advance(ms) {
      now += ms;
      // Bounded: a timer that keeps re-arming itself at the same instant fails the test instead of hanging it.
      for (let fired = 0; ; fired++) {
        assert.ok(fired < 1000, 'a timer re-arms itself without the clock moving');
        const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) return;
        timers = timers.filter((t) => t !== due);
        due.fn();
      }
    },
  };
}

test('a refusal stays booked for retryMs, then the book forgets it and asks for a translation', () => {
  const clock = manualClock();
  let translations = 0;
  const book = new RefusalBook(100, () => translations++, clock);
  assert.equal(book.record({ portErrors: { 81: 'EADDRINUSE' } }), true);
  clock.advance(60);
  assert.equal(book.record({ listenerErrors: { 'default/gw/https': 'bad certificate' } }), true);
  assert.equal(book.describe(), 'port 81, default/gw/https');
  clock.advance(99); // 159 ms after the port, 99 after the listener: both still booked (the timer restarted)
  assert.deepEqual([...book.current().ports], [[81, 'EADDRINUSE']]);
  assert.equal(translations, 0);
  clock.advance(1); // the timer fires: both are due
  assert.equal(translations, 1);
  assert.deepEqual([...book.current().ports], []);
  assert.deepEqual([...book.current().listeners], []);
});

test('a feedback without refusals books nothing and arms no timer; a closed book ignores feedback', () => {
  const clock = manualClock();
  let translations = 0;
  const book = new RefusalBook(100, () => translations++, clock);
  assert.equal(book.record({ calloutProblems: { ext: 'unreachable' } }), false);
  clock.advance(1_000);
  assert.equal(translations, 0);
  book.record({ portErrors: { 81: 'EADDRINUSE' } });
  book.close();
  assert.equal(book.record({ portErrors: { 82: 'EADDRINUSE' } }), false);
  clock.advance(1_000);
  assert.equal(translations, 0);
});

test('readiness comes at once without Wasm pulls, and after the wait at the latest with them', async () => {
  const clock = manualClock();
  const settled = (r: Readiness) =>
    Promise.race([r.synced.then(() => true), new Promise((ok) => setImmediate(() => ok(false)))]);

  const plain = new Readiness(500, clock);
  plain.translated(false);
  assert.equal(await settled(plain), true);

  const pulling = new Readiness(500, clock);
  pulling.translated(true);
  pulling.translated(true);
  clock.advance(499);
  assert.equal(await settled(pulling), false);
  clock.advance(1);
  assert.equal(await settled(pulling), true);
});
