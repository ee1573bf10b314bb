// Runs the controller, the gateway node and the admin port against one Kubernetes API. `extgate up` calls it
// after starting the embedded API; `extgate serve` calls it with the cluster's kubeconfig.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import { startController, type Controller } from '../controller/controller.js';
import type { PortOffset } from '../controller/translator/listener-ports.js';
import { credentialsFromSecretData, loadDockerCredentials } from '../extensions/wasm/oci/credentials.js';
import type { RegistryCredentials } from '../extensions/wasm/oci/registry.js';
import { privateDir, privateTree } from '../apiserver/private-files.js';
import { resolvePluginDirs } from '../extensions/wasm/oci/plugin-files.js';
import { WasmImageResolver } from '../extensions/wasm/oci/resolver.js';
import { EMPTY_SNAPSHOT, type Snapshot } from '../ir/snapshot.js';
import { startGateway, type Gateway } from './gateway.js';
import type { ObservabilityOptions } from '../admin/observability.js';
import { dashboardObjects } from '../admin/dashboard.js';

export interface NodeOptions {
  kubeConfig: KubeConfig;
  address: string;
  portOffset: PortOffset;
  adminPort: number;
  /** The admin port shows traces and config: loopback unless the operator says otherwise. */
  adminAddress: string;
  /** Wasm image cache (`<state-dir>/wasm`). */
  cacheDir: string;
  writeStatus: boolean | 'leader-election';
  leaseNamespace?: string;
  identity?: string;
  googleApiServices: Record<string, string>;
  gatewayClasses?: string[];
  insecureRegistries: string[];
  /** `--plugin-dir` values: the only directories `file://` plugin sources may name (none: no file reads). */
  pluginDirs?: readonly string[];
  /** `--registry-secret NAMESPACE/NAME`: a kubernetes.io/dockerconfigjson Secret with registry credentials. */
  registrySecret?: string;
  log: (line: string) => void;
  /** Trace buffer, access log, redaction (`--trace-buffer`, `--no-access-log`, ...). */
  observability?: ObservabilityOptions;
  /** Data-plane worker processes (`--workers`); 0 = in this process; default one per CPU. */
  workers?: number;
}

export interface RunningNode {
  readonly controller: Controller;
  readonly gateway: Gateway;
  readonly admin: AdminServer;
  readonly metrics: Registry;
  /** Stops accepting, drains in-flight requests (bounded), then stops the controller and the admin port. */
  close(): Promise<void>;
}

