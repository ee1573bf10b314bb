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
import { CalloutProblems } from './callout-problems.js';
import { LEASE_NAME, REFUSAL_RETRY_MS, WASM_READY_WAIT_MS } from './config.js';
import { EventRecorder } from './events.js';
import type { ControllerLog, SnapshotFeedback, SnapshotSink } from './feedback.js';
import { KubeRest } from './kube/rest.js';
import { LeaderElector } from './leader.js';
import { OnceLog } from './once-log.js';
import { ResourceProvider } from './provider.js';
import { Readiness } from './readiness.js';
import { RefusalBook } from './refusal-book.js';
import { SnapshotEmitter } from './snapshot-emitter.js';
import { StatusPump } from './status-pump.js';
import { StatusWriter } from './status-writer.js';
import { translate, type Translation } from './translator/translate.js';
import type { PortOffset } from './translator/listener-ports.js';
import { WasmImageStage, type WasmImageResolver } from './wasm-images.js';

export type { WasmImageResolver } from './wasm-images.js';
export type { ControllerLog, SnapshotFeedback, SnapshotSink } from './feedback.js';

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
  onSnapshot: SnapshotSink;
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
  const controller = new RunningController(opts);
  controller.start();
  return controller;
}

/**
 * The parts wired together: the provider's changes trigger a translation; its snapshot goes through the
 * emitter to the data plane, whose answer feeds the refusal book and the callout problems (and so the next
 * translation); its statuses go through the pump; readiness follows the first translations.
 */
class RunningController implements Controller {
  private readonly log: ControllerLog;
  private readonly identity: string;
  private readonly rest: KubeRest;
  private readonly recorder: EventRecorder;
  private readonly provider: ResourceProvider;
  private readonly wasmStage: WasmImageStage;
  private readonly elector: LeaderElector | undefined;
  private readonly refusals: RefusalBook;
  private readonly calloutProblems = new CalloutProblems();
  private readonly emitter: SnapshotEmitter;
  private readonly pump: StatusPump<Translation>;
  private readonly readiness = new Readiness(WASM_READY_WAIT_MS);
  private readonly errorLog: OnceLog;
  private last: Translation | undefined;
  private closed = false;

  constructor(private readonly opts: ControllerOptions) {
    this.log = opts.log ?? consoleLog;
    this.identity = opts.identity ?? `${hostname()}_${process.pid}`;
    this.errorLog = new OnceLog((m) => this.log.warn(m));
    this.rest = new KubeRest(opts.kubeConfig);
    this.recorder = new EventRecorder(this.rest, this.identity, (m) => this.log.warn(m));
    this.provider = new ResourceProvider(opts.kubeConfig, this.rest, () => this.translateNow(), this.log);
    this.provider.onStatusOnly = () => this.pump.kick();
    this.wasmStage = new WasmImageStage(opts.wasmImages, () => this.provider.schedule());
    this.refusals = new RefusalBook(opts.refusalRetryMs ?? REFUSAL_RETRY_MS, () => this.provider.schedule());
    this.emitter = new SnapshotEmitter(opts.onSnapshot, (f) => this.feedback(f), this.log);
    const writer = new StatusWriter(
      this.rest,
      (field, ns, name) => this.provider.get(field, ns, name),
      this.recorder,
      (m) => this.log.warn(`status: ${m}`),
    );
    this.pump = new StatusPump(
      () => this.last,
      () => this.maySetStatus(),
      (t) => writer.write(t.statuses, this.provider.resources()),
    );
    this.elector = opts.writeStatus === 'leader-election' ? this.leaderElector() : undefined;
  }

  start(): void {
    this.provider.start();
    this.elector?.start();
  }

  get snapshot(): Snapshot | undefined {
    return this.emitter.snapshot;
  }

  get translation(): Translation | undefined {
    return this.last;
  }

  synced(): Promise<void> {
    return this.readiness.synced;
  }

  resources(): ResourceSet {
    return this.provider.resources();
  }

  async events(): Promise<KubeObject[]> {
    const list = await this.rest.get<{ items: KubeObject[] }>('/api/v1/events?limit=500');
    return list.items;
  }

  isLeader(): boolean {
    return this.opts.writeStatus === true || !!this.elector?.isLeader;
  }

  feedback(f: void | SnapshotFeedback): void {
    if (this.closed || !f) return;
    if (f.calloutProblems && this.calloutProblems.replace(f.calloutProblems, this.log))
      this.provider.schedule();
    if (!this.refusals.record(f)) return;
    this.log.warn(`data plane refused ${this.refusals.describe()}; retrying in ${this.refusals.retryMs} ms`);
    this.provider.schedule();
  }

  async idle(): Promise<void> {
    await this.pump.idle();
    await this.recorder.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.readiness.close();
    this.refusals.close();
    this.wasmStage.close();
    await this.provider.close();
    await this.pump.settled();
    await this.recorder.flush();
    await this.elector?.stop();
    this.rest.close();
  }

  /** Status and Events are written by every replica, none, or only the Lease holder. */
  private maySetStatus(): boolean {
    return (
      !this.closed &&
      (this.opts.writeStatus === true ||
        (this.opts.writeStatus === 'leader-election' && !!this.elector?.isLeader))
    );
  }

  private translateNow(): void {
    if (this.closed) return;
    const resources = this.provider.resources();
    const images = this.wasmStage.update(resources);
    const lastGood = new Map(Object.entries(this.emitter.snapshot?.wasmPlugins ?? {}));
    const t = translate(
      resources,
      {
        address: this.opts.address,
        portOffset: this.opts.portOffset,
        ...(this.opts.googleApiServices ? { googleApiServices: this.opts.googleApiServices } : {}),
        ...(this.opts.gatewayClasses ? { gatewayClasses: this.opts.gatewayClasses } : {}),
        refusals: this.refusals.current(),
        calloutProblems: this.calloutProblems.current,
      },
      { images, lastGood },
      this.emitter.nextVersion,
    );
    this.last = t;
    this.errorLog.warnNew(t.errors);
    this.emitter.offer(t.snapshot);
    this.readiness.translated(this.wasmStage.pending);
    this.pump.kick();
  }

  private leaderElector(): LeaderElector {
    const { opts, identity } = this;
    return new LeaderElector(
      this.rest,
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
        this.log.info(
          leading
            ? `${identity} is the leader: writing status`
            : `${identity} is not the leader: status writes stop`,
        );
        if (leading) this.pump.kick();
      },
      (m) => this.log.warn(m),
    );
  }
}
