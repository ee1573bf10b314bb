// Benchmarks as Google's tester registers them (plugins/test/runner_main.cc, DynamicTest::Bench*):
// PluginLifecycle and StreamLifecycle once, then one per `benchmark: true` test running all its phases on a
// fresh stream each iteration, while `num_additional_streams` background streams stay open on the same VM and
// `additional_stream_advance_rate` of them (random) advance one callback per iteration, outside the timing.
// Output has Google Benchmark's console shape: name, Time, CPU, Iterations and the same user counters.
import type { WasmPluginIR } from '../../../ir/snapshot.js';
import { WasmRuntime } from '../runtime.js';
import type { WasmStream } from '../wasm-stream.js';
import type { PluginPool } from '../plugin-pool.js';
import { HeaderList } from '../../header-map.js';
import { bodyInput, chunkBody, headerInput } from './inputs.js';
import { testStream, type Prepared } from './prepared.js';
import type { Invocation, TestCase, TestSuite } from './suite.js';

/** Google Benchmark's default: iterate until the timed part has run this long. */
const MIN_TIME_NS = 500_000_000;
const MAX_ITERATIONS = 1_000_000_000;

interface Row {
  readonly name: string;
  readonly timeNs?: number;
  readonly cpuNs?: number;
  readonly iterations?: number;
  readonly counters?: Readonly<Record<string, string>>;
  readonly error?: string;
}

/** The phases of one test, parsed once. */
interface Plan {
  readonly requestHeaders?: HeaderList;
  readonly responseHeaders?: HeaderList;
  readonly requestBody: readonly Buffer[];
  readonly responseBody: readonly Buffer[];
}

function plan(t: TestCase, base: string): Plan {
  const chunks = (invs: readonly Invocation[]) =>
    invs.length === 1
      ? chunkBody(bodyInput(invs[0]!.input, base), t)
      : invs.map((i) => bodyInput(i.input, base));
  return {
    ...(t.requestHeaders ? { requestHeaders: headerInput(t.requestHeaders.input, false, base) } : {}),
    ...(t.responseHeaders ? { responseHeaders: headerInput(t.responseHeaders.input, true, base) } : {}),
    requestBody: chunks(t.requestBody),
    responseBody: chunks(t.responseBody),
  };
}

/** Header maps are mutated by the plugin: each call gets a copy. */
const copy = (h: HeaderList): HeaderList => new HeaderList(h.entries());

/** All phases of one request on `s` (Google's BenchHttpHandlers loop body). */
async function runPhases(s: WasmStream, p: Plan): Promise<void> {
  if (p.requestHeaders) await s.requestHeaders(copy(p.requestHeaders), false);
  for (let i = 0; i < p.requestBody.length; i++)
    await s.requestBody(p.requestBody[i]!, i === p.requestBody.length - 1);
  if (p.responseHeaders) await s.responseHeaders(copy(p.responseHeaders), false);
  for (let i = 0; i < p.responseBody.length; i++)
    await s.responseBody(p.responseBody[i]!, i === p.responseBody.length - 1);
}

/** A background stream: each advance performs its next callback (create, headers, a body chunk, ..., destroy). */
class AdditionalStream {
  private steps: Array<(s: WasmStream) => Promise<unknown>> = [];
  private stream: WasmStream | undefined;
  constructor(
    private readonly pool: PluginPool,
    private readonly t: TestCase,
    private readonly p: Plan,
    private readonly startNs: bigint,
  ) {}

  async advance(): Promise<void> {
    if (!this.stream) {
      this.stream = testStream(this.pool, this.t, this.startNs);
      this.stream.begin();
      const { p } = this;
      this.steps = [
        ...(p.requestHeaders ? [(s: WasmStream) => s.requestHeaders(copy(p.requestHeaders!), false)] : []),
        ...p.requestBody.map((c, i) => (s: WasmStream) => s.requestBody(c, i === p.requestBody.length - 1)),
        ...(p.responseHeaders ? [(s: WasmStream) => s.responseHeaders(copy(p.responseHeaders!), false)] : []),
        ...p.responseBody.map(
          (c, i) => (s: WasmStream) => s.responseBody(c, i === p.responseBody.length - 1),
        ),
      ];
      return;
    }
    const next = this.steps.shift();
    if (next) await next(this.stream);
    else {
      this.stream.close();
      this.stream = undefined;
    }
  }
}

interface Spent {
  readonly wallNs: number;
  readonly cpuNs: number;
}

/** Wall and CPU time of the measured part of an iteration. */
async function timed(fn: () => unknown): Promise<Spent> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wallNs = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  return { wallNs, cpuNs: (c.user + c.system) * 1000 };
}

