// Runs a plugin against a tester suite as Google's tester does (plugins/test/dynamic_test.cc, framework.cc):
// each test gets a fresh plugin VM and one HTTP stream; header phases are called with end_of_stream=false,
// each body invocation's last chunk with end_of_stream=true; every phase is checked (a header phase that
// pauses without replying fails); after an immediate reply later phases see nothing. The clock is frozen
// (env.time_secs, else the Unix epoch + 1 ms); get_property answers only the test's `properties`. GKE's limits
// are measured, not enforced, unless `gkeLimits` (gke-limits.ts). Benchmarks: bench.ts.
import { appendFileSync, readFileSync } from 'node:fs';
import { sha256Digest } from '../plugin-module.js';
import { WasmRuntime } from '../runtime.js';
import { WasmStream } from '../wasm-stream.js';
import { LOG_LEVELS, type LogLevelName } from '../abi.js';
import { bodyInput, chunkBody, headerInput, resolveFromSuite } from './inputs.js';
import { checkPhase, checkSideEffects, type PhaseOutput } from './expectations.js';
import { limitWarnings, TESTER_LIMITS, type Usage } from './gke-limits.js';
import { runBenchmarks } from './bench.js';
import { testStream, type Prepared, type RunOptions } from './prepared.js';

export type { RunOptions } from './prepared.js';
import type { Invocation, TestCase, TestSuite } from './suite.js';

export interface TestOutcome {
  readonly name: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
}

/** Google's default clock: the Unix epoch + 1 ms. */
const DEFAULT_CLOCK_NS = 1_000_000n;

export async function runSuite(suite: TestSuite, opts: RunOptions): Promise<TestOutcome[]> {
  const configPath = opts.configPath ?? suite.env.configPath;
  const config = configPath ? readFileSync(resolveFromSuite(opts.baseDir, configPath)) : undefined;
  const moduleBytes = readFileSync(opts.pluginPath);
  const level = (opts.logLevel ??
    (suite.env.logLevel?.toUpperCase() as LogLevelName | undefined) ??
    'INFO') as LogLevelName;
  if (!LOG_LEVELS.includes(level))
    throw new Error(`unknown log level '${level}' (one of ${LOG_LEVELS.join(', ')})`);
  const p: Prepared = {
    plugin: {
      key: 'wasm-test/plugin',
      serving: {
        name: 'test',
        image: `file://${opts.pluginPath}`,
        moduleDigest: sha256Digest(moduleBytes),
        modulePath: opts.pluginPath,
        ...(config ? { configBase64: config.toString('base64') } : {}),
      },
      log: { enabled: true, sampleRate: 1, minLogLevel: level },
    },
    moduleBytes: moduleBytes.length,
    configBytes: config?.length ?? 0,
    ...(opts.gkeLimits ? {} : { limits: TESTER_LIMITS }),
    startNs:
      suite.env.timeSecs !== undefined ? BigInt(suite.env.timeSecs) * 1_000_000_000n : DEFAULT_CLOCK_NS,
    opts: {
      ...opts,
      logPath: opts.logPath ?? suite.env.logPath,
      additionalStreams: opts.additionalStreams ?? suite.env.numAdditionalStreams ?? 0,
      advanceRate: opts.advanceRate ?? suite.env.additionalStreamAdvanceRate ?? 3,
    },
  };
  const outcomes: TestOutcome[] = [];
  const usage: Usage[] = [];
  if (!opts.noTest) {
    // One runtime compiles (and instruments) the module once; each test still gets its own VM.
    const logs: string[] = [];
    const rt = new WasmRuntime({
      logSink: (e) => logs.push(e.message),
      ...(p.limits ? { limits: p.limits } : {}),
    });
    for (const [i, t] of suite.tests.entries()) {
      opts.out(`[ RUN      ] ${t.name}`);
      const t0 = performance.now();
      logs.length = 0;
      const { failures, used } = await runTest(t, p, rt, `${p.plugin.key}#${i}`, logs);
      rt.retain({ [p.plugin.key]: p.plugin }); // drop this test's VM, keep the compiled module
      if (used) usage.push(used);
      const ms = Math.round(performance.now() - t0);
      for (const f of failures) opts.out(`    ${f}`);
      opts.out(`${failures.length === 0 ? '[       OK ]' : '[  FAILED  ]'} ${t.name} (${ms} ms)`);
      outcomes.push({ name: t.name, passed: failures.length === 0, failures });
    }
    const failed = outcomes.filter((o) => !o.passed).length;
    opts.out(`${outcomes.length} test(s): ${outcomes.length - failed} passed, ${failed} failed`);
  } else opts.out('Skipping tests due to --notest');
  if (!opts.gkeLimits) for (const w of limitWarnings(p.moduleBytes + p.configBytes, usage)) opts.out(w);
  if (suite.tests.some((t) => t.benchmark)) {
    if (opts.noBench) opts.out('Skipping benchmarks due to --nobench');
    else await runBenchmarks(suite, p);
  }
  return outcomes;
}

