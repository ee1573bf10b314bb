// Route lookup cost with 10 vs 10,000 HTTPRoutes (3 rules each, distinct hostnames, plus wildcard routes),
// for the indexed matcher the data plane uses and the linear reference matcher; and the cost of a lookup that
// ends in RegularExpression matches (path and header), which is what the regex engine choice changes.
// Standalone: `node dist/bench/route-lookup.js`.
import {
  IndexedRouteMatcher,
  LinearRouteMatcher,
  type RouteMatcher,
  type RouteRequest,
} from '../src/dataplane/routing/route-matcher.js';
import type { RouteRuleIR } from '../src/ir/snapshot.js';
import { benchRoutes } from './snapshots.js';
import { fileURLToPath } from 'node:url';

export interface LookupResult {
  readonly routes: number;
  readonly matcher: string;
  readonly nsPerLookup: number;
  readonly buildMs: number;
}

/** 1,000 requests spread over every route's host, or (`hot`) over the first 9 hosts only. */
function requests(routes: number, hot = false): RouteRequest[] {
  const out: RouteRequest[] = [];
  for (let i = 0; i < 1000; i++) {
    const n = hot ? i % 9 : (i * 7919) % Math.max(1, routes - 1);
    const path = ['/api/v1/items', '/static/app.js', '/index.html', '/'][i % 4]!;
    const host = i % 10 === 0 ? 'unknown.example.com' : `app-${n}.example.com`;
    out.push({ host, method: 'GET', path, query: '', header: () => undefined });
  }
  return out;
}

function measure(matcher: RouteMatcher, reqs: RouteRequest[], budgetMs: number): number {
  let sink = 0;
  let iterations = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(budgetMs) * 1_000_000n;
  while (process.hrtime.bigint() < deadline) {
    for (const r of reqs) if (matcher.match(r) !== undefined) sink++;
    iterations += reqs.length;
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (sink < 0) console.log(sink);
  return ns / iterations;
}

export function routeLookupBench(): LookupResult[] {
  const out: LookupResult[] = [];
  for (const routes of [10, 10_000]) {
    const rules: RouteRuleIR[] = benchRoutes(9, routes);
    for (const [name, Ctor, hot] of [
      ['indexed', IndexedRouteMatcher, false],
      ['indexed, 9 hot hosts', IndexedRouteMatcher, true],
      ['linear', LinearRouteMatcher, false],
    ] as const) {
      const reqs = requests(routes, hot);
      const t0 = performance.now();
      const m = new Ctor(rules);
      const buildMs = performance.now() - t0;
      measure(m, reqs, 100); // warm-up
      // The best of several rounds: on a shared machine the other rounds measure the neighbours.
      const budget = Ctor === LinearRouteMatcher && routes > 100 ? 300 : 100;
      const rounds = Array.from({ length: 7 }, () => measure(m, reqs, budget));
      out.push({ routes, matcher: name, nsPerLookup: Math.min(...rounds), buildMs });
    }
  }
  return out;
}

/**
 * One host with 10 rules whose paths are regexes (`/api/v1/items/<id>`, ... `/api/v10/...`) and a header
 * regex on each, plus a catch-all prefix; requests hit the 1st, 5th and 10th rule or fall through to the
 * catch-all after trying every regex. Each lookup runs 1–10 path regexes and at most one header regex.
 */
export function regexRouteLookupBench(): LookupResult {
  const rules: RouteRuleIR[] = benchRoutes(9, 1).map((r) => ({ ...r, hostnames: ['regex.example.com'] }));
  const catchAll = rules.pop()!;
  for (let v = 1; v <= 10; v++) {
    rules.push({
      ...catchAll,
      id: `default/regex/${v}/0`,
      ruleId: `default/regex/${v}`,
      route: 'default/regex',
      match: {
        path: { type: 'RegularExpression', value: `/api/v${v}/items/[a-z0-9-]+(/[a-z]+)?` },
        headers: [{ name: 'x-tenant', type: 'RegularExpression', value: 't-[0-9]{1,4}' }],
        queryParams: [],
      },
    });
  }
  rules.push(catchAll);
  const header = (name: string) => (name === 'x-tenant' ? 't-42' : undefined);
  const reqs: RouteRequest[] = [
    '/api/v1/items/abc-123',
    '/api/v5/items/x/detail',
    '/api/v10/items/z9',
    '/other',
  ].map((path) => ({ host: 'regex.example.com', method: 'GET', path, query: '', header }));
  const t0 = performance.now();
  const m = new IndexedRouteMatcher(rules);
  const buildMs = performance.now() - t0;
  measure(m, reqs, 100);
  const rounds = Array.from({ length: 7 }, () => measure(m, reqs, 100));
  return { routes: 1, matcher: 'indexed, 10 regex rules', nsPerLookup: Math.min(...rounds), buildMs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log('| HTTPRoutes | matcher | ns/lookup | build ms |\n|---|---|---|---|');
  for (const l of [regexRouteLookupBench(), ...routeLookupBench()])
    console.log(`| ${l.routes} | ${l.matcher} | ${l.nsPerLookup.toFixed(0)} | ${l.buildMs.toFixed(1)} |`);
}
