// The translator never throws on objects a schema-validating API server can still hand it: any field
// missing, strings with unexpected values (unknown enums, empty names), numbers out of range, empty lists.
// Mutates every fixture at random places; an unforeseen failure skips one object, not the snapshot.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { translate } from '../../src/controller/translator/translate.js';
import { loadFixture } from './fixtures.js';

const dir = new URL('../../../test/controller/testdata/', import.meta.url);
const STRINGS = ['', 'x', 'Unknown', '*.', '/', 'TCP', 'default/x'];
const NUMBERS = [-1, 0, 70000, 1.5];

function junkLike(value: unknown, random: () => number): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  if (typeof value === 'string') return pick(STRINGS);
  if (typeof value === 'number') return pick(NUMBERS);
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return [];
  return {};
}

/** Deterministic PRNG so a failure is reproducible by its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = [...prefix, Array.isArray(value) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

test('random corruption of every fixture never makes the translator throw', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.in.yaml'));
  let runs = 0;
  for (const file of files) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    for (let seed = 1; seed <= 60; seed++) {
      const random = rng(seed * 7919 + file.length);
      const fixture = loadFixture(text);
      const all = Object.values(fixture.resources).flat() as object[];
      for (let m = 0; m < 3; m++) {
        const target = all[Math.floor(random() * all.length)];
        const candidates = paths(target).filter(
          (p) => p[0] !== 'metadata' || (p.length > 1 && p[1] !== 'name' && p[1] !== 'namespace'),
        );
        const path = candidates[Math.floor(random() * candidates.length)];
        if (!target || !path) continue;
        let parent: Record<string | number, unknown> = target as Record<string, unknown>;
        for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
        const last = path[path.length - 1] as string | number;
        if (random() < 0.3) delete parent[last];
        else parent[last] = junkLike(parent[last], random);
      }
      assert.doesNotThrow(
        () => translate(fixture.resources, fixture.options, fixture.wasm, 1),
        `${file} seed ${seed}`,
      );
      runs++;
    }
  }
  assert.ok(runs > 100);
});
