// Proxy-Wasm plugin costs. Run: npx tsc -p . && node scripts/build-plugins.mjs && node dist/bench/wasm-plugins.js
// (add `--quick` for shorter runs). Prints a table and writes bench/results/wasm-plugins.json.
//
//  1. Through the gateway: requests/s and latency with the add-header plugin on request and response headers vs
//     the same route without a chain, in the same run (autocannon in a child process, 10 connections;
//     rounds alternate so drift hits both sides).
//  2. Per call through the Extension interface: one stream (open, request headers, response headers, close),
//     with the CPU-budget fuel checks and without (limits.meterCpu=false), and a CPU-bound loop to show the
//     checks' worst case; also the fuel units one millisecond buys (calibration of limits.fuelPerMs).
//  3. Cold start: pull from a registry on loopback + compile + first request.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExtensionChainIR, Snapshot, WasmExtensionIR } from '../src/ir/snapshot.js';
import type { Extension } from '../src/extensions/extension.js';
import { compileChains } from '../src/extensions/chain.js';
import { WasmRuntime } from '../src/extensions/wasm/runtime.js';
import { ListHeaderMap } from '../src/extensions/wasm/header-map.js';
import { instrumentModule, FUEL_EXPORT } from '../src/extensions/wasm/instrument.js';
import { WasmImageResolver } from '../src/extensions/wasm/oci/resolver.js';
import { pushPlugin } from '../src/extensions/wasm/oci/push.js';
import { backend, echoBackend, listener, port, rule, startGateway } from '../test/dataplane/fixtures.js';
import {
  examplePath,
  extensionIR,
  fixturePath,
  pluginIR,
  repoRoot,
  requestInfo,
} from '../test/wasm/helpers.js';
import { startRegistry } from '../test/wasm/registry.js';

const quick = process.argv.includes('--quick');
const results: Record<string, unknown> = {};

interface Cannon {
  /** CPU time of this process (gateway + in-process backend) per request: robust to a busy machine. */
  cpuUsPerReq: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function autocannon(url: string, seconds: number): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    const bin = join(repoRoot, 'node_modules', '.bin', 'autocannon');
    const child = spawn(bin, ['-c', '10', '-d', String(seconds), '-j', url], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const cpu0 = process.cpuUsage();
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        const cpu = process.cpuUsage(cpu0);
        const j = JSON.parse(out) as {
          requests: { average: number; total: number };
          latency: { p50: number; p99: number };
          errors: number;
          non2xx: number;
        };
        resolve({
          cpuUsPerReq: (cpu.user + cpu.system) / Math.max(1, j.requests.total),
          rps: j.requests.average,
          p50: j.latency.p50,
          p99: j.latency.p99,
          errors: j.errors + j.non2xx,
        });
      } catch (err) {
        reject(new Error(`autocannon output: ${out.slice(0, 200)} (${(err as Error).message})`));
      }
    });
  });
}

