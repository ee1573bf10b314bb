// The callout client's own CPU per headers event, without the rest of the gateway: 32 concurrent ext_proc
// streams (open, request headers, answer, close) against the add-header example callout in its own process
// over TLS, as bench/callout-procs.ts runs it. Steadier on a busy machine than the gateway rows of
// `npm run bench` (no downstream or upstream sockets in the same process), so it shows client-side changes.
// Run: npx tsc -p . && node dist/bench/callout-client-cpu.js [--events 40000] [--concurrency 32]
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { CalloutClient } from '../src/extensions/callout/client.js';
import { HeaderList } from '../src/extensions/header-map.js';
import { startNode } from './procs.js';
import { BENCH_REQUEST_INFO, benchCalloutIR } from './snapshots.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const EVENTS = arg('events', 40_000);
const CONCURRENCY = arg('concurrency', 32);

const callout = await startNode(fileURLToPath(new URL('./callout-procs.js', import.meta.url)), ['callout']);
const client = new CalloutClient();
const ext = client.extension(benchCalloutIR(callout.port, true, ['RequestHeaders']));
const info = BENCH_REQUEST_INFO;

async function run(events: number): Promise<void> {
  let left = events;
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const h = new HeaderList([
        [':method', 'GET'],
        [':path', '/'],
        [':authority', 'store.example.com'],
        [':scheme', 'http'],
        ['user-agent', 'wrk'],
        ['x-forwarded-for', '127.0.0.1'],
      ]);
      const s = ext.open(info);
      await s.requestHeaders(h, true);
      s.close();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

await run(3000); // warm up: JIT, connection
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await run(EVENTS);
const cpu = process.cpuUsage(c0);
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(
  `callout client: ${((cpu.user + cpu.system) / EVENTS).toFixed(1)} µs CPU per headers event ` +
    `(${EVENTS} events, ${CONCURRENCY} concurrent, ${(EVENTS / wall).toFixed(0)}/s, load ${loadavg()[0]!.toFixed(1)})`,
);
client.close();
await callout.stop();
