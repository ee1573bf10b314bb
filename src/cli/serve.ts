// `extgate serve`: the controller and the gateway against any Kubernetes API server. Every replica serves
// traffic; a Lease elects the one that writes status and events.
import { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import {
  addObservabilityFlags,
  observabilityFromFlags,
  type ObservabilityFlags,
} from '../admin/cli-flags.js';
import { resolve } from 'node:path';
import { parseGoogleApiServices, PLUGIN_DIR_FLAG, runNode, wasmCacheDir } from './run-node.js';
import { WORKERS_FLAG } from './gateway.js';

interface ServeFlags {
  kubeconfig?: string;
  address: string;
  portOffset: string;
  adminPort: string;
  gatewayClass: string[];
  googleApiService: string[];
  insecureRegistry: string[];
  registrySecret?: string;
  leaderElection: boolean;
  leaseNamespace: string;
  adminAddress: string;
  stateDir: string;
  pluginDir: string[];
  workers?: number;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerServeCommand(program: Command): void {
  const command = program
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
      '--registry-secret <namespace/name>',
      'kubernetes.io/dockerconfigjson Secret with registry credentials',
    )
    .option(
      '--no-leader-election',
      'write status from this replica without a Lease (only when it runs alone)',
    )
    .option('--lease-namespace <ns>', 'namespace of the leadership Lease', 'default')
    .option(
      '--admin-address <addr>',
      'address of the admin port (it shows traces: keep it private)',
      '127.0.0.1',
    )
    .option('--state-dir <dir>', 'local cache (Wasm modules)', './.extgate')
    .option(PLUGIN_DIR_FLAG.flags, PLUGIN_DIR_FLAG.description, collect, [])
    .option(WORKERS_FLAG.flags, WORKERS_FLAG.description, WORKERS_FLAG.parse);
  addObservabilityFlags(command).action(runServe);
}

async function runServe(flags: ServeFlags & ObservabilityFlags): Promise<void> {
  const portOffset = parseIntFlag('--port-offset', flags.portOffset, 0, 65535);
  const adminPort = parseIntFlag('--admin-port', flags.adminPort, 0, 65535);
  const kubeConfig = new KubeConfig();
  if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
  else kubeConfig.loadFromDefault();
  if (!kubeConfig.getCurrentCluster())
    throw new Error('no cluster in the kubeconfig: pass --kubeconfig FILE');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const node = await runNode({
    kubeConfig,
    address: flags.address,
    portOffset,
    adminPort,
    adminAddress: flags.adminAddress,
    cacheDir: wasmCacheDir(resolve(flags.stateDir)),
    writeStatus: flags.leaderElection ? 'leader-election' : true,
    leaseNamespace: flags.leaseNamespace,
    googleApiServices: parseGoogleApiServices(flags.googleApiService),
    gatewayClasses: flags.gatewayClass,
    observability: observabilityFromFlags(flags),
    insecureRegistries: flags.insecureRegistry,
    pluginDirs: flags.pluginDir,
    ...(flags.registrySecret ? { registrySecret: flags.registrySecret } : {}),
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    log,
  });
  log(`serve: admin on http://${flags.adminAddress}:${node.admin.port}`);
  await new Promise<void>((resolveStop) => {
    process.once('SIGTERM', () => resolveStop());
    process.once('SIGINT', () => resolveStop());
  });
  await node.close();
}

function parseIntFlag(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} "${value}": expected an integer ${min}-${max}`);
  return n;
}
