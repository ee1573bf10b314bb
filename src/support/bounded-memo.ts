// Values derived from a key once instead of per use (a route's rule, a header name's verdict, a string's JSON),
// where the keys are few in practice but may come from outside (request data, any configuration): the memo
// is emptied when it reaches its bound rather than grown, so hostile keys cost recomputation, never memory.

export class BoundedMemo<K, V> {
  private readonly values = new Map<K, V>();

  constructor(private readonly max: number) {}

  /**
   * The value of `key`, computed by `derive` the first time (and again after the memo was emptied). A value
   * `derive` gives as undefined is not kept: asked again, it is derived again. What `derive` throws is thrown
   * and nothing is kept.
   */
  get(key: K, derive: (key: K) => V): V {
    let value = this.values.get(key);
    if (value === undefined) {
      value = derive(key);
      if (value !== undefined) this.set(key, value);
    }
    return value;
  }

  /** Keeps `value` for `key`, replacing what was there. */
  set(key: K, value: V): void {
    if (this.values.size >= this.max && !this.values.has(key)) this.values.clear();
    this.values.set(key, value);
  }
}
