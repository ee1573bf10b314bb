// What tracing, metrics and access logs cost per request, on vs off.
//
//   npx tsc -p . && node --expose-gc dist/bench/observability-overhead.js [--http] [--iterations N] [--rounds R] [--seconds S]
//
// Part 1 (always): the calls the data plane makes for one request with two extensions (3 header steps,
// 20 headers, before/after snapshots when capturing), run in a loop — CPU cost per request in µs.
// Part 2 (--http): the same calls inside a real proxy (test/admin/mini-gateway) under autocannon load (its own process), with a
// real upstream — requests/s and latency with everything off vs everything on.
// Access-log lines go to /dev/null through pino's asynchronous destination, as in production.
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { TraceRecorder } from '../src/admin/trace.js';
import type { RequestTrace } from '../src/dataplane/trace.js';
import { GatewayMetrics } from '../src/admin/metrics.js';
import { AccessLog } from '../src/admin/access-log.js';
import { logDestination } from '../src/admin/log-destination.js';
import { HeaderList } from '../src/extensions/header-map.js';
import type { CalloutExtensionIR } from '../src/ir/snapshot.js';
import { headerExtension, startMiniGateway } from './mini-gateway.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ITERATIONS = flag('--iterations', 100_000);
const SECONDS = flag('--seconds', 5);
const ROUNDS = flag('--rounds', 3);
const CHAIN = 'GCPTrafficExtension/default/my-traffic-extension/chain1';

interface Setup {
  name: string;
  make(): TraceRecorder;
}

const devNull = () => logDestination('/dev/null');

const SETUPS: Setup[] = [
  { name: 'off (no buffer, no listeners)', make: () => new TraceRecorder({ capacity: 0 }) },
  {
    name: 'recording only (a listener that does nothing)',
    make: () => {
      const r = new TraceRecorder({ capacity: 0 });
      r.onEnd(() => {});
      return r;
    },
  },
  {
    name: 'metrics',
    make: () => {
      const r = new TraceRecorder({ capacity: 0 });
      const m = new GatewayMetrics({ processMetrics: false });
      r.onEnd((t) => m.observe(t));
      return r;
    },
  },
  {
    name: 'metrics + access log',
    make: () => {
      const r = new TraceRecorder({ capacity: 0 });
      const m = new GatewayMetrics({ processMetrics: false });
      const log = new AccessLog({ destination: devNull() });
      r.onEnd((t) => {
        m.observe(t);
        log.write(t);
      });
      return r;
    },
  },
  {
    name: 'metrics + access log + dashboard traces',
    make: () => {
      const r = new TraceRecorder({ capacity: 500 });
      const m = new GatewayMetrics({ processMetrics: false });
      const log = new AccessLog({ destination: devNull() });
      r.onEnd((t) => {
        m.observe(t);
        log.write(t);
      });
      return r;
    },
  },
];

function oneRequest(recorder: TraceRecorder, i: number, headers: HeaderList): void {
  const trace: RequestTrace = recorder.begin({
    requestId: `req-${i}`,
    method: 'GET',
    authority: 'store.example.com',
    path: '/serviceextensions',
    scheme: 'http',
    source: '127.0.0.1:5000',
    headers,
  });
  trace.listener('default/internal-http/http');
  trace.chain('routing', null, 'no routing extension');
  trace.route('default/store/0/0', 'PathPrefix /');
  trace.chain('traffic', CHAIN, 'match[0]');
  for (const [ext, event] of [
    ['ext1', 'RequestHeaders'],
    ['ext2', 'RequestHeaders'],
    ['ext1', 'ResponseHeaders'],
  ] as const) {
    const before = trace.capturing ? trace.capture(headers) : undefined;
    const startedAt = performance.now();
    headers.set('x-step', ext);
    if (trace.recording) {
      trace.step({
        extension: `${CHAIN}/${ext}`,
        event,
        startedAt,
        latencyMs: performance.now() - startedAt,
        effect: 'CONTENT_MODIFIED',
        before,
        after: trace.capture(headers),
      });
    }
  }
  trace.upstream({ endpoint: '127.0.0.1:8080', status: 200, latencyMs: 1.2 });
  trace.end({ status: 200, bytes: 300 });
}

