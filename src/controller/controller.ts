// The controller: provider (informers) → translator (pure) → snapshot for the data plane + status writer.
//
//   startController({ kubeConfig, address, portOffset, onSnapshot, writeStatus }) → Controller
//
// Every replica translates and hands each new snapshot to `onSnapshot`; status and Events are written by
// all replicas (`writeStatus: true`), none (`false`), or only the Lease holder (`'leader-election'`).

import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Snapshot } from '../ir/snapshot.js';
import type { KubeObject } from '../api/types.js';
import type { ResourceSet } from './resources.js';
import { LEASE_NAME, REFUSAL_RETRY_MS, WASM_READY_WAIT_MS } from './config.js';
import { EventRecorder } from './events.js';
import { KubeRest } from './kube/rest.js';
import { LeaderElector } from './leader.js';
import { ResourceProvider } from './provider.js';
import { StatusWriter } from './status-writer.js';
import { translate, type Translation } from './translator/translate.js';
import type { PortOffset } from './translator/listener-ports.js';
import { WasmImageStage, type WasmImageResolver } from './wasm-images.js';

export type { WasmImageResolver } from './wasm-images.js';

export interface ControllerLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** `--address`: listeners bind here; reported in Gateway `status.addresses` (0.0.0.0 → 127.0.0.1). */
  address: string;
  /** `--port-offset`: listener port P binds P + offset (translator/listener-ports.ts). */
  portOffset: PortOffset;
  /**
   * Called with every new snapshot (never twice with the same content). May resolve to what the data plane
   * could not serve: those ports/listeners are reported (Programmed=False) and left out of the following
   * snapshots for `refusalRetryMs`, then tried again.
   */
  onSnapshot(s: Snapshot): void | Promise<void | SnapshotFeedback>;
  writeStatus: boolean | 'leader-election';
  /** Lease holderIdentity; default `<hostname>_<pid>`. */
  identity?: string;
  wasmImages?: WasmImageResolver;
  /** googleAPIServiceName → `host:port` of a local stand-in (e.g. a fake Model Armor). */
  googleApiServices?: Record<string, string>;
  /** Only Gateways of these classes (serve's `--gateway-class`); default every class of networking.gke.io/gateway. */
  gatewayClasses?: string[];
  /** Namespace of the leadership Lease (default `default`, which every cluster and the embedded API have). */
  leaseNamespace?: string;
  /** Lease timings (tests shorten them). */
  leaseDurationSeconds?: number;
  leaseRenewMs?: number;
  log?: ControllerLog;
  /** How long a refused port/listener stays out of the snapshot before it is tried again (default 10 s). */
  refusalRetryMs?: number;
}

/** The data plane's answer to a snapshot: what it could not serve, and why. */
export interface SnapshotFeedback {
  /** Bound port → error (e.g. `listen EADDRINUSE 127.0.0.1:8080`). */
  readonly portErrors?: Readonly<Record<number, string>>;
  /** Listener id (`ns/gateway/listener`) → error (e.g. an unusable certificate). */
  readonly listenerErrors?: Readonly<Record<string, string>>;
  /**
   * Extension id (IR `id`) → why its callout cannot be connected to, with the fix. The whole current set:
   * an extension missing here has recovered. Arrives between snapshots (Controller.feedback).
   */
  readonly calloutProblems?: Readonly<Record<string, string>>;
}

