// CPU per request of what a plugin costs the product, in process (no sockets): the same Exchange and request
// pipeline as bench/edit-path-cost.ts, with and without the add-header example plugin (AssemblyScript SDK,
// request and response headers) in a traffic chain matched by CEL as `extgate up` serves one, and with a
// JavaScript member making the same two edits in that chain instead (what is the plugin's, what the path's),
// each run two ways:
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
//       [--pollute KiB]
//   (BENCH_NO_LOG=1: the product rows without the access log, to see its share. --pollute: write that much
//   memory after each request, a stand-in for what a busy worker does between two requests to the caches.)
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
import { addHeadersMember } from './members.js';
import { median } from './stats.js';
import { cpuPerRequest, downstreamRequest, oneRequest, stubContext, WRK } from './stub-exchange.js';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const requests = Number(option('--requests') ?? 20_000);
const only = option('--only');
/** `--pollute KiB`: after each request, write that much memory (a stand-in for what a busy worker does between requests). */
const pollute = Number(option('--pollute') ?? 0) * 1024;
const scratch = new Uint8Array(Math.max(pollute, 64));
let salt = 0;
function evict(): void {
  salt++;
  for (let i = 0; i < pollute; i += 64) scratch[i] = salt;
}

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

const LABELS: Record<Member, string> = {
  none: 'no chain',
  plugin: 'add-header plugin',
  js: 'add-header JS member',
};

interface Setup {
  readonly label: string;
  readonly run: () => Promise<void>;
}

/** What runs in the chain: nothing (no chain), the plugin, or the same edits by a JavaScript member. */
type Member = 'none' | 'plugin' | 'js';

function setup(member: Member, product: boolean): Setup {
  const withPlugin = member !== 'none';
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
    compileChains(
      chains,
      extensionRuntime(
        callouts,
        member === 'js' ? (ir) => ({ ...addHeadersMember, id: ir.id }) : wasm.forSnapshot(snapshot),
        snapshot,
        recorder,
      ),
    ),
  );
  const ctx = stubContext(recorder);
  const req = downstreamRequest(WRK);
  return {
    label: `${product ? 'product' : 'bare'.padEnd(7)} ${LABELS[member]}`,
    run: pollute === 0 ? () => oneRequest(ctx, port, req) : () => oneRequest(ctx, port, req).then(evict),
  };
}

const setups = [false, true]
  .flatMap((product) => (['none', 'plugin', 'js'] as const).map((m) => setup(m, product)))
  .filter((s) => only === undefined || s.label.includes(only));
// Alternated, so a drift in the machine's speed lands on every row alike; the median of three passes.
const results = new Map<string, number[]>();
for (let pass = 0; pass < 3; pass++)
  for (const s of setups) {
    const r = await cpuPerRequest(s.run, requests);
    results.set(s.label, [...(results.get(s.label) ?? []), r[2]!]);
  }
console.log(`CPU µs per request, median of 3 passes × 5 rounds × ${requests} requests (wrk's request):`);
for (const s of setups)
  console.log(`  ${s.label.padEnd(28)} ${median(results.get(s.label)!).toFixed(2).padStart(6)}`);
const m = (label: string): number | undefined => {
  const r = results.get(label);
  return r === undefined ? undefined : median(r);
};
for (const where of ['bare   ', 'product'])
  for (const member of ['plugin', 'js'] as const) {
    const none = m(`${where} ${LABELS.none}`);
    const with_ = m(`${where} ${LABELS[member]}`);
    if (none !== undefined && with_ !== undefined)
      console.log(`  ${LABELS[member]} adds, ${where.trim()}: ${(with_ - none).toFixed(2)} µs`);
  }
// The CalloutClient and the access log keep no handle open: the process ends by itself.