async function gatewayBench(): Promise<void> {
  const store = await echoBackend('store');
  const rt = new WasmRuntime({ logSink: () => {} });
  const plugin = pluginIR('default/add-header', examplePath('add-header'));
  const chain: ExtensionChainIR = {
    id: 'GCPTrafficExtension/default/ext/chain1',
    name: 'chain1',
    resource: 'default/ext',
    resourceKind: 'GCPTrafficExtension',
    match: [],
    extensions: [extensionIR(plugin.key, { events: ['RequestHeaders', 'ResponseHeaders'] })],
  };
  const snap = (withPlugin: boolean, version: number): Snapshot => ({
    version,
    ports: [
      port([
        listener([rule({ backends: [backend('default/store:8080', store.port)] })], {
          trafficChains: withPlugin ? [chain] : [],
        }),
      ]),
    ],
    wasmPlugins: withPlugin ? { [plugin.key]: plugin } : {},
  });
  // `noop`: the same chain with a JS extension that does nothing, to tell the data plane's chain machinery
  // apart from the plugin itself.
  // `js`: the same chain with add-header written in JS (same mutations, no Wasm), to tell the data plane's
  // mutation path apart from the Wasm runtime.
  let mode: 'none' | 'noop' | 'js' | 'plugin' = 'none';
  const noop = (ir: WasmExtensionIR): Extension => ({
    id: ir.id,
    failOpen: ir.failOpen,
    events: new Set(ir.events),
    open: () => ({
      requestHeaders: async (h) => {
        if (mode !== 'js') return { effect: 'NONE' };
        h.set('x-plugin', 'add-header');
        return { effect: 'CONTENT_MODIFIED' };
      },
      responseHeaders: async (h) => {
        if (mode !== 'js') return { effect: 'NONE' };
        h.append('hello', 'world');
        return { effect: 'CONTENT_MODIFIED' };
      },
      requestBody: async (c) => ({ chunks: [c] }),
      responseBody: async (c) => ({ chunks: [c] }),
      requestTrailers: async () => ({}),
      responseTrailers: async () => ({}),
      close: () => {},
    }),
  });
  const { gw, port: p } = await startGateway(snap(false, 1), {
    compileChains: (chains, s) =>
      compileChains(chains, {
        callout: () => {
          throw new Error('no callouts');
        },
        wasm: mode === 'noop' ? noop : rt.forSnapshot(s),
      }),
  });
  const seconds = quick ? 2 : 5;
  const rows: Record<'none' | 'noop' | 'js' | 'plugin', Cannon[]> = {
    none: [],
    noop: [],
    js: [],
    plugin: [],
  };
  try {
    let v = 2;
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      for (const m of ['none', 'noop', 'js', 'plugin'] as const) {
        mode = m;
        await gw.apply(snap(m !== 'none', v++));
        await autocannon(`http://127.0.0.1:${p}/`, 1); // warm-up
        rows[m].push(await autocannon(`http://127.0.0.1:${p}/`, seconds));
      }
    }
  } finally {
    await gw.close();
    await store.close();
  }
  const avg = (xs: Cannon[], k: keyof Cannon) => xs.reduce((a, x) => a + x[k], 0) / xs.length;
  const sum = (xs: Cannon[]) => ({
    cpuUsPerReq: avg(xs, 'cpuUsPerReq'),
    rps: avg(xs, 'rps'),
    p50: avg(xs, 'p50'),
    p99: avg(xs, 'p99'),
    errors: avg(xs, 'errors'),
  });
  const none = sum(rows.none);
  const withNoop = sum(rows.noop);
  const withJs = sum(rows.js);
  const withPlugin = sum(rows.plugin);
  results.gateway = {
    none,
    noopChain: withNoop,
    jsAddHeader: withJs,
    plugin: withPlugin,
    rounds: rows,
    throughputRatio: withPlugin.rps / none.rps,
    vsNoopChain: withPlugin.rps / withNoop.rps,
    vsJsAddHeader: withPlugin.rps / withJs.rps,
  };
  console.log('\n1. Through the gateway (add-header on request + response headers, autocannon -c 10):');
  console.log(
    `   no plugin:   ${none.rps.toFixed(0)} req/s, p50 ${none.p50.toFixed(2)} ms, p99 ${none.p99.toFixed(2)} ms, errors ${none.errors}`,
  );
  console.log(
    `   no-op chain: ${withNoop.rps.toFixed(0)} req/s, p50 ${withNoop.p50.toFixed(2)} ms, p99 ${withNoop.p99.toFixed(2)} ms, errors ${withNoop.errors}`,
  );
  console.log(
    `   JS add-header: ${withJs.rps.toFixed(0)} req/s, p50 ${withJs.p50.toFixed(2)} ms, p99 ${withJs.p99.toFixed(2)} ms, errors ${withJs.errors}`,
  );
  console.log(
    `   with plugin: ${withPlugin.rps.toFixed(0)} req/s, p50 ${withPlugin.p50.toFixed(2)} ms, p99 ${withPlugin.p99.toFixed(2)} ms, errors ${withPlugin.errors}`,
  );
  console.log(
    `   CPU per request (gateway + backend process): none ${none.cpuUsPerReq.toFixed(1)} µs, no-op chain ` +
      `${withNoop.cpuUsPerReq.toFixed(1)} µs, JS add-header ${withJs.cpuUsPerReq.toFixed(1)} µs, plugin ` +
      `${withPlugin.cpuUsPerReq.toFixed(1)} µs → the plugin adds ${(withPlugin.cpuUsPerReq - withJs.cpuUsPerReq).toFixed(1)} µs over the same mutations in JS`,
  );
  console.log(
    `   plugin vs no-op chain: ${((100 * withPlugin.rps) / withNoop.rps).toFixed(1)}% throughput; ` +
      `plugin vs the same mutations in JS: ${((100 * withPlugin.rps) / withJs.rps).toFixed(1)}%`,
  );
  console.log(
    `   throughput ${((100 * withPlugin.rps) / none.rps).toFixed(1)}% of no plugin; added p50 ${((withPlugin.p50 - none.p50) * 1000).toFixed(0)} µs, p99 ${((withPlugin.p99 - none.p99) * 1000).toFixed(0)} µs (autocannon reports whole ms)`,
  );
}

