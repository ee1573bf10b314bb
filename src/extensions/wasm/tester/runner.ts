// Runs a plugin against a tester suite the way Google's wasm-tester does: each test gets a fresh plugin
// (so `plugin_init` sees start-up logs) and one HTTP stream; phases run in order on that stream, each checked
// against its expectations; an immediate response ends the stream. `benchmark: true` tests are then re-run
// in a loop and timed. Limits are GKE's unless overridden, so a plugin that passes here fits the budget there.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { LocalResponse, RequestInfo } from '../../extension.js';
import { ExtensionError } from '../../extension.js';
import type { WasmPluginIR } from '../../../ir/snapshot.js';
import { HeaderList } from '../../header-map.js';
import { sha256Digest } from '../plugin-module.js';
import { WasmRuntime } from '../runtime.js';
import type { WasmLimits } from '../limits.js';
import { WasmStream } from '../wasm-stream.js';
import type { PluginLogEntry } from '../plugin-log.js';
import { LOG_LEVELS, type LogLevelName } from '../abi.js';
import { compileRegex } from '../../../dataplane/routing/regex.js';
import type { Expectation, Input, Invocation, StringMatcher, TestCase, TestSuite } from './suite.js';

export interface RunOptions {
  readonly pluginPath: string;
  readonly configPath?: string;
  /** Directory that `file` references are relative to (the suite's). */
  readonly baseDir: string;
  readonly noBench?: boolean;
  readonly noTest?: boolean;
  readonly logLevel?: LogLevelName;
  readonly limits?: Partial<WasmLimits>;
  /** Run each test this many more times on the same VM (Google's tester: num_additional_streams). */
  readonly additionalStreams?: number;
  readonly out: (line: string) => void;
}

export interface TestOutcome {
  readonly name: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
  readonly bench?: {
    readonly runs: number;
    readonly meanUs: number;
    readonly p50Us: number;
    readonly p99Us: number;
    readonly memoryBytes: number;
  };
}

interface PhaseOutput {
  headers?: HeaderList;
  body?: string;
  immediate?: LocalResponse;
  logs: string[];
}

const REQUEST: RequestInfo = Object.freeze({
  requestId: 'wasm-test',
  scheme: 'https',
  sourceAddress: '127.0.0.1',
  sourcePort: 43210,
  destinationAddress: '127.0.0.1',
  destinationPort: 443,
  listener: 'wasm-test',
});

export async function runSuite(suite: TestSuite, opts: RunOptions): Promise<TestOutcome[]> {
  const configPath = opts.configPath ?? suite.env.configPath;
  const config = configPath ? readFileSync(resolve(opts.baseDir, configPath)) : undefined;
  const moduleBytes = readFileSync(opts.pluginPath);
  const level = (opts.logLevel ??
    (suite.env.logLevel?.toUpperCase() as LogLevelName | undefined) ??
    'INFO') as LogLevelName;
  if (!LOG_LEVELS.includes(level))
    throw new Error(`unknown log level '${level}' (one of ${LOG_LEVELS.join(', ')})`);
  const plugin: WasmPluginIR = {
    key: 'wasm-test/plugin',
    serving: {
      name: 'test',
      image: `file://${opts.pluginPath}`,
      moduleDigest: sha256Digest(moduleBytes),
      modulePath: opts.pluginPath,
      ...(config ? { configBase64: config.toString('base64') } : {}),
    },
    log: { enabled: true, sampleRate: 1, minLogLevel: level },
  };
  opts = { ...opts, additionalStreams: opts.additionalStreams ?? suite.env.numAdditionalStreams ?? 0 };
  const startNs = suite.env.timeSecs !== undefined ? BigInt(suite.env.timeSecs) * 1_000_000_000n : undefined;
  const outcomes: TestOutcome[] = [];
  for (const t of suite.tests) {
    let failures: string[] = [];
    if (!opts.noTest) {
      opts.out(`[ RUN      ] ${t.name}`);
      failures = await runOnce(t, plugin, opts, startNs, true);
      if (failures.length === 0) opts.out(`[       OK ] ${t.name}`);
      else {
        for (const f of failures) opts.out(`    ${f}`);
        opts.out(`[  FAILED  ] ${t.name}`);
      }
    }
    let bench: TestOutcome['bench'];
    if (t.benchmark && !opts.noBench) {
      bench = await benchmark(t, plugin, opts, startNs);
      opts.out(
        `[ BENCHMARK] ${t.name}: ${bench.runs} runs, mean ${bench.meanUs.toFixed(1)} µs, p50 ${bench.p50Us.toFixed(1)} µs, ` +
          `p99 ${bench.p99Us.toFixed(1)} µs, wasm memory ${bench.memoryBytes} bytes`,
      );
    }
    outcomes.push({ name: t.name, passed: failures.length === 0, failures, ...(bench ? { bench } : {}) });
  }
  const failed = outcomes.filter((o) => !o.passed).length;
  opts.out(`${outcomes.length} test(s): ${outcomes.length - failed} passed, ${failed} failed`);
  return outcomes;
}

