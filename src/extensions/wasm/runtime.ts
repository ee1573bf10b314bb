// The data plane's entry point for Proxy-Wasm: turns (WasmExtensionIR, WasmPluginIR) into an Extension.
//
// Modules are compiled once per digest; VMs live in one PluginPool per plugin version (and configuration), so
// a snapshot that switches the serving version gets a new pool while streams already open finish on the old
// VMs; `retain` drops pools the current snapshot no longer names once their streams are done.
import { readFileSync } from 'node:fs';
import type { HttpEvent, Snapshot, WasmExtensionIR, WasmPluginIR } from '../../ir/snapshot.js';
import {
  ExtensionError,
  type Extension,
  type ExtensionStream,
  type RequestInfo,
  type StepResult,
  type BodyStepResult,
} from '../extension.js';
import { withLimits, type WasmLimits } from './limits.js';
import { WasmMetrics } from './metrics.js';
import { compilePluginModule, PluginLoadError, sha256Digest, type PluginModule } from './plugin-module.js';
import { stderrLogSink, type PluginLogSink } from './plugin-log.js';
import { PluginPool } from './plugin-pool.js';
import { WasmStream } from './wasm-stream.js';
import type { PluginInvocationReport } from './invocation-report.js';

export interface WasmRuntimeOptions {
  /** Override GKE's limits (tests, `extgate wasm test`). */
  readonly limits?: Partial<WasmLimits>;
  /** Where plugin logs go (default: JSON lines on stderr). */
  readonly logSink?: PluginLogSink;
  /** Share a metrics registry with the admin server; default: a new one (read it from `runtime.metrics`). */
  readonly metrics?: WasmMetrics;
  /** What `get_property("plugin_root_id")` answers. GKE configures no root id: "". */
  readonly rootId?: string;
  /** Called after each plugin callback (shape of GatewayMetrics.pluginInvocation in src/admin/metrics.ts). */
  readonly onInvocation?: (inv: PluginInvocationReport) => void;
}

export type WasmExtensionFactory = (ir: WasmExtensionIR, plugin: WasmPluginIR) => Extension;

export class WasmRuntime {
  readonly limits: WasmLimits;
  readonly metrics: WasmMetrics;
  private readonly logSink: PluginLogSink;
  private readonly rootId: string;
  private readonly onInvocation?: (inv: PluginInvocationReport) => void;
  private readonly modules = new Map<string, PluginModule>();
  private readonly pools = new Map<string, PluginPool>();

  constructor(opts: WasmRuntimeOptions = {}) {
    this.limits = withLimits(opts.limits);
    this.metrics = opts.metrics ?? new WasmMetrics();
    this.logSink = opts.logSink ?? stderrLogSink;
    this.rootId = opts.rootId ?? '';
    if (opts.onInvocation) this.onInvocation = opts.onInvocation;
  }

  /**
   * What `compileChains` needs as ExtensionFactory.wasm for one snapshot: looks the extension's plugin up
   * in `snapshot.wasmPlugins` (a plugin missing there fails its requests with a clear message), and forgets
   * pools of versions this snapshot no longer serves.
   */
  forSnapshot(snapshot: Pick<Snapshot, 'wasmPlugins'>): (ir: WasmExtensionIR) => Extension {
    this.retain(snapshot.wasmPlugins);
    return (ir) => {
      const plugin = snapshot.wasmPlugins[ir.plugin];
      if (!plugin)
        return new WasmExtension(
          ir,
          undefined,
          new Error(`GCPWasmPlugin ${ir.plugin} is not in the snapshot`),
        );
      return this.extensionFactory(ir, plugin);
    };
  }

