// The gateway under test, in its own process:
// `node dist/bench/gateway-proc.js <backendPort> [routes] [workers] [listenPort] [chain]`
// `chain` = `noop-headers` attaches an in-process traffic extension that sees request and response headers
// and changes nothing: the cost of the extension hook points without any callout or plugin behind them;
// `add-headers` the same member adding one header each way (the cost of carrying an edit).
// `node dist/bench/gateway-proc.js <backendPort> <routes> bare:<N> <listenPort>` runs N bare DataPlanes (this
// process's children, no recorder, no metrics) sharing the port with SO_REUSEPORT: the N-process baseline for
// `extgate up`'s workers, so its CPU per request separates what N processes cost from what the product adds.
// Serves a snapshot with one HTTP listener on an ephemeral port whose catch-all route goes to the backend,
// plus `routes - 1` other HTTPRoutes on other hostnames (so the table is realistic). Prints `port <n>`.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DataPlane } from '../src/dataplane/gateway.js';
import { Registry } from 'prom-client';
import { startGateway } from '../src/cli/gateway.js';
import { benchSnapshot } from './snapshots.js';
import type { CompiledChains } from '../src/extensions/extension.js';
import { addHeadersMember, memberChainIR, noopMember } from './members.js';
import type { Snapshot } from '../src/ir/snapshot.js';

const backendPort = Number(process.argv[2]);
const routes = Number(process.argv[3] ?? 1);
const workersArg = process.argv[4] ?? '0';
const bareCopies = workersArg.startsWith('bare:') ? Number(workersArg.slice(5)) : 0;
const workers = bareCopies > 0 ? 0 : Number(workersArg);
const listenPort = Number(process.argv[5] ?? 0);

const chain = process.argv[6];

const member = chain === 'noop-headers' ? noopMember : chain === 'add-headers' ? addHeadersMember : undefined;
const compileChains = member !== undefined ? (): CompiledChains => ({ select: () => member }) : undefined;

let snap: Snapshot = benchSnapshot(backendPort, routes, listenPort);
if (compileChains !== undefined) {
  const trafficChains = [memberChainIR];
  snap = {
    ...snap,
    ports: snap.ports.map((p) => ({ ...p, listeners: p.listeners.map((l) => ({ ...l, trafficChains })) })),
  };
}
if (bareCopies > 0) {
  // Each copy is this script with `bare:0`: one DataPlane binding `listenPort` with reusePort.
  const self = fileURLToPath(import.meta.url);
  const copies: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: bareCopies }, () => {
      const child = fork(self, [String(backendPort), String(routes), 'bare:0', String(listenPort)], {
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      copies.push(child);
      return new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`bare copy exited with ${code}`)));
      });
    }),
  );
  process.stdout.write(`port ${listenPort}\n`);
  process.on('SIGTERM', () => {
    for (const c of copies) c.kill('SIGTERM');
    void Promise.all(copies.map((c) => new Promise((r) => c.once('exit', r)))).then(() => process.exit(0));
  });
} else if (workersArg === 'bare:0') {
  const gw = new DataPlane({ reusePort: true });
  await gw.apply(snap);
  process.stdout.write(`port ${listenPort}\n`);
  process.on('SIGTERM', () => void gw.close(500).then(() => process.exit(0)));
} else if (workers > 0) {
  // The product's workers (what `extgate serve --workers N --no-access-log` runs), traces idle.
  const gw = startGateway({
    workers,
    metrics: new Registry(),
    log: (line) => process.stderr.write(`${line}\n`),
    observability: { accessLog: false, recordWhen: 'asked' },
  });
  await gw.apply(snap);
  process.stdout.write(`port ${listenPort}\n`);
  process.on('SIGTERM', () => void gw.close(500).then(() => process.exit(0)));
} else {
  const gw = new DataPlane(compileChains !== undefined ? { compileChains } : {});
  await gw.apply(snap);
  process.stdout.write(`port ${gw.ports()[0]!.boundPort}\n`);
  process.on('SIGTERM', () => void gw.close(500).then(() => process.exit(0)));
}
