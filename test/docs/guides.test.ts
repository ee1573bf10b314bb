// The getting-started guides (docs/first-callout.md, docs/first-plugin.md) run as written (issue 15, scope 7): each guide's code blocks, in order, as one
// shell session from an empty folder — ```lang file=NAME blocks are written to NAME, ```sh blocks run,
// ```sh background blocks are started and left running (the guide's "other terminals"), and a
// ```text expect block after a ```sh block lists lines that command's output must contain (the command is
// retried until it does, as a reader would retry while things start). As root the session runs in its own
// network namespace, so the guide's fixed ports (6443, 9901, 8080, ...) collide with nothing else here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { REPO_ROOT } from '../e2e/harness.js';

interface Block {
  lang: string;
  attrs: string[];
  body: string;
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  for (const m of markdown.matchAll(/^```(\S+)([^\n]*)\n([\s\S]*?)^```\s*$/gm)) {
    out.push({ lang: m[1]!, attrs: m[2]!.trim().split(/\s+/).filter(Boolean), body: m[3]! });
  }
  return out;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The guide as one shell script (see the header comment). */
export function guideScript(markdown: string): string {
  const lines = [
    'set -e',
    'background=""',
    // Each background step runs in a session of its own (setsid), so the trap ends its whole process group:
    // killing only the step's shell left `npx extgate up` running after every test run.
    "trap 'for p in $background; do kill -- -$p 2>/dev/null || true; done; wait' EXIT",
  ];
  const list = blocks(markdown);
  let n = 0;
  list.forEach((b, i) => {
    n++;
    const file = b.attrs.find((a) => a.startsWith('file='))?.slice(5);
    if (file) {
      lines.push(`cat > ${quote(file)} <<'GUIDE_BLOCK_EOF'`, b.body.replace(/\n$/, ''), 'GUIDE_BLOCK_EOF');
      return;
    }
    if (b.lang !== 'sh') return;
    if (b.attrs.includes('background')) {
      lines.push(
        `setsid sh -c ${quote(b.body.trim())} > .guide-background-${n}.log 2>&1 &`,
        'background="$background $!"',
      );
      return;
    }
    const next = list[i + 1];
    if (next?.lang === 'text' && next.attrs.includes('expect')) {
      const wants = next.body.split('\n').filter((l) => l.trim() !== '');
      const checks = wants.map((w) => `printf '%s' "$out" | grep -qF -- ${quote(w)}`).join(' && ');
      lines.push(
        `tries=0`,
        `until out=$( { ${b.body.trim()}\n} 2>&1 ) && ${checks}; do`,
        `  tries=$((tries+1)); if [ $tries -ge 120 ]; then echo "GUIDE STEP FAILED: ${b.body
          .trim()
          .replace(/["$`\\]/g, '\\$&')
          .replace(
            /\n/g,
            ' ',
          )}"; printf '%s\\n' "$out"; for f in .guide-background-*.log; do echo "--- $f"; tail -30 "$f"; done; exit 1; fi; sleep 1`,
        `done`,
        `printf '%s\\n' "$out"`,
      );
      return;
    }
    lines.push(b.body.trim());
  });
  return lines.join('\n') + '\n';
}

/** `name@version` arguments of the guide's `npm install` commands (not paths, not variables). */
function registryPackages(markdown: string): string[] {
  const specs: string[] = [];
  for (const b of blocks(markdown).filter((x) => x.lang === 'sh')) {
    for (const m of b.body.matchAll(/npm install([^\n]*)/g)) {
      for (const arg of m[1]!.trim().split(/\s+/))
        if (/^(@[\w.-]+\/)?[\w.-]+@[\w.^~-]+$/.test(arg)) specs.push(arg);
    }
  }
  return specs;
}

function runGuide(name: string): { status: number | null; output: string } {
  const work = mkdtempSync(join(tmpdir(), `extgate-guide-${name}-`));
  try {
    const script = join(work, 'guide.sh');
    writeFileSync(script, guideScript(readFileSync(join(REPO_ROOT, 'docs', `${name}.md`), 'utf8')));
    const home = join(work, 'home');
    const env: NodeJS.ProcessEnv = {
      // This machine's environment (CA certificates, proxies) and npm configuration, in a fresh HOME: the
      // guide's kubeconfig merge and files stay in the test's folder, and no KUBECONFIG is set.
      ...process.env,
      KUBECONFIG: undefined,
      HOME: home,
      npm_config_userconfig: process.env.npm_config_userconfig ?? join(homedir(), '.npmrc'),
      EXTGATE: REPO_ROOT,
      // Packages the guide installs come from this machine's npm cache when it has them.
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
    };
    spawnSync('mkdir', ['-p', home]);
    // The session has no network when isolated: what the guide installs from the registry (with its
    // dependencies) goes into npm's cache first, by the same `npm install` in a scratch folder.
    const specs = registryPackages(readFileSync(join(REPO_ROOT, 'docs', `${name}.md`), 'utf8'));
    if (specs.length > 0) {
      const scratch = join(work, 'npm-cache-fill');
      spawnSync('mkdir', ['-p', scratch]);
      const cached = spawnSync(
        'npm',
        ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', scratch, ...specs],
        { env, encoding: 'utf8', timeout: 300_000 },
      );
      assert.equal(cached.status, 0, `npm install ${specs.join(' ')}: ${cached.stderr}`);
    }
    const isolated = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
    const r = isolated
      ? spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec sh "$0"', script], {
          cwd: work,
          env,
          encoding: 'utf8',
          timeout: 600_000,
        })
      : spawnSync('sh', [script], { cwd: work, env, encoding: 'utf8', timeout: 600_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

it('docs/first-callout.md runs as written, from an empty folder', () => {
  const r = runGuide('first-callout');
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /x-my-callout: hello from my callout/);
});

it('docs/first-plugin.md runs as written, from an empty folder', () => {
  const r = runGuide('first-plugin');
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /x-my-plugin: hello from my plugin/);
});
