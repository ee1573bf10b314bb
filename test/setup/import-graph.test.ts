// The module graph of src/ keeps the architecture's shape: no import cycles (type-only imports included:
// a type in the wrong file is how a cycle starts), and data flows one way — the data plane and the
// extensions never import the admin port, the controller or the API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Relative imports and re-exports of a file, as repository paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
  ].map((m) => m[1]!);
  specifiers.push(...[...text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)].map((m) => m[1]!));
  return specifiers.map((s) => relative(ROOT, resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
}

const graph = new Map(sourceFiles(SRC).map((f) => [relative(ROOT, f), importsOf(f)]));

/** Strongly connected components with more than one module (Tarjan), each a cycle to break. */
function cycles(): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    order.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, order.get(next)!));
      }
    }
    if (low.get(node) === order.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!order.has(node)) visit(node);
  return found;
}

/**
 * Cycles known and not yet broken, each with why. A new cycle fails the test; so does one listed here that
 * no longer exists (remove it from the list).
 */
const KNOWN_CYCLES: ReadonlyMap<string, string> = new Map([]);

test('src/ has no import cycle but the known ones', () => {
  const found = cycles().map((c) => c.join(' '));
  assert.deepEqual(
    found.filter((c) => !KNOWN_CYCLES.has(c)),
    [],
    'move the shared type into a leaf module both sides import',
  );
  assert.deepEqual(
    [...KNOWN_CYCLES.keys()].filter((c) => !found.includes(c)),
    [],
    'this cycle is gone: remove it from KNOWN_CYCLES',
  );
});

test('the data plane and the extensions import neither the admin port, the controller nor the API server', () => {
  const upstreamOnly = ['src/dataplane/', 'src/extensions/', 'src/ir/'];
  const forbidden = ['src/admin/', 'src/controller/', 'src/apiserver/', 'src/cli/'];
  const violations = [...graph]
    .filter(([file]) => upstreamOnly.some((p) => file.startsWith(p)))
    .flatMap(([file, deps]) =>
      deps.filter((d) => forbidden.some((p) => d.startsWith(p))).map((d) => `${file} → ${d}`),
    );
  assert.deepEqual(violations, []);
});