  /** Bound factory for ExtensionFactory / the chain compiler. */
  readonly extensionFactory: WasmExtensionFactory = (ir, plugin) => {
    let pool: PluginPool | undefined;
    let error: Error | undefined;
    try {
      pool = this.pool(plugin);
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    return new WasmExtension(ir, pool, error);
  };

  /**
   * Loads, checks and compiles every plugin of a snapshot ahead of the swap, so the first request does not
   * pay for it. Returns the plugins that failed (key → message); the caller reports them and keeps serving.
   */
  prepare(plugins: Readonly<Record<string, WasmPluginIR>>): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const [key, plugin] of Object.entries(plugins)) {
      try {
        this.pool(plugin);
      } catch (err) {
        errors[key] = err instanceof Error ? err.message : String(err);
      }
    }
    return errors;
  }

  /** Forget pools of plugin versions the snapshot no longer serves (their open streams keep their VMs). */
  retain(plugins: Readonly<Record<string, WasmPluginIR>>): void {
    const keep = new Set(Object.values(plugins).map((p) => poolKey(p)));
    for (const key of this.pools.keys()) if (!keep.has(key)) this.pools.delete(key);
    const digests = new Set(Object.values(plugins).map((p) => p.serving.moduleDigest));
    for (const d of this.modules.keys()) if (!digests.has(d)) this.modules.delete(d);
  }

  /** The pool serving a plugin's current version (created on first use). Throws PluginLoadError. */
  pool(plugin: WasmPluginIR): PluginPool {
    const key = poolKey(plugin);
    let pool = this.pools.get(key);
    if (pool) return pool;
    const v = plugin.serving;
    const config = v.configBase64 ? Buffer.from(v.configBase64, 'base64') : new Uint8Array(0);
    const module = this.module(v.modulePath, v.moduleDigest, config.length);
    pool = new PluginPool({
      pluginKey: plugin.key,
      version: v,
      module,
      config,
      log: plugin.log,
      limits: this.limits,
      rootId: this.rootId,
      metrics: this.metrics,
      logSink: this.logSink,
      ...(this.onInvocation ? { onInvocation: this.onInvocation } : {}),
    });
    this.pools.set(key, pool);
    return pool;
  }

  private module(path: string, digest: string, configBytes: number): PluginModule {
    const cached = this.modules.get(digest);
    if (cached) return cached;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new PluginLoadError(`cannot read plugin module ${path}: ${(err as Error).message}`);
    }
    const actual = sha256Digest(bytes);
    if (digest && actual !== digest) {
      throw new PluginLoadError(
        `plugin module ${path} has digest ${actual}, expected ${digest} (cache corrupted?)`,
      );
    }
    const mod = compilePluginModule(bytes, configBytes, this.limits);
    this.modules.set(mod.digest, mod);
    return mod;
  }
}

function poolKey(p: WasmPluginIR): string {
  const v = p.serving;
  return [p.key, v.name, v.moduleDigest, v.configBase64 ?? '', JSON.stringify(p.log)].join('\0');
}

class WasmExtension implements Extension {
  readonly id: string;
  readonly failOpen: boolean;
  readonly events: ReadonlySet<HttpEvent>;

  constructor(
    ir: WasmExtensionIR,
    private readonly pool: PluginPool | undefined,
    private readonly loadError: Error | undefined,
  ) {
    this.id = ir.id;
    this.failOpen = ir.failOpen;
    this.events = new Set(ir.events);
  }

  open(request: RequestInfo): ExtensionStream {
    if (this.pool) return new WasmStream(this.pool, request);
    return new UnavailableStream(`plugin unavailable: ${this.loadError?.message ?? 'unknown error'}`);
  }
}

/** A plugin that could not be loaded fails every request (500, or skipped when failOpen). */
class UnavailableStream implements ExtensionStream {
  constructor(private readonly message: string) {}
  private fail<T>(): Promise<T> {
    return Promise.reject(new ExtensionError('error', this.message));
  }
  requestHeaders(): Promise<StepResult> {
    return this.fail();
  }
  requestBody(): Promise<BodyStepResult> {
    return this.fail();
  }
  requestTrailers(): Promise<StepResult> {
    return this.fail();
  }
  responseHeaders(): Promise<StepResult> {
    return this.fail();
  }
  responseBody(): Promise<BodyStepResult> {
    return this.fail();
  }
  responseTrailers(): Promise<StepResult> {
    return this.fail();
  }
  close(): void {}
}
