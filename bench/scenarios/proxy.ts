// The proxy baseline: the backend directly, nginx, extgate (one process and one worker per core).
import { fileURLToPath } from 'node:url';
import { registerScenario } from '../scenarios.js';
import { startNginx, freePort } from '../nginx.js';
import { startNode } from '../procs.js';

const gatewayScript = fileURLToPath(new URL('../gateway-proc.js', import.meta.url));

registerScenario({
  name: 'direct',
  processes: 1,
  start: async (env) => ({ url: `http://127.0.0.1:${env.backendPort}/`, stop: async () => {} }),
});

for (const [name, workers, processes] of [
  ['nginx', 1, 1],
  ['nginx-2w', 2, 2],
] as const) {
  registerScenario({
    name,
    processes,
    start: async (env) => {
      const p = await startNginx(env.backendPort, workers);
      return {
        url: `http://127.0.0.1:${p.port}/`,
        pid: p.child.pid!,
        host: 'store.example.com',
        stop: p.stop,
      };
    },
  });
}

registerScenario({
  name: 'extgate',
  compareWith: 'nginx',
  processes: 1,
  start: async (env) => {
    const p = await startNode(gatewayScript, [String(env.backendPort), '100']);
    return { url: `http://127.0.0.1:${p.port}/`, pid: p.child.pid!, host: 'store.example.com', stop: p.stop };
  },
});

registerScenario({
  name: 'extgate-2w',
  compareWith: 'nginx-2w',
  processes: 2,
  start: async (env) => {
    const port = await freePort();
    const p = await startNode(gatewayScript, [String(env.backendPort), '100', '2', String(port)]);
    return { url: `http://127.0.0.1:${p.port}/`, pid: p.child.pid!, host: 'store.example.com', stop: p.stop };
  },
});
