// The data plane: serves a Snapshot. apply() compiles the whole snapshot first (so a bad snapshot changes
// nothing), binds new ports, then swaps every port's runtime at once and drains ports that went away.
// Requests hold the runtime they started with, so in-flight requests finish on their snapshot.

import type { Snapshot } from '../ir/snapshot.js';
import type { TraceSource } from './trace.js';
import { DEFAULT_LIMITS, type DataPlaneLimits } from './limits.js';
import { newProxyStats, type ProxyContext, type ProxyStats, type RequestObserver } from './context.js';
import { PortListener } from './port-listener.js';
import { compilePort, type CompileChains, type CompiledPort } from './compiled-port.js';
import { Upstreams } from './upstream/upstreams.js';

export type { CompileChains } from './compiled-port.js';
export type { RequestObserver, RequestRecord, ProxyStats } from './context.js';

export interface DataPlaneOptions {
  /** Compiles a listener's extension chains once per snapshot (src/extensions/chain.ts). Default: no chains. */
  readonly compileChains?: CompileChains;
  readonly limits?: Partial<DataPlaneLimits>;
  /** Called once per finished request (access log, metrics). Absent = no per-request bookkeeping. */
  readonly observer?: RequestObserver;
  /** Where request traces go (the interface in ./trace.ts; src/admin's TraceRecorder feeds the dashboard, access log and metrics). */
  readonly recorder?: TraceSource;
  /**
   * HTTP/1.1 upstream client: `native` (default; Node's llhttp binding on raw keep-alive sockets, ~1/3 less
   * CPU per request) or `undici` (undici Pool). h2 over TLS always uses undici, h2c uses node:http2.
   */
  readonly http1Client?: 'native' | 'undici';
  /** Value appended to `via`. */
  readonly via?: string;
  /**
   * Bind with SO_REUSEPORT, so several processes (data-plane workers) accept on the same ports and the kernel
   * spreads connections over them. Off by default: a second gateway on the same port is then an error.
   */
  readonly reusePort?: boolean;
}

/** What an apply could not do; everything else of the snapshot serves. */
export interface ApplyReport {
  /** Port (as in the snapshot, after the offset) → why it could not be bound. */
  readonly portErrors: Readonly<Record<number, string>>;
  /** Gateway listener id → why it could not be compiled; the port's other listeners serve. */
  readonly listenerErrors: Readonly<Record<string, string>>;
}

export interface BoundPort {
  readonly address: string;
  /** The port in the snapshot. */
  readonly port: number;
  /** The port actually bound (they differ only when the snapshot asked for port 0). */
  readonly boundPort: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly connections: number;
}

export class DataPlane {
  readonly limits: DataPlaneLimits;
  readonly stats: ProxyStats = newProxyStats();
  private readonly ctx: ProxyContext;
  private readonly listeners = new Map<
    string,
    { listener: PortListener; protocol: 'HTTP' | 'HTTPS'; address: string; port: number }
  >();
  private readonly upstreams: Upstreams;
  private queue: Promise<unknown> = Promise.resolve();
  private current: Snapshot | undefined;
  private closed = false;

  constructor(private readonly options: DataPlaneOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.upstreams = new Upstreams(
      this.limits,
      options.http1Client ?? (process.env.EXTGATE_HTTP1_CLIENT === 'undici' ? 'undici' : 'native'),
    );
    this.ctx = {
      observer: options.observer,
      recorder: options.recorder,
      upstreams: this.upstreams,
      limits: this.limits,
      stats: this.stats,
      via: `1.1 ${options.via ?? 'extgate'}`,
    };
  }

  /** The snapshot being served (undefined before the first apply). */
  get snapshot(): Snapshot | undefined {
    return this.current;
  }

  ports(): BoundPort[] {
    return [...this.listeners.values()].map(({ listener, protocol, address, port }) => ({
      address,
      port,
      boundPort: listener.boundPort,
      protocol,
      connections: listener.connections,
    }));
  }

  /**
   * Serves `snapshot`. Applies are serialized. A Gateway listener that does not compile and a port that cannot
   * be bound (in use, no permission) are left out and reported in the result; everything else is applied, so
   * one bad listener does not hold every other change back. The controller turns the report into the
   * listener's status and retries later.
   */
  apply(snapshot: Snapshot): Promise<ApplyReport> {
    const run = this.queue.then(() => this.applyNow(snapshot));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async applyNow(snapshot: Snapshot): Promise<ApplyReport> {
    const portErrors: Record<number, string> = {};
    const listenerErrors: Record<string, string> = {};
    if (this.closed) throw new Error('data plane is closed');
    // Refuse a malformed snapshot before compiling anything: compiling starts extensions (callout channels,
    // plugin VMs), which must not happen for a snapshot that is then not applied.
    const keys = new Set<string>();
    for (const port of snapshot.ports) {
      const key = portKey(port.address, port.port, port.protocol);
      if (keys.has(key))
        throw new Error(`snapshot ${snapshot.version}: port ${key} appears twice in snapshot.ports`);
      keys.add(key);
    }
    const next = new Map<string, CompiledPort>();
    for (const port of snapshot.ports) {
      const key = portKey(port.address, port.port, port.protocol);
      next.set(key, compilePort(port, snapshot, this.options.compileChains, listenerErrors));
    }

    // A port whose protocol changed must be rebound: close it first so the new socket can take the port.
    const removed: Array<[string, PortListener]> = [];
    for (const [key, entry] of this.listeners) {
      const rt = next.get(key);
      if (rt === undefined || rt.ir.protocol !== entry.protocol) {
        this.listeners.delete(key);
        removed.push([key, entry.listener]);
      }
    }
    await Promise.all(removed.filter(([key]) => next.has(key)).map(([, l]) => l.close(0)));

    const added: Array<[string, PortListener]> = [];
    for (const [key, rt] of [...next]) {
      if (this.listeners.has(key)) continue;
      const listener = new PortListener(rt, this.ctx, this.limits, this.options.reusePort === true);
      try {
        await listener.listen();
        added.push([key, listener]);
      } catch (err) {
        portErrors[rt.ir.port] = err instanceof Error ? err.message : String(err);
        next.delete(key);
      }
    }

    // The swap: synchronous, so no request sees half of a snapshot.
    for (const [key, rt] of next) this.listeners.get(key)?.listener.update(rt);
    for (const [key, listener] of added) {
      const { protocol, address, port } = next.get(key)!.ir;
      this.listeners.set(key, { listener, protocol, address, port });
    }
    this.current = snapshot;
    this.upstreams.retain(snapshot);

    for (const [key, l] of removed) if (!next.has(key)) void l.close(this.limits.drainMs);
    return { portErrors, listenerErrors };
  }

  /** Stops accepting, drains in-flight requests for up to `graceMs`, then closes everything. */
  async close(graceMs: number = this.limits.drainMs): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    const all = [...this.listeners.values()].map((e) => e.listener);
    this.listeners.clear();
    await Promise.all(all.map((l) => l.close(graceMs)));
    await this.upstreams.close(Math.min(graceMs, 1_000));
  }
}

/** Port 0 (an ephemeral port, used by tests) may appear once per protocol. */
function portKey(address: string, port: number, protocol: string): string {
  return port === 0 ? `${address}|0|${protocol}` : `${address}|${port}`;
}
