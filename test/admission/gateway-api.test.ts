import { describe, it } from 'node:test';
import { expectCause } from './fixtures.js';
import { gatewayCases, httpRouteCases, policyCases } from './gateway-cases.js';

for (const [title, cases] of [
  ['Gateway and GatewayClass admission', gatewayCases],
  ['HTTPRoute admission', httpRouteCases],
  ['ReferenceGrant, BackendTLSPolicy and core kinds admission', policyCases],
] as const) {
  describe(title, () => {
    for (const c of cases) it(`rejects: ${c.name}`, () => expectCause(c));
  });
}
