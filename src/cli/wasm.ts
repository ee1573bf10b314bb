// `extgate wasm test` (Google's plugin tester format) and `extgate wasm push` (OCI image with plugin.wasm).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseSuite, SuiteError } from '../extensions/wasm/tester/suite.js';
import { TextFormatError } from '../extensions/wasm/tester/textproto.js';
import { runSuite } from '../extensions/wasm/tester/runner.js';
import { LOG_LEVELS, type LogLevelName } from '../extensions/wasm/abi.js';
import { pushPlugin } from '../extensions/wasm/oci/push.js';
import { loadDockerCredentials } from '../extensions/wasm/oci/credentials.js';

interface TestFlags {
  plugin?: string;
  proto?: string;
  yaml?: string;
  config?: string;
  loglevel?: string;
  bench: boolean;
  test: boolean;
  gkeLimits?: boolean;
  logfile?: string;
  numAdditionalStreams?: string;
  additionalStreamAdvanceRate?: string;
}

/** A non-negative integer flag, or undefined when not given. */
function count(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 0 && n <= max)) throw new Error(`--${flag}: an integer 0..${max}`);
  return n;
}

export function registerWasmCommands(program: Command): void {
  const wasm = program
    .command('wasm')
    .description('Proxy-Wasm plugins: test them locally, push them to a registry');

  wasm
    .command('test')
    .description(
      "run a plugin against a test file in the format of Google's plugin tester (textproto or YAML)",
    )
    .option('--plugin <FILE.wasm>', "the compiled plugin (default: the file's env.wasm_path)")
    .option('--proto <TESTS>', 'tests in protobuf text format (tests.textpb)')
    .option('--yaml <TESTS>', 'tests in YAML (tests.yaml)')
    .option('--config <FILE>', 'plugin configuration handed to on_configure (default: env.config_path)')
    .option('--loglevel <LEVEL>', `lowest plugin log level captured: ${LOG_LEVELS.join('|')}`)
    .option(
      '--gke-limits',
      "enforce GKE's limits (5 MiB module + config, 1 ms CPU per request, 16 MiB memory); by default they are only measured and each one exceeded gets a WARNING line",
    )
    .option('--logfile <FILE>', 'append the plugin logs of the tests to FILE (default: env.log_path)')
    .option(
      '--num-additional-streams <N>',
      'keep N background streams open on the plugin during benchmarks (default: env.num_additional_streams or 0)',
    )
    .option(
      '--additional-stream-advance-rate <N>',
      'background streams advanced per benchmark iteration (default: env.additional_stream_advance_rate or 3)',
    )
    .option('--nobench', 'skip benchmarks')
    .option('--notest', 'skip tests (run benchmarks only)')
    .action(async (flags: TestFlags & { nobench?: boolean; notest?: boolean }) => {
      const file = flags.proto ?? flags.yaml;
      if (!file || (flags.proto && flags.yaml))
        throw new Error('give exactly one of --proto TESTS or --yaml TESTS');
      let suite;
      try {
        suite = parseSuite(readFileSync(file, 'utf8'), flags.proto ? 'textproto' : 'yaml');
      } catch (err) {
        if (err instanceof SuiteError || err instanceof TextFormatError)
          throw new Error(`${file}: ${err.message}`);
        throw err;
      }
      const baseDir = dirname(resolve(file));
      const pluginPath =
        flags.plugin ?? (suite.env.wasmPath ? resolve(baseDir, suite.env.wasmPath) : undefined);
      if (!pluginPath)
        throw new Error('no plugin: give --plugin FILE.wasm (or env { wasm_path } in the test file)');
      const level = flags.loglevel?.toUpperCase();
      if (level && !(LOG_LEVELS as readonly string[]).includes(level))
        throw new Error(`--loglevel: one of ${LOG_LEVELS.join(', ')}`);
      const extra = count('num-additional-streams', flags.numAdditionalStreams, 10_000);
      const rate = count('additional-stream-advance-rate', flags.additionalStreamAdvanceRate, 10_000);
      const outcomes = await runSuite(suite, {
        ...(extra !== undefined ? { additionalStreams: extra } : {}),
        ...(rate !== undefined ? { advanceRate: rate } : {}),
        ...(flags.logfile ? { logPath: flags.logfile } : {}),
        gkeLimits: flags.gkeLimits === true,
        pluginPath: resolve(pluginPath),
        ...(flags.config ? { configPath: resolve(flags.config) } : {}),
        baseDir,
        noBench: flags.nobench === true,
        noTest: flags.notest === true,
        ...(level ? { logLevel: level as LogLevelName } : {}),
        out: (line) => process.stdout.write(`${line}\n`),
      });
      if (outcomes.some((o) => !o.passed)) process.exitCode = 1;
    });

  wasm
    .command('push')
    .description(
      'push a plugin as an OCI image holding one file, plugin.wasm (or plugin.config with --config-file); credentials from ~/.docker/config.json',
    )
    .argument('<FILE>', 'the compiled plugin (.wasm), or a configuration file with --config-file')
    .argument('<REFERENCE>', 'REGISTRY/REPO:TAG, e.g. localhost:5000/plugins/local-reply:main')
    .option(
      '--plain-http',
      'talk plain HTTP to the registry (default: HTTPS, falling back to HTTP for localhost)',
    )
    .option('--config-file', 'push FILE as plugin.config (for a GCPWasmPlugin pluginConfigURI)')
    .action(async (file: string, reference: string, flags: { plainHttp?: boolean; configFile?: boolean }) => {
      const result = await pushPlugin({
        file,
        reference,
        plainHttp: flags.plainHttp === true,
        kind: flags.configFile ? 'config' : 'module',
        credentials: loadDockerCredentials(),
      });
      process.stdout.write(
        `pushed ${result.reference}@${result.manifestDigest} (${result.layerDigest}, ${result.size} bytes)\n`,
      );
    });
}
