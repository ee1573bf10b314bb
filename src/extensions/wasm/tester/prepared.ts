// What a tester run is given and prepares once per suite, and the stream every test and benchmark iteration
// runs in: shared by the functional runner (runner.ts) and the benchmarks (bench.ts) without either importing
// the other.
import type { RequestInfo } from '../../extension.js';
import type { WasmPluginIR } from '../../../ir/snapshot.js';
import { WasmStream } from '../wasm-stream.js';
import type { PluginPool } from '../plugin-pool.js';
import type { LogLevelName } from '../abi.js';
import type { TESTER_LIMITS } from './gke-limits.js';
import type { TestCase } from './suite.js';

export interface RunOptions {
  readonly pluginPath: string;
  readonly configPath?: string;
  /** Directory that relative paths are resolved against (the test file's, Google's `test_path`). */
  readonly baseDir: string;
  readonly noBench?: boolean;
  readonly noTest?: boolean;
  readonly logLevel?: LogLevelName;
  /** Enforce GKE's limits (module + config size, CPU per request, memory) instead of warning about them. */
  readonly gkeLimits?: boolean;
  /** Append functional tests' plugin logs here (Google: env.log_path / --logfile). */
  readonly logPath?: string | undefined;
  /** Background streams during benchmarks (Google: num_additional_streams). */
  readonly additionalStreams?: number;
  /** Background streams advanced per benchmark iteration (Google: additional_stream_advance_rate, default 3). */
  readonly advanceRate?: number;
  readonly out: (line: string) => void;
}

/** The request every stream describes; only what the test lists is visible as properties. */
const TEST_REQUEST: RequestInfo = Object.freeze({
  requestId: 'wasm-test',
  scheme: 'https',
  sourceAddress: '127.0.0.1',
  sourcePort: 0,
  destinationAddress: '127.0.0.1',
  destinationPort: 0,
  listener: 'wasm-test',
});

/** What a suite run needs, shared by the functional tests and the benchmarks. */
export interface Prepared {
  readonly plugin: WasmPluginIR;
  readonly moduleBytes: number;
  readonly configBytes: number;
  readonly limits?: typeof TESTER_LIMITS;
  readonly startNs: bigint;
  readonly opts: RunOptions;
}

/** A stream as Google's tester makes one: frozen clock, only the test's properties (by dotted path). */
export function testStream(pool: PluginPool, t: TestCase, startNs: bigint): WasmStream {
  return new WasmStream(pool, TEST_REQUEST, {
    propertyOverrides: new Map(
      t.properties.map((x) => [x.path.replace(/\0/g, '.'), Buffer.from(x.value, 'utf8')]),
    ),
    startNs,
    onlyListedProperties: true,
  });
}
