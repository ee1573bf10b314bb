// CPU per request of what a plugin costs the product, in process (no sockets): the same Exchange and request
// pipeline as bench/edit-path-cost.ts, with and without the add-header example plugin (AssemblyScript SDK,
// request and response headers) in a traffic chain matched by CEL as `extgate up` serves one, each run two ways:
//
// - bare: the data plane alone (bench scenarios `extgate` and `extgate+wasm-add-header`);
// - product: what each `extgate up` / `serve` worker adds (gateway-worker.ts): the trace recorder whose
//   finished requests feed the access log (to /dev/null, as a redirected stdout) and the request metrics, the
//   Wasm runtime's metrics, every member wrapped to record its steps (gateway-node.ts `extensionRuntime`).
//
// The gateway bench cannot resolve the few µs that separate the two on this machine (its speed drifts tens of
// percent between runs; docs/benchmarks.md); CPU time per request in one process, alternated, can.
//
//   npx tsc -p . && node scripts/build-plugins.mjs && node dist/bench/product-path-cost.js [--requests 20000] [--only <row text>]
//   (BENCH_NO_LOG=1: the product rows without the access log, to see its share.)
import { Registry } from 'prom-client';
import { createObservability } from '../src/admin/observability.js';
import { extensionRuntime } from '../src/cli/gateway-node.js';
import { workerObservability } from '../src/cli/gateway.js';
import { compilePort, type CompiledPort } from '../src/dataplane/compiled-port.js';
import type { TraceSource } from '../src/dataplane/trace.js';
import { CalloutClient } from '../src/extensions/callout/client.js';
import { compileChains } from '../src/extensions/chain.js';
import { WasmMetrics } from '../src/extensions/wasm/metrics.js';
import { WasmRuntime } from '../src/extensions/wasm/runtime.js';
import type { ExtensionChainIR, Snapshot } from '../src/ir/snapshot.js';
import { examplePath, extensionIR, pluginIR } from '../test/wasm/helpers.js';
import { benchSnapshot } from './snapshots.js';
import { cpuPerRequest, downstreamRequest, oneRequest, stubContext, WRK } from './stub-exchange.js';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const requests = Number(option('--requests') ?? 20_000);
const only = option('--only');

const plugin = pluginIR('default/bench-plugin', examplePath('add-header'));
/** The chain bench/product-proc.ts applies (GCPTrafficExtension with a CEL match), as the controller emits it. */
const chainIR: ExtensionChainIR = {
  id: 'GCPTrafficExtension/default/bench-plugin/chain1',
  name: 'chain1',
  resource: 'default/bench-plugin',
  resourceKind: 'GCPTrafficExtension',
  match: [{ celMatcher: 'request.path.startsWith("/")' }],
  extensions: [extensionIR(plugin.key, { events: ['RequestHeaders', 'ResponseHeaders'] })],
};

interface Setup {
  readonly label: string;
  readonly run: () => Promise<void>;
}

function setup(withPlugin: boolean, product: boolean): Setup {
  const registry = new Registry();
  const observability = product
    ? createObservability(
        workerObservability(
          { observability: { accessLog: process.env.BENCH_NO_LOG ? false : '/dev/null' } },
          1,
          registry,
        ),
      )
    : undefined;
  const recorder: TraceSource | undefined = observability?.recorder;
  const wasm = new WasmRuntime({
    ...(product ? { metrics: new WasmMetrics(registry) } : {}),
    logSink: () => {},
  });
  const base = benchSnapshot(9, 1);
  const snapshot: Snapshot = withPlugin
    ? {
        ...base,
        wasmPlugins: { [plugin.key]: plugin },
        ports: base.ports.map((p) => ({
          ...p,
          listeners: p.listeners.map((l) => ({ ...l, trafficChains: [chainIR] })),
        })),
      }
    : base;
  wasm.prepare(snapshot.wasmPlugins);
  const callouts = new CalloutClient();
  const port: CompiledPort = compilePort(snapshot.ports[0]!, snapshot, (chains) =>
    compileChains(chains, extensionRuntime(callouts, wasm.forSnapshot(snapshot), snapshot, recorder)),
  );
  const ctx = stubContext(recorder);
  const req = downstreamRequest(WRK);
  return {
    label: `${product ? 'product' : 'bare'.padEnd(7)} ${withPlugin ? 'add-header plugin' : 'no chain'}`,
    run: () => oneRequest(ctx, port, req),
  };
}

const setups = [setup(false, false), setup(true, false), setup(false, true), setup(true, true)].filter(
  (s) => only === undefined || s.label.includes(only),
);
// Alternated, so a drift in the machine's speed lands on every row alike; the median of three passes.
const results = new Map<string, number[]>();
for (let pass = 0; pass < 3; pass++)
  for (const s of setups) {
    const r = await cpuPerRequest(s.run, requests);
    results.set(s.label, [...(results.get(s.label) ?? []), r[2]!]);
  }
console.log(`CPU µs per request, median of 3 passes × 5 rounds × ${requests} requests (wrk's request):`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1] ?? xs[0]!;
for (const s of setups)
  console.log(`  ${s.label.padEnd(28)} ${median(results.get(s.label)!).toFixed(2).padStart(6)}`);
const m = (label: string): number | undefined => {
  const r = results.get(label);
  return r === undefined ? undefined : median(r);
};
const bare = [m('bare    no chain'), m('bare    add-header plugin')];
const prod = [m('product no chain'), m('product add-header plugin')];
if (bare[0] !== undefined && bare[1] !== undefined)
  console.log(`  plugin adds, bare data plane: ${(bare[1] - bare[0]).toFixed(2)} µs`);
if (prod[0] !== undefined && prod[1] !== undefined)
  console.log(`  plugin adds, product worker:  ${(prod[1] - prod[0]).toFixed(2)} µs`);
// The CalloutClient and the access log keep no handle open: the process ends by itself.
