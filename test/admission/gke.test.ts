import { describe, it } from 'node:test';
import { routingCases, trafficCases, wasmCases } from './gke-cases.js';
import { expectCause } from './fixtures.js';

for (const [title, cases] of [
  ['GCPTrafficExtension admission', trafficCases],
  ['GCPRoutingExtension admission', routingCases],
  ['GCPWasmPlugin admission', wasmCases],
] as const) {
  describe(title, () => {
    for (const c of cases) it(`rejects: ${c.name}`, () => expectCause(c));
  });
}
