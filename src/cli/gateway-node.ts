// One gateway node: the data plane with its extension runtimes (ext_proc callouts, Proxy-Wasm), fed by the
// controller's snapshots. `extgate up` and `extgate serve` both run one; they differ only in where the API is.
//
// Wiring, in data-flow order: controller → onSnapshot → WasmRuntime.prepare (compile new plugin versions
// before traffic needs them) → DataPlane.apply, which compiles each listener's chains through
// `compileChains` (WasmRuntime.forSnapshot also forgets plugin versions the snapshot no longer serves).
import { explainListenError } from '../controller/translator/listener-ports.js';
import type { Registry } from 'prom-client';
import { DataPlane, type ApplyReport } from '../dataplane/gateway.js';
import { CalloutClient } from '../extensions/callout/client.js';
import type { CalloutProblems } from '../extensions/callout/health.js';
import { compileChains, type ExtensionRuntime } from '../extensions/chain.js';
import { WasmMetrics } from '../extensions/wasm/metrics.js';
import { WasmRuntime } from '../extensions/wasm/runtime.js';
import type { Snapshot } from '../ir/snapshot.js';
import type { RequestInfo } from '../extensions/extension.js';
import type { Observability } from '../admin/observability.js';
import type { RequestTrace } from '../dataplane/trace.js';
import { chainKindOf, tracedExtension } from '../dataplane/traced-extension.js';

export interface GatewayNode {
  readonly dataPlane: DataPlane;
  readonly wasm: WasmRuntime;
  /**
   * Serves `snapshot`; resolves once it serves, with the ports that could not be bound (the controller reports
   * them on the listeners' status). A snapshot the data plane refuses whole leaves the previous one serving
   * (logged). Never rejects.
   */
  apply(snapshot: Snapshot): Promise<ApplyReport>;
  close(graceMs?: number): Promise<void>;
}

export interface GatewayNodeOptions {
  metrics: Registry;
  log: (line: string) => void;
  /** Traces, access log, plugin logs (src/admin/observability.ts); absent = none. */
  observability?: Observability;
  /** Extensions whose callout cannot be connected to (callout/health.ts), each time that set changes. */
  onCalloutProblems?: (problems: CalloutProblems) => void;
}

export function startGatewayNode(opts: GatewayNodeOptions): GatewayNode {
  const callouts = new CalloutClient(opts.onCalloutProblems ? { onProblems: opts.onCalloutProblems } : {});
  const obs = opts.observability;
  const wasm = new WasmRuntime({
    metrics: new WasmMetrics(opts.metrics),
    ...(obs ? { logSink: obs.pluginLogs.sink } : {}),
  });
  // Chain members find their request's trace through the RequestInfo the data plane linked it to.
  const traceLinks = new WeakMap<RequestInfo, RequestTrace>();
  const traceOf = (request: RequestInfo) => traceLinks.get(request);
  const dataPlane = new DataPlane({
    ...(obs ? { recorder: obs.recorder, traceLinks } : {}),
    compileChains: (chains, snapshot) => {
      const plugins = wasm.forSnapshot(snapshot);
      const runtime: ExtensionRuntime = obs
        ? {
            callout: (ir, chain) => tracedExtension(callouts.extension(ir), traceOf, chainKindOf(chain)),
            wasm: (ir, chain) =>
              tracedExtension(plugins(ir), traceOf, chainKindOf(chain), {
                key: ir.plugin,
                version: snapshot.wasmPlugins[ir.plugin]?.serving.name ?? '?',
              }),
          }
        : { callout: (ir) => callouts.extension(ir), wasm: plugins };
      const compiled = compileChains(chains, runtime);
      for (const problem of compiled.problems) opts.log(`gateway: ${problem}`);
      return compiled;
    },
  });
  return {
    dataPlane,
    wasm,
    apply(snapshot) {
      const failures = wasm.prepare(snapshot.wasmPlugins);
      for (const [plugin, why] of Object.entries(failures)) opts.log(`gateway: plugin ${plugin}: ${why}`);
      return dataPlane.apply(snapshot).then(
        (report) => {
          for (const [port, why] of Object.entries(report.portErrors))
            opts.log(`gateway: port ${port}: ${explainListenError(why)}`);
          return report;
        },
        (err: unknown) => {
          opts.log(
            `gateway: snapshot ${snapshot.version} not applied, previous one keeps serving: ${String(err)}`,
          );
          return { portErrors: {} };
        },
      );
    },
    async close(graceMs) {
      await dataPlane.close(graceMs);
      callouts.close();
    },
  };
}
