// Compares the two maintained CEL libraries for extgate's match conditions: ns per evaluation on the seed's
// matcher and a few realistic ones, and agreement with the cel-spec conformance data for the features GKE's
// allow-list admits. Run: npx tsc -p . && node dist/bench/callout-cel-libraries.js
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { Environment } from '@marcbachmann/cel-js';
import { getConformanceSuite, type IncrementalTest } from '@bufbuild/cel-spec/testdata/tests.js';

type Compiled = (vars: Record<string, unknown>) => unknown;
interface Library {
  name: string;
  compile(expr: string): Compiled;
}

const bufEnv = celEnv({ funcs: strings });
const bufbuild: Library = {
  name: '@bufbuild/cel',
  compile(expr) {
    const run = plan(bufEnv, parse(expr));
    return (vars) => {
      const r = run(vars as never);
      if (isCelError(r)) throw r;
      return r;
    };
  },
};

const marcEnv = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
const marcbachmann: Library = {
  name: '@marcbachmann/cel-js',
  compile(expr) {
    const fn = marcEnv.parse(expr);
    return (vars) => fn(vars);
  },
};

const LIBRARIES = [bufbuild, marcbachmann];

const MATCHERS: Record<string, string> = {
  seed: 'request.path.contains("serviceextensions")',
  'path+method': "request.path.startsWith('/api/') && request.method == 'POST'",
  header: "request.headers['x-tenant'] == 'a' || request.headers['x-tenant'] == 'b'",
  'host-suffix-lower': "request.host.lowerAscii().endsWith('.example.com')",
  regex: "request.path.matches('^/v[0-9]+/chat/completions$')",
  'port-int': "source.port >= 1024 && int('80') == 80",
};

function attributes(): Record<string, unknown> {
  return {
    request: {
      path: '/serviceextensions/v1/items',
      host: 'store.example.com',
      method: 'GET',
      scheme: 'http',
      query: 'a=1',
      headers: new Map([
        ['host', 'store.example.com'],
        ['user-agent', 'curl/8'],
        ['x-tenant', 'b'],
      ]),
    },
    source: { address: '127.0.0.1', port: 50123n },
  };
}

function nsPerEval(fn: Compiled, vars: Record<string, unknown>): number {
  const rounds = 200_000;
  for (let i = 0; i < 20_000; i++) fn(vars);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn(vars);
  return Number(process.hrtime.bigint() - t0) / rounds;
}

// Conformance: the sections of cel-spec that exercise what the GKE allow-list admits.
const SECTIONS: Record<string, string[] | 'all'> = {
  string: ['starts_with', 'ends_with', 'matches', 'concatenation', 'contains'],
  string_ext: ['ascii_casing'],
  comparisons: ['eq_literal', 'ne_literal', 'lt_literal', 'gt_literal', 'lte_literal', 'gte_literal'],
  logic: 'all',
  conversions: ['int'],
};

interface Case {
  section: string;
  name: string;
  expr: string;
  expect: { kind: 'value'; value: unknown } | { kind: 'error' };
}

export function conformanceCases(): Case[] {
  const out: Case[] = [];
  const root = getConformanceSuite();
  for (const [section, subs] of Object.entries(SECTIONS)) {
    const suite = root.suites.find((s) => s.name === section);
    if (!suite) continue;
    for (const sub of suite.suites) {
      if (subs !== 'all' && !subs.includes(sub.name)) continue;
      for (const t of sub.tests) {
        const c = toCase(`${section}/${sub.name}`, t);
        if (c) out.push(c);
      }
    }
  }
  return out;
}

function toCase(section: string, t: IncrementalTest): Case | undefined {
  const o = t.original;
  if (Object.keys(o.bindings).length > 0 || o.typeEnv.length > 0 || o.container || o.checkOnly)
    return undefined;
  const m = o.resultMatcher;
  if (m.case === 'evalError') return { section, name: t.name, expr: o.expr, expect: { kind: 'error' } };
  if (m.case !== 'value') return undefined;
  const k = m.value.kind;
  switch (k.case) {
    case 'boolValue':
    case 'stringValue':
    case 'doubleValue':
      return { section, name: t.name, expr: o.expr, expect: { kind: 'value', value: k.value } };
    case 'int64Value':
      return { section, name: t.name, expr: o.expr, expect: { kind: 'value', value: BigInt(k.value) } };
    default:
      return undefined; // bytes, uint, lists, maps, messages: outside what a match condition uses
  }
}

export function runConformance(lib: Library, cases: readonly Case[]): { passed: number; failed: string[] } {
  const failed: string[] = [];
  let passed = 0;
  for (const c of cases) {
    let ok: boolean;
    try {
      const got = lib.compile(c.expr)({});
      ok = c.expect.kind === 'value' && sameValue(got, c.expect.value);
    } catch {
      ok = c.expect.kind === 'error';
    }
    if (ok) passed++;
    else failed.push(`${c.section}/${c.name}: ${c.expr}`);
  }
  return { passed, failed };
}

function sameValue(got: unknown, want: unknown): boolean {
  if (typeof want === 'number' && typeof got === 'number')
    return Number.isNaN(want) ? Number.isNaN(got) : got === want;
  return got === want;
}

function main(): void {
  const cases = conformanceCases();
  console.log(
    `CEL conformance (${cases.length} cases from @bufbuild/cel-spec: ${Object.keys(SECTIONS).join(', ')})`,
  );
  for (const lib of LIBRARIES) {
    const r = runConformance(lib, cases);
    console.log(`  ${lib.name.padEnd(22)} ${r.passed}/${cases.length} pass`);
    for (const f of r.failed.slice(0, 60)) console.log(`      fail ${f}`);
    if (r.failed.length > 12) console.log(`      ... ${r.failed.length - 12} more`);
  }
  console.log('\nns per evaluation (compiled once, same attributes object)');
  console.log(`  ${'matcher'.padEnd(20)} ${LIBRARIES.map((l) => l.name.padStart(22)).join('')}`);
  for (const [name, expr] of Object.entries(MATCHERS)) {
    const vars = attributes();
    const cols = LIBRARIES.map((lib) => {
      const fn = lib.compile(expr);
      const v = fn(vars);
      if (v !== true && v !== false) throw new Error(`${lib.name} ${name}: ${String(v)}`);
      return nsPerEval(fn, vars).toFixed(0).padStart(22);
    });
    console.log(`  ${name.padEnd(20)} ${cols.join('')}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
