// What a callout costs, in the same run:
//   1. per headers event on the ext_proc stream itself (open a stream, request headers, close), TLS and h2c;
//   2. through the gateway: no extension vs one RequestHeaders callout vs RequestHeaders+ResponseHeaders —
//      sequential latency (p50/p99, one keep-alive connection) and throughput (autocannon, separate process).
// The callout runs in its own process (the add-header example), like a real callout service.
// Run: npx tsc -p . && node dist/bench/callout-latency.js [--duration 5] [--connections 32]
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { CalloutClient } from '../src/extensions/callout/client.js';
import { compileChains } from '../src/extensions/chain.js';
import { DataPlane } from '../src/dataplane/gateway.js';
import { HeaderList } from '../src/extensions/header-map.js';
import { CalloutServer } from '../src/sdk/index.js';
import { addHeader } from '../examples/callouts/add-header/callout.js';
import type { ExtensionChainIR, HttpEvent, Snapshot } from '../src/ir/snapshot.js';
import { BENCH_REQUEST_INFO, benchCalloutIR, benchChain } from './snapshots.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const DURATION = arg('duration', 5);
const CONNECTIONS = arg('connections', 32);
const SEQUENTIAL = arg('requests', 2000);

async function startCalloutProcess(): Promise<{ child: ChildProcess; plaintext: number; secure: number }> {
  const child = spawn(process.execPath, [join(root, 'dist/examples/callouts/add-header/callout.js')], {
    env: {
      ...process.env,
      CALLOUT_ADDRESS: '127.0.0.1',
      CALLOUT_PLAINTEXT_PORT: '0',
      CALLOUT_SECURE_PORT: '0',
      CALLOUT_HEALTH_PORT: 'off',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`callout exited ${code}`)));
  });
  const m = /plaintext (\d+), tls (\d+)/.exec(line);
  if (!m) throw new Error(`unexpected callout output: ${line}`);
  return { child, plaintext: Number(m[1]), secure: Number(m[2]) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const us = (ns: number) => (ns / 1000).toFixed(0).padStart(6);

/** CPU of one exchange, client and SDK server in this process: a load-independent cost figure. */
async function cpuPerExchange(): Promise<number> {
  const server = new CalloutServer(addHeader, {
    address: '127.0.0.1',
    plaintextPort: 0,
    securePort: null,
    healthPort: null,
  });
  const ports = await server.start();
  const client = new CalloutClient();
  const ext = client.extension(benchCalloutIR(ports.plaintext!, false, ['RequestHeaders']));
  const info = BENCH_REQUEST_INFO;
  const run = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const s = ext.open(info);
      await s.requestHeaders(
        new HeaderList([
          [':method', 'GET'],
          [':path', '/'],
          [':authority', 'x'],
          [':scheme', 'http'],
        ]),
        true,
      );
      s.close();
    }
  };
  await run(500);
  const c0 = process.cpuUsage();
  await run(SEQUENTIAL);
  const c = process.cpuUsage(c0);
  client.close();
  await server.stop();
  return (c.user + c.system) / SEQUENTIAL;
}

