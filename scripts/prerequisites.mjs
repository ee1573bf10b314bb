// What the test suite needs besides npm packages, found or installed before the tests run (README's test
// command, `npm test`, calls it first; so does `.ci/run` through it).
//
// Each tool is looked for on PATH (or where it lives); what is missing is installed with Debian's apt-get when
// the run may install (root, apt-get present, EXTGATE_NO_INSTALL unset); anything still missing is named in
// ONE line, printed before the tests and again after them, so the cause is never buried in the log.
//
// Usage: node scripts/prerequisites.mjs [--no-install]   (exit 0 always: missing tools are reported, not fatal)
import { existsSync, readdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Where the API server's kubectl 1.20 compatibility tests find it (test/apiserver/harness.ts). */
export const KUBECTL_120 = process.env.EXTGATE_KUBECTL_120 ?? '/tmp/extgate-kubectl-1.20/usr/bin/kubectl';

function onPath(command, env = process.env) {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/**
 * Debian's python3: the python3-* packages install for it, and a python3 earlier on PATH (pyenv, a venv)
 * would not see them. Tests that run Python peers use this one.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';

function pythonHas(module) {
  if (!existsSync(SYSTEM_PYTHON)) return false;
  return spawnSync(SYSTEM_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

function wasiClangReady(env) {
  if (!onPath('clang', env) || !onPath('wasm-ld', env) || !existsSync('/usr/include/wasm32-wasi')) return false;
  // libclang_rt.builtins for wasm32 lives under /usr/lib/llvm-N/lib/clang/M/lib/wasi/.
  return readdirSync('/usr/lib', { withFileTypes: true })
    .filter((d) => d.name.startsWith('llvm-'))
    .some((d) => {
      const clangDir = join('/usr/lib', d.name, 'lib', 'clang');
      if (!existsSync(clangDir)) return false;
      return readdirSync(clangDir).some((v) => existsSync(join(clangDir, v, 'lib', 'wasi', 'libclang_rt.builtins-wasm32.a')));
    });
}

/**
 * The tools, what needs them and the Debian packages that bring them. `present` is the check; `install`
 * overrides the plain `apt-get install` where the tool is not installed system-wide.
 */
export const TOOLS = [
  { name: 'kubectl', packages: ['kubernetes-client'], neededBy: 'API server and e2e tests (the real kubectl)', present: (env) => onPath('kubectl', env) },
  { name: 'kubectl 1.20', packages: ['kubernetes-client'], neededBy: "API server tests with kubectl 1.20", present: () => existsSync(KUBECTL_120), install: installKubectl120 },
  { name: 'nginx', packages: ['nginx'], neededBy: 'benchmark and nginx-backed tests', present: (env) => onPath('nginx', env) },
  { name: 'wrk', packages: ['wrk'], neededBy: 'load tests and benchmarks', present: (env) => onPath('wrk', env) },
  { name: 'docker-registry', packages: ['docker-registry'], neededBy: 'OCI registry tests (real registry)', present: (env) => onPath('docker-registry', env) },
  { name: 'clang for wasm32-wasi', packages: ['clang', 'lld', 'wasi-libc', 'libclang-rt-dev-wasm32'], neededBy: 'C Wasm test fixtures', present: wasiClangReady },
  { name: 'openssl', packages: ['openssl'], neededBy: 'TLS certificate fixtures', present: (env) => onPath('openssl', env) },
  { name: 'chromium', packages: ['chromium'], neededBy: 'dashboard browser tests', present: (env) => onPath('chromium', env) },
  { name: 'python3 grpcio', packages: ['python3-grpcio'], neededBy: 'callout interop with a Python gRPC server', present: () => pythonHas('grpc') },
  { name: 'python3 kubernetes', packages: ['python3-kubernetes'], neededBy: "the Python client's watch test", present: () => pythonHas('kubernetes') },
];

function installKubectl120() {
  // Debian's kubernetes-client is kubectl 1.20: unpacked beside the machine's kubectl, not installed over it.
  const dir = mkdtempSync(join(tmpdir(), 'extgate-kubectl-'));
  try {
    if (spawnSync('apt-get', ['download', 'kubernetes-client'], { cwd: dir, stdio: 'ignore' }).status !== 0) return false;
    const deb = readdirSync(dir).find((n) => n.endsWith('.deb'));
    if (deb === undefined) return false;
    const target = KUBECTL_120.replace(/\/usr\/bin\/kubectl$/, '');
    return spawnSync('dpkg', ['-x', join(dir, deb), target], { stdio: 'ignore' }).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function mayInstall(env, argv) {
  return (
    !argv.includes('--no-install') &&
    env.EXTGATE_NO_INSTALL === undefined &&
    process.getuid?.() === 0 &&
    onPath('apt-get', env)
  );
}

function apt(args) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] }).status === 0;
}

