// `npm run bench`: builds, installs wrk and nginx when missing, starts a loopback backend, and runs every
// registered scenario side by side with wrk at 1, 32 and 128 connections; then RSS with idle keep-alive
// connections and route lookup time. Flags: --duration S, --only a,b, --connections 16,128, --skip-memory,
// --skip-lookup, --idle-connections N.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allScenarios, type BenchTarget } from './scenarios.js';
import { cpuSeconds, startNode } from './procs.js';
import { wrk, type WrkResult } from './wrk.js';
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

async function main(): Promise<void> {
  ensureTools();
  await loadScenarios();
  const duration = Number(flag('duration', '10'));
  const conns = flag('connections', '1,32,128').split(',').map(Number);
  const only = flag('only', '')
    .split(',')
    .filter((s) => s !== '');
  const scenarios = allScenarios().filter((s) => only.length === 0 || only.includes(s.name));
  const backend = await startNode(fileURLToPath(new URL('./backend.js', import.meta.url)), []);
  const results: Record<
    string,
    Record<number, WrkResult & { cpuUsPerRequest?: number; serverCpuUsPerMessage?: number }>
  > = {};
  try {
    for (const s of scenarios) {
      const target: BenchTarget = await s.start({ backendPort: backend.port });
      try {
        await wrk(target.url, 16, 2, target.host); // warm-up: JIT, pools
        results[s.name] = {};
        for (const c of conns) {
          // CPU per request of the proxy's processes: unlike req/s, it does not depend on what else runs.
          const cpu0 = target.pid !== undefined ? cpuSeconds(target.pid) : NaN;
          const server = target.extensionServer;
          const server0 = server !== undefined ? cpuSeconds(server.pid) : NaN;
          const w = await wrk(target.url, c, duration, target.host);
          const cpu =
            target.pid !== undefined ? ((cpuSeconds(target.pid) - cpu0) * 1e6) / w.requests : undefined;
          // The extension server's CPU per message it answered, next to the gateway's per request.
          const serverCpu =
            server !== undefined
              ? ((cpuSeconds(server.pid) - server0) * 1e6) / (w.requests * server.messagesPerRequest)
              : undefined;
          const r = {
            ...w,
            ...(cpu !== undefined ? { cpuUsPerRequest: cpu } : {}),
            ...(serverCpu !== undefined ? { serverCpuUsPerMessage: serverCpu } : {}),
          };
          results[s.name]![c] = r;
          console.log(
            `${s.name.padEnd(16)} c=${String(c).padStart(3)}  ${fmt(r.rps).padStart(8)} req/s  p50 ${fmt(r.p50Ms, 2)} ms  p99 ${fmt(r.p99Ms, 2)} ms  errors ${r.errors} non-2xx ${r.non2xx}${cpu !== undefined ? `  cpu ${fmt(cpu, 1)} us/req` : ''}${serverCpu !== undefined ? `  callout server ${fmt(serverCpu, 1)} us/msg` : ''}`,
          );
        }
        if (target.describe) console.log(`${s.name.padEnd(16)} ${target.describe()}`);
      } finally {
        await target.stop();
      }
    }

    const lines: string[] = [];
    lines.push(
      `| scenario | procs | conns | req/s | p50 ms | p99 ms | errors | CPU µs/req | ext. server CPU µs/msg | vs | req/s ratio | added p50 ms | p99 ratio | /direct |`,
    );
    lines.push(`|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
    for (const s of scenarios) {
      for (const c of conns) {
        const r = results[s.name]?.[c];
        if (r === undefined) continue;
        const base = s.compareWith !== undefined ? results[s.compareWith]?.[c] : undefined;
        const direct = results.direct?.[c];
        lines.push(
          `| ${s.name} | ${s.processes} | ${c} | ${fmt(r.rps)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${r.errors + r.non2xx} | ${
            r.cpuUsPerRequest !== undefined ? fmt(r.cpuUsPerRequest, 1) : ''
          } | ${r.serverCpuUsPerMessage !== undefined ? fmt(r.serverCpuUsPerMessage, 1) : ''} | ${
            s.compareWith ?? ''
          } | ${base ? fmt(r.rps / base.rps, 2) : ''} | ${base ? fmt(r.p50Ms - base.p50Ms, 2) : ''} | ${
            base ? fmt(r.p99Ms / base.p99Ms, 2) : ''
          } | ${direct && s.name !== 'direct' ? fmt(r.rps / direct.rps, 2) : ''} |`,
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
