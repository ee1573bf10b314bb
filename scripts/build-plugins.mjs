// Builds the AssemblyScript Proxy-Wasm plugins: examples/plugins/*/ and test/wasm/fixtures/*/ (each with
// assembly/index.ts) into <plugin>/build/plugin.wasm. Skips a plugin whose output is newer than its sources,
// so test setup can call this every time. Fixtures test/wasm/fixtures/*.wat are assembled with the `wabt` npm
// package (WABT's wat2wasm compiled to JavaScript: one npm install, no system package) and
// test/wasm/fixtures/*.c compiled with clang for wasm32-wasi, into fixtures/build/.
//
// Usage: node scripts/build-plugins.mjs [name-substring...]
import { existsSync, readdirSync, statSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', '.bin', 'asc');
const filters = process.argv.slice(2);

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

function pluginDirs(parent) {
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .map((n) => join(parent, n))
    .filter((d) => existsSync(join(d, 'assembly', 'index.ts')));
}

let wabt;
/** wat2wasm, in-process: text format → validated binary module. */
async function assembleWat(path) {
  wabt ??= await createRequire(import.meta.url)('wabt')();
  const module = wabt.parseWat(path, readFileSync(path, 'utf8'));
  try {
    module.resolveNames();
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

const sharedLib = join(root, 'examples', 'plugins', 'lib');
let failed = false;
const dirs = [...pluginDirs(join(root, 'examples', 'plugins')), ...pluginDirs(join(root, 'test', 'wasm', 'fixtures'))];
for (const dir of dirs) {
  if (filters.length > 0 && !filters.some((f) => dir.includes(f))) continue;
  const out = join(dir, 'build', 'plugin.wasm');
  // examples/plugins/lib/ holds sources the examples share (proxy-exports.ts): a change there rebuilds them.
  const sources = Math.max(newestMtime(join(dir, 'assembly')), existsSync(sharedLib) ? newestMtime(sharedLib) : 0);
  if (existsSync(out) && statSync(out).mtimeMs > sources) continue;
  mkdirSync(join(dir, 'build'), { recursive: true });
  // --use abort=abort_proc_exit: the SDK's abort calls wasi_unstable.proc_exit instead of importing env.abort.
  const r = spawnSync(asc, ['assembly/index.ts', '-b', 'build/plugin.wasm', '--use', 'abort=abort_proc_exit', '-O3'], {
    cwd: dir,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`build-plugins: ${dir} failed (asc exit ${r.status})`);
    failed = true;
  } else {
    console.error(`build-plugins: built ${out}`);
  }
}

const fixtures = join(root, 'test', 'wasm', 'fixtures');
if (existsSync(fixtures)) {
  for (const name of readdirSync(fixtures).filter((n) => n.endsWith('.wat'))) {
    if (filters.length > 0 && !filters.some((f) => name.includes(f))) continue;
    const src = join(fixtures, name);
    const out = join(fixtures, 'build', name.replace(/\.wat$/, '.wasm'));
    if (existsSync(out) && statSync(out).mtimeMs > statSync(src).mtimeMs) continue;
    mkdirSync(join(fixtures, 'build'), { recursive: true });
    try {
      writeFileSync(out, await assembleWat(src));
    } catch (err) {
      console.error(`build-plugins: ${name}: ${err instanceof Error ? err.message : String(err)}`);
      failed = true;
    }
  }
}
// C fixtures: Debian's clang for wasm32-wasi (packages clang, lld, wasi-libc, libclang-rt-dev-wasm32), built as
// WASI reactors exporting libc's malloc/free as the Proxy-Wasm allocator.
if (existsSync(fixtures)) {
  for (const name of readdirSync(fixtures).filter((n) => n.endsWith('.c'))) {
    if (filters.length > 0 && !filters.some((f) => name.includes(f))) continue;
    const src = join(fixtures, name);
    const out = join(fixtures, 'build', name.replace(/\.c$/, '.wasm'));
    if (existsSync(out) && statSync(out).mtimeMs > statSync(src).mtimeMs) continue;
    mkdirSync(join(fixtures, 'build'), { recursive: true });
    const args = ['--target=wasm32-wasi', '-mexec-model=reactor', '-O2', '-Wall', '-Wl,--export=malloc', '-Wl,--export=free', '-o', out, src];
    const r = spawnSync('clang', args, { stdio: 'inherit' });
    if (r.error) {
      console.error(`build-plugins: clang not available (apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32): ${r.error.message}`);
      failed = true;
      break;
    }
    if (r.status !== 0) failed = true;
  }
}
process.exit(failed ? 1 : 0);
