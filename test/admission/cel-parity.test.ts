// Every rule exists twice: as CEL in the generated CRD (what a real API server runs) and as a TypeScript
// predicate (what the embedded API server runs). This evaluates both on every test manifest with a real CEL
// interpreter and requires the same verdict, so the two cannot drift apart.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from '@marcbachmann/cel-js';
import type { Rule, Schema } from '../../src/api/schema/dsl.js';
import { schemaFor } from '../../src/api/schema/registry.js';
import { withDefaults } from '../../src/api/schema/validate.js';
import type { KubeObject } from '../../src/api/types.js';
import { routingCases, trafficCases, wasmCases } from './gke-cases.js';
import { gatewayCases, httpRouteCases, policyCases } from './gateway-cases.js';
import * as seed from './fixtures.js';

/** Kubernetes exposes properties named like CEL keywords with `__x__` (only `namespace` occurs here). */
function celView(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(celView);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k === 'namespace' ? '__namespace__' : k, celView(x)]),
    );
  return v;
}

const typeOf = (v: unknown) =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v;

interface Tally {
  compared: number;
  rulesSeen: Set<string>;
}

function check(value: unknown, schema: Schema, path: string, tally: Tally): void {
  if (value === undefined || value === null) return;
  if (schema.type !== 'int-or-string' && typeOf(value) !== schema.type) return;
  for (const r of (schema.rules ?? []) as Rule<unknown>[]) {
    if (!r.cel || r.transition) continue;
    let ts: boolean;
    let cel: unknown;
    try {
      ts = r.holds(value);
      cel = evaluate(r.cel, { self: celView(value) });
    } catch {
      continue; // CEL errors on a missing field: Kubernetes reports those as failures too, not a verdict to compare
    }
    tally.compared++;
    tally.rulesSeen.add(r.message);
    assert.equal(
      ts,
      cel,
      `${path}: "${r.message}" — TypeScript says ${ts}, CEL says ${cel}\n  rule: ${r.cel}\n  self: ${JSON.stringify(value)}`,
    );
  }
  if (schema.type === 'object' && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = schema.properties?.[k] ?? schema.additionalProperties;
      if (sub) check(v, sub, `${path}.${k}`, tally);
    }
  } else if (schema.type === 'array' && Array.isArray(value)) {
    value.forEach((v, i) => check(v, schema.items, `${path}[${i}]`, tally));
  }
}

describe('CEL in the CRDs and the TypeScript predicates agree', () => {
  const objects: KubeObject[] = [
    ...[
      ...trafficCases,
      ...routingCases,
      ...wasmCases,
      ...gatewayCases,
      ...httpRouteCases,
      ...policyCases,
    ].map((c) => c.object),
    seed.gateway(),
    seed.storeRoute(),
    seed.routingExtension(),
    seed.trafficExtension(),
    seed.wasmPlugin(),
    seed.pluginTrafficExtension(),
  ];
  it(`on ${objects.length} manifests`, () => {
    const tally: Tally = { compared: 0, rulesSeen: new Set() };
    for (const o of objects) {
      const schema = schemaFor(o.apiVersion, o.kind)!;
      check(withDefaults(o, schema.root), schema.root, o.kind, tally);
    }
    console.log(`compared ${tally.compared} rule evaluations, ${tally.rulesSeen.size} distinct rules`);
    assert.ok(tally.compared > 500, `only ${tally.compared} comparisons`);
    assert.ok(tally.rulesSeen.size > 60, `only ${tally.rulesSeen.size} distinct rules compared`);
  });
});
