// One gateway node: the data plane with its extension runtimes (ext_proc callouts, Proxy-Wasm), fed by the
// controller's snapshots. It runs in each data-plane worker (gateway-worker.ts), or in the controller's own
// process with `--workers 0` (gateway.ts picks).
//
// Wiring, in data-flow order: snapshot → WasmRuntime.prepare (compile new plugin versions before traffic
// needs them) → DataPlane.apply, which compiles each listener's chains through `compileChains`
// (WasmRuntime.forSnapshot also forgets plugin versions the snapshot no longer serves).
import type { Registry } from 'prom-client';
import { DataPlane, type ApplyReport } from '../dataplane/gateway.js';
import { CalloutClient } from '../extensions/callout/client.js';
import type { CalloutProblems } from '../extensions/callout/health.js';
import { registerCalloutMetrics } from '../extensions/callout/metrics.js';
import { compileChains, type ExtensionFactory } from '../extensions/chain.js';
import { WasmMetrics } from '../extensions/wasm/metrics.js';
import { WasmRuntime } from '../extensions/wasm/runtime.js';
import type { PluginLogSink } from '../extensions/wasm/plugin-log.js';
import type { Snapshot, WasmExtensionIR } from '../ir/snapshot.js';
import type { Extension } from '../extensions/extension.js';
import type { DataPlaneLimits } from '../dataplane/limits.js';
import { linkedTrace, type TraceSource } from '../dataplane/trace.js';
import { chainKindOf, tracedExtension } from '../dataplane/traced-extension.js';
import { explainListenError } from '../controller/translator/listener-ports.js';

export interface GatewayNode {
  readonly dataPlane: DataPlane;
  readonly wasm: WasmRuntime;
  /**
   * Serves `snapshot`; resolves once it serves, with the ports that could not be bound (the controller reports
   * them on the listeners' status). A snapshot the data plane refuses whole rejects, and the previous one keeps
   * serving.
   */
  apply(snapshot: Snapshot): Promise<ApplyReport>;
  close(graceMs?: number): Promise<void>;
}

export interface GatewayNodeOptions {
  /** Where the Wasm runtime's and the callout connections' metrics go. */
  metrics: Registry;
  log: (line: string) => void;
  /** Per-request traces (src/admin/trace.ts's TraceRecorder); absent = none. */
  recorder?: TraceSource;
  /** Where plugin log lines go (the PluginLogBook, or the pool in a worker); default stderr. */
  pluginLogSink?: PluginLogSink;
  limits?: Partial<DataPlaneLimits>;
  /** Bind listener ports with SO_REUSEPORT (every data-plane worker binds the same ports). */
  reusePort?: boolean;
  /** Extensions whose callout cannot be connected to (callout/health.ts), each time that set changes. */
  onCalloutProblems?: (problems: CalloutProblems) => void;
}

export function startGatewayNode(opts: GatewayNodeOptions): GatewayNode {
  const callouts = new CalloutClient(opts.onCalloutProblems ? { onProblems: opts.onCalloutProblems } : {});
  registerCalloutMetrics(opts.metrics, () => callouts.connectionStatsByAuthority);
  const recorder = opts.recorder;
  const wasm = new WasmRuntime({
    metrics: new WasmMetrics(opts.metrics),
    ...(opts.pluginLogSink ? { logSink: opts.pluginLogSink } : {}),
  });
  const dataPlane = new DataPlane({
    ...(recorder ? { recorder } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.reusePort ? { reusePort: true } : {}),
    compileChains: (chains, snapshot) => {
      const compiled = compileChains(
        chains,
        extensionRuntime(callouts, wasm.forSnapshot(snapshot), snapshot, recorder),
      );
      for (const problem of compiled.problems) opts.log(`gateway: ${problem}`);
      return compiled;
    },
  });
  return {
    dataPlane,
    wasm,
    async apply(snapshot) {
      const failures = wasm.prepare(snapshot.wasmPlugins);
      for (const [plugin, why] of Object.entries(failures)) opts.log(`gateway: plugin ${plugin}: ${why}`);
      const report = await dataPlane.apply(snapshot);
      for (const [port, why] of Object.entries(report.portErrors))
        opts.log(`gateway: port ${port}: ${explainListenError(why)}`);
      for (const why of Object.values(report.listenerErrors)) opts.log(`gateway: ${why}`);
      return report;
    },
    async close(graceMs) {
      await dataPlane.close(graceMs);
      callouts.close();
    },
  };
}

/**
 * How a snapshot's chain members are made: callouts from the shared client, plugins from the Wasm runtime's
 * view of this snapshot; with a recorder, each member wrapped to record its steps into the request's trace
 * (found through the RequestInfo the data plane linked it to). Exported for bench/product-path-cost.ts, which
 * runs the product's per-request path in process.
 */
export function extensionRuntime(
  callouts: CalloutClient,
  plugins: (ir: WasmExtensionIR) => Extension,
  snapshot: Snapshot,
  recorder: TraceSource | undefined,
): ExtensionFactory {
  if (recorder === undefined) return { callout: (ir) => callouts.extension(ir), wasm: plugins };
  return {
    callout: (ir, chain) => tracedExtension(callouts.extension(ir), linkedTrace, chainKindOf(chain)),
    wasm: (ir, chain) =>
      tracedExtension(plugins(ir), linkedTrace, chainKindOf(chain), {
        key: ir.plugin,
        version: snapshot.wasmPlugins[ir.plugin]?.serving.name ?? '?',
      }),
  };
}
