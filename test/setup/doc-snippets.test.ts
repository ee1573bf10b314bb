// The TypeScript in the docs compiles against the code as it is: every ```ts / ```typescript block of
// README.md and docs/**/*.md is type-checked with the project's own compiler settings, so an API change that
// leaves a doc behind fails here, naming the doc and the block's line.
//
// Conventions for doc authors:
// - imports are written relative to the doc file (`../src/dataplane/gateway.js` from docs/), or through the
//   package's public exports (`extgate/callout`), as a user would write them;
// - what a snippet assumes is declared, not left dangling: `declare const snapshot: Snapshot;`;
// - a block that cannot stand alone is fenced ```ts no-check and the doc says why next to it (keep it rare).
//
// How: each block becomes one module in a temporary folder at the repository root (so node_modules and the
// sources resolve), relative imports are rewritten to point at the same files from there, and `tsc --noEmit`
// runs with a tsconfig that extends ours and maps the package's exports to their sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

interface Snippet {
  /** Doc path relative to the repository root. */
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
}

function markdownFiles(): string[] {
  const out = [join(ROOT, 'README.md')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) out.push(path);
    }
  };
  walk(join(ROOT, 'docs'));
  return out;
}

/** The ```ts / ```typescript blocks of one markdown text; ```ts no-check blocks are left out. */
function extractSnippets(doc: string, text: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const fence = open[2] as string;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] as string).trim().startsWith(fence))
      body.push(lines[j++] as string);
    if (!/\bno-check\b/.test(open[4] as string)) snippets.push({ doc, line: i + 1, code: body.join('\n') });
    i = j;
  }
  return snippets;
}

/** Rewrites `'./x'` / `'../x'` specifiers written relative to `fromDir` so they resolve from `toDir`. */
function rebaseImports(code: string, fromDir: string, toDir: string): string {
  return code.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g,
    (_m, lead: string, quote: string, spec: string) => {
      let target = relative(toDir, resolve(fromDir, spec)).split('\\').join('/');
      if (!target.startsWith('.')) target = `./${target}`;
      return `${lead}${quote}${target}${quote}`;
    },
  );
}

/** `extgate/callout` → `src/sdk/index.ts`, from package.json's exports (`./callout` → `./dist/src/sdk/index.js`). */
function packagePaths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports?: Record<string, string>;
  };
  const paths: Record<string, string[]> = {};
  for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
    const source = target.replace(/^\.\/dist\//, '../').replace(/\.js$/, '.ts');
    paths[sub === '.' ? pkg.name : `${pkg.name}/${sub.replace(/^\.\//, '')}`] = [source];
  }
  return paths;
}

test('docs/ and README.md have TypeScript blocks to check', () => {
  const all = markdownFiles().flatMap((f) => extractSnippets(relative(ROOT, f), readFileSync(f, 'utf8')));
  assert.ok(all.length >= 3, `found ${all.length} blocks; the fence pattern no longer matches the docs`);
});

test('every TypeScript block in the docs type-checks against the sources', () => {
  const snippets = markdownFiles().flatMap((f) =>
    extractSnippets(relative(ROOT, f), readFileSync(f, 'utf8')),
  );
  const dir = mkdtempSync(join(ROOT, '.doc-snippets-'));
  try {
    const byFile = new Map<string, Snippet>();
    snippets.forEach((s, n) => {
      const name = `${s.doc.replace(/[^A-Za-z0-9]+/g, '_')}_L${s.line}_${n}.ts`;
      const code = rebaseImports(s.code, dirname(join(ROOT, s.doc)), dir);
      // `export {}` keeps each block a module of its own (top-level await, no name clashes between blocks).
      writeFileSync(join(dir, name), `${code}\nexport {};\n`);
      byFile.set(name, s);
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: {
          noEmit: true,
          incremental: false,
          tsBuildInfoFile: null,
          // Unused imports and locals are normal in an illustration.
          noUnusedLocals: false,
          noUnusedParameters: false,
          paths: packagePaths(),
        },
        include: ['*.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
      encoding: 'utf8',
    });
    // `file(line,col): error TSxxxx: message` → `docs/x.md:line: error TSxxxx: message` (line of the doc).
    const errors: string[] = [];
    for (const line of `${r.stdout}${r.stderr}`.split('\n')) {
      const m = /([^\\/()]+\.ts)\((\d+),\d+\): (error .*)$/.exec(line);
      const s = m ? byFile.get(m[1] as string) : undefined;
      if (m && s) errors.push(`${s.doc}:${s.line + Number(m[2])}: (block at line ${s.line}) ${m[3]}`);
      else if (/error/.test(line)) errors.push(line);
    }
    assert.deepEqual(errors, [], `TypeScript in the docs does not compile:\n${errors.join('\n')}`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