function resolve(base: string, p: string): string {
  return isAbsolute(p) ? p : join(base, p);
}

async function benchmark(
  t: TestCase,
  plugin: WasmPluginIR,
  opts: RunOptions,
  startNs: bigint | undefined,
): Promise<NonNullable<TestOutcome['bench']>> {
  const rt = new WasmRuntime({ logSink: () => {}, ...(opts.limits ? { limits: opts.limits } : {}) });
  const pool = rt.pool(plugin);
  const samples: number[] = [];
  const deadline = Date.now() + 1000;
  for (let i = 0; i < 100; i++) await runStream(t, pool, opts, startNs, undefined);
  while (samples.length < 20000 && Date.now() < deadline) {
    const t0 = process.hrtime.bigint();
    await runStream(t, pool, opts, startNs, undefined);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))]!;
  const vm = pool.acquire();
  const memoryBytes = vm.memoryBytesUsed();
  pool.release(vm);
  return {
    runs: samples.length,
    meanUs: samples.reduce((a, b) => a + b, 0) / samples.length,
    p50Us: pct(0.5),
    p99Us: pct(0.99),
    memoryBytes,
  };
}

async function runOnce(
  t: TestCase,
  plugin: WasmPluginIR,
  opts: RunOptions,
  startNs: bigint | undefined,
  check: boolean,
): Promise<string[]> {
  const logs: string[] = [];
  const sink = (e: PluginLogEntry) => logs.push(e.message);
  const rt = new WasmRuntime({ logSink: sink, ...(opts.limits ? { limits: opts.limits } : {}) });
  const failures: string[] = [];
  let pool;
  try {
    pool = rt.pool(plugin);
    pool.release(pool.acquire()); // start the VM now, so plugin_init sees its logs
  } catch (err) {
    return [`plugin failed to start: ${(err as Error).message}`];
  }
  if (t.pluginInit && check)
    checkExpectation('plugin_init', t.pluginInit, { logs: logs.splice(0) }, opts, failures);
  logs.splice(0);
  await runStream(t, pool, opts, startNs, { logs, failures });
  // The same test again on the same VM: catches plugins whose state breaks after the first request
  // (e.g. a string freed by the first stream), which a fresh VM per test never shows.
  for (let k = 1; k <= (opts.additionalStreams ?? 0); k++) {
    const more: string[] = [];
    await runStream(t, pool, opts, startNs, { logs, failures: more });
    failures.push(...more.map((f) => `stream ${k + 1}: ${f}`));
  }
  return failures;
}

