import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/api/admission.js';
import { routingCases, trafficCases, wasmCases } from './gke-cases.js';
import { seedWorld, type BadCase } from './fixtures.js';

export function expectCause(c: BadCase): void {
  const result = admit({ operation: c.oldObject ? 'UPDATE' : 'CREATE', object: c.object, ...(c.oldObject ? { oldObject: c.oldObject } : {}) }, seedWorld());
  assert.equal(result.allowed, false, `${c.name}: admitted`);
  assert.ok('causes' in result, `${c.name}: expected field causes, got ${JSON.stringify(result)}`);
  const found = result.causes.find((x) => x.field === c.field && x.message === c.message);
  assert.ok(found, `${c.name}: no cause {${c.field}: ${c.message}}\n  got: ${JSON.stringify(result.causes, null, 1)}`);
  if (c.reason) assert.equal(found.reason, c.reason, c.name);
}

for (const [title, cases] of [
  ['GCPTrafficExtension admission', trafficCases],
  ['GCPRoutingExtension admission', routingCases],
  ['GCPWasmPlugin admission', wasmCases],
] as const) {
  describe(title, () => {
    for (const c of cases) it(`rejects: ${c.name}`, () => expectCause(c));
  });
}