/** Runs `body` until MIN_TIME_NS of measured work, like Google Benchmark's automatic iteration count. */
async function iterate(
  body: () => Promise<Spent>,
): Promise<{ timeNs: number; cpuNs: number; iterations: number }> {
  let wall = 0;
  let cpu = 0;
  let n = 0;
  while (wall < MIN_TIME_NS && n < MAX_ITERATIONS) {
    const spent = await body();
    wall += spent.wallNs;
    cpu += spent.cpuNs;
    n++;
  }
  return { timeNs: wall / n, cpuNs: cpu / n, iterations: n };
}

function counters(
  p: Prepared,
  pool: PluginPool,
  logBytes: number,
  logEntries: number,
): Record<string, string> {
  const vm = pool.acquire();
  const memory = vm.memoryBytesUsed();
  pool.release(vm);
  return {
    LogEntries: String(logEntries),
    LogsSizeB: kIs1024(logBytes),
    WasmMemoryB: kIs1024(memory),
    WasmSizeB: kIs1024(p.moduleBytes),
  };
}

/** Google Benchmark's human-readable counter with kIs1024 (e.g. 1.0625Mi). */
function kIs1024(v: number): string {
  const units = ['', 'ki', 'Mi', 'Gi'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(5))}${units[i]}`;
}

export async function runBenchmarks(suite: TestSuite, p: Prepared): Promise<void> {
  const out = p.opts.out;
  const benched = suite.tests.filter((t) => t.benchmark);
  const names = [
    'Bench_v8.PluginLifecycle',
    'Bench_v8.StreamLifecycle',
    ...benched.map((t) => `Bench_v8.${t.name}`),
  ];
  const width = Math.max(30, ...names.map((n) => n.length));
  const rule = '-'.repeat(width + 46);
  out(rule);
  out(
    `${'Benchmark'.padEnd(width)} ${'Time'.padStart(12)} ${'CPU'.padStart(15)} ${'Iterations'.padStart(12)}`,
  );
  out(rule);
  const print = (r: Row) =>
    out(
      r.error !== undefined
        ? `${r.name.padEnd(width)} ERROR OCCURRED: '${r.error}'`
        : `${r.name.padEnd(width)} ${`${r.timeNs!.toFixed(0)} ns`.padStart(12)} ${`${r.cpuNs!.toFixed(0)} ns`.padStart(15)} ` +
            `${String(r.iterations).padStart(12)} ${Object.entries(r.counters ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}`,
    );
  print(await bench(names[0]!, p, benched[0]!, 'plugin'));
  print(await bench(names[1]!, p, benched[0]!, 'stream'));
  for (const t of benched) print(await bench(`Bench_v8.${t.name}`, p, t, 'http'));
}

async function bench(
  name: string,
  p: Prepared,
  t: TestCase,
  kind: 'plugin' | 'stream' | 'http',
): Promise<Row> {
  let logBytes = 0;
  let logEntries = 0;
  // Benchmarks run with plugin logging off (Google: CRITICAL), but count what would have been logged.
  const plugin: WasmPluginIR = { ...p.plugin, log: { ...p.plugin.log, minLogLevel: 'CRITICAL' } };
  const rt = new WasmRuntime({
    logSink: (e) => {
      logEntries++;
      logBytes += e.message.length;
    },
    ...(p.limits ? { limits: p.limits } : {}),
  });
  try {
    const pool = rt.pool(plugin);
    pool.release(pool.acquire());
    if (kind === 'plugin') {
      let i = 0;
      const r = await iterate(async () => {
        const spent = await timed(() => {
          const fresh = rt.pool({ ...plugin, key: `${plugin.key}#${++i}` });
          fresh.release(fresh.acquire()); // instantiate, _initialize, on_vm_start, on_configure
        });
        rt.retain({ [plugin.key]: plugin }); // drop the fresh VM's pool, keep the compiled module
        return spent;
      });
      return { name, ...r, counters: counters(p, pool, logBytes, logEntries) };
    }
    const background: AdditionalStream[] = [];
    const pl = plan(t, p.opts.baseDir);
    const extra = p.opts.additionalStreams ?? 0;
    for (let i = 0; i < extra; i++) {
      const a = new AdditionalStream(
        pool,
        t,
        kind === 'http' ? pl : { requestBody: [], responseBody: [] },
        p.startNs,
      );
      await a.advance();
      if (kind === 'http') await a.advance();
      background.push(a);
    }
    const rate = p.opts.advanceRate ?? 3;
    const r = await iterate(async () => {
      if (kind === 'http' && background.length > 0)
        for (let k = 0; k < rate; k++)
          await background[Math.floor(Math.random() * background.length)]!.advance();
      const s = testStream(pool, t, p.startNs);
      if (kind === 'stream')
        return timed(() => {
          s.begin();
          s.close();
        });
      s.begin(); // stream create/destroy is outside the timing, as in Google's handler benchmark
      const spent = await timed(() => runPhases(s, pl));
      s.close();
      return spent;
    });
    return { name, ...r, counters: counters(p, pool, logBytes, logEntries) };
  } catch (err) {
    return { name, error: `VM failed! ${(err as Error).message}` };
  }
}