async function perStream(
  meterCpu: boolean,
  n: number,
): Promise<{ meanUs: number; p50Us: number; p99Us: number }> {
  const rt = new WasmRuntime({ logSink: () => {}, limits: { meterCpu } });
  const plugin = pluginIR('default/add-header', examplePath('add-header'));
  const ext = rt.extensionFactory(
    extensionIR(plugin.key, { events: ['RequestHeaders', 'ResponseHeaders'] }),
    plugin,
  );
  const info = requestInfo();
  const one = async () => {
    const s = ext.open(info);
    await s.requestHeaders(
      new ListHeaderMap([
        [':method', 'GET'],
        [':path', '/'],
        [':authority', 'a'],
      ]),
      true,
    );
    await s.responseHeaders(
      new ListHeaderMap([
        [':status', '200'],
        ['content-type', 'text/plain'],
      ]),
      false,
    );
    s.close();
  };
  for (let i = 0; i < 2000; i++) await one();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await one();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return {
    meanUs: samples.reduce((a, b) => a + b, 0) / n,
    p50Us: samples[Math.floor(n / 2)]!,
    p99Us: samples[Math.floor(n * 0.99)]!,
  };
}

function loopCost(meterCpu: boolean): { nsPerIteration: number; fuelPerMs?: number } {
  const out = instrumentModule(readFileSync(fixturePath('loops.wat')), {
    initialFuel: 1_000_000,
    maxMemoryPages: 16,
    meterCpu,
  });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(out.bytes as BufferSource), {
    env: { base: 0 },
  });
  const ex = inst.exports as Record<string, unknown>;
  const fuel = ex[FUEL_EXPORT] as WebAssembly.Global;
  const count = ex.count as (n: number) => number;
  const n = 20_000_000;
  fuel.value = 0x7fffffff;
  count(1_000_000); // tier up
  fuel.value = 0x7fffffff;
  const t0 = process.hrtime.bigint();
  count(n);
  const ns = Number(process.hrtime.bigint() - t0);
  const used = 0x7fffffff - (fuel.value as number);
  return { nsPerIteration: ns / n, ...(meterCpu ? { fuelPerMs: used / (ns / 1e6) } : {}) };
}