async function micro(): Promise<void> {
  const headers = new HeaderList([
    [':method', 'GET'],
    [':path', '/serviceextensions'],
    [':authority', 'store.example.com'],
    [':scheme', 'http'],
    ['authorization', 'Bearer abc'],
    ['cookie', 'a=1; b=2'],
    ...Array.from({ length: 14 }, (_, i) => [`x-header-${i}`, `value-${i}-${'v'.repeat(20)}`] as const),
  ]);
  // The machine is shared: setups run interleaved for ROUNDS rounds and the best round of each is reported.
  const runs = SETUPS.map((setup) => ({ setup, recorder: setup.make(), best: Infinity, heap: 0 }));
  for (const { recorder } of runs) for (let i = 0; i < 5000; i++) oneRequest(recorder, i, headers); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of runs) {
      await new Promise((resolve) => setTimeout(resolve, 200)); // log writes of the previous setup finish
      global.gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < ITERATIONS; i++) {
        oneRequest(run.recorder, i, headers);
        // Let the asynchronous log destination drain as it would between requests on a server.
        if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
      }
      run.best = Math.min(run.best, Number(process.hrtime.bigint() - t0) / 1000 / ITERATIONS);
      await new Promise((resolve) => setTimeout(resolve, 500));
      global.gc?.();
      run.heap = Math.max(run.heap, (process.memoryUsage().heapUsed - heap0) / 1048576);
    }
  }
  console.log(
    `\nper-request cost of the trace calls (${ITERATIONS} requests x ${ROUNDS} rounds, best round; 3 extension steps, 20 headers)`,
  );
  console.log('setup'.padEnd(48), 'µs/request', '  retained heap MiB');
  for (const { setup, best, heap } of runs)
    console.log(setup.name.padEnd(48), best.toFixed(3).padStart(10), heap.toFixed(1).padStart(19));
}

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
interface LoadOptions {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}

/** autocannon in its own process, so the load generator does not share the gateway's event loop. */
function autocannon(o: LoadOptions): Promise<AutocannonResult> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [cli, '-j', '-c', String(o.connections), '-d', String(o.duration)];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(o.url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 << 20 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout) as AutocannonResult);
    });
  });
}

function calloutStandIn(name: string, events: CalloutExtensionIR['events']): CalloutExtensionIR {
  return {
    kind: 'callout',
    id: `${CHAIN}/${name}`,
    name,
    failOpen: false,
    events,
    authority: 'bench',
    timeoutMs: 1000,
    metadataNamespace: `com.google.lb_traffic_extension.bench.chain1.${name}`,
    requestBodySendMode: 'Streamed',
    responseBodySendMode: 'Streamed',
    observabilityMode: false,
    target: { service: 'default/bench:443', endpoints: [], tls: null },
  };
}

async function http(): Promise<void> {
  const upstream = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"metadata":"store-v1"}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (upstream.address() as { port: number }).port;
  console.log(
    `\nproxy under load (autocannon, 10 connections, ${SECONDS}s x ${ROUNDS} rounds, best round; mini-gateway, real ExtensionChain, 2 in-process extensions)`,
  );
  const chosen = args.includes('--all') ? SETUPS : [SETUPS[0], SETUPS.at(-1)].filter((s) => s !== undefined);
  const gateways = await Promise.all(
    chosen.map((setup) =>
      startMiniGateway({
        recorder: setup.make(),
        upstreamPort,
        chains: [
          {
            id: CHAIN,
            name: 'chain1',
            resource: 'default/my-traffic-extension',
            resourceKind: 'GCPTrafficExtension',
            match: [{ celMatcher: 'request.path.contains("serviceextensions")' }],
            extensions: [
              calloutStandIn('ext1', ['RequestHeaders', 'ResponseHeaders']),
              calloutStandIn('ext2', ['RequestHeaders']),
            ],
          },
        ],
        // In-process stand-ins: the bench measures the gateway's own work, not a callout's round trip.
        callout: (ir) =>
          ir.name === 'ext1'
            ? headerExtension(
                ir.id,
                (h) => (h.set('x-a', '1'), { effect: 'CONTENT_MODIFIED' }),
                (h) => (h.set('hello', 'x'), { effect: 'CONTENT_MODIFIED' }),
              )
            : headerExtension(ir.id, () => ({ effect: 'NONE' }), undefined),
      }),
    ),
  );
  // Interleaved rounds, best round per setup: the machine is shared.
  const best = chosen.map(() => ({ rps: 0, p50: 0, p99: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (let g = 0; g < gateways.length; g++) {
      const url = `http://127.0.0.1:${gateways[g]?.port}/serviceextensions`;
      if (round === 0) await autocannon({ url, connections: 10, duration: 1 }); // warm-up
      const r = await autocannon({
        url,
        connections: 10,
        duration: SECONDS,
        headers: { authorization: 'Bearer abc' },
      });
      if (r.non2xx || r.errors) console.log(`  ${chosen[g]?.name}: non2xx ${r.non2xx}, errors ${r.errors}`);
      if (r.requests.average > (best[g]?.rps ?? 0))
        best[g] = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
    }
  }
  console.log('setup'.padEnd(48), '   req/s', '  p50 ms', '  p99 ms');
  chosen.forEach((setup, g) =>
    console.log(
      setup.name.padEnd(48),
      best[g]?.rps.toFixed(0).padStart(8),
      String(best[g]?.p50).padStart(8),
      String(best[g]?.p99).padStart(8),
    ),
  );
  for (const gateway of gateways) await gateway.close();
  upstream.close();
}

await micro();
if (args.includes('--http')) await http();
