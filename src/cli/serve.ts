// `extgate serve`: the controller (and, once wired, the gateway) against any Kubernetes API server.
import { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { Registry } from 'prom-client';
import { startAdminServer } from '../admin/server.js';
import { startController, type WasmImageResolver } from '../controller/controller.js';
import type { Snapshot } from '../ir/snapshot.js';

/** The data plane as serve sees it; the lead plugs the gateway in here. */
export interface ServeDataPlane {
  apply(snapshot: Snapshot): void;
  close(): Promise<void>;
}

export interface ServeHooks {
  startDataPlane?: (opts: {
    address: string;
    portOffset: number;
    metrics: Registry;
  }) => Promise<ServeDataPlane>;
  wasmImages?: (opts: { insecureRegistries: string[] }) => WasmImageResolver;
}

interface ServeFlags {
  kubeconfig?: string;
  address: string;
  portOffset: string;
  adminPort: string;
  gatewayClass: string[];
  googleApiService: string[];
  insecureRegistry: string[];
  leaderElection: boolean;
  leaseNamespace: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerServeCommand(program: Command, hooks: ServeHooks = {}): void {
  program
    .command('serve')
    .description(
      'run the Gateway controller (and gateway) against a Kubernetes API server; replicas elect one status writer',
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig of the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
    )
    .option('--address <addr>', 'address Gateway listeners bind to and report in status.addresses', '0.0.0.0')
    .option('--port-offset <n>', 'a listener on port P binds P + offset', '0')
    .option('--admin-port <n>', 'admin HTTP on 127.0.0.1: /readyz, /healthz, /metrics', '9901')
    .option('--gateway-class <name>', 'only program Gateways of this GatewayClass (repeatable)', collect, [])
    .option(
      '--google-api-service <name=host:port>',
      'serve googleAPIServiceName NAME from HOST:PORT (repeatable)',
      collect,
      [],
    )
    .option(
      '--insecure-registry <host[:port]>',
      'pull Wasm images from this registry over plain HTTP (repeatable)',
      collect,
      [],
    )
    .option(
      '--no-leader-election',
      'write status from this replica without a Lease (only when it runs alone)',
    )
    .option('--lease-namespace <ns>', 'namespace of the leadership Lease', 'default')
    .action(async (flags: ServeFlags) => {
      const portOffset = parseIntFlag('--port-offset', flags.portOffset, 0, 65535);
      const adminPort = parseIntFlag('--admin-port', flags.adminPort, 0, 65535);
      const googleApiServices: Record<string, string> = {};
      for (const entry of flags.googleApiService) {
        const i = entry.indexOf('=');
        if (i <= 0 || !/:\d+$/.test(entry.slice(i + 1)))
          throw new Error(`--google-api-service "${entry}": expected NAME=HOST:PORT`);
        googleApiServices[entry.slice(0, i)] = entry.slice(i + 1);
      }
      const kubeConfig = new KubeConfig();
      if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
      else kubeConfig.loadFromDefault();
      if (!kubeConfig.getCurrentCluster())
        throw new Error('no cluster in the kubeconfig: pass --kubeconfig FILE');

      const metrics = new Registry();
      const dataPlane = hooks.startDataPlane
        ? await hooks.startDataPlane({ address: flags.address, portOffset, metrics })
        : undefined;
      let ready = false;
      const controller = await startController({
        kubeConfig,
        address: flags.address,
        portOffset,
        writeStatus: flags.leaderElection ? 'leader-election' : true,
        leaseNamespace: flags.leaseNamespace,
        googleApiServices,
        ...(flags.gatewayClass.length > 0 ? { gatewayClasses: flags.gatewayClass } : {}),
        ...(hooks.wasmImages
          ? { wasmImages: hooks.wasmImages({ insecureRegistries: flags.insecureRegistry }) }
          : {}),
        onSnapshot: (s) => {
          if (dataPlane) dataPlane.apply(s);
          process.stderr.write(`serve: ${describeSnapshot(s)}\n`);
        },
      });
      const admin = await startAdminServer({
        host: '127.0.0.1',
        port: adminPort,
        isReady: () => ready,
        metrics,
      });
      process.stderr.write(`serve: admin on http://127.0.0.1:${admin.port}\n`);
      void controller.synced().then(() => {
        ready = true;
        process.stderr.write('serve: first sync done, ready\n');
      });
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      await controller.close();
      await dataPlane?.close();
      await admin.close();
    });
}

export function describeSnapshot(s: Snapshot): string {
  const listeners = s.ports.flatMap((p) => p.listeners);
  const rules = listeners.reduce((n, l) => n + l.routes.length, 0);
  const chains = listeners.reduce((n, l) => n + l.routingChains.length + l.trafficChains.length, 0);
  return (
    `snapshot v${s.version}: ${s.ports.length} port(s) [${s.ports.map((p) => `${p.protocol} ${p.address}:${p.port}`).join(', ')}], ` +
    `${listeners.length} listener(s), ${rules} route rule(s), ${chains} extension chain(s), ${Object.keys(s.wasmPlugins).length} Wasm plugin(s)`
  );
}

function parseIntFlag(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} "${value}": expected an integer ${min}-${max}`);
  return n;
}
