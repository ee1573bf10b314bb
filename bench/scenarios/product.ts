// The product as users run it, beside nginx: `extgate up` and `extgate serve` with default flags (one
// data-plane worker per CPU, access log on, traces idle) vs nginx with `worker_processes auto` and with one
// worker; and `up --workers 0` (one process) with traces idle, with the access log, and with every request
// traced, for CPU per request against the bare data plane (`extgate`).
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { registerScenario, type BenchTarget } from '../scenarios.js';
import { freePort, startNginx } from '../nginx.js';
import { processRssMiB, startNode } from '../procs.js';

const productScript = fileURLToPath(new URL('../product-proc.js', import.meta.url));
const gatewayScript = fileURLToPath(new URL('../gateway-proc.js', import.meta.url));
const cpus = availableParallelism();

registerScenario({
  name: 'nginx-auto',
  processes: cpus,
  start: async (env) => {
    const p = await startNginx(env.backendPort, 'auto');
    return { url: `http://127.0.0.1:${p.port}/`, pid: p.child.pid!, host: 'store.example.com', stop: p.stop };
  },
});

// The bare data plane (no recorder, no metrics, no access log) in one process per CPU sharing the port with
// SO_REUSEPORT, one route like the product's: what `up`'s workers would cost with nothing of the product added.
registerScenario({
  name: 'extgate-np',
  processes: cpus,
  compareWith: 'nginx-auto',
  start: async (env) => {
    const port = await freePort();
    const p = await startNode(gatewayScript, [String(env.backendPort), '1', `bare:${cpus}`, String(port)]);
    return { url: `http://127.0.0.1:${p.port}/`, pid: p.child.pid!, host: 'store.example.com', stop: p.stop };
  },
});

const product: Array<{
  name: string;
  mode: 'up' | 'serve';
  flags: string[];
  compareWith: string;
  processes: number;
}> = [
  { name: 'up', mode: 'up', flags: [], compareWith: 'nginx-auto', processes: cpus + 1 },
  { name: 'serve', mode: 'serve', flags: [], compareWith: 'nginx-auto', processes: cpus + 1 },
  {
    name: 'up-1p-quiet',
    mode: 'up',
    flags: ['--workers', '0', '--no-access-log'],
    compareWith: 'extgate',
    processes: 1,
  },
  { name: 'up-1p', mode: 'up', flags: ['--workers', '0'], compareWith: 'extgate', processes: 1 },
  {
    name: 'up-1p-traced',
    mode: 'up',
    flags: ['--workers', '0', '--trace-sample', '1'],
    compareWith: 'extgate',
    processes: 1,
  },
];

// The add-header example plugin (examples/plugins/add-header) on request and response headers of every request,
// applied as the walkthrough applies one (GCPWasmPlugin + GCPTrafficExtension with a CEL match): issue 10's
// Wasm ratio on the product, beside the same `up` without it.
const addHeader = fileURLToPath(
  new URL('../../../examples/plugins/add-header/build/plugin.wasm', import.meta.url),
);
product.push(
  {
    name: 'up+wasm-add-header',
    mode: 'up',
    flags: [`--bench-plugin=${addHeader}`],
    compareWith: 'up',
    processes: cpus + 1,
  },
  {
    name: 'up-1p+wasm-add-header',
    mode: 'up',
    flags: ['--workers', '0', `--bench-plugin=${addHeader}`],
    compareWith: 'up-1p',
    processes: 1,
  },
);

for (const p of product) {
  registerScenario({
    name: p.name,
    processes: p.processes,
    compareWith: p.compareWith,
    ...(p.compareWith === 'nginx-auto' ? { compareAlso: ['nginx'] } : {}),
    start: async (env): Promise<BenchTarget> => {
      const proc = await startNode(productScript, [p.mode, String(env.backendPort), ...p.flags]);
      const pids = (/pids ([\d ]+)/.exec(proc.output)?.[1] ?? '').trim().split(' ').map(Number);
      const [primary, ...workers] = pids;
      return {
        url: `http://127.0.0.1:${proc.port}/`,
        pid: proc.child.pid!,
        host: 'store.example.com',
        describe: () =>
          `RSS: ${p.mode} ${processRssMiB(primary!).toFixed(1)} MiB` +
          (workers.length > 0
            ? `, workers ${workers.map((w) => processRssMiB(w).toFixed(1)).join(' / ')} MiB`
            : ' (one process)'),
        stop: proc.stop,
      };
    },
  });
}
