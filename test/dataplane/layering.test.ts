// The data plane owns the interfaces it emits into (trace.ts); src/admin subscribes to them. A data plane
// module importing src/admin would turn that around, so every import in src/dataplane is checked here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) out.push((m[1] ?? m[2])!);
  return out;
}

test('no module in src/dataplane imports src/admin', () => {
  const dataplane = join(repo, 'src', 'dataplane');
  const admin = join(repo, 'src', 'admin');
  const files = sources(dataplane);
  assert.ok(files.length > 10, `found the data plane sources (${files.length})`);
  const offending: string[] = [];
  for (const file of files) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(file, '..', spec);
      if (target === admin || target.startsWith(admin + '/'))
        offending.push(`${relative(repo, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(offending, []);
});

test('the import scan sees imports (it would catch one)', () => {
  assert.deepEqual(
    specifiers(
      "import { a } from '../admin/trace.js';\nimport type {\n  B,\n} from './x.js';\nexport { c } from '../admin/y.js';\nconst m = await import('../admin/z.js');",
    ),
    ['../admin/trace.js', './x.js', '../admin/y.js', '../admin/z.js'],
  );
});
