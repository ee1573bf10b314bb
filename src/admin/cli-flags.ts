// The observability flags `extgate up` and `extgate serve` share, so both commands spell and check them
// the same way: `addObservabilityFlags(command)` when building the command, `observabilityFromFlags(opts)`
// in its action gives the options for `createObservability`. (`--admin-address` is the commands' own.)

import type { Command } from 'commander';
import { TRACE_DEFAULTS } from './limits.js';
import type { ObservabilityOptions } from './observability.js';

export interface ObservabilityFlags {
  traceBuffer: string;
  traceMaxBody: string;
  redactHeader: string[];
  /** `--access-log FILE` (appended to), false (`--no-access-log`), or absent / true: stdout. */
  accessLog?: boolean | string;
  traceSample: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addObservabilityFlags(command: Command): Command {
  return command
    .option(
      '--trace-buffer <n>',
      'requests kept for the dashboard; 0 turns request traces off',
      String(TRACE_DEFAULTS.capacity),
    )
    .option(
      '--trace-max-body <bytes>',
      'body bytes kept per captured chunk',
      String(TRACE_DEFAULTS.maxBodyBytes),
    )
    .option(
      '--redact-header <name>',
      `header whose value is never stored in a trace (repeatable; replaces the default ${TRACE_DEFAULTS.redactHeaders.join(', ')})`,
      collect,
      [],
    )
    .option('--access-log <file>', 'append the per-request JSON access log to FILE instead of stdout')
    .option(
      '--trace-sample <fraction>',
      'also trace this fraction (0-1) of requests while no dashboard watches and no capture runs',
      '0',
    )
    .option('--no-access-log', 'do not write the per-request JSON access log');
}

export function observabilityFromFlags(flags: ObservabilityFlags): ObservabilityOptions {
  const options: ObservabilityOptions = {
    traceBuffer: count('--trace-buffer', flags.traceBuffer, 1_000_000),
    maxBodyBytes: count('--trace-max-body', flags.traceMaxBody, 16 * 1024 * 1024),
    // A file is opened where the log is written (in each data-plane worker), so its path travels, not a stream.
    accessLog: typeof flags.accessLog === 'string' ? flags.accessLog : flags.accessLog !== false,
    recordWhen: 'asked',
    traceSample: fraction('--trace-sample', flags.traceSample),
  };
  if (flags.redactHeader.length > 0) {
    for (const name of flags.redactHeader) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
        throw new Error(`--redact-header "${name}": not an HTTP header name`);
      }
    }
    options.redactHeaders = flags.redactHeader;
  }
  return options;
}

function fraction(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1))
    throw new Error(`${flag} "${value}": expected a number 0-1, e.g. 0.01`);
  return n;
}

function count(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) throw new Error(`${flag} "${value}": expected an integer 0-${max}`);
  return n;
}
