// ns per chain match (compileMatchCondition: attribute building + evaluation) for the seed's matcher and a
// few realistic ones. Run: npx tsc -p . && node dist/bench/callout-cel.js
import { compileMatchCondition } from '../src/extensions/cel/match.js';
import { HeaderList } from '../src/extensions/header-map.js';
import type { RequestInfo } from '../src/extensions/extension.js';

const info: RequestInfo = {
  requestId: 'r',
  scheme: 'http',
  sourceAddress: '10.0.0.1',
  sourcePort: 50123,
  destinationAddress: '10.0.0.2',
  destinationPort: 80,
  listener: 'default/gw/http',
};
const headers = new HeaderList([
  [':method', 'GET'],
  [':path', '/serviceextensions/items?id=7'],
  [':authority', 'store.example.com'],
  [':scheme', 'http'],
  ['user-agent', 'curl/8.5.0'],
  ['accept', '*/*'],
  ['x-tenant', 'blue'],
  ['x-request-id', 'abc'],
]);

const MATCHERS: Record<string, string> = {
  'seed: request.path.contains("serviceextensions")': 'request.path.contains("serviceextensions")',
  'path prefix && method': "request.path.startsWith('/serviceextensions/') && request.method == 'GET'",
  "header == 'blue'": "request.headers['x-tenant'] == 'blue'",
  'absent header (error → false)': "request.headers['x-absent'] == 'a'",
  'host lowerAscii endsWith': "request.host.lowerAscii().endsWith('.example.com')",
  '1 == 1': '1 == 1',
};

function nsPerMatch(expr: string): { ns: number; result: boolean } {
  const cond = compileMatchCondition([{ celMatcher: expr }]);
  const input = { request: info, headers };
  const result = cond(input);
  for (let i = 0; i < 20_000; i++) cond(input);
  const rounds = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) cond(input);
  return { ns: Number(process.hrtime.bigint() - t0) / rounds, result };
}

console.log('CEL chain match, ns per request (compiled once; attributes built per request)');
for (const [name, expr] of Object.entries(MATCHERS)) {
  const { ns, result } = nsPerMatch(expr);
  console.log(`  ${name.padEnd(52)} ${ns.toFixed(0).padStart(6)} ns  (${result})`);
}
