// The HeaderMap every extension edits in place: an ordered list of (lowercased name, value) pairs.
//
// A list rather than a Map of arrays because header order is observable (ext_proc sends it, Proxy-Wasm
// plugins read pairs in order) and typical requests carry 10-30 headers, where a linear scan beats hashing.

import type { HeaderMap } from './extension.js';
import { forEachRawHeader } from './header-codec.js';

export class HeaderList implements HeaderMap {
  private readonly list: Array<[string, string]>;
  private edits = 0;

  constructor(entries?: Iterable<readonly [string, string]>) {
    this.list = [];
    if (entries) for (const [n, v] of entries) this.list.push([n.toLowerCase(), v]);
  }

  /** From Node's `rawHeaders`-style flat array [name, value, name, value, ...]. */
  static fromRaw(raw: readonly string[]): HeaderList {
    const h = new HeaderList();
    forEachRawHeader(raw, (name, value) => h.list.push([name.toLowerCase(), value]));
    return h;
  }

  get size(): number {
    return this.list.length;
  }

  /**
   * Counts set/append/remove calls: equal before and after an extension ran means it edited nothing, so the
   * data plane can keep the headers it had instead of rebuilding them from the list.
   */
  get version(): number {
    return this.edits;
  }

  get(name: string): string | undefined {
    const n = name.toLowerCase();
    for (const [k, v] of this.list) if (k === n) return v;
    return undefined;
  }

  getAll(name: string): string[] {
    const n = name.toLowerCase();
    const out: string[] = [];
    for (const [k, v] of this.list) if (k === n) out.push(v);
    return out;
  }

  has(name: string): boolean {
    const n = name.toLowerCase();
    return this.list.some(([k]) => k === n);
  }

  /** Replaces every value of `name` with one value, kept at the position of the first one. */
  set(name: string, value: string): void {
    this.edits++;
    const n = name.toLowerCase();
    const i = this.list.findIndex(([k]) => k === n);
    if (i < 0) {
      this.list.push([n, value]);
      return;
    }
    this.list[i] = [n, value];
    for (let j = this.list.length - 1; j > i; j--) if (this.list[j]![0] === n) this.list.splice(j, 1);
  }

  append(name: string, value: string): void {
    this.edits++;
    this.list.push([name.toLowerCase(), value]);
  }

  remove(name: string): void {
    this.edits++;
    const n = name.toLowerCase();
    for (let j = this.list.length - 1; j >= 0; j--) if (this.list[j]![0] === n) this.list.splice(j, 1);
  }

  entries(): Array<[string, string]> {
    return this.list.map(([k, v]) => [k, v]);
  }

  /** Node's `headers` object shape (duplicates as arrays; `set-cookie` always an array). */
  toObject(skipPseudo = true): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [n, v] of this.list) {
      if (skipPseudo && n.charCodeAt(0) === 58 /* ':' */) continue;
      const prev = out[n];
      if (prev === undefined) out[n] = n === 'set-cookie' ? [v] : v;
      else if (Array.isArray(prev)) prev.push(v);
      else out[n] = [prev, v];
    }
    return out;
  }

  static fromObject(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderList {
    const list = new HeaderList();
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) list.append(name, v);
      else list.append(name, value);
    }
    return list;
  }
}
