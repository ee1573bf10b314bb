// What refusing hostile input costs the process (issue 9 closing numbers): RSS growth and event-loop delay
// (perf_hooks.monitorEventLoopDelay, p99 and max) while the Wasm resolver refuses a 1 GiB gzip layer and
// 64 MiB blobs from a hostile registry on loopback (its own process: hostile-registry-proc.ts), and the time the embedded API takes to answer 400 to a
// 400,000-level nested YAML / JSON body (with the event-loop delay meanwhile).
//   npx tsc -p . && node dist/bench/security-limits.js
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startApiServer, type ApiServer } from '../src/apiserver/server.js';
import { WasmImageResolver } from '../src/extensions/wasm/oci/resolver.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const MIB = 1024 * 1024;

interface Sample {
  what: string;
  ms: number;
  rssGrowthMiB: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  outcome: string;
}

async function measure(what: string, run: () => Promise<string>): Promise<Sample> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  let outcome: string;
  try {
    outcome = await run();
  } catch (err) {
    outcome = (err as Error).message;
  }
  const ms = performance.now() - started;
  delay.disable();
  clearInterval(sampler);
  return {
    what,
    ms: Math.round(ms * 10) / 10,
    rssGrowthMiB: Math.round(((Math.max(peak, process.memoryUsage().rss) - base) / MIB) * 10) / 10,
    loopDelayP99Ms: Math.round(delay.percentile(99) / 1e4) / 100,
    loopDelayMaxMs: Math.round(delay.max / 1e4) / 100,
    outcome: outcome.slice(0, 140),
  };
}

function post(api: ApiServer, contentType: string, body: string): Promise<string> {
  const url = new URL('/api/v1/namespaces/default/configmaps', api.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: api.caPem,
        agent: false,
        headers: {
          authorization: `Bearer ${api.token}`,
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(`HTTP ${res.statusCode}`));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const registryProc = spawn(
  process.execPath,
  [new URL('./hostile-registry-proc.js', import.meta.url).pathname],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const [line] = (await once(registryProc.stdout, 'data')) as [Buffer];
const registry = { host: /host (\S+)/.exec(line.toString())![1]! };
const dir = mkdtempSync(join(tmpdir(), 'extgate-bench-security-'));
const resolver = new WasmImageResolver({ cacheDir: join(dir, 'wasm') });
const api = await startApiServer({ stateDir: join(dir, 'state'), port: 0 });
const samples: Sample[] = [];
try {
  const pull = (repo: string) => async () => {
    await resolver.resolve(`${registry.host}/${repo}:v1`);
    return 'pulled (not refused!)';
  };
  // What the machine's load alone does to the loop over a similar time: compare the rows against it.
  samples.push(await measure('idle (baseline)', () => new Promise((r) => setTimeout(() => r('slept'), 500))));
  samples.push(await measure('1 GiB gzip layer (1 MiB on the wire)', pull('plugins/gzip-bomb')));
  samples.push(await measure('64 MiB blob, Content-Length', pull('plugins/huge')));
  samples.push(await measure('64 MiB blob, chunked, no size', pull('plugins/huge-chunked')));
  const deepYaml = '['.repeat(400_000) + ']'.repeat(400_000);
  const deepJson = '{"a":'.repeat(400_000) + '1' + '}'.repeat(400_000);
  samples.push(await measure('400k-level YAML body → API', () => post(api, 'application/yaml', deepYaml)));
  samples.push(await measure('400k-level JSON body → API', () => post(api, 'application/json', deepJson)));
} finally {
  await api.close();
  registryProc.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
for (const s of samples) process.stdout.write(`${JSON.stringify(s)}\n`);
