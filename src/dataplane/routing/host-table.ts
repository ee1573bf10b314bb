// Hostname lookup shared by listener selection (SNI / Host) and route selection: exact names, `*.` wildcard
// suffixes, and a catch-all, in Gateway API precedence (exact, then the longest matching wildcard, then any).

export class HostTable<T> {
  private readonly exact = new Map<string, T>();
  /** Keyed by the suffix including its leading dot: `*.example.com` → `.example.com`. */
  private readonly wildcard = new Map<string, T>();
  private anyHost: T | undefined;

  /** Inserts or returns the existing value for `hostname` (undefined = catch-all). */
  upsert(hostname: string | undefined, create: () => T): T {
    if (hostname === undefined || hostname === '' || hostname === '*') {
      return (this.anyHost ??= create());
    }
    const name = hostname.toLowerCase();
    const map = name.startsWith('*.') ? this.wildcard : this.exact;
    const key = name.startsWith('*.') ? name.slice(1) : name;
    let value = map.get(key);
    if (value === undefined) {
      value = create();
      map.set(key, value);
    }
    return value;
  }

  /** The most specific entry for a (lowercased, port-less) host, or undefined. */
  find(host: string): T | undefined {
    const exact = this.exact.get(host);
    if (exact !== undefined) return exact;
    if (this.wildcard.size > 0) {
      // A wildcard matches one or more labels, so try suffixes from the longest (first dot) to the shortest.
      for (let dot = host.indexOf('.'); dot >= 0 && dot < host.length - 1; dot = host.indexOf('.', dot + 1)) {
        const hit = this.wildcard.get(host.slice(dot));
        if (hit !== undefined) return hit;
      }
    }
    return this.anyHost;
  }

  /** Every entry that applies to `host`, most specific first (for fallback when a bucket has no match). */
  findAll(host: string): T[] {
    const out: T[] = [];
    const exact = this.exact.get(host);
    if (exact !== undefined) out.push(exact);
    if (this.wildcard.size > 0) {
      for (let dot = host.indexOf('.'); dot >= 0 && dot < host.length - 1; dot = host.indexOf('.', dot + 1)) {
        const hit = this.wildcard.get(host.slice(dot));
        if (hit !== undefined) out.push(hit);
      }
    }
    if (this.anyHost !== undefined) out.push(this.anyHost);
    return out;
  }

  values(): T[] {
    const out = [...this.exact.values(), ...this.wildcard.values()];
    if (this.anyHost !== undefined) out.push(this.anyHost);
    return out;
  }
}

/** `Host` / `:authority` without port, lowercased; IPv6 literals keep their brackets. */
export function hostWithoutPort(authority: string | undefined): string {
  if (authority === undefined || authority === '') return '';
  let end = authority.length;
  if (authority.charCodeAt(0) === 91 /* [ */) {
    const close = authority.indexOf(']');
    end = close < 0 ? end : close + 1;
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) end = colon;
  }
  // A fully qualified name (`example.com.`) names the same host.
  if (end > 1 && authority.charCodeAt(end - 1) === 46 /* . */) end--;
  const host = authority.slice(0, end);
  // Fast path: most Host headers are already lowercase.
  return /[A-Z]/.test(host) ? host.toLowerCase() : host;
}
