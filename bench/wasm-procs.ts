// Process for the Wasm scenario (bench/scenarios/wasm.ts), printing `port <n>` when ready:
//   node dist/bench/wasm-procs.js <backendPort> <plugin.wasm>
// a gateway whose catch-all route has a traffic chain running the plugin on request and response headers.
import { readFileSync } from 'node:fs';
import { DataPlane } from '../src/dataplane/gateway.js';
import { CalloutClient } from '../src/extensions/callout/client.js';
import { compileChains } from '../src/extensions/chain.js';
import { sha256Digest } from '../src/extensions/wasm/plugin-module.js';
import { WasmRuntime } from '../src/extensions/wasm/runtime.js';
import { benchChain, benchSnapshotWithChain } from './snapshots.js';

const [backendPort, modulePath] = [Number(process.argv[2]), process.argv[3]!];
const plugin = 'default/bench-plugin';
const snap = benchSnapshotWithChain(
  backendPort,
  benchChain([
    {
      kind: 'wasm',
      id: 'GCPTrafficExtension/default/bench/chain1/ext1',
      name: 'ext1',
      failOpen: false,
      events: ['RequestHeaders', 'ResponseHeaders'],
      plugin,
    },
  ]),
  {
    [plugin]: {
      key: plugin,
      serving: {
        name: 'v1',
        image: `file://${modulePath}`,
        moduleDigest: sha256Digest(readFileSync(modulePath)),
        modulePath,
      },
      log: { enabled: false, sampleRate: 1, minLogLevel: 'INFO' },
    },
  },
);
const wasm = new WasmRuntime();
const callouts = new CalloutClient();
const gw = new DataPlane({
  compileChains: (chains, snapshot) =>
    compileChains(chains, { callout: (ir) => callouts.extension(ir), wasm: wasm.forSnapshot(snapshot) }),
});
const failures = wasm.prepare(snap.wasmPlugins);
if (Object.keys(failures).length > 0) throw new Error(`plugin did not load: ${JSON.stringify(failures)}`);
await gw.apply(snap);
process.stdout.write(`port ${gw.ports()[0]!.boundPort}\n`);
process.on('SIGTERM', () => void gw.close(500).then(() => process.exit(0)));
