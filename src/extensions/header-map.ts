// The HeaderMap every extension edits in place: an ordered list of (lowercased name, value) pairs.
//
// A list rather than a Map of arrays because header order is observable (ext_proc sends it, Proxy-Wasm
// plugins read pairs in order) and typical requests carry 10-30 headers, where a linear scan beats hashing.
// Held flat (name, value, name, value...) in one array: no tuple per header, and the scans are plain loops.
//
// The HeaderMap methods lowercase whatever name they are given (a callout or plugin may send any case). The
// data plane's own names are lowercase already (Node's parsed header objects, its literals), so it builds and
// reads through the `...Lowercase` methods, which skip that.

import type { HeaderMap } from './extension.js';
import { forEachRawHeader } from './header-codec.js';

/**
 * Adds one value of `name` to a Node header object as HeaderList.toObject() does: repeats as arrays,
 * `set-cookie` always one. A `__proto__` name (a token; an extension may add it) becomes an own field like
 * any other, where a plain assignment would replace the object's prototype.
 */
export function addHeaderValue(out: Record<string, string | string[]>, name: string, value: string): void {
  if (name === '__proto__') return addOwnHeaderValue(out, name, value);
  const prev = out[name];
  if (prev === undefined) out[name] = name === 'set-cookie' ? [value] : value;
  else if (Array.isArray(prev)) prev.push(value);
  else out[name] = [prev, value];
}

function addOwnHeaderValue(out: Record<string, string | string[]>, name: string, value: string): void {
  const prev = Object.hasOwn(out, name) ? out[name] : undefined;
  const next = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  Object.defineProperty(out, name, { value: next, enumerable: true, writable: true, configurable: true });
}

export class HeaderList implements HeaderMap {
  /** name, value, name, value...; names lowercase. */
  private readonly flat: string[] = [];
  private edits = 0;

  constructor(entries?: Iterable<readonly [string, string]>) {
    if (entries) for (const [n, v] of entries) this.flat.push(n.toLowerCase(), v);
  }

  /** From Node's `rawHeaders`-style flat array [name, value, name, value, ...]. */
  static fromRaw(raw: readonly string[]): HeaderList {
    const h = new HeaderList();
    forEachRawHeader(raw, (name, value) => h.flat.push(name.toLowerCase(), value));
    return h;
  }

  get size(): number {
    return this.flat.length >> 1;
  }

  /**
   * Counts set/append calls and removes that removed something: equal before and after an extension ran means
   * it edited nothing, so the data plane can keep the headers it had instead of rebuilding them from the list.
   */
  get version(): number {
    return this.edits;
  }

  get(name: string): string | undefined {
    return this.getLowercase(name.toLowerCase());
  }

  /** `get` for a name that is lowercase already. */
  getLowercase(name: string): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.flat[i + 1];
  }

  getAll(name: string): string[] {
    const n = name.toLowerCase();
    const f = this.flat;
    const out: string[] = [];
    for (let i = 0; i < f.length; i += 2) if (f[i] === n) out.push(f[i + 1]!);
    return out;
  }

  has(name: string): boolean {
    return this.indexOf(name.toLowerCase()) >= 0;
  }

  /** Replaces every value of `name` with one value, kept at the position of the first one. */
  set(name: string, value: string): void {
    this.setLowercase(name.toLowerCase(), value);
  }

  /** `set` for a name that is lowercase already. */
  setLowercase(name: string, value: string): void {
    this.edits++;
    const f = this.flat;
    const i = this.indexOf(name);
    if (i < 0) {
      f.push(name, value);
      return;
    }
    f[i + 1] = value;
    for (let j = f.length - 2; j > i; j -= 2) if (f[j] === name) f.splice(j, 2);
  }

  append(name: string, value: string): void {
    this.edits++;
    this.flat.push(name.toLowerCase(), value);
  }

  /** `append` for a name that is lowercase already. */
  appendLowercase(name: string, value: string): void {
    this.edits++;
    this.flat.push(name, value);
  }

  /**
   * Drops every value of `name`. Counts as an edit only when one was there: the data plane removes
   * `content-length` whenever a chain takes the body, and a request without one (chunked) must keep the
   * unedited path (the client's headers, no rebuild) — which carries the same fields, repeats included, since
   * the list is built from them.
   */
  remove(name: string): void {
    const n = name.toLowerCase();
    const f = this.flat;
    const size = f.length;
    for (let j = size - 2; j >= 0; j -= 2) if (f[j] === n) f.splice(j, 2);
    if (f.length !== size) this.edits++;
  }

  entries(): Array<[string, string]> {
    const f = this.flat;
    const out = new Array<[string, string]>(f.length >> 1);
    for (let i = 0; i < f.length; i += 2) out[i >> 1] = [f[i]!, f[i + 1]!];
    return out;
  }

  /** Name of the `i`th header (0 ≤ i < size), for a walk over the list without copying it. */
  nameAt(i: number): string {
    return this.flat[i << 1]!;
  }

  /** Value of the `i`th header (0 ≤ i < size). */
  valueAt(i: number): string {
    return this.flat[(i << 1) + 1]!;
  }

  /** Node's `headers` object shape (duplicates as arrays; `set-cookie` always an array). */
  toObject(skipPseudo = true): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) {
      const n = f[i]!;
      const v = f[i + 1]!;
      if (skipPseudo && n.charCodeAt(0) === 58 /* ':' */) continue;
      addHeaderValue(out, n, v);
    }
    return out;
  }

  static fromObject(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderList {
    const list = new HeaderList();
    for (const name in headers) list.addFrom(name.toLowerCase(), headers[name]);
    return list;
  }

  /**
   * `fromObject` for an object whose names are lowercase already (Node's parsed `headers`, the data plane's
   * response headers).
   */
  static fromLowercaseObject(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderList {
    const list = new HeaderList();
    for (const name in headers) list.addFrom(name, headers[name]);
    return list;
  }

  private addFrom(name: string, value: string | string[] | undefined): void {
    if (value === undefined) return;
    this.edits++;
    if (typeof value === 'string') this.flat.push(name, value);
    else for (const v of value) this.flat.push(name, v);
  }

  private indexOf(name: string): number {
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) if (f[i] === name) return i;
    return -1;
  }
}
