// Extension hook points: the gateway with an in-process no-op traffic extension on request and response
// headers, compared with plain extgate. Callout (ext_proc) and Wasm plugin scenarios register here the same way.
import { fileURLToPath } from 'node:url';
import { registerScenario } from '../scenarios.js';
import { startNode } from '../procs.js';

const gatewayScript = fileURLToPath(new URL('../gateway-proc.js', import.meta.url));

// `extgate+noop-ext`: a member that changes nothing; `extgate+js-add-header`: the same member adding one header
// to the request and one to the response in JavaScript, what carrying an edit costs the data plane (request
// line and header objects rebuilt), to set apart from what a plugin costs (bench/members.ts).
for (const [name, member] of [
  ['extgate+noop-ext', 'noop-headers'],
  ['extgate+js-add-header', 'add-headers'],
] as const) {
  registerScenario({
    name,
    compareWith: 'extgate',
    processes: 1,
    start: async (env) => {
      const p = await startNode(gatewayScript, [String(env.backendPort), '100', '0', '0', member]);
      return {
        url: `http://127.0.0.1:${p.port}/`,
        pid: p.child.pid!,
        host: 'store.example.com',
        stop: p.stop,
      };
    },
  });
}
