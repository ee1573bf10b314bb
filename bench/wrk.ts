// Runs wrk against a URL and parses requests/s, latency percentiles and errors from its --latency output.
import { spawn } from 'node:child_process';

export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** `cpus`: run wrk on these CPUs only (`taskset -c`), e.g. to keep it off the cores the proxy under test has. */
export function wrk(
  url: string,
  connections: number,
  seconds: number,
  host?: string,
  cpus?: string,
): Promise<WrkResult> {
  const args = [
    '-t',
    connections >= 64 ? '2' : '1',
    '-c',
    String(connections),
    '-d',
    `${seconds}s`,
    '--latency',
  ];
  if (host !== undefined) args.push('-H', `Host: ${host}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child =
      cpus === undefined
        ? spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('taskset', ['-c', cpus, 'wrk', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}: ${out}`));
      try {
        resolve(parseWrk(out));
      } catch (err) {
        reject(err);
      }
    });
  });
}

function toMs(value: string, unit: string): number {
  const v = Number(value);
  if (unit === 'us') return v / 1000;
  if (unit === 's') return v * 1000;
  if (unit === 'm') return v * 60_000;
  return v;
}

export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /50%\s+([\d.]+)(us|ms|s|m)/.exec(out);
  const p99 = /99%\s+([\d.]+)(us|ms|s|m)/.exec(out);
  const total = /(\d+) requests in/.exec(out);
  if (!rps || !p50 || !p99 || !total) throw new Error(`cannot parse wrk output:\n${out}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    rps: Number(rps[1]),
    p50Ms: toMs(p50[1]!, p50[2]!),
    p99Ms: toMs(p99[1]!, p99[2]!),
    requests: Number(total[1]),
    errors: sock ? sock.slice(1).reduce((s, n) => s + Number(n), 0) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
  };
}
