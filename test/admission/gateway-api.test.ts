import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admit } from '../../src/api/admission.js';
import { expectCause, gateway, seedWorld, variant } from './fixtures.js';
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

describe('admission accepts what the upstream CRDs accept', () => {
  // The CRD has a pattern for protocol, not an enumeration: the controller reports what it does not serve
  // (conformance GatewayListenerUnsupportedProtocol applies `protocol: INVALID`).
  for (const protocol of ['INVALID', 'GRPC', 'example.com/Proto'])
    it(`listener protocol ${protocol}`, () => {
      const object = variant(gateway, (s) => s.listeners.push({ name: 'other', protocol, port: 1111 }));
      assert.deepEqual(admit({ operation: 'CREATE', object }, seedWorld()), { allowed: true });
    });
});
