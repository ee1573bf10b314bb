// Every section of docs/spec/ that a comment cites exists there: a citation such as
// `docs/spec/ext-proc.md §5.2` or `docs/spec/kubernetes-api.md §3.1–§3.4` must name a heading of that page
// (`## 5.` or `### 5.2`), so a reader can check the fact the code relies on without leaving the repository.
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

/** A page name followed by its section list: `docs/spec/ext-proc.md §5.2, §6`, `docs/spec/gke-service-extensions.md §0/§1.4`. */
const CITATION = new RegExp(`(${PAGES.join('|')})\\.md((?:[\\s,/()–-]*(?:and\\s+)?§\\d+(?:\\.\\d+)*)+)`, 'g');

interface Citation {
  readonly where: string;
  readonly page: string;
  readonly section: string;
}

const PAGE_NAME = new RegExp(`(${PAGES.join('|')})\\.md`, 'g');
const SECTION = /§(\d+(?:\.\d+)*)/g;
/** `RFC 9110 §7.6.1` cites an RFC, not docs/spec. */
const RFC_BEFORE = /RFC \d+\s*$/;
const RFC_NAME = /\bRFC \d+/g;
/** A comment that speaks of "the seed" (not `seedBuiltins` or a PRNG seed). */
const SEED_MENTION =
  /\/\/.*\b(the seed|seed's|seed walkthrough|seed README)\b|\*.*\b(the seed|seed's|seed walkthrough)\b/i;

/**
 * The citations of one file. In code, a bare `§N` belongs to the last docs/spec page the file named before it
 * (or the first it names after): `… (docs/spec/ext-proc.md §5) … the rule of §5.2`. Problems: a bare § in a
 * file naming no page, a page named without its `docs/spec/` folder, "the seed" without docs/spec/README.md.
 */
function citationsIn(file: string): { citations: Citation[]; problems: string[] } {
  const text = readFileSync(file, 'utf8');
  const rel = relative(ROOT, file);
  const isDoc = file.endsWith('.md');
  const lineAt = (at: number) => text.slice(0, at).split('\n').length;
  const names = [...text.matchAll(PAGE_NAME)].map((m) => ({ at: m.index, page: m[1] as string }));
  const rfcs = [...text.matchAll(RFC_NAME)].map((m) => m.index);
  const explicit = new Map<number, string>();
  for (const m of text.matchAll(CITATION)) {
    const start = m.index + (m[1] as string).length + 3;
    for (const s of (m[2] as string).matchAll(/§/g)) explicit.set(start + s.index, m[1] as string);
  }
  const citations: Citation[] = [];
  const problems: string[] = [];
  for (const m of text.matchAll(SECTION)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (RFC_BEFORE.test(text.slice(lineStart, m.index))) continue;
    // A bare § after an RFC and no docs/spec page since belongs to that RFC (`RFC 9113 §4.1, §5.5`).
    const lastRfc = [...rfcs].reverse().find((at) => at < m.index);
    const lastPage = [...names].reverse().find((n) => n.at < m.index);
    if (!explicit.has(m.index) && lastRfc !== undefined && (lastPage === undefined || lastRfc > lastPage.at))
      continue;
    let page = explicit.get(m.index);
    if (page === undefined && !isDoc)
      page = ([...names].reverse().find((n) => n.at < m.index) ?? names.find((n) => n.at > m.index))?.page;
    if (page === undefined) {
      if (!isDoc) problems.push(`${rel}:${lineAt(m.index)}: §${m[1]} names no docs/spec page in this file`);
      continue;
    }
    citations.push({ where: `${rel}:${lineAt(m.index)}`, page, section: m[1] as string });
  }
  if (!isDoc) {
    for (const n of names)
      if (text.slice(Math.max(0, n.at - 10), n.at) !== 'docs/spec/')
        problems.push(`${rel}:${lineAt(n.at)}: write docs/spec/${n.page}.md so the citation resolves`);
    if (rel.startsWith('src/') && SEED_MENTION.test(text) && !text.includes('docs/spec/README.md'))
      problems.push(
        `${rel}: speaks of "the seed"; say where it is described the first time (docs/spec/README.md)`,
      );
  }
  return { citations, problems };
}

function citations(): { citations: Citation[]; problems: string[] } {
  const all = { citations: [] as Citation[], problems: [] as string[] };
  for (const dir of SOURCE_DIRS) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      const r = citationsIn(file);
      all.citations.push(...r.citations);
      all.problems.push(...r.problems);
    }
  }
  return all;
}

test('docs/spec has one page per cited spec and a README explaining them and "the seed"', () => {
  for (const page of PAGES) assert.ok(sectionsOf(page).size > 10, `${page}.md has numbered sections`);
  const readme = readFileSync(join(SPEC_DIR, 'README.md'), 'utf8');
  for (const page of PAGES) assert.match(readme, new RegExp(`\\(${page}\\.md\\)`), `README links ${page}.md`);
  assert.match(readme, /## "The seed"/);
});

test('every § a comment cites is a section of that docs/spec page', () => {
  const { citations: all } = citations();
  assert.ok(
    all.length > 100,
    `found ${all.length} citations; the pattern no longer matches the code's style`,
  );
  const sections = new Map(PAGES.map((p) => [p as string, sectionsOf(p)]));
  const missing = all.filter((c) => !sections.get(c.page)?.has(c.section));
  assert.deepEqual(
    missing.map((c) => `${c.where}: docs/spec/${c.page}.md §${c.section} does not exist`),
    [],
  );
});

test('citations in the code name their docs/spec page; "the seed" says where it is described', () => {
  assert.deepEqual(citations().problems, []);
});
