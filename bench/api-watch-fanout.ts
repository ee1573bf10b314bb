// Watch fan-out of the embedded API: N open watches on ConfigMaps (informers of N clients), one write, the time
// until every watcher has the event; and the cost of a write while they are open.
// Run: npx tsc -p . && node dist/bench/api-watch-fanout.js [--watchers 1000] [--writes 50]
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../src/apiserver/server.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const WATCHERS = arg('watchers', 1000);
const WRITES = arg('writes', 50);
const CM = '/api/v1/namespaces/default/configmaps';

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(1)} ms  p99 ${q(0.99).toFixed(1)} ms  (n=${s.length})`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-bench-fanout-'));
  const api = await startApiServer({ stateDir: dir, port: 0 });
  const headers = { Authorization: `Bearer ${api.token}` };
  // One connection per watcher, as N separate clients have.
  const agent = new Agent({ ca: api.caPem, keepAlive: true, maxSockets: WATCHERS + 10 });
  const writer = new Agent({ ca: api.caPem, keepAlive: true, maxSockets: 1 });
  let pending = 0;
  let allSeen: (() => void) | undefined;
  const seenBy = new Set<number>();
  const watches: ReturnType<typeof request>[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: WATCHERS },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const req = request(new URL(`${CM}?watch=true`, api.url), { agent, headers }, (res) => {
              resolve();
              res.on('data', (chunk: Buffer) => {
                if (!chunk.includes('"MODIFIED"') && !chunk.includes('"ADDED"')) return;
                if (seenBy.has(i)) return;
                seenBy.add(i);
                if (--pending === 0) allSeen?.();
              });
            });
            req.on('error', reject);
            req.end();
            watches.push(req);
          }),
      ),
    );
    const write = (i: number) =>
      new Promise<void>((resolve, reject) => {
        const body = JSON.stringify({ metadata: { name: 'fan' }, data: { i: String(i) } });
        const path = i === 0 ? CM : `${CM}/fan`;
        const req = request(
          new URL(path, api.url),
          {
            method: i === 0 ? 'POST' : 'PUT',
            agent: writer,
            headers: {
              ...headers,
              'Content-Type': 'application/json',
              'Content-Length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () =>
              res.statusCode === 200 || res.statusCode === 201
                ? resolve()
                : reject(new Error(`HTTP ${res.statusCode}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const toAll: number[] = [];
    const writeOnly: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      seenBy.clear();
      pending = WATCHERS;
      const done = new Promise<void>((r) => (allSeen = r));
      const t0 = process.hrtime.bigint();
      await write(i);
      writeOnly.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await done;
      toAll.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(`write acknowledged with ${WATCHERS} watches open   ${stats(writeOnly)}`);
    console.log(`write → event at all ${WATCHERS} watchers          ${stats(toAll)}`);
  } finally {
    for (const w of watches) w.destroy();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