/** A phase that could not run: the test stops there (Google's ASSERT_* / ASSERT_VM_HEALTH). */
class Abort extends Error {}

async function runTest(
  t: TestCase,
  p: Prepared,
  rt: WasmRuntime,
  key: string,
  logs: string[],
): Promise<{ failures: string[]; used?: Usage }> {
  const base = p.opts.baseDir;
  const logFile = p.opts.logPath;
  if (logFile) appendFileSync(logFile, `--- Starting test: ${t.name} ---\n`);
  const failures: string[] = [];
  const take = () => {
    const taken = logs.splice(0);
    if (logFile) for (const line of taken) appendFileSync(logFile, `${line}\n`);
    return taken;
  };
  let stream: WasmStream | undefined;
  let used: Usage | undefined;
  try {
    let pool;
    try {
      pool = rt.pool({ ...p.plugin, key });
      pool.release(pool.acquire()); // start the VM now, so plugin_init sees its logs
    } catch (err) {
      throw new Abort(`[plugin_init] ${(err as Error).message}`);
    }
    if (t.pluginInit) failures.push(...checkSideEffects('plugin_init', t.pluginInit, take(), base));
    take();
    stream = testStream(pool, t, p.startNs);
    const s = stream;
    await vmHealth('stream_init', async () => s.begin());
    if (t.streamInit) failures.push(...checkSideEffects('stream_init', t.streamInit, take(), base));
    take();
    let replied = false;
    const headerPhase = async (phase: string, inv: Invocation, response: boolean) => {
      let headers;
      try {
        headers = headerInput(inv.input, response, base);
      } catch (err) {
        throw new Abort(`[${phase}] ${(err as Error).message}`);
      }
      let out: PhaseOutput = { logs: [] };
      if (!replied) {
        const r = await vmHealth(phase, () =>
          response ? s.responseHeaders(headers, false) : s.requestHeaders(headers, false),
        );
        out = { headers, immediate: r.immediate, headersAction: s.lastHeadersAction, logs: take() };
        replied = r.immediate !== undefined;
      }
      failures.push(...checkPhase(phase, inv.result ?? EMPTY, out, base));
    };
    const bodyPhase = async (phase: string, invs: readonly Invocation[], response: boolean) => {
      if (invs.length === 0) return;
      if (invs.length > 1 && (t.numChunks !== undefined || t.chunkSize !== undefined))
        throw new Abort(`[${phase}] Cannot specify body_chunking_plan with multiple body invocations`);
      for (const inv of invs) {
        let out: PhaseOutput = { body: '', logs: [] };
        if (!replied) {
          const chunks = chunkBody(bodyInput(inv.input, base), t);
          const body: Buffer[] = [];
          let immediate;
          for (let i = 0; i < chunks.length && !immediate; i++) {
            // Without trailers, each invocation's last chunk ends the stream.
            const eos = i === chunks.length - 1;
            const r = await vmHealth(phase, () =>
              response ? s.responseBody(chunks[i]!, eos) : s.requestBody(chunks[i]!, eos),
            );
            immediate = r.immediate;
            for (const c of r.chunks ?? []) body.push(Buffer.from(c));
          }
          out = { body: Buffer.concat(body).toString('utf8'), immediate, logs: take() };
          replied = immediate !== undefined;
        }
        failures.push(...checkPhase(phase, inv.result ?? EMPTY, out, base));
      }
    };
    if (t.requestHeaders) await headerPhase('request_headers', t.requestHeaders, false);
    await bodyPhase('request_body', t.requestBody, false);
    if (t.responseHeaders) await headerPhase('response_headers', t.responseHeaders, true);
    await bodyPhase('response_body', t.responseBody, true);
    take();
    s.close();
    const vm = pool.acquire();
    used = { test: t.name, cpuMs: s.fuelUsed / rt.limits.fuelPerMs, memoryBytes: vm.memoryBytesUsed() };
    pool.release(vm);
    if (t.streamDestroy) failures.push(...checkSideEffects('stream_destroy', t.streamDestroy, take(), base));
  } catch (err) {
    if (!(err instanceof Abort)) throw err;
    failures.push(err.message);
    stream?.close();
  } finally {
    take();
    if (logFile) appendFileSync(logFile, `--- Finished test: ${t.name} ---\n`);
  }
  return { failures, ...(used ? { used } : {}) };
}

const EMPTY = Object.freeze({ hasHeader: [], noHeader: [], headers: [], body: [], log: [] });

/** Runs one callback; a failed VM (trap, limit, abort) ends the test with the reason, as Google's does. */
async function vmHealth<T>(phase: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new Abort(`[${phase}] Wasm VM failed! ${(err as Error).message}`);
  }
}
