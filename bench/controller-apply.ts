// apply → Programmed latency: create a GCPTrafficExtension through the embedded API and time until its
// ancestor status says Programmed=True (what `kubectl wait` would see), with 0 and 1,000 HTTPRoutes present.
// Run: npx tsc -p . && node dist/bench/controller-apply.js [--samples 50]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { startController } from '../src/controller/controller.js';
import { KubeRest } from '../src/controller/kube/rest.js';

type StartApiServer = (opts: {
  stateDir: string;
  port: number;
  admit?: unknown;
}) => Promise<{ kubeconfigPath: string; close(): Promise<void> }>;
const API_SERVER_MODULE = '../src/apiserver/server.js';
const ADMISSION_MODULE = '../src/api/admission.js';

const GW = '/apis/gateway.networking.k8s.io/v1/namespaces/default';
const GKE = '/apis/networking.gke.io/v1/namespaces/default';

async function scenario(
  start: StartApiServer,
  admit: unknown,
  routes: number,
  samples: number,
): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'extgate-bench-'));
  const api = await start({ stateDir: dir, port: 0, ...(admit ? { admit } : {}) });
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  const rest = new KubeRest(kc);
  const controller = await startController({
    kubeConfig: kc,
    address: '127.0.0.1',
    portOffset: 20000,
    writeStatus: true,
    onSnapshot: () => undefined,
    log: { info: () => undefined, warn: () => undefined },
  });
  try {
    await controller.synced();
    await rest.create(`${GW}/gateways`, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw' },
      spec: { gatewayClassName: 'gke-l7-rilb', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
    });
    await rest.create('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'callout' },
      spec: { ports: [{ port: 443, appProtocol: 'HTTP2' }] },
    });
    await rest.create('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'callout-1', labels: { 'kubernetes.io/service-name': 'callout' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'] }],
      ports: [{ port: 18443 }],
    });
    for (let i = 0; i < routes; i++) {
      await rest.create(`${GW}/httproutes`, {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: `r-${i}` },
        spec: {
          parentRefs: [{ name: 'gw' }],
          hostnames: [`app-${i}.example.com`],
          rules: [{ backendRefs: [{ name: 'callout', port: 443 }] }],
        },
      });
    }
    await waitIdle(controller, routes);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const name = `ext-${i}`;
      const programmed = waitProgrammed(kc, name);
      const t0 = performance.now();
      await rest.create(`${GKE}/gcptrafficextensions`, {
        apiVersion: 'networking.gke.io/v1',
        kind: 'GCPTrafficExtension',
        metadata: { name },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }],
          extensionChains: [
            {
              name: 'c',
              extensions: [
                {
                  name: 'e',
                  authority: 'a.example',
                  supportedEvents: ['RequestHeaders'],
                  backendRef: { group: '', kind: 'Service', name: 'callout', port: 443 },
                },
              ],
            },
          ],
        },
      });
      await programmed.done;
      latencies.push(performance.now() - t0);
      programmed.stop();
    }
    return latencies;
  } finally {
    await controller.close();
    rest.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitIdle(
  controller: Awaited<ReturnType<typeof startController>>,
  routes: number,
): Promise<void> {
  for (;;) {
    const n = controller.snapshot?.ports[0]?.listeners[0]?.routes.length ?? 0;
    if (n >= routes) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await controller.idle();
}

function waitProgrammed(kc: KubeConfig, name: string): { done: Promise<void>; stop(): void } {
  let abort: AbortController | undefined;
  let stopped = false;
  const done = new Promise<void>((resolve, reject) => {
    void new Watch(kc)
      .watch(
        `${GKE}/gcptrafficextensions`,
        { fieldSelector: `metadata.name=${name}` },
        (
          _type,
          obj: { status?: { ancestors?: Array<{ conditions?: Array<{ type: string; status: string }> }> } },
        ) => {
          if (
            obj.status?.ancestors?.[0]?.conditions?.some(
              (c) => c.type === 'Programmed' && c.status === 'True',
            )
          )
            resolve();
        },
        (err: unknown) => {
          if (!stopped && err) reject(err instanceof Error ? err : new Error(String(err)));
        },
      )
      .then((a) => (abort = a));
  });
  return {
    done,
    stop: () => {
      stopped = true;
      abort?.abort();
    },
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  let start: StartApiServer | undefined;
  try {
    start = ((await import(API_SERVER_MODULE)) as { startApiServer?: StartApiServer }).startApiServer;
  } catch {
    start = undefined;
  }
  if (!start) {
    console.log('src/apiserver is not on this branch yet: nothing to measure');
    return;
  }
  let admit: unknown;
  try {
    admit = ((await import(ADMISSION_MODULE)) as { admit?: unknown }).admit;
  } catch {
    admit = undefined;
  }
  const i = process.argv.indexOf('--samples');
  const samples = i >= 0 ? Number(process.argv[i + 1]) : 50;
  console.log('HTTPRoutes present   samples   median ms   p99 ms   max ms');
  for (const routes of [0, 1000]) {
    const l = (await scenario(start, admit, routes, samples)).sort((a, b) => a - b);
    console.log(
      `${String(routes).padStart(18)}   ${String(l.length).padStart(7)}   ${pct(l, 50).toFixed(1).padStart(9)}   ${pct(l, 99).toFixed(1).padStart(6)}   ${(l[l.length - 1] ?? NaN).toFixed(1).padStart(6)}`,
    );
  }
}

await main();
