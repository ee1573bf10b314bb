// CPU per request of a traffic chain's hook path, in process (no sockets): select the chain, open its stream,
// request headers, response headers, close — for a member that changes nothing, a minimal add-header plugin
// without an SDK (test/wasm/fixtures/add-header-min.wat) and examples/plugins/add-header (AssemblyScript SDK).
// CPU time per request (process.cpuUsage) stays stable to ~0.1 µs on a busy machine where a gateway run cannot
// resolve a few µs (docs/benchmarks.md).
//
//   npx tsc -p . && node scripts/build-plugins.mjs && node dist/bench/wasm-hook-cost.js [--streams 32]
import type { ExtensionChainIR, WasmExtensionIR } from '../src/ir/snapshot.js';
import type { Extension } from '../src/extensions/extension.js';
import { compileChains, type CompiledChainSet } from '../src/extensions/chain.js';
import { HeaderList } from '../src/extensions/header-map.js';
import { WasmRuntime } from '../src/extensions/wasm/runtime.js';
import { examplePath, extensionIR, fixturePath, pluginIR, requestInfo } from '../test/wasm/helpers.js';
import { passThroughStream } from '../test/support/pass-through-stream.js';

const arg = process.argv.indexOf('--streams');
/** Streams open at once (a wrk -c32 run keeps ~32 in flight). */
const streams = arg > 0 ? Number(process.argv[arg + 1]) : 32;
const REQUEST: Array<[string, string]> = [
  [':method', 'GET'],
  [':path', '/'],
  [':authority', 'store.example.com'],
  [':scheme', 'http'],
  ['user-agent', 'wrk'],
  ['x-request-id', 'a5f3c2e1-0000-4000-8000-000000000000'],
];
const RESPONSE: Array<[string, string]> = [
  [':status', '200'],
  ['content-type', 'application/json'],
  ['content-length', '34'],
  ['date', 'Mon, 07 Dec 2026 08:00:00 GMT'],
];

function chain(plugin: string): ExtensionChainIR {
  return {
    id: 'GCPTrafficExtension/default/bench/chain1',
    name: 'chain1',
    resource: 'default/bench',
    resourceKind: 'GCPTrafficExtension',
    match: [{ celMatcher: '1 == 1' }],
    extensions: [extensionIR(plugin, { events: ['RequestHeaders', 'ResponseHeaders'] })],
  };
}

const noop = (ir: WasmExtensionIR): Extension => ({
  id: ir.id,
  failOpen: ir.failOpen,
  events: new Set(ir.events),
  open: passThroughStream,
});

function compiled(modulePath: string | undefined): CompiledChainSet {
  const plugin = pluginIR('default/bench-plugin', modulePath ?? examplePath('add-header'));
  const rt = new WasmRuntime({ logSink: () => {} });
  return compileChains([chain(plugin.key)], {
    callout: () => {
      throw new Error('no callouts here');
    },
    wasm: modulePath === undefined ? noop : rt.forSnapshot({ wasmPlugins: { [plugin.key]: plugin } }),
  });
}

/** `streams` requests interleaved: all request headers, then all response headers and closes. */
async function batch(chains: CompiledChainSet): Promise<void> {
  const open = [];
  for (let i = 0; i < streams; i++) {
    const info = requestInfo();
    const headers = new HeaderList(REQUEST);
    const s = chains.select(info, headers)!.open(info);
    await s.requestHeaders(headers, true);
    open.push(s);
  }
  for (const s of open) {
    await s.responseHeaders(new HeaderList(RESPONSE), false);
    s.close();
  }
}

async function cpuPerRequest(chains: CompiledChainSet): Promise<number[]> {
  const batches = Math.ceil(20_000 / streams);
  for (let i = 0; i < batches; i++) await batch(chains); // warm-up and tier-up
  const out: number[] = [];
  for (let round = 0; round < 5; round++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < batches; i++) await batch(chains);
    const c = process.cpuUsage(c0);
    out.push((c.user + c.system) / (batches * streams));
  }
  return out.sort((a, b) => a - b);
}

const rows: Array<[string, string | undefined]> = [
  ['member that changes nothing', undefined],
  ['minimal add-header plugin (WAT, no SDK)', fixturePath('add-header-min.wat')],
  ['examples/plugins/add-header (AssemblyScript SDK)', undefined],
];
console.log(`CPU µs per request, ${streams} streams interleaved, 5 × ~20,000 requests:`);
for (const [label, path] of rows) {
  const chains = label.startsWith('examples') ? compiled(examplePath('add-header')) : compiled(path);
  const r = await cpuPerRequest(chains);
  console.log(`  ${label.padEnd(50)} median ${r[2]!.toFixed(2)}  min ${r[0]!.toFixed(2)}`);
}
