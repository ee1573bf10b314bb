// CPU per access-log line, in process: `AccessLog.line` for a request without extensions and for one through
// a plugin on request and response headers (its `service_extension_info` doubles the line), alone and with
// the encoding the writer does (Buffer.from). Main-thread CPU time, the rounds alternated.
//
//   npx tsc -p . && node dist/bench/access-log-line.js [--lines 300000]
import { AccessLog } from '../src/admin/access-log.js';
import type { TraceRecord } from '../src/admin/trace.js';
import { median } from './stats.js';

const i = process.argv.indexOf('--lines');
const lines = i > 0 ? Number(process.argv[i + 1]) : 300_000;

const chain = 'GCPTrafficExtension/default/bench-plugin/chain1';
const plugin = { key: 'default/bench-plugin', version: `sha256:${'0123456789abcdef'.repeat(4)}` };
const base = {
  id: 1,
  requestId: 'b3f1c2d4-1111-2222-3333-444455556666',
  time: Date.now(),
  method: 'GET',
  authority: 'store.example.com',
  path: '/',
  scheme: 'http',
  source: '127.0.0.1:53422',
  listener: 'default/bench/http',
  route: { id: 'default/bench/0/0', why: 'PathPrefix /' },
  upstream: { endpoint: '127.0.0.1:8080', status: 200, latencyMs: 0.123 },
  status: 200,
  bytes: 13,
  durationMs: 0.311,
  done: true,
} as const;
const plain: TraceRecord = {
  ...base,
  chains: [
    { kind: 'routing', id: null, why: 'none', atMs: 0 },
    { kind: 'traffic', id: null, why: 'none', atMs: 0 },
  ],
  steps: [],
};
const throughPlugin: TraceRecord = {
  ...base,
  chains: [
    { kind: 'routing', id: null, why: 'none', atMs: 0 },
    { kind: 'traffic', id: chain, why: 'match[0]', atMs: 0.01 },
  ],
  steps: (['RequestHeaders', 'ResponseHeaders'] as const).map((event, k) => ({
    chain,
    extension: `${chain}/ext`,
    event,
    atMs: 0.01 + k * 0.2,
    latencyMs: 0.004,
    effect: 'CONTENT_MODIFIED' as const,
    plugin,
  })),
};

const log = new AccessLog({ destination: { write: () => true } });
const cases: Array<[string, () => unknown]> = [
  ['line, no extension', () => log.line(plain)],
  ['line, plugin request', () => log.line(throughPlugin)],
  ['line + encode, no extension', () => Buffer.from(log.line(plain), 'utf8')],
  ['line + encode, plugin request', () => Buffer.from(log.line(throughPlugin), 'utf8')],
];
const results = new Map<string, number[]>();
for (let round = 0; round < 6; round++)
  for (const [name, run] of cases) {
    const t0 = process.threadCpuUsage();
    for (let n = 0; n < lines; n++) run();
    const t = process.threadCpuUsage(t0);
    // The first round warms up (tier-up) and is not counted.
    if (round > 0) results.set(name, [...(results.get(name) ?? []), ((t.user + t.system) * 1000) / lines]);
  }
console.log(`ns per line, median of 5 rounds × ${lines} lines:`);
for (const [name] of cases)
  console.log(`  ${name.padEnd(32)} ${median(results.get(name)!).toFixed(0).padStart(6)}`);