async function extensionBench(): Promise<void> {
  const n = quick ? 5000 : 20000;
  // Alternate rounds: the first runs in a process pay for tier-up and GC warm-up.
  const rounds = quick ? 2 : 4;
  const on: Array<Awaited<ReturnType<typeof perStream>>> = [];
  const off: Array<Awaited<ReturnType<typeof perStream>>> = [];
  for (let r = 0; r < rounds; r++) {
    off.push(await perStream(false, n));
    on.push(await perStream(true, n));
  }
  const best = (xs: typeof on) => {
    const rest = xs.slice(1); // drop the first (warm-up) round
    const mean = (k: 'meanUs' | 'p50Us' | 'p99Us') => rest.reduce((a, x) => a + x[k], 0) / rest.length;
    return { meanUs: mean('meanUs'), p50Us: mean('p50Us'), p99Us: mean('p99Us') };
  };
  const metered = best(on);
  const unmetered = best(off);
  const loopOn = loopCost(true);
  const loopOff = loopCost(false);
  results.extension = { metered, unmetered, loop: { metered: loopOn, unmetered: loopOff } };
  console.log(
    '\n2. Per stream through the Extension interface (add-header: open, request headers, response headers, close):',
  );
  console.log(
    `   with fuel checks:    mean ${metered.meanUs.toFixed(1)} µs, p50 ${metered.p50Us.toFixed(1)} µs, p99 ${metered.p99Us.toFixed(1)} µs`,
  );
  console.log(
    `   without fuel checks: mean ${unmetered.meanUs.toFixed(1)} µs, p50 ${unmetered.p50Us.toFixed(1)} µs, p99 ${unmetered.p99Us.toFixed(1)} µs`,
  );
  console.log(
    `   CPU-bound loop (worst case): ${loopOn.nsPerIteration.toFixed(2)} ns/iteration metered vs ${loopOff.nsPerIteration.toFixed(2)} unmetered (${(100 * (loopOn.nsPerIteration / loopOff.nsPerIteration - 1)).toFixed(0)}% slower)`,
  );
  console.log(
    `   calibration: this machine burns ${(loopOn.fuelPerMs! / 1e6).toFixed(1)}M fuel units per ms in that loop (limits.fuelPerMs = 5M)`,
  );
}

async function coldStart(): Promise<void> {
  const registry = await startRegistry();
  const rows: Array<{ pullMs: number; compileMs: number; firstCallMs: number; totalMs: number }> = [];
  try {
    const ref = `${registry.host}/plugins/local-reply:main`;
    await pushPlugin({ file: examplePath('local-reply'), reference: ref, kind: 'module' });
    for (let i = 0; i < (quick ? 3 : 10); i++) {
      const cacheDir = mkdtempSync(join(tmpdir(), 'extgate-cold-'));
      try {
        const t0 = performance.now();
        const resolved = await new WasmImageResolver({ cacheDir }).resolve(ref);
        const t1 = performance.now();
        const rt = new WasmRuntime({ logSink: () => {} });
        const plugin = {
          key: 'default/local-reply',
          serving: { name: 'v1', image: ref, ...resolved },
          log: { enabled: false, sampleRate: 1, minLogLevel: 'INFO' as const },
        };
        const ext = rt.extensionFactory(extensionIR(plugin.key), plugin);
        const t2 = performance.now();
        const s = ext.open(requestInfo());
        const r = await s.requestHeaders(new ListHeaderMap([[':path', '/']]), true);
        s.close();
        const t3 = performance.now();
        if (r.immediate?.status !== 200) throw new Error('local-reply did not answer');
        rows.push({ pullMs: t1 - t0, compileMs: t2 - t1, firstCallMs: t3 - t2, totalMs: t3 - t0 });
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    }
  } finally {
    await registry.close();
  }
  const med = (k: keyof (typeof rows)[number]) =>
    rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!;
  results.coldStart = {
    runs: rows,
    median: {
      pullMs: med('pullMs'),
      compileMs: med('compileMs'),
      firstCallMs: med('firstCallMs'),
      totalMs: med('totalMs'),
    },
  };
  console.log('\n3. Cold start of local-reply (median of', rows.length, 'runs, empty cache each time):');
  console.log(
    `   pull ${med('pullMs').toFixed(1)} ms + instrument/compile ${med('compileMs').toFixed(1)} ms + VM start and first request ${med('firstCallMs').toFixed(1)} ms = ${med('totalMs').toFixed(1)} ms`,
  );
}

await extensionBench();
await coldStart();
await gatewayBench();
mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(repoRoot, 'bench', 'results', 'wasm-plugins.json'),
  JSON.stringify({ date: new Date().toISOString(), quick, ...results }, null, 2),
);