async function runStream(
  t: TestCase,
  pool: ReturnType<WasmRuntime['pool']>,
  opts: RunOptions,
  startNs: bigint | undefined,
  check: { logs: string[]; failures: string[] } | undefined,
): Promise<void> {
  const overrides = new Map(
    t.properties.map((p) => [p.path.replace(/\0/g, '.'), Buffer.from(p.value, 'utf8')]),
  );
  const stream = new WasmStream(pool, REQUEST, {
    propertyOverrides: overrides,
    ...(startNs !== undefined ? { startNs } : {}),
  });
  const take = () => (check ? check.logs.splice(0) : []);
  const fail = (msg: string) => check?.failures.push(msg);
  let ended: string | undefined;
  try {
    stream.begin();
    if (check && t.streamInit)
      checkExpectation('stream_init', t.streamInit, { logs: take() }, opts, check.failures);
    take();
    const hasReqBody = t.requestBody.length > 0;
    const phases: Array<[string, Invocation | undefined, () => Promise<PhaseOutput>]> = [];
    const runHeaders =
      (inv: Invocation, response: boolean, eos: boolean) => async (): Promise<PhaseOutput> => {
        const map = parseHeaderInput(inv.input, response, opts.baseDir);
        const p = response ? stream.responseHeaders(map, eos) : stream.requestHeaders(map, eos);
        const r = await settle(p);
        return { headers: map, immediate: r.immediate, logs: take() };
      };
    const runBody = (inv: Invocation, response: boolean, last: boolean) => async (): Promise<PhaseOutput> => {
      const content = bodyInput(inv.input, opts.baseDir);
      const chunks = chunk(content, t);
      const out: Buffer[] = [];
      let immediate: LocalResponse | undefined;
      for (let i = 0; i < chunks.length && !immediate; i++) {
        const eos = last && i === chunks.length - 1;
        const r = await settle(
          response ? stream.responseBody(chunks[i]!, eos) : stream.requestBody(chunks[i]!, eos),
        );
        immediate = r.immediate;
        for (const c of r.chunks ?? []) out.push(Buffer.from(c));
      }
      return { body: Buffer.concat(out).toString('utf8'), immediate, logs: take() };
    };
    if (t.requestHeaders)
      phases.push(['request_headers', t.requestHeaders, runHeaders(t.requestHeaders, false, !hasReqBody)]);
    t.requestBody.forEach((inv, i) =>
      phases.push([`request_body[${i}]`, inv, runBody(inv, false, i === t.requestBody.length - 1)]),
    );
    if (t.responseHeaders)
      phases.push([
        'response_headers',
        t.responseHeaders,
        runHeaders(t.responseHeaders, true, t.responseBody.length === 0),
      ]);
    t.responseBody.forEach((inv, i) =>
      phases.push([`response_body[${i}]`, inv, runBody(inv, true, i === t.responseBody.length - 1)]),
    );
    for (const [name, inv, run] of phases) {
      if (ended) {
        if (inv?.result) fail(`${name}: not run, ${ended}`);
        continue;
      }
      let out: PhaseOutput;
      try {
        out = await run();
      } catch (err) {
        fail(`${name}: ${(err as Error).message}`);
        ended = `the plugin failed in an earlier phase`;
        continue;
      }
      if (check && inv?.result) checkExpectation(name, inv.result, out, opts, check.failures);
      else if (check && out.immediate) fail(`${name}: unexpected immediate response ${out.immediate.status}`);
      if (out.immediate) ended = `an earlier phase sent an immediate response`;
    }
  } catch (err) {
    fail(`stream: ${(err as Error).message}`);
  } finally {
    take();
    stream.close();
    if (check && t.streamDestroy)
      checkExpectation('stream_destroy', t.streamDestroy, { logs: take() }, opts, check.failures);
  }
}

async function settle<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (error) {
    throw error instanceof ExtensionError
      ? new Error(`plugin failed (${error.failure}): ${error.message}`)
      : error;
  }
}

function chunk(content: Buffer, t: TestCase): Buffer[] {
  let size = content.length || 1;
  if (t.chunkSize && t.chunkSize > 0) size = t.chunkSize;
  else if (t.numChunks && t.numChunks > 0) size = Math.ceil(content.length / t.numChunks) || 1;
  const out: Buffer[] = [];
  for (let i = 0; i < content.length; i += size) out.push(content.subarray(i, i + size));
  return out.length > 0 ? out : [Buffer.alloc(0)];
}

function bodyInput(input: Input, base: string): Buffer {
  if (input.file) return readFileSync(resolve(base, input.file));
  return Buffer.from(input.content ?? '', 'utf8');
}

