// Processes for the callout scenarios (bench/scenarios/callout.ts), each printing `port <n>` when ready:
//   node dist/bench/callout-procs.js callout                         the add-header example callout, TLS
//   node dist/bench/callout-procs.js gateway <backendPort> <calloutPort> <events,...>
//                                                                    a gateway whose catch-all route has a
//                                                                    traffic chain with that callout
import { DataPlane } from '../src/dataplane/gateway.js';
import { CalloutClient } from '../src/extensions/callout/client.js';
import { chainCompiler } from '../src/extensions/chain.js';
import type { HttpEvent } from '../src/ir/snapshot.js';
import { CalloutServer } from '../src/sdk/index.js';
import { addHeader } from '../examples/callouts/add-header/callout.js';
import { benchCalloutIR, benchChain, benchSnapshotWithChain } from './snapshots.js';

const [role, ...args] = process.argv.slice(2);

if (role === 'callout') {
  const server = new CalloutServer(addHeader, {
    address: '127.0.0.1',
    plaintextPort: null,
    securePort: 0,
    healthPort: null,
  });
  const ports = await server.start();
  process.stdout.write(`port ${ports.secure}\n`);
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
} else if (role === 'gateway') {
  const [backendPort, calloutPort, events] = [
    Number(args[0]),
    Number(args[1]),
    (args[2] ?? 'RequestHeaders').split(',') as HttpEvent[],
  ];
  const snap = benchSnapshotWithChain(backendPort, benchChain([benchCalloutIR(calloutPort, true, events)]));
  const callouts = new CalloutClient();
  const gw = new DataPlane({ compileChains: chainCompiler(callouts) });
  await gw.apply(snap);
  process.stdout.write(`port ${gw.ports()[0]!.boundPort}\n`);
  process.on(
    'SIGTERM',
    () =>
      void gw.close(500).then(() => {
        callouts.close();
        process.exit(0);
      }),
  );
} else {
  throw new Error(`usage: callout-procs.js callout | gateway <backendPort> <calloutPort> <events>`);
}
