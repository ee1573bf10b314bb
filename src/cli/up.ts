// `extgate up`: everything in one process: the embedded API (startEmbeddedApi), then, unless --api-only, the
// controller and the gateway against it.
import { Command, Option } from 'commander';
import {
  addObservabilityFlags,
  observabilityFromFlags,
  type ObservabilityFlags,
} from '../admin/cli-flags.js';
import { resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  admit as gkeAdmit,
  unknownFields as schemaUnknownFields,
  withDefaults as schemaDefaults,
} from '../api/admission.js';
import { toOpenAPI } from '../api/schema/openapi.js';
import { schemaFor } from '../api/schema/registry.js';
import type { Admit } from '../api/types.js';
import { resolvePluginDirs } from '../extensions/wasm/oci/plugin-files.js';
import { parseGoogleApiServices, PLUGIN_DIR_FLAG, runNode, wasmCacheDir } from './run-node.js';
import { CONTEXT_NAME, mergeKubeconfig, userKubeconfigPath } from './kubeconfig-merge.js';
import { UNPRIVILEGED_PORT_OFFSET } from '../controller/translator/listener-ports.js';
import { WORKERS_FLAG } from './gateway.js';
import { applyManifests } from '../apiserver/manifests.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import type { UnknownFields } from '../apiserver/resources.js';

export interface UpOptions {
  stateDir: string;
  apiPort: number;
  adminPort: number;
  address: string;
  /** Absent: the default, which moves only ports below 1024 (listener-ports.ts). */
  portOffset?: number;
  file: string[];
  apiOnly: boolean;
  /** False with `--no-kubeconfig-merge`. */
  kubeconfigMerge: boolean;
  insecureRegistry: string[];
  registrySecret?: string;
  googleApiService: string[];
  pluginDir: string[];
  workers?: number;
}

export interface EmbeddedApiOptions {
  stateDir: string;
  apiPort: number;
  /** Manifests applied at start, like `kubectl apply -f`. */
  manifests?: string[];
  /** Default: the product's admission (src/api/admission.ts). */
  admit?: Admit;
  /** Default: the admission schemas' unknown-field check. */
  unknownFields?: UnknownFields;
  log?: (line: string) => void;
}

/** Starts the embedded API on 127.0.0.1 and applies the start-up manifests. */
export async function startEmbeddedApi(opts: EmbeddedApiOptions): Promise<ApiServer> {
  const api = await startApiServer({
    stateDir: opts.stateDir,
    port: opts.apiPort,
    admit: opts.admit ?? gkeAdmit,
    unknownFields: opts.unknownFields ?? schemaUnknownFields,
    defaults: schemaDefaults,
    openApiSchema: (apiVersion, kind) => {
      const schema = schemaFor(apiVersion, kind);
      return schema ? toOpenAPI(schema.root) : undefined;
    },
  });
  try {
    if (opts.manifests?.length) {
      for (const r of await applyManifests(api, opts.manifests)) opts.log?.(`${r.ref} ${r.action}`);
    }
  } catch (err) {
    await api.close();
    throw err;
  }
  return api;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`invalid port "${value}": use a number from 0 to 65535`);
  return n;
}

function portOffset(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535)
    throw new Error(`invalid --port-offset "${value}": use a number from 0 to 65535`);
  return n;
}

/** Resolves on SIGTERM/SIGINT after `stop` finished. */
function untilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((done) => {
    const onSignal = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      stop().then(done, done);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export function registerUpCommand(program: Command): void {
  const command = program
    .command('up')
    .description('run the embedded Kubernetes API, the controller and the gateway in one process')
    .option('--state-dir <dir>', 'persistent state: resource store, kubeconfig, API token, CA', './.extgate')
    .option('--api-port <n>', 'Kubernetes API port (HTTPS on 127.0.0.1)', port, 6443)
    .option('--admin-port <n>', 'admin HTTP port on 127.0.0.1 (/readyz, /metrics)', port, 9901)
    .option(
      '--address <addr>',
      'address Gateway listeners bind to and report (a local tool: loopback)',
      '127.0.0.1',
    )
    .option(
      '--port-offset <n>',
      `a listener on port P binds P + n (default: ports below 1024 bind P + ${UNPRIVILEGED_PORT_OFFSET}, e.g. 80 → 8080, so no root is needed; others bind P)`,
      portOffset,
    )
    .addOption(
      new Option('-f, --file <path>', 'manifest file or folder applied at start (repeatable)')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .option('--api-only', 'serve only the embedded API (no controller, no gateway)', false)
    .option(
      '--no-kubeconfig-merge',
      `do not add the context "${CONTEXT_NAME}" to $KUBECONFIG or ~/.kube/config nor make it current`,
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
      '--google-api-service <name=host:port>',
      'serve googleAPIServiceName NAME from HOST:PORT (repeatable)',
      collect,
      [],
    )
    .option(PLUGIN_DIR_FLAG.flags, PLUGIN_DIR_FLAG.description, collect, [])
    .option(WORKERS_FLAG.flags, WORKERS_FLAG.description, WORKERS_FLAG.parse);
  addObservabilityFlags(command).action(runUp);
}

async function runUp(o: UpOptions & ObservabilityFlags): Promise<void> {
  const stateDir = resolve(o.stateDir);
  const pluginDirs = resolvePluginDirs(o.pluginDir); // a wrong --plugin-dir stops the start before anything binds
  const log = (line: string) => process.stderr.write(line + '\n');
  const api = await startEmbeddedApi({
    stateDir,
    apiPort: o.apiPort,
    manifests: o.file,
    log: (line) => process.stdout.write(line + '\n'),
  });
  process.stdout.write(`API listening on ${api.url}\n`);
  process.stdout.write(`kubeconfig: ${api.kubeconfigPath}\n`);
  if (o.kubeconfigMerge) mergeContext(api.kubeconfigPath);
  if (o.apiOnly) {
    await untilSignal(() => api.close());
    return;
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(api.kubeconfigPath);
  const node = await runNode({
    kubeConfig,
    address: o.address,
    portOffset: o.portOffset ?? 'unprivileged',
    adminPort: o.adminPort,
    adminAddress: '127.0.0.1',
    cacheDir: wasmCacheDir(stateDir),
    writeStatus: true,
    googleApiServices: parseGoogleApiServices(o.googleApiService),
    insecureRegistries: o.insecureRegistry,
    pluginDirs,
    ...(o.registrySecret ? { registrySecret: o.registrySecret } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    log,
    observability: observabilityFromFlags(o),
  });
  process.stdout.write(`admin: http://127.0.0.1:${node.admin.port}/ (dashboard, /metrics, /readyz)\n`);
  await untilSignal(async () => {
    await node.close();
    await api.close();
  });
}

/** Adds the context to the user's kubeconfig and makes it current; a failure is a warning, not a stop. */
function mergeContext(kubeconfigPath: string): void {
  const target = userKubeconfigPath();
  try {
    mergeKubeconfig(kubeconfigPath, target);
    process.stdout.write(
      `kubectl: context "${CONTEXT_NAME}" merged into ${target} and made current (--no-kubeconfig-merge to leave it alone)\n`,
    );
  } catch (err) {
    // The API serves anyway; kubectl can still be pointed at the state dir's kubeconfig.
    process.stderr.write(
      `warning: cannot merge the context "${CONTEXT_NAME}" into ${target}: ${(err as Error).message}; ` +
        `use kubectl --kubeconfig ${kubeconfigPath}\n`,
    );
  }
}
