// extgate with one ext_proc callout (the add-header example, over TLS, in its own process) on every request:
// RequestHeaders only (one callout event per request), and RequestHeaders + ResponseHeaders (two). Compared
// with plain `extgate`; the callout server's own CPU is reported per message next to the gateway's.
import { fileURLToPath } from 'node:url';
import { registerScenario } from '../scenarios.js';
import { startNode } from '../procs.js';

const script = fileURLToPath(new URL('../callout-procs.js', import.meta.url));

for (const [name, events] of [
  ['extgate+callout-rh', 'RequestHeaders'],
  ['extgate+callout-rh-rs', 'RequestHeaders,ResponseHeaders'],
] as const) {
  registerScenario({
    name,
    compareWith: 'extgate',
    processes: 2,
    start: async (env) => {
      const callout = await startNode(script, ['callout']);
      const gateway = await startNode(script, [
        'gateway',
        String(env.backendPort),
        String(callout.port),
        events,
      ]).catch(async (err: unknown) => {
        await callout.stop();
        throw err;
      });
      return {
        url: `http://127.0.0.1:${gateway.port}/`,
        pid: gateway.child.pid!,
        extensionServer: { pid: callout.child.pid!, messagesPerRequest: events.split(',').length },
        host: 'store.example.com',
        stop: async () => {
          await gateway.stop();
          await callout.stop();
        },
      };
    },
  });
}
