// The product with and without one change, side by side on pinned cores, alternated: what a plugin (or N µs of
// work per request) costs `extgate up` as users run it, measured so that the machine's own drift cancels out.
//
//   npx tsc -p . && node dist/bench/product-ab.js [--plugin <module.wasm>] [--spin-us N] [--rounds 10]
//       [--seconds 2] [--connections 32] [-- <extgate up flags for both>]
//
// Two `extgate up` (bench/product-proc.ts) run at once on CPU 1 (so each has one data-plane worker:
// availableParallelism() is 1 there), the backend and wrk on CPU 0. A: the product as is; B: the same with
// `--plugin` applied as the walkthrough applies one (GCPWasmPlugin from file:// + GCPTrafficExtension with a CEL
// match on request and response headers) and/or every worker spending `--spin-us` µs of CPU per response
// (bench/spin-preload.ts). Each round runs wrk for `--seconds` against A, then B; CPU per request is the whole
// `extgate up` process tree's (/proc). The medians over rounds are printed with the B/A ratios.
//
// Why not `npm run bench` for this: there every process shares both cores and one run of a scenario pair moves
// ±20% with the VM's speed (docs/benchmarks.md); here the pair is measured seconds apart, many times.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { cpuSplit, startNode, type Proc } from './procs.js';
import { wrk } from './wrk.js';
import { median } from './stats.js';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash < 0 ? argv : argv.slice(0, dash);
const extgateFlags = dash < 0 ? [] : argv.slice(dash + 1);
const option = (name: string): string | undefined => {
  const i = own.indexOf(name);
  return i >= 0 ? own[i + 1] : undefined;
};
const plugin = option('--plugin');
const spinUs = Number(option('--spin-us') ?? 0);
const rounds = Number(option('--rounds') ?? 10);
const seconds = Number(option('--seconds') ?? 2);
const connections = Number(option('--connections') ?? 32);
if (plugin === undefined && spinUs === 0) throw new Error('give --plugin <module.wasm> and/or --spin-us <n>');

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const PRODUCT_CPUS = '1';
const LOAD_CPUS = '0';
const HOST = 'store.example.com';

interface Product {
  readonly proc: Proc;
  /** The `extgate up` process: its tree is the primary and its workers. */
  readonly pid: number;
  readonly url: string;
}

async function product(backendPort: number, extra: string[], env: NodeJS.ProcessEnv): Promise<Product> {
  const proc = await startNode(
    here('./product-proc.js'),
    ['up', String(backendPort), ...extra, ...extgateFlags],
    [],
    {
      cpus: PRODUCT_CPUS,
      env,
    },
  );
  const pids = /pids (\d+)/.exec(proc.output);
  if (pids === null) throw new Error('product-proc printed no pids');
  return { proc, pid: Number(pids[1]), url: `http://127.0.0.1:${proc.port}/` };
}

interface Round {
  readonly rps: number;
  readonly cpuMicrosPerRequest: number;
  /** Of which in the kernel (sockets, wakeups, page faults). */
  readonly systemMicrosPerRequest: number;
}

async function measure(p: Product, secs: number): Promise<Round> {
  const c0 = cpuSplit(p.pid);
  const r = await wrk(p.url, connections, secs, HOST, LOAD_CPUS);
  const c1 = cpuSplit(p.pid);
  if (r.errors > 0 || r.non2xx > 0)
    throw new Error(`${p.url}: ${r.errors} socket errors, ${r.non2xx} non-2xx`);
  const perRequest = (seconds: number): number => (seconds * 1e6) / r.requests;
  return {
    rps: r.rps,
    cpuMicrosPerRequest: perRequest(c1.user + c1.system - c0.user - c0.system),
    systemMicrosPerRequest: perRequest(c1.system - c0.system),
  };
}

const backend = await startNode(here('./backend.js'), [], [], { cpus: LOAD_CPUS });
const bArgs = plugin === undefined ? [] : [`--bench-plugin=${resolve(plugin)}`];
const bEnv: NodeJS.ProcessEnv =
  spinUs > 0 ? { NODE_OPTIONS: `--import ${here('./spin-preload.js')}`, BENCH_SPIN_US: String(spinUs) } : {};
const [a, b] = await Promise.all([product(backend.port, [], {}), product(backend.port, bArgs, bEnv)]);
try {
  // Warm-up: tier-up, connection pools, the plugin's VM.
  for (let i = 0; i < 2; i++) for (const p of [a, b]) await measure(p, seconds);
  const ra: Round[] = [];
  const rb: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    ra.push(await measure(a, seconds));
    rb.push(await measure(b, seconds));
  }
  const what = [
    plugin === undefined ? '' : `plugin ${plugin}`,
    spinUs > 0 ? `${spinUs} µs spin per response` : '',
  ]
    .filter(Boolean)
    .join(' + ');
  console.log(
    `extgate up (1 worker, CPU ${PRODUCT_CPUS}) vs the same with ${what}; wrk -c${connections}, ${rounds} × ${seconds} s each, alternated`,
  );
  const row = (label: string, rs: Round[]): string =>
    `  ${label.padEnd(6)} req/s ${median(rs.map((r) => r.rps))
      .toFixed(0)
      .padStart(7)}   CPU µs/req ${median(rs.map((r) => r.cpuMicrosPerRequest))
      .toFixed(1)
      .padStart(6)} (kernel ${median(rs.map((r) => r.systemMicrosPerRequest))
      .toFixed(1)
      .padStart(5)})   rounds ${rs.map((r) => r.cpuMicrosPerRequest.toFixed(0)).join(' ')}`;
  console.log(row('A', ra));
  console.log(row('B', rb));
  const ratios = ra.map((r, i) => rb[i]!.rps / r.rps);
  const added = ra.map((r, i) => rb[i]!.cpuMicrosPerRequest - r.cpuMicrosPerRequest);
  console.log(
    `  B/A req/s: median of rounds ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)});` +
      ` CPU added per request: median ${median(added).toFixed(1)} µs`,
  );
} finally {
  await Promise.all([a.proc.stop(), b.proc.stop(), backend.stop()]);
}