async function streamLevel(
  client: CalloutClient,
  port: number,
  tls: boolean,
): Promise<{ p50: number; p99: number }> {
  const ext = client.extension(benchCalloutIR(port, tls, ['RequestHeaders', 'ResponseHeaders']));
  const info = BENCH_REQUEST_INFO;
  const samples: number[] = [];
  for (let i = 0; i < SEQUENTIAL + 200; i++) {
    const h = new HeaderList([
      [':method', 'GET'],
      [':path', '/'],
      [':authority', 'store.example.com'],
      [':scheme', 'http'],
      ['user-agent', 'bench'],
    ]);
    const t0 = process.hrtime.bigint();
    const s = ext.open(info);
    await s.requestHeaders(h, true);
    s.close();
    if (i >= 200) samples.push(Number(process.hrtime.bigint() - t0));
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

function snapshot(backendPort: number, chains: ExtensionChainIR[], version: number): Snapshot {
  return {
    version,
    wasmPlugins: {},
    ports: [
      {
        address: '127.0.0.1',
        port: 0,
        protocol: 'HTTP',
        listeners: [
          {
            id: 'default/gw/http',
            gateway: 'default/gw',
            gatewayClass: 'gke-l7-regional-external-managed',
            specPort: 80,
            routes: [
              {
                id: 'default/store/0/0',
                ruleId: 'default/store/0',
                route: 'default/store',
                hostnames: [],
                match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
                filters: [],
                backends: [
                  {
                    weight: 1,
                    filters: [],
                    backend: {
                      id: 'default/store:8080',
                      protocol: 'http1',
                      endpoints: [{ address: '127.0.0.1', port: backendPort }],
                    },
                  },
                ],
                timeouts: {},
              },
            ],
            routingChains: [],
            trafficChains: chains,
          },
        ],
      },
    ],
  };
}

async function sequential(port: number): Promise<{ p50: number; p99: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  for (let i = 0; i < SEQUENTIAL + 200; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/serviceextensions', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
    if (i >= 200) samples.push(Number(process.hrtime.bigint() - t0));
  }
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function throughput(port: number): Promise<number> {
  const bin = join(root, 'node_modules/.bin/autocannon');
  const child = spawn(
    bin,
    [
      '--json',
      '-c',
      String(CONNECTIONS),
      '-d',
      String(DURATION),
      `http://127.0.0.1:${port}/serviceextensions`,
    ],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  const r = JSON.parse(out) as { requests: { average: number }; non2xx: number; errors: number };
  if (r.non2xx > 0 || r.errors > 0) console.log(`    (warning: ${r.non2xx} non-2xx, ${r.errors} errors)`);
  return r.requests.average;
}

async function main(): Promise<void> {
  const backend = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"metadata":"store-v1"}');
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const backendPort = (backend.address() as AddressInfo).port;
  const callout = await startCalloutProcess();
  const client = new CalloutClient();
  try {
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at start`,
    );
    console.log(
      `callout latency bench (sequential ${SEQUENTIAL} requests; throughput: autocannon -c ${CONNECTIONS} -d ${DURATION}s)`,
    );
    console.log(
      `\n0. CPU per headers exchange, ext_proc client + SDK server in one process: ${(await cpuPerExchange()).toFixed(0)} µs`,
    );
    console.log(
      '\n1. ext_proc stream per request (open, request headers, close), callout in its own process, µs',
    );
    for (const tls of [true, false]) {
      const r = await streamLevel(client, tls ? callout.secure : callout.plaintext, tls);
      console.log(`  ${tls ? 'TLS' : 'h2c'}   p50 ${us(r.p50)}   p99 ${us(r.p99)}`);
    }

    console.log('\n2. through the gateway (callout over TLS, as on GKE)');
    const variants: Array<[string, HttpEvent[] | undefined]> = [
      ['no extension', undefined],
      ['RequestHeaders callout', ['RequestHeaders']],
      ['RequestHeaders+ResponseHeaders', ['RequestHeaders', 'ResponseHeaders']],
    ];
    const results: Array<{ name: string; events: number; p50: number; p99: number; rps: number }> = [];
    let version = 1;
    for (const [name, events] of variants) {
      const chains: ExtensionChainIR[] = events
        ? [
            benchChain(
              [benchCalloutIR(callout.secure, true, events)],
              'request.path.contains("serviceextensions")',
            ),
          ]
        : [];
      const gw = new DataPlane({
        compileChains: (c) => compileChains(c, { callout: (e) => client.extension(e) }),
      });
      await gw.apply(snapshot(backendPort, chains, version++));
      const port = gw.ports()[0]!.boundPort;
      const lat = await sequential(port);
      const rps = await throughput(port);
      await gw.close();
      results.push({ name, events: events?.length ?? 0, ...lat, rps });
    }
    const base = results[0]!;
    console.log(
      `  ${'variant'.padEnd(32)} ${'p50 µs'.padStart(7)} ${'p99 µs'.padStart(7)} ${'added p50/event'.padStart(16)} ${'req/s'.padStart(8)} ${'vs none'.padStart(8)}`,
    );
    for (const r of results) {
      const added = r.events > 0 ? `${((r.p50 - base.p50) / r.events / 1000).toFixed(0)} µs` : '-';
      console.log(
        `  ${r.name.padEnd(32)} ${us(r.p50).padStart(7)} ${us(r.p99).padStart(7)} ${added.padStart(16)} ${r.rps.toFixed(0).padStart(8)} ${((r.rps / base.rps) * 100).toFixed(0).padStart(7)}%`,
      );
    }
    console.log(
      `load average at end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    client.close();
    callout.child.kill('SIGTERM');
    backend.close();
  }
}

await main();
