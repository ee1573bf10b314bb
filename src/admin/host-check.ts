// DNS rebinding guard for the admin port. A page on another site can make a browser send requests to
// 127.0.0.1:<admin-port> under its own host name; only the Host header tells them apart. The admin port
// answers its data (dashboard, /metrics) only when Host is an IP literal, `localhost` or a name the operator
// allowed. Health endpoints stay open (probes).
import { isIP } from 'node:net';

/** Host names accepted by default besides IP literals. */
const ALWAYS_ALLOWED = ['localhost'];
/**
 * Cluster-internal names (a Prometheus scraping a Service): no one can register them in public DNS, so a page
 * elsewhere cannot rebind them.
 */
const CLUSTER_SUFFIXES = ['.svc', '.svc.cluster.local', '.cluster.local'];

export function allowedHostSet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...ALWAYS_ALLOWED, ...extra].map((h) => h.toLowerCase()));
}

export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (!host) return false;
  const bare = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  const name = bare.toLowerCase();
  return isIP(bare) !== 0 || allowed.has(name) || CLUSTER_SUFFIXES.some((s) => name.endsWith(s));
}