function aptInstall(packages) {
  const install = ['install', '-y', '-qq', '--no-install-recommends', ...packages];
  // A fresh machine may have no package lists yet; refresh once and try again.
  return apt(install) || (apt(['update', '-qq']) && apt(install));
}

/** The one line that names what is missing (or says nothing is). */
export function missingLine(missing) {
  if (missing.length === 0) return 'prerequisites: all present';
  const names = missing.map((t) => `${t.name} (${t.neededBy})`).join('; ');
  const packages = [...new Set(missing.flatMap((t) => t.packages))].join(' ');
  return `prerequisites: MISSING ${names} — the tests that need them will fail; install with: sudo apt-get install ${packages}`;
}

/**
 * better-sqlite3 is a native addon. Since 13 it ships Node-API prebuilds for linux (glibc and musl), macOS and
 * Windows on x64 and arm64: one binary for every Node version, loaded as is; `npm ci` runs no install script
 * and builds nothing. Where no prebuild fits (another platform or architecture, a libc the prebuild does not
 * run on) it is compiled here from the sources the package carries, with its own `build-release` script
 * (node-gyp, which npm puts on a script's PATH), against the running node's headers, which Node's release
 * builds ship beside the binary. `npm rebuild better-sqlite3` would do nothing: the package has no install
 * script and no gypfile flag. The compiled addon (build/Release) is loaded before the prebuilds.
 */
export function ensureNativeAddons() {
  const probe = () => spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { stdio: 'ignore' }).status === 0;
  if (probe()) return true;
  let packageDir;
  try {
    packageDir = dirname(createRequire(join(process.cwd(), 'package.json')).resolve('better-sqlite3/package.json'));
  } catch {
    return false; // not installed at all: `npm ci` first
  }
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  const env = { ...process.env };
  if (existsSync(join(prefix, 'include', 'node', 'node_version.h'))) env.npm_config_nodedir = prefix;
  console.log(`prerequisites: compiling better-sqlite3 for node ${process.version} (no prebuild loads here; headers: ${env.npm_config_nodedir ?? 'npm default'})`);
  spawnSync('npm', ['run', 'build-release'], { cwd: packageDir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  return probe();
}

/** Finds the tools, installs what it may, and returns what is still missing. */
export function ensurePrerequisites({ env = process.env, argv = [] } = {}) {
  let missing = TOOLS.filter((t) => !t.present(env));
  if (missing.length > 0 && mayInstall(env, argv)) {
    const viaApt = missing.filter((t) => t.install === undefined);
    if (viaApt.length > 0) {
      const packages = [...new Set(viaApt.flatMap((t) => t.packages))];
      console.log(`prerequisites: installing ${packages.join(' ')} (apt-get)`);
      aptInstall(packages);
    }
    for (const t of missing.filter((t) => t.install !== undefined)) {
      console.log(`prerequisites: installing ${t.name}`);
      // The package lists may be missing on a fresh machine: refresh them once and try again.
      if (!t.install() && apt(['update', '-qq'])) t.install();
    }
    missing = TOOLS.filter((t) => !t.present(env));
  }
  return missing;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(missingLine(ensurePrerequisites({ argv: process.argv.slice(2) })));
}
