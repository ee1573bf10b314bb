// Every section of docs/spec/ that a comment cites exists there: a citation such as
// `docs/spec/ext-proc.md §5.2` or `kubernetes-api.md §3.1–§3.4` must name a heading of that page (`## 5.` or
// `### 5.2`), so a reader can check the fact the code relies on without leaving the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const SPEC_DIR = join(ROOT, 'docs', 'spec');
const PAGES = ['kubernetes-api', 'gke-service-extensions', 'ext-proc', 'proxy-wasm'] as const;
const SOURCE_DIRS = ['src', 'test', 'bench', 'examples', 'docs'];
const SOURCE_FILE = /\.(ts|mts|js|mjs|ya?ml|proto|md)$/;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    // docs/spec cites its own sections without the page name.
    if (name === 'node_modules' || name === 'dist' || path === SPEC_DIR) continue;
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (SOURCE_FILE.test(name)) out.push(path);
  }
  return out;
}

/** The section numbers a page defines: `## 4. List` → 4, `### 4.3 Watch` → 4.3. */
function sectionsOf(page: string): Set<string> {
  const text = readFileSync(join(SPEC_DIR, `${page}.md`), 'utf8');
  const sections = new Set<string>();
  for (const m of text.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.?\s/gm)) sections.add(m[1] as string);
  return sections;
}

/** A page name followed by its section list: `ext-proc.md §5.2, §6`, `gke-service-extensions.md §0/§1.4`. */
const CITATION = new RegExp(`(${PAGES.join('|')})\\.md((?:[\\s,/()–-]*(?:and\\s+)?§\\d+(?:\\.\\d+)*)+)`, 'g');

interface Citation {
  readonly where: string;
  readonly page: string;
  readonly section: string;
}

function citations(): Citation[] {
  const found: Citation[] = [];
  for (const dir of SOURCE_DIRS) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const m of line.matchAll(CITATION)) {
          for (const s of (m[2] as string).matchAll(/§(\d+(?:\.\d+)*)/g))
            found.push({
              where: `${relative(ROOT, file)}:${i + 1}`,
              page: m[1] as string,
              section: s[1] as string,
            });
        }
      });
    }
  }
  return found;
}

test('docs/spec has one page per cited spec and a README explaining them and "the seed"', () => {
  for (const page of PAGES) assert.ok(sectionsOf(page).size > 10, `${page}.md has numbered sections`);
  const readme = readFileSync(join(SPEC_DIR, 'README.md'), 'utf8');
  for (const page of PAGES) assert.match(readme, new RegExp(`\\(${page}\\.md\\)`), `README links ${page}.md`);
  assert.match(readme, /## "The seed"/);
});

test('every § a comment cites is a section of that docs/spec page', () => {
  const all = citations();
  assert.ok(all.length > 50, `found ${all.length} citations; the pattern no longer matches the code's style`);
  const sections = new Map(PAGES.map((p) => [p as string, sectionsOf(p)]));
  const missing = all.filter((c) => !sections.get(c.page)?.has(c.section));
  assert.deepEqual(
    missing.map((c) => `${c.where}: docs/spec/${c.page}.md §${c.section} does not exist`),
    [],
  );
});
