// The gateway under test, in its own process: `node dist/bench/gateway-proc.js <backendPort> [routes] [workers]`.
// Serves a snapshot with one HTTP listener on an ephemeral port whose catch-all route goes to the backend,
// plus `routes - 1` other HTTPRoutes on other hostnames (so the table is realistic). Prints `port <n>`.
import { DataPlane } from '../src/dataplane/gateway.js';
import { WorkerGateway } from '../src/dataplane/workers.js';
import { benchSnapshot } from './snapshots.js';

const backendPort = Number(process.argv[2]);
const routes = Number(process.argv[3] ?? 1);
const workers = Number(process.argv[4] ?? 0);
const listenPort = Number(process.argv[5] ?? 0);

const snap = benchSnapshot(backendPort, routes, listenPort);
if (workers > 0) {
  const gw = new WorkerGateway({ workers });
  await gw.apply(snap);
  process.stdout.write(`port ${listenPort}\n`);
  process.on('SIGTERM', () => void gw.close(500).then(() => process.exit(0)));
} else {
  const gw = new DataPlane();
  await gw.apply(snap);
  process.stdout.write(`port ${gw.ports()[0]!.boundPort}\n`);
  process.on('SIGTERM', () => void gw.close(500).then(() => process.exit(0)));
}