function parseHeaderInput(input: Input, response: boolean, base: string): HeaderList {
  const map = new HeaderList(
    input.header.map((h) => [h.key.toLowerCase(), h.value ?? ''] as [string, string]),
  );
  const content = input.file ? readFileSync(resolve(base, input.file), 'utf8') : input.content;
  if (content) {
    const lines = content.split(/\r?\n/).filter((l) => l.trim() !== '');
    const first = lines.shift() ?? '';
    if (response) {
      const m = /^HTTP\/[\d.]+\s+(\d{3})/.exec(first);
      if (m) map.set(':status', m[1]!);
    } else {
      const m = /^(\S+)\s+(\S+)\s+HTTP\/[\d.]+/.exec(first);
      if (m) {
        map.set(':method', m[1]!);
        map.set(':path', m[2]!);
      }
    }
    for (const l of lines) {
      const i = l.indexOf(':', 1);
      if (i < 0) continue;
      const k = l.slice(0, i).trim().toLowerCase();
      const v = l.slice(i + 1).trim();
      if (!response && k === 'host') map.set(':authority', v);
      else map.append(k, v);
    }
  }
  return map;
}

function matches(m: StringMatcher, text: string, base: string): boolean {
  if (m.exact !== undefined) return text === m.exact;
  if (m.file !== undefined) return text === readFileSync(resolve(base, m.file), 'utf8');
  return compileRegex(m.regex!).fullMatch(text); // Google's tester: RE2::FullMatch
}

function describe(m: StringMatcher): string {
  const what =
    m.exact !== undefined
      ? `exact ${JSON.stringify(m.exact)}`
      : m.regex !== undefined
        ? `regex /${m.regex}/`
        : `file ${m.file}`;
  return m.invert ? `not ${what}` : what;
}

/** One matcher over several candidates: some must match (or, inverted, none may). */
function checkAny(m: StringMatcher, candidates: string[], base: string): boolean {
  const any = candidates.some((c) => matches(m, c, base));
  return m.invert ? !any : any;
}

function checkExpectation(
  phase: string,
  e: Expectation,
  out: PhaseOutput,
  opts: RunOptions,
  failures: string[],
): void {
  const fail = (msg: string) => failures.push(`${phase}: ${msg}`);
  const imm = out.immediate;
  if (e.immediate) {
    if (!imm)
      fail(
        `expected an immediate response${e.immediate.httpStatus ? ` ${e.immediate.httpStatus}` : ''}, the plugin continued`,
      );
    else {
      if (e.immediate.httpStatus !== undefined && imm.status !== e.immediate.httpStatus)
        fail(`immediate status ${imm.status}, expected ${e.immediate.httpStatus}`);
      const grpc = imm.headers.find(([k]) => k === 'grpc-status')?.[1];
      if (e.immediate.grpcStatus !== undefined && grpc !== String(e.immediate.grpcStatus))
        fail(`immediate grpc status ${grpc ?? 'unset'}, expected ${e.immediate.grpcStatus}`);
      const details = (imm.details ?? '').replace(/^send_local_response(: )?/, '');
      if (e.immediate.details !== undefined && details !== e.immediate.details)
        fail(`immediate details ${JSON.stringify(details)}, expected ${JSON.stringify(e.immediate.details)}`);
    }
  } else if (imm) fail(`unexpected immediate response ${imm.status}`);
  const headers = imm ? new HeaderList(imm.headers) : out.headers;
  if (headers) {
    for (const h of e.hasHeader) {
      const values = headers.getAll(h.key);
      if (values.length === 0) fail(`missing header ${h.key}`);
      else if (h.value !== undefined && values.join(', ') !== h.value)
        fail(`header ${h.key} is ${JSON.stringify(values.join(', '))}, expected ${JSON.stringify(h.value)}`);
    }
    for (const h of e.noHeader)
      if (headers.has(h.key)) fail(`unexpected header ${h.key}: ${headers.getAll(h.key).join(', ')}`);
    const lines = headers.entries().map(([k, v]) => `${k}: ${v}`);
    for (const m of e.headers)
      if (!checkAny(m, lines, opts.baseDir)) fail(`no header line matches ${describe(m)}`);
  }
  const body = imm ? Buffer.from(imm.body).toString('utf8') : out.body;
  for (const m of e.body) {
    if (body === undefined) fail(`body expectation but this phase has no body`);
    else if (!checkAny(m, [body], opts.baseDir))
      fail(
        `body ${JSON.stringify(body.length > 200 ? `${body.slice(0, 200)}…` : body)} does not match ${describe(m)}`,
      );
  }
  for (const m of e.log)
    if (!checkAny(m, out.logs, opts.baseDir))
      fail(`no log line matches ${describe(m)} (logs: ${JSON.stringify(out.logs)})`);
}