export interface Controller {
  /** What the data plane found out after the snapshot was applied (e.g. callouts it cannot reach). */
  feedback(f: SnapshotFeedback): void;
  /** Resolves after the first full sync: every kind listed, the first snapshot emitted (readiness). */
  synced(): Promise<void>;
  /** The last snapshot handed to onSnapshot. */
  readonly snapshot: Snapshot | undefined;
  /** The last translation (snapshot + desired statuses), for the dashboard and tests. */
  readonly translation: Translation | undefined;
  /** The objects the controller watches, as its cache holds them (with their status), for the dashboard. */
  resources(): ResourceSet;
  /** core/v1 Events, listed from the API on demand (the controller does not watch them), for the dashboard. */
  events(): Promise<KubeObject[]>;
  isLeader(): boolean;
  /** Resolves when pending status writes and events are done (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const consoleLog: ControllerLog = {
  info: (m) => process.stderr.write(`controller: ${m}\n`),
  warn: (m) => process.stderr.write(`controller: warning: ${m}\n`),
};

export async function startController(opts: ControllerOptions): Promise<Controller> {
  const log = opts.log ?? consoleLog;
  const identity = opts.identity ?? `${hostname()}_${process.pid}`;
  const rest = new KubeRest(opts.kubeConfig);
  const events = new EventRecorder(rest, identity, (m) => log.warn(m));

  let version = 0;
  let lastJson = '';
  let snapshot: Snapshot | undefined;
  let translation: Translation | undefined;
  let closed = false;
  let syncedResolve!: () => void;
  const syncedPromise = new Promise<void>((r) => (syncedResolve = r));
  let firstEmitted = false;
  let wasmWait: NodeJS.Timeout | undefined;
  const loggedErrors = new Set<string>();

  // Status writes run one pass at a time; a translation during a pass marks it dirty for one more pass.
  let writing: Promise<void> | undefined;
  let dirty = false;
  const canWrite = () =>
    !closed && (opts.writeStatus === true || (opts.writeStatus === 'leader-election' && !!elector?.isLeader));
  const writeStatuses = (): void => {
    if (!canWrite() || !translation) return;
    if (writing) {
      dirty = true;
      return;
    }
    writing = (async () => {
      do {
        dirty = false;
        const t = translation;
        if (!t || !canWrite()) break;
        await writer.write(t.statuses, provider.resources());
      } while (dirty && canWrite());
    })().finally(() => {
      writing = undefined;
    });
  };

  // Ports/listeners the data plane refused, with when: out of the snapshot until the retry time passes.
  const refusedPorts = new Map<number, { error: string; at: number }>();
  const refusedListeners = new Map<string, { error: string; at: number }>();
  const retryMs = opts.refusalRetryMs ?? REFUSAL_RETRY_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  // Callouts the data plane cannot connect to: reported on their extensions until the data plane says otherwise.
  let calloutProblems = new Map<string, string>();
  const refused = (feedback: void | SnapshotFeedback): void => {
    if (closed || !feedback) return;
    if (feedback.calloutProblems) {
      const next = new Map(Object.entries(feedback.calloutProblems));
      const changed =
        next.size !== calloutProblems.size || [...next].some(([id, m]) => calloutProblems.get(id) !== m);
      calloutProblems = next;
      if (changed) {
        for (const [id, m] of next) log.warn(`callout of ${id}: ${m}`);
        provider.schedule();
      }
    }
    const now = Date.now();
    let any = false;
    for (const [port, error] of Object.entries(feedback.portErrors ?? {})) {
      refusedPorts.set(Number(port), { error, at: now });
      any = true;
    }
    for (const [id, error] of Object.entries(feedback.listenerErrors ?? {})) {
      refusedListeners.set(id, { error, at: now });
      any = true;
    }
    if (!any) return;
    log.warn(
      `data plane refused ${[...refusedPorts.keys()]
        .map((p) => `port ${p}`)
        .concat([...refusedListeners.keys()])
        .join(', ')}; retrying in ${retryMs} ms`,
    );
    provider.schedule();
    armRetry(retryMs);
  };
  // Refusals expire after retryMs; the timer re-arms while any remain, so none can be left behind by a timer
  // that fired a millisecond before Date.now() says it is due.
  const armRetry = (delayMs: number): void => {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (closed) return;
      const now = Date.now();
      let next = Infinity;
      for (const refusals of [refusedPorts, refusedListeners] as Array<Map<unknown, { at: number }>>) {
        for (const [k, v] of refusals) {
          const due = v.at + retryMs - now;
          if (due <= 0) refusals.delete(k);
          else next = Math.min(next, due);
        }
      }
      provider.schedule();
      if (next !== Infinity) armRetry(next);
    }, delayMs);
    retryTimer.unref();
  };

  const run = (): void => {
    if (closed) return;
    const resources = provider.resources();
    const images = wasmStage.update(resources);
    const lastGood = new Map(Object.entries(snapshot?.wasmPlugins ?? {}));
    const t = translate(
      resources,
      {
        address: opts.address,
        portOffset: opts.portOffset,
        ...(opts.googleApiServices ? { googleApiServices: opts.googleApiServices } : {}),
        ...(opts.gatewayClasses ? { gatewayClasses: opts.gatewayClasses } : {}),
        refusals: {
          ports: new Map([...refusedPorts].map(([k, v]) => [k, v.error])),
          listeners: new Map([...refusedListeners].map(([k, v]) => [k, v.error])),
        },
        calloutProblems,
      },
      { images, lastGood },
      version + 1,
    );
    translation = t;
    for (const e of t.errors) {
      if (loggedErrors.has(e)) continue;
      if (loggedErrors.size > 1000) loggedErrors.clear();
      loggedErrors.add(e);
      log.warn(e);
    }
    // Only a changed configuration becomes a new snapshot; status-only churn does not reach the data plane.
    const json = JSON.stringify({ ports: t.snapshot.ports, wasmPlugins: t.snapshot.wasmPlugins });
    if (json !== lastJson) {
      lastJson = json;
      version++;
      snapshot = Object.freeze(t.snapshot);
      try {
        const feedback = opts.onSnapshot(snapshot);
        if (feedback && typeof feedback.then === 'function') {
          feedback.then(refused, (err: unknown) =>
            log.warn(`onSnapshot failed: ${err instanceof Error ? err.message : String(err)}`),
          );
        }
      } catch (err) {
        log.warn(`onSnapshot failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!firstEmitted) {
      if (!wasmStage.pending) {
        firstEmitted = true;
        if (wasmWait) clearTimeout(wasmWait);
        syncedResolve();
      } else if (!wasmWait) {
        // Wait for the first Wasm pulls so a plugin is served from the start, but not forever: a registry
        // that does not answer must not keep the whole gateway unready.
        wasmWait = setTimeout(() => {
          firstEmitted = true;
          syncedResolve();
        }, WASM_READY_WAIT_MS);
        wasmWait.unref();
      }
    }
    writeStatuses();
  };

  const provider = new ResourceProvider(opts.kubeConfig, rest, run, log);
  provider.onStatusOnly = () => writeStatuses();
  const wasmStage = new WasmImageStage(opts.wasmImages, () => provider.schedule());
  const writer = new StatusWriter(
    rest,
    (field, ns, name) => provider.get(field, ns, name),
    events,
    (m) => log.warn(`status: ${m}`),
  );
  const elector =
    opts.writeStatus === 'leader-election'
      ? new LeaderElector(
          rest,
          {
            namespace: opts.leaseNamespace ?? 'default',
            name: LEASE_NAME,
            identity,
            ...(opts.leaseDurationSeconds !== undefined
              ? { leaseDurationSeconds: opts.leaseDurationSeconds }
              : {}),
            ...(opts.leaseRenewMs !== undefined ? { renewMs: opts.leaseRenewMs } : {}),
          },
          (leading) => {
            log.info(
              leading
                ? `${identity} is the leader: writing status`
                : `${identity} is not the leader: status writes stop`,
            );
            if (leading) writeStatuses();
          },
          (m) => log.warn(m),
        )
      : undefined;

  provider.start();
  elector?.start();

  return {
    feedback: refused,
    synced: () => syncedPromise,
    get snapshot() {
      return snapshot;
    },
    get translation() {
      return translation;
    },
    resources: () => provider.resources(),
    async events() {
      const list = await rest.get<{ items: KubeObject[] }>('/api/v1/events?limit=500');
      return list.items;
    },
    isLeader: () => opts.writeStatus === true || !!elector?.isLeader,
    async idle() {
      while (writing) await writing;
      await events.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (wasmWait) clearTimeout(wasmWait);
      if (retryTimer) clearTimeout(retryTimer);
      wasmStage.close();
      await provider.close();
      if (writing) await writing.catch(() => undefined);
      await events.flush();
      await elector?.stop();
      rest.close();
    },
  };
}
