// A plain HeaderMap (ordered list of lowercased pairs) for the plugin tester, tests and benchmarks; the data
// plane passes its own implementation of the same interface.
import type { HeaderMap } from '../extension.js';

export class ListHeaderMap implements HeaderMap {
  private pairs: Array<[string, string]>;

  constructor(init: Iterable<readonly [string, string]> = []) {
    this.pairs = [...init].map(([k, v]) => [k.toLowerCase(), v]);
  }
  get size(): number {
    return this.pairs.length;
  }
  get(name: string): string | undefined {
    const n = name.toLowerCase();
    for (const [k, v] of this.pairs) if (k === n) return v;
    return undefined;
  }
  getAll(name: string): string[] {
    const n = name.toLowerCase();
    return this.pairs.filter(([k]) => k === n).map(([, v]) => v);
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  set(name: string, value: string): void {
    const n = name.toLowerCase();
    const i = this.pairs.findIndex(([k]) => k === n);
    if (i < 0) {
      this.pairs.push([n, value]);
      return;
    }
    this.pairs[i] = [n, value];
    this.pairs = this.pairs.filter(([k], j) => k !== n || j === i);
  }
  append(name: string, value: string): void {
    this.pairs.push([name.toLowerCase(), value]);
  }
  remove(name: string): void {
    const n = name.toLowerCase();
    this.pairs = this.pairs.filter(([k]) => k !== n);
  }
  entries(): Array<[string, string]> {
    return this.pairs.map(([k, v]) => [k, v]);
  }
}
