// extgate with the add-header Proxy-Wasm plugin (examples/plugins/add-header) on request and response headers,
// compared with plain `extgate`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registerScenario } from '../scenarios.js';
import { startNode } from '../procs.js';

const script = fileURLToPath(new URL('../wasm-procs.js', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

registerScenario({
  name: 'extgate+wasm-add-header',
  compareWith: 'extgate',
  processes: 1,
  start: async (env) => {
    const built = spawnSync(process.execPath, [`${repoRoot}scripts/build-plugins.mjs`, 'add-header'], {
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error('building examples/plugins/add-header failed');
    const p = await startNode(script, [
      String(env.backendPort),
      `${repoRoot}examples/plugins/add-header/build/plugin.wasm`,
    ]);
    return { url: `http://127.0.0.1:${p.port}/`, pid: p.child.pid!, host: 'store.example.com', stop: p.stop };
  },
});

// The same with a minimal add-header plugin without an SDK (test/wasm/fixtures/add-header-min.wat): what the
// host costs per stream, apart from what the AssemblyScript SDK adds (context map, debug strings).
registerScenario({
  name: 'extgate+wasm-add-header-min',
  compareWith: 'extgate',
  processes: 1,
  start: async (env) => {
    const built = spawnSync(process.execPath, [`${repoRoot}scripts/build-plugins.mjs`, 'add-header-min'], {
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error('building test/wasm/fixtures/add-header-min.wat failed');
    const p = await startNode(script, [
      String(env.backendPort),
      `${repoRoot}test/wasm/fixtures/build/add-header-min.wasm`,
    ]);
    return { url: `http://127.0.0.1:${p.port}/`, pid: p.child.pid!, host: 'store.example.com', stop: p.stop };
  },
});
