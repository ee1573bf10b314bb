// Every kind admission has a schema for is a kind the API serves, under the same names and scope.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS } from '../../src/api/kinds.js';
import { KIND_SCHEMAS, schemaFor } from '../../src/api/schema/registry.js';

describe('admission schemas and the served kinds', () => {
  for (const s of KIND_SCHEMAS) {
    it(`${s.kind} (${s.group || 'core'}/${s.version})`, () => {
      const served = KINDS.find((k) => k.group === s.group && k.version === s.version && k.kind === s.kind);
      assert.ok(served, 'not in src/api/kinds.ts');
      assert.equal(served.plural, s.plural);
      assert.equal(served.namespaced, s.scope === 'Namespaced');
      assert.equal(schemaFor(s.group ? `${s.group}/${s.version}` : s.version, s.kind), s);
    });
  }
  it('covers every Gateway API and networking.gke.io kind served', () => {
    for (const k of KINDS.filter(
      (k) => k.group === 'gateway.networking.k8s.io' || k.group === 'networking.gke.io',
    )) {
      assert.ok(schemaFor(`${k.group}/${k.version}`, k.kind), `${k.kind} has no admission schema`);
    }
  });
});
