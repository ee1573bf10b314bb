// Expectation checks, field by field as Google's tester makes them (DynamicTest::CheckPhaseResults and
// StringMatcher in plugins/test/dynamic_test.cc): `has_header` compares the whole value (no value = must be
// empty), `regex` is an RE2 full match, a header phase that neither continues nor replies fails.
import { readFileSync } from 'node:fs';
import type { HeaderMap, LocalResponse } from '../../extension.js';
import { HeaderList } from '../../header-map.js';
import { compileRegex, RegexSyntaxError } from '../../../dataplane/routing/regex.js';
import { resolveFromSuite } from './inputs.js';
import type { Expectation, StringMatcher } from './suite.js';

/** What one phase produced. */
export interface PhaseOutput {
  readonly headers?: HeaderMap | undefined;
  readonly body?: string | undefined;
  readonly immediate?: LocalResponse | undefined;
  /** A header phase's return: 0 Continue; anything else stops the filter chain. */
  readonly headersAction?: number | undefined;
  readonly logs: readonly string[];
}

export function checkSideEffects(
  phase: string,
  e: Expectation,
  logs: readonly string[],
  base: string,
): string[] {
  const failures: string[] = [];
  for (const m of e.log) findString(phase, 'log', m, logs, base, failures);
  return failures;
}

export function checkPhase(phase: string, e: Expectation, out: PhaseOutput, base: string): string[] {
  const failures: string[] = [];
  const fail = (msg: string) => failures.push(`[${phase}] ${msg}`);
  const imm = out.immediate;
  const headers = imm ? new HeaderList(imm.headers) : (out.headers ?? new HeaderList());
  for (const h of e.hasHeader) {
    const values = headers.getAll(h.key);
    const expected = h.value ?? '';
    if (values.length === 0) fail(`Missing header '${h.key}'`);
    else if (values.join(', ') !== expected)
      fail(`Header '${h.key}' value is '${values.join(', ')}', expected '${expected}'`);
  }
  for (const h of e.noHeader)
    if (headers.has(h.key))
      fail(`Header '${h.key}' value is '${headers.getAll(h.key).join(', ')}', expected removed`);
  if (e.headers.length > 0) {
    const lines = headers.entries().map(([k, v]) => `${k}: ${v}`);
    for (const m of e.headers) findString(phase, 'header', m, lines, base, failures);
  }
  const body = imm ? Buffer.from(imm.body).toString('utf8') : (out.body ?? '');
  for (const m of e.body) findString(phase, 'body', m, [body], base, failures);
  // Google: a header phase whose plugin paused without sending a reply fails like an unexpected reply.
  const continued = (out.headersAction ?? 0) === 0 && !imm;
  if ((e.immediate !== undefined) === continued)
    fail(
      e.immediate !== undefined
        ? 'Expected immediate reply (stop filters status), the plugin continued'
        : imm
          ? `Expected no immediate reply (continue status), the plugin replied ${imm.status}`
          : `Expected no immediate reply (continue status), the plugin paused (returned ${out.headersAction}) without replying`,
    );
  if (e.immediate && imm) {
    const want = e.immediate;
    if (want.httpStatus !== undefined && imm.status !== want.httpStatus)
      fail(`HTTP status is ${imm.status}, expected ${want.httpStatus}`);
    const grpc = Number(imm.headers.find(([k]) => k === 'grpc-status')?.[1] ?? 0);
    if (want.grpcStatus !== undefined && grpc !== want.grpcStatus)
      fail(`gRPC status is ${grpc}, expected ${want.grpcStatus}`);
    const details = (imm.details ?? '').replace(/^send_local_response(: )?/, '');
    if (want.details !== undefined && details !== want.details)
      fail(`gRPC detail is ${details}, expected ${want.details}`);
  }
  for (const m of e.log) findString(phase, 'log', m, out.logs, base, failures);
  return failures;
}

/** Some of `contents` matches (or, inverted, none does); a regex RE2 refuses fails the expectation. */
function findString(
  phase: string,
  type: string,
  m: StringMatcher,
  contents: readonly string[],
  base: string,
  failures: string[],
): void {
  let match: (s: string) => boolean;
  let shown: string;
  if (m.regex !== undefined) {
    try {
      const re = compileRegex(m.regex);
      match = (s) => re.fullMatch(s);
    } catch (err) {
      if (!(err instanceof RegexSyntaxError)) throw err;
      failures.push(`[${phase}] Bad regex: ${m.regex}: ${err.message}`);
      return;
    }
    shown = m.regex;
  } else {
    let exact: string;
    try {
      exact = m.file !== undefined ? readFileSync(resolveFromSuite(base, m.file), 'utf8') : m.exact!;
    } catch (err) {
      failures.push(`[${phase}] Bad file: ${(err as Error).message}`);
      return;
    }
    match = (s) => s === exact;
    shown = exact;
  }
  const any = contents.some(match);
  if (any === m.invert)
    failures.push(
      `[${phase}] expected ${m.invert ? 'absence' : 'presence'} of ${m.regex !== undefined ? 'regex' : 'exact'} ` +
        `${type}: '${shown}', actual: \n${contents.join('\n')}`,
    );
}
