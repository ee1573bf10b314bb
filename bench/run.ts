// `npm run bench`: builds, installs wrk and nginx when missing, starts a loopback backend, and runs every
// registered scenario side by side with wrk at 1, 32 and 128 connections; then RSS with idle keep-alive
// connections and route lookup time. Flags: --duration S, --only a,b, --connections 16,128, --skip-memory,
// --skip-lookup, --idle-connections N, --pairs N (a compared scenario runs alternated with a fresh instance of
// its baseline N times, default 3, its duration split between them).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allScenarios, type BenchTarget } from './scenarios.js';
import { cpuSeconds, startNode } from './procs.js';
import { wrk, type WrkResult } from './wrk.js';
import { median } from './stats.js';
import { memoryBench } from './memory.js';
import { regexRouteLookupBench, routeLookupBench } from './route-lookup.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const has = (name: string): boolean => process.argv.includes(`--${name}`);

function ensureTools(): void {
  const missing: string[] = [];
  if (spawnSync('sh', ['-c', 'command -v wrk']).status !== 0) missing.push('wrk');
  if (spawnSync('sh', ['-c', 'command -v nginx']).status !== 0) missing.push('nginx');
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
}

async function loadScenarios(): Promise<void> {
  const dir = new URL('./scenarios/', import.meta.url);
  // The proxy baselines first, so tables read direct → nginx → extgate → extgate with extensions.
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.js'))
    .sort((a, b) => (a === 'proxy.js' ? -1 : b === 'proxy.js' ? 1 : a.localeCompare(b)));
  for (const f of files) await import(new URL(f, dir).href);
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** One scenario at one connection count; `paired` when it ran alternated with its baseline beside it. */
interface Measured extends WrkResult {
  readonly cpuUsPerRequest?: number;
  readonly serverCpuUsPerMessage?: number;
  readonly paired?: {
    /** Median over the pairs of req/s (scenario / baseline), and each pair's. */
    readonly rpsRatio: number;
    readonly rpsRatios: readonly number[];
    readonly addedP50Ms: number;
    readonly p99Ratio: number;
    readonly baseCpuUsPerRequest: number | undefined;
  };
}

/** wrk against `target` for `seconds`, with the CPU its processes (and its extension server) spent. */
async function measure(target: BenchTarget, connections: number, seconds: number): Promise<Measured> {
  // CPU per request of the proxy's processes: unlike req/s, it does not depend on what else runs.
  const cpu0 = target.pid !== undefined ? cpuSeconds(target.pid) : NaN;
  const server = target.extensionServer;
  const server0 = server !== undefined ? cpuSeconds(server.pid) : NaN;
  const w = await wrk(target.url, connections, seconds, target.host);
  const cpu = target.pid !== undefined ? ((cpuSeconds(target.pid) - cpu0) * 1e6) / w.requests : undefined;
  // The extension server's CPU per message it answered, next to the gateway's per request.
  const serverCpu =
    server !== undefined
      ? ((cpuSeconds(server.pid) - server0) * 1e6) / (w.requests * server.messagesPerRequest)
      : undefined;
  return {
    ...w,
    ...(cpu !== undefined ? { cpuUsPerRequest: cpu } : {}),
    ...(serverCpu !== undefined ? { serverCpuUsPerMessage: serverCpu } : {}),
  };
}

/**
 * `target` and `base` alternated `pairs` times (base first), `seconds` split between the pairs. The scenario's
 * figures are over all its runs (req/s and CPU per request from the totals, latencies the median run's); the
 * comparisons are medians of each pair's.
 */
async function measurePaired(
  target: BenchTarget,
  base: BenchTarget,
  connections: number,
  seconds: number,
  pairs: number,
): Promise<Measured> {
  const each = Math.max(1, Math.round(seconds / pairs));
  const runs: Array<{ t: Measured; b: Measured }> = [];
  for (let i = 0; i < pairs; i++) {
    const b = await measure(base, connections, each);
    const t = await measure(target, connections, each);
    runs.push({ t, b });
  }
  const ts = runs.map((r) => r.t);
  const bs = runs.map((r) => r.b);
  const requests = sum(ts.map((r) => r.requests));
  const cpuTotal = (rs: Measured[]): number | undefined =>
    rs.every((r) => r.cpuUsPerRequest !== undefined)
      ? sum(rs.map((r) => r.cpuUsPerRequest! * r.requests)) / sum(rs.map((r) => r.requests))
      : undefined;
  const serverCpu = ts.every((r) => r.serverCpuUsPerMessage !== undefined)
    ? sum(ts.map((r) => r.serverCpuUsPerMessage! * r.requests)) / requests
    : undefined;
  const cpu = cpuTotal(ts);
  const rpsRatios = runs.map((r) => r.t.rps / r.b.rps);
  return {
    rps: requests / (each * pairs),
    p50Ms: median(ts.map((r) => r.p50Ms)),
    p99Ms: median(ts.map((r) => r.p99Ms)),
    requests,
    errors: sum(ts.map((r) => r.errors)),
    non2xx: sum(ts.map((r) => r.non2xx)),
    ...(cpu !== undefined ? { cpuUsPerRequest: cpu } : {}),
    ...(serverCpu !== undefined ? { serverCpuUsPerMessage: serverCpu } : {}),
    paired: {
      rpsRatio: median(rpsRatios),
      rpsRatios,
      addedP50Ms: median(runs.map((r) => r.t.p50Ms - r.b.p50Ms)),
      p99Ratio: median(runs.map((r) => r.t.p99Ms / r.b.p99Ms)),
      baseCpuUsPerRequest: cpuTotal(bs),
    },
  };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  ensureTools();
  await loadScenarios();
  const duration = Number(flag('duration', '10'));
  const conns = flag('connections', '1,32,128').split(',').map(Number);
  const only = flag('only', '')
    .split(',')
    .filter((s) => s !== '');
  const scenarios = allScenarios().filter((s) => only.length === 0 || only.includes(s.name));
  const pairs = Math.max(1, Number(flag('pairs', '3')));
  const backend = await startNode(fileURLToPath(new URL('./backend.js', import.meta.url)), []);
  const results: Record<string, Record<number, Measured>> = {};
  try {
    for (const s of scenarios) {
      // A compared scenario is measured against a fresh instance of its baseline running beside it, the two
      // alternated `pairs` times: one run of each minutes apart moved ratios by ±20% with the VM's speed
      // (docs/benchmarks.md), side by side the drift lands on both.
      const baseline =
        s.compareWith !== undefined ? allScenarios().find((b) => b.name === s.compareWith) : undefined;
      const target: BenchTarget = await s.start({ backendPort: backend.port });
      let base: BenchTarget | undefined;
      try {
        base = baseline !== undefined ? await baseline.start({ backendPort: backend.port }) : undefined;
        for (const t of base !== undefined ? [base, target] : [target]) await wrk(t.url, 16, 2, t.host); // JIT, pools
        results[s.name] = {};
        for (const c of conns) {
          const r =
            base === undefined
              ? await measure(target, c, duration)
              : await measurePaired(target, base, c, duration, pairs);
          results[s.name]![c] = r;
          console.log(
            `${s.name.padEnd(16)} c=${String(c).padStart(3)}  ${fmt(r.rps).padStart(8)} req/s  p50 ${fmt(r.p50Ms, 2)} ms  p99 ${fmt(r.p99Ms, 2)} ms  errors ${r.errors} non-2xx ${r.non2xx}${r.cpuUsPerRequest !== undefined ? `  cpu ${fmt(r.cpuUsPerRequest, 1)} us/req` : ''}${r.serverCpuUsPerMessage !== undefined ? `  callout server ${fmt(r.serverCpuUsPerMessage, 1)} us/msg` : ''}${r.paired ? `  vs ${s.compareWith} beside it: req/s ratio ${fmt(r.paired.rpsRatio, 2)} (${r.paired.rpsRatios.map((x) => fmt(x, 2)).join(' ')})` : ''}`,
          );
        }
        if (target.describe) console.log(`${s.name.padEnd(16)} ${target.describe()}`);
      } finally {
        await Promise.all([target.stop(), base?.stop()]);
      }
    }

    const lines: string[] = [];
    lines.push(
      `| scenario | procs | conns | req/s | p50 ms | p99 ms | errors | CPU µs/req | ext. server CPU µs/msg | vs | its CPU µs/req beside | req/s ratio | added p50 ms | p99 ratio | /direct |`,
    );
    lines.push(`|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
    for (const s of scenarios) {
      for (const c of conns) {
        const r = results[s.name]?.[c];
        if (r === undefined) continue;
        const paired = r.paired;
        const direct = results.direct?.[c];
        lines.push(
          `| ${s.name} | ${s.processes} | ${c} | ${fmt(r.rps)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${r.errors + r.non2xx} | ${
            r.cpuUsPerRequest !== undefined ? fmt(r.cpuUsPerRequest, 1) : ''
          } | ${r.serverCpuUsPerMessage !== undefined ? fmt(r.serverCpuUsPerMessage, 1) : ''} | ${
            s.compareWith ?? ''
          } | ${paired ? fmt(paired.baseCpuUsPerRequest ?? NaN, 1) : ''} | ${paired ? fmt(paired.rpsRatio, 2) : ''} | ${
            paired ? fmt(paired.addedP50Ms, 2) : ''
          } | ${paired ? fmt(paired.p99Ratio, 2) : ''} | ${direct && s.name !== 'direct' ? fmt(r.rps / direct.rps, 2) : ''} |`,
        );
      }
    }
    console.log(`\n${lines.join('\n')}`);
    for (const s of scenarios) {
      for (const other of s.compareAlso ?? []) {
        for (const c of conns) {
          const r = results[s.name]?.[c];
          const base = results[other]?.[c];
          if (r === undefined || base === undefined) continue;
          console.log(
            `${s.name} vs ${other} c=${c}: req/s ratio ${fmt(r.rps / base.rps, 2)}, p99 ratio ${fmt(r.p99Ms / base.p99Ms, 2)}`,
          );
        }
      }
    }

    const memory: Record<string, unknown> = {};
    if (!has('skip-memory')) {
      const idle = Number(flag('idle-connections', '10000'));
      for (const name of ['extgate', 'nginx']) {
        const scenario = allScenarios().find((s) => s.name === name);
        if (scenario === undefined) continue;
        const target = await scenario.start({ backendPort: backend.port });
        try {
          const m = await memoryBench(
            Number(new URL(target.url).port),
            target.pid!,
            idle,
            'store.example.com',
          );
          memory[name] = m;
          console.log(
            `RSS ${name}: idle ${fmt(m.idleMiB, 1)} MiB; with ${fmt(m.connections)} idle keep-alive connections ${fmt(m.withConnectionsMiB, 1)} MiB (${fmt(m.kibPerConnection, 1)} KiB/connection)`,
          );
        } finally {
          await target.stop();
        }
      }
    }

    let lookup;
    if (!has('skip-lookup')) {
      lookup = [regexRouteLookupBench(), ...routeLookupBench()];
      console.log('\n| routes (HTTPRoutes) | matcher | ns/lookup | build ms |\n|---|---|---|---|');
      for (const l of lookup)
        console.log(`| ${fmt(l.routes)} | ${l.matcher} | ${fmt(l.nsPerLookup)} | ${fmt(l.buildMs, 1)} |`);
    }

    const outDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(outDir, { recursive: true });
    const file = `${outDir}${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    writeFileSync(file, JSON.stringify({ duration, conns, results, memory, lookup }, null, 2));
    console.log(`\nresults: ${file}`);
  } finally {
    await backend.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
