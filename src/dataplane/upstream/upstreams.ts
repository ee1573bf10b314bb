// Connection pools to backend endpoints and the choice of endpoint per request: round-robin over the ready
// endpoints of a Service port, skipping endpoints that recently refused a connection (passive health checks).
// Pools outlive snapshots: a snapshot that keeps an endpoint keeps its warm keep-alive connections.

import { isIP } from 'node:net';
import { Pool } from 'undici';
import type { BackendIR, EndpointIR, Snapshot, UpstreamProtocol } from '../../ir/snapshot.js';
import type { DataPlaneLimits } from '../limits.js';
import type { UpstreamDispatcher, UpstreamHandler, UpstreamRequest } from './dispatcher.js';
import { H2cUpstream } from './h2c.js';
import { h2Fields } from './h2-fields.js';
import { H1Upstream } from './h1.js';
import { UndiciHandlerAdapter } from './undici-handler.js';

class UndiciUpstream implements UpstreamDispatcher {
  constructor(
    private readonly pool: Pool,
    /** TLS h2 (undici writes through node:http2, which takes one value of the fields it keeps once). */
    private readonly h2: boolean,
  ) {}

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    this.pool.dispatch(
      {
        path: request.path,
        method: request.method as 'GET',
        headers: this.h2 ? h2Fields(request.headers) : request.headers,
        body: request.body,
        headersTimeout: request.headersTimeout,
        bodyTimeout: 0,
        upgrade: request.upgrade ?? null,
      },
      new UndiciHandlerAdapter(handler),
    );
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

/**
 * The endpoint of `backend` a dynamic forwarding answer names (`ip:port`, IPv6 as `[ip]:port`), or undefined
 * when it names anything else: a hostname, another backend's endpoint, the admin port. As Envoy's override
 * host: `HostUtility::selectOverrideHost` (source/common/upstream/host_utility.cc) looks the address up in the
 * hosts of the cluster the route chose and, when it is not there, `ClusterEntry::chooseHost`
 * (cluster_manager_impl.cc) falls back to the load balancer. An extension steers among the endpoints the route
 * allows, never beyond them.
 */
export function overrideEndpoint(backend: BackendIR, hostPort: string): EndpointIR | undefined {
  const colon = hostPort.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const rawHost = hostPort.slice(0, colon);
  const bracketed = rawHost.startsWith('[') && rawHost.endsWith(']');
  const host = bracketed ? rawHost.slice(1, -1).toLowerCase() : rawHost;
  // IPv4 bare, IPv6 only in brackets: `::1:80` is ambiguous and refused.
  if (isIP(host) !== (bracketed ? 6 : 4)) return undefined;
  const portText = hostPort.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  for (const e of backend.endpoints) if (e.port === port && e.address.toLowerCase() === host) return e;
  return undefined;
}

export function endpointKey(e: EndpointIR): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export class Upstreams {
  private readonly pools = new Map<string, UpstreamDispatcher>();
  /** Per-endpoint-object cache in front of `pools`, so the hot path does no string building. */
  private byEndpoint = new WeakMap<EndpointIR, UpstreamDispatcher>();
  private readonly cursor = new Map<string, number>();
  private readonly ejectedUntil = new Map<string, number>();

  constructor(
    private readonly limits: DataPlaneLimits,
    /** `native`: H1Upstream (Node's llhttp on raw sockets); `undici`: undici Pool. TLS h2 always uses undici. */
    private readonly http1Client: 'native' | 'undici' = 'native',
  ) {}

  dispatcher(endpoint: EndpointIR, protocol: UpstreamProtocol): UpstreamDispatcher {
    const cached = this.byEndpoint.get(endpoint);
    if (cached !== undefined) return cached;
    const d = this.dispatcherByKey(endpoint, protocol);
    this.byEndpoint.set(endpoint, d);
    return d;
  }

  private dispatcherByKey(endpoint: EndpointIR, protocol: UpstreamProtocol): UpstreamDispatcher {
    const key = `${protocol}|${endpointKey(endpoint)}`;
    let d = this.pools.get(key);
    if (d === undefined) {
      d = this.create(endpoint, protocol);
      this.pools.set(key, d);
    }
    return d;
  }

  private create(endpoint: EndpointIR, protocol: UpstreamProtocol): UpstreamDispatcher {
    const hostPort = endpointKey(endpoint);
    if (protocol === 'h2c')
      return new H2cUpstream(`http://${hostPort}`, this.limits.upstreamKeepAliveTimeoutMs);
    if (protocol === 'http1' && this.http1Client === 'native') {
      return new H1Upstream(
        endpoint.address,
        endpoint.port,
        this.limits.upstreamKeepAliveTimeoutMs,
        this.limits.maxHeaderBytes,
      );
    }
    const pool = new Pool(`${protocol === 'h2' ? 'https' : 'http'}://${hostPort}`, {
      keepAliveTimeout: this.limits.upstreamKeepAliveTimeoutMs,
      keepAliveMaxTimeout: this.limits.upstreamKeepAliveTimeoutMs,
      maxHeaderSize: this.limits.maxHeaderBytes,
      bodyTimeout: 0,
      ...(protocol === 'h2' ? { allowH2: true, connect: { rejectUnauthorized: false } } : {}),
    });
    // Pool errors surface on requests; the emitter must not crash the process.
    pool.on('connectionError', () => {});
    return new UndiciUpstream(pool, protocol === 'h2');
  }

  /**
   * Next endpoint of `backend` by round-robin, skipping ejected endpoints and those in `tried`. When every
   * endpoint is ejected, ejection is ignored (better to try than to answer 503 from stale state).
   */
  pick(backend: BackendIR, tried?: ReadonlySet<string>): EndpointIR | undefined {
    const eps = backend.endpoints;
    const n = eps.length;
    if (n === 0) return undefined;
    const start = this.cursor.get(backend.id) ?? 0;
    this.cursor.set(backend.id, (start + 1) % n);
    if (n === 1 && tried === undefined) return eps[0];
    const now = this.ejectedUntil.size > 0 ? Date.now() : 0;
    let fallback: EndpointIR | undefined;
    for (let i = 0; i < n; i++) {
      const ep = eps[(start + i) % n]!;
      const key = tried !== undefined || now > 0 ? endpointKey(ep) : '';
      if (tried?.has(key)) continue;
      if (now > 0 && (this.ejectedUntil.get(key) ?? 0) > now) {
        fallback ??= ep;
        continue;
      }
      return ep;
    }
    return fallback;
  }

  /** Passive health check: a refused connection takes the endpoint out of rotation for a while. */
  eject(endpoint: EndpointIR): void {
    this.ejectedUntil.set(endpointKey(endpoint), Date.now() + this.limits.endpointEjectionMs);
  }

  /** A successful response brings an endpoint back early. */
  restore(endpoint: EndpointIR): void {
    if (this.ejectedUntil.size > 0) this.ejectedUntil.delete(endpointKey(endpoint));
  }

  /** Gracefully closes pools for endpoints no snapshot refers to any more. */
  retain(snapshot: Snapshot): void {
    const live = new Set<string>();
    const visit = (b: BackendIR): void => {
      for (const e of b.endpoints) live.add(`${b.protocol}|${endpointKey(e)}`);
    };
    for (const port of snapshot.ports) {
      for (const l of port.listeners) {
        for (const r of l.routes) {
          for (const wb of r.backends) visit(wb.backend);
          for (const f of r.filters) if (f.type === 'RequestMirror') visit(f.mirror);
        }
      }
    }
    // Endpoint objects of an old snapshot may map to a pool closed below; start the cache afresh.
    this.byEndpoint = new WeakMap();
    for (const [key, d] of this.pools) {
      if (live.has(key)) continue;
      this.pools.delete(key);
      // In-flight requests on the old snapshot finish; then the pool closes its sockets.
      void d.close().catch(() => {});
    }
  }

  async close(graceMs: number): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    const closing = Promise.allSettled(all.map((d) => d.close()));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([closing, late]);
    clearTimeout(timer);
    await Promise.allSettled(all.map((d) => d.destroy()));
  }
}
