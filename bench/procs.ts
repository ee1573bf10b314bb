// Child processes for benchmarks: start, wait for the `port <n>` line, stop by pid. Only processes started
// here are ever stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Proc {
  readonly child: ChildProcess;
  readonly port: number;
  /** What the process printed on stdout up to its `port` line. */
  readonly output: string;
  stop(): Promise<void>;
}

/**
 * `cpus`: start it on these CPUs only (`taskset -c`, inherited by its children; Node's availableParallelism()
 * then counts them). `env`: added to this process's environment.
 */
export function startNode(
  script: string,
  args: string[],
  nodeArgs: string[] = [],
  options: { cpus?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Proc> {
  const command = [process.execPath, ...nodeArgs, script, ...args];
  const pinned = options.cpus === undefined ? command : ['taskset', '-c', options.cpus, ...command];
  // taskset execs node: the child's pid is node's.
  const child = spawn(pinned[0]!, pinned.slice(1), {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), output: out, stop: () => stop(child) });
    });
  });
}

export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });
}

/** Resident set size of a process and its descendants (nginx workers, cluster workers) in MiB. */
export function rssMiB(pid: number): number {
  let mib = 0;
  for (const p of processTree(pid)) mib += processRssMiB(p);
  return mib;
}

/** Resident set size of one process in MiB (0 when it is gone). */
export function processRssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants (nginx workers, cluster workers), from /proc. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        const children = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (children !== '') out.push(...children.split(/\s+/).map(Number));
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return out;
}

/** CPU seconds (user + system) used so far by a process tree. */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** CPU seconds of a process tree so far, in user space and in the kernel (utime, stime of /proc/<pid>/stat). */
export function cpuSplit(pid: number): { user: number; system: number } {
  const ticks = 100; // USER_HZ on Linux
  let user = 0;
  let system = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      user += Number(fields[11]) / ticks;
      system += Number(fields[12]) / ticks;
    } catch {
      // exited
    }
  }
  return { user, system };
}