export async function runNode(opts: NodeOptions): Promise<RunningNode> {
  const pluginDirs = resolvePluginDirs(opts.pluginDirs ?? []);
  // Wasm modules may embed credentials: the cache is private, also when an older version left it open.
  privateDir(opts.cacheDir, opts.log);
  privateTree(opts.cacheDir, opts.log);
  const metrics = new Registry();
  let controller: Controller | undefined;
  // The data plane's callout connection problems go to the controller, which reports them on the extensions.
  let calloutProblems: Record<string, string> = {};
  const gateway = startGateway({
    metrics,
    log: opts.log,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.observability ? { observability: opts.observability } : {}),
    onCalloutProblems: (problems) => {
      calloutProblems = Object.fromEntries(problems);
      controller?.feedback({ calloutProblems });
    },
  });
  const observability = gateway.observability;
  let ready = false;
  let lastApply: Promise<void> = Promise.resolve();
  const admin = await startAdminServer({
    host: opts.adminAddress,
    port: opts.adminPort,
    isReady: () => ready,
    metrics: gateway.metrics,
    routes: [
      observability.dashboard({
        snapshot: () => gateway.snapshot ?? EMPTY_SNAPSHOT,
        resources: () => (controller ? dashboardObjects(controller.resources()) : []),
        events: () => (controller ? controller.events().catch(() => []) : []),
      }),
    ],
  });
  controller = await startController({
    kubeConfig: opts.kubeConfig,
    address: opts.address,
    portOffset: opts.portOffset,
    writeStatus: opts.writeStatus,
    googleApiServices: opts.googleApiServices,
    wasmImages: new WasmImageResolver({
      cacheDir: opts.cacheDir,
      insecureRegistries: opts.insecureRegistries,
      credentials: await registryCredentials(opts),
      pluginDirs,
    }),
    ...(opts.leaseNamespace ? { leaseNamespace: opts.leaseNamespace } : {}),
    ...(opts.identity ? { identity: opts.identity } : {}),
    ...(opts.gatewayClasses && opts.gatewayClasses.length > 0 ? { gatewayClasses: opts.gatewayClasses } : {}),
    log: { info: (m) => opts.log(`controller: ${m}`), warn: (m) => opts.log(`controller: warning: ${m}`) },
    onSnapshot: (snapshot) => {
      opts.log(describeSnapshot(snapshot));
      const started = performance.now();
      const applied = gateway.apply(snapshot).then((report) => {
        observability.metrics.snapshotProgrammed(snapshot.version, performance.now() - started);
        return report;
      });
      lastApply = applied.then(() => undefined);
      // Ports that could not be bound go back to the controller, which reports them on the listeners.
      return applied;
    },
  });
  // Ready once the controller's first full sync has been programmed into the data plane.
  const running = controller;
  if (Object.keys(calloutProblems).length > 0) running.feedback({ calloutProblems });
  void running
    .synced()
    .then(() => lastApply)
    .then(() => {
      ready = true;
    });
  return {
    controller: running,
    gateway,
    admin,
    metrics,
    async close() {
      ready = false;
      // Whatever the data plane's drain runs into, the controller and the admin port still stop.
      try {
        await gateway.close();
      } finally {
        await running.close();
        await admin.close();
      }
    },
  };
}

export function wasmCacheDir(stateDir: string): string {
  return join(stateDir, 'wasm');
}

/**
 * Registry credentials as Docker finds them (`~/.docker/config.json`), overridden by the `--registry-secret`
 * Secret. A Secret that cannot be read stops the start: pulling without the credentials the operator named
 * would fail later, per plugin, with a less clear message.
 */
async function registryCredentials(opts: NodeOptions): Promise<RegistryCredentials> {
  const fromDocker = loadDockerCredentials();
  if (!opts.registrySecret) return fromDocker;
  const [namespace, name] = opts.registrySecret.split('/');
  if (!namespace || !name)
    throw new Error(`--registry-secret "${opts.registrySecret}": expected NAMESPACE/NAME`);
  const core = opts.kubeConfig.makeApiClient(CoreV1Api);
  const secret = await core.readNamespacedSecret({ name, namespace }).catch((err: unknown) => {
    throw new Error(
      `--registry-secret ${namespace}/${name}: cannot read the Secret: ${(err as Error).message}`,
    );
  });
  return { ...fromDocker, ...credentialsFromSecretData(secret.data ?? {}, `${namespace}/${name}`) };
}

export const PLUGIN_DIR_FLAG = {
  flags: '--plugin-dir <dir>',
  description:
    'directory whose files file:// plugin images and pluginConfigURIs may name (repeatable; default: none, ' +
    'so manifests cannot make extgate read host files)',
} as const;

/** `--google-api-service NAME=HOST:PORT` values → the controller's map. */
export function parseGoogleApiServices(entries: readonly string[]): Record<string, string> {
  const services: Record<string, string> = {};
  for (const entry of entries) {
    const i = entry.indexOf('=');
    if (i <= 0 || !/:\d+$/.test(entry.slice(i + 1))) {
      throw new Error(
        `--google-api-service "${entry}": expected NAME=HOST:PORT, e.g. modelarmor.us-central1.rep.googleapis.com=127.0.0.1:9443`,
      );
    }
    services[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return services;
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
