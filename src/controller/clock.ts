// Time as the controller's parts see it: injected, so a test can move it by hand instead of sleeping.

export interface Clock {
  now(): number;
  /** Runs `fn` after `ms` unless the returned function cancels it first; never keeps the process alive. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
