// The status writer: desired statuses (from the translator) → the API, only where they differ from what
// is stored, through the status subresource with optimistic concurrency (409 → re-read and retry). Also
// the Gateway's `networking.gke.io/*` annotations and finalizer, and the Events the seed shows (docs/spec/README.md).

import type { KubeObject } from '../api/types.js';
import {
  CONTROLLER_NAME,
  GATEWAY_ANNOTATIONS,
  GATEWAY_FINALIZER,
  STATUS_CONFLICT_RETRIES,
} from './config.js';
import type { EventRecorder } from './events.js';
import { type PendingEvent, policyEvents } from './status-events.js';
import { deepEqual, sameConditions, sameRef, stripTimes, withTransitionTimes } from './status-compare.js';
import { KubeApiError, type KubeRest } from './kube/rest.js';
import type { Condition, PolicyAncestorStatus, ResourceSet, RouteParentStatus } from './resources.js';
import type { PolicyReport } from './translator/extensions.js';
import type { DesiredStatuses, GatewayReport } from './translator/translate.js';
import type { GatewayClassReport } from './translator/gateways.js';
import type { RouteReport } from './translator/routes.js';

interface Target {
  readonly field: keyof ResourceSet;
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const TARGETS = {
  GatewayClass: {
    field: 'gatewayClasses',
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    plural: 'gatewayclasses',
    namespaced: false,
  },
  Gateway: {
    field: 'gateways',
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    plural: 'gateways',
    namespaced: true,
  },
  HTTPRoute: {
    field: 'httpRoutes',
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    plural: 'httproutes',
    namespaced: true,
  },
  GCPRoutingExtension: {
    field: 'routingExtensions',
    apiVersion: 'networking.gke.io/v1',
    kind: 'GCPRoutingExtension',
    plural: 'gcproutingextensions',
    namespaced: true,
  },
  GCPTrafficExtension: {
    field: 'trafficExtensions',
    apiVersion: 'networking.gke.io/v1',
    kind: 'GCPTrafficExtension',
    plural: 'gcptrafficextensions',
    namespaced: true,
  },
  GCPWasmPlugin: {
    field: 'wasmPlugins',
    apiVersion: 'networking.gke.io/v1',
    kind: 'GCPWasmPlugin',
    plural: 'gcpwasmplugins',
    namespaced: true,
  },
} as const satisfies Record<string, Target>;

export type CachedObject = (
  field: keyof ResourceSet,
  namespace: string | undefined,
  name: string,
) => KubeObject | undefined;

const WRITE_CONCURRENCY = 8;

export class StatusWriter {
  /** Per object: the resourceVersion at which it already matched this report (no write needed). */
  private readonly verified = new Map<string, { rv: string; report: string }>();

  constructor(
    private readonly rest: KubeRest,
    private readonly cached: CachedObject,
    private readonly events: EventRecorder,
    private readonly onError: (msg: string) => void,
    private readonly now: () => string = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  ) {}

  /** Writes every difference; returns how many objects were written. Never throws. */
  async write(statuses: DesiredStatuses, resources: ResourceSet): Promise<number> {
    return this.run([...this.statusJobs(statuses), ...this.finalizerJobs(resources)]);
  }

  /** One job per object whose status differs from the report, extensions first (what users wait on). */
  private statusJobs(statuses: DesiredStatuses): Array<() => Promise<boolean>> {
    const jobs: Array<() => Promise<boolean>> = [];
    const live = new Set<string>();
    const add = (kind: keyof typeof TARGETS, key: string, report: unknown, job: () => Promise<boolean>) => {
      live.add(`${kind}/${key}`);
      const target = TARGETS[kind];
      const [ns, name] = target.namespaced ? splitKey(key) : [undefined, key];
      if (this.unchanged(`${kind}/${key}`, report, target.field, ns, name)) return;
      jobs.push(async () => {
        const wrote = await job();
        // Remember what the object (as now cached) was verified against, to skip it next pass.
        const rv = this.cached(target.field, ns, name)?.metadata.resourceVersion;
        if (!wrote && rv !== undefined)
          this.verified.set(`${kind}/${key}`, { rv, report: JSON.stringify(report) });
        return wrote;
      });
    };
    for (const r of statuses.policies) add(r.kind, r.key, r, () => this.policy(r));
    for (const r of statuses.gateways) add('Gateway', r.key, r, () => this.gateway(r));
    for (const r of statuses.gatewayClasses) add('GatewayClass', r.name, r, () => this.gatewayClass(r));
    for (const r of statuses.httpRoutes) add('HTTPRoute', r.key, r, () => this.route(r));
    for (const k of this.verified.keys()) if (!live.has(k)) this.verified.delete(k);
    return jobs;
  }

  /** Whether the cached object is the one this report was last verified against (nothing to write). */
  private unchanged(
    memoKey: string,
    report: unknown,
    field: keyof ResourceSet,
    ns: string | undefined,
    name: string,
  ): boolean {
    const rv = this.cached(field, ns, name)?.metadata.resourceVersion;
    const memo = this.verified.get(memoKey);
    return rv !== undefined && memo !== undefined && memo.rv === rv && memo.report === JSON.stringify(report);
  }

  /**
   * Our finalizer comes off when the Gateway is being deleted, or when it moved to a class that is not
   * ours (otherwise its deletion would wait for us forever).
   */
  private finalizerJobs(resources: ResourceSet): Array<() => Promise<boolean>> {
    const ourClasses = new Set(
      resources.gatewayClasses
        .filter((c) => c.spec?.controllerName === CONTROLLER_NAME)
        .map((c) => c.metadata.name),
    );
    return resources.gateways
      .filter((g) => g.metadata.finalizers?.includes(GATEWAY_FINALIZER))
      .filter((g) => g.metadata.deletionTimestamp || !ourClasses.has(g.spec?.gatewayClassName ?? ''))
      .map((g) => () => this.releaseGateway(g));
  }

  /** Runs the jobs WRITE_CONCURRENCY at a time, in order; a failed job is reported and the rest go on. */
  private async run(jobs: ReadonlyArray<() => Promise<boolean>>): Promise<number> {
    let written = 0;
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        try {
          if (job && (await job())) written++;
        } catch (err) {
          this.onError(err instanceof Error ? err.message : String(err));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, jobs.length) }, worker));
    return written;
  }

  private gatewayClass(r: GatewayClassReport): Promise<boolean> {
    return this.updateStatus(TARGETS.GatewayClass, undefined, r.name, undefined, (obj) => {
      const status = (obj.status ?? {}) as { conditions?: Condition[] };
      const ours = new Set(r.conditions.map((c) => c.type));
      const conditions = [
        ...(status.conditions ?? []).filter((c) => !ours.has(c.type)),
        ...withTransitionTimes(r.conditions, status.conditions, this.now()),
      ];
      return { status: { ...status, conditions }, events: [] };
    });
  }

  private async gateway(r: GatewayReport): Promise<boolean> {
    const [ns, name] = splitKey(r.key);
    const patched = await this.gatewayMetadata(r, ns, name);
    const statusWritten = await this.updateStatus(TARGETS.Gateway, ns, name, patched, (obj) => {
      const old = (obj.status ?? {}) as {
        conditions?: Condition[];
        listeners?: Array<{ name: string; conditions?: Condition[] }>;
      };
      const now = this.now();
      const status = {
        addresses: r.status.addresses,
        conditions: withTransitionTimes(r.status.conditions ?? [], old.conditions, now),
        listeners: (r.status.listeners ?? []).map((l) => ({
          ...l,
          conditions: withTransitionTimes(
            l.conditions,
            old.listeners?.find((o) => o.name === l.name)?.conditions,
            now,
          ),
        })),
      };
      const programmed = r.status.conditions?.find((c) => c.type === 'Programmed');
      const events: PendingEvent[] =
        programmed?.status === 'True'
          ? [{ type: 'Normal', reason: 'SYNC', message: `SYNC on ${r.key} was a success` }]
          : [
              {
                type: 'Warning',
                reason: 'SYNC',
                message: `SYNC on ${r.key} failed: ${programmed?.message ?? 'not programmed'}`,
              },
            ];
      return { status, events };
    });
    return patched !== undefined || statusWritten;
  }

  /** Annotations and finalizer, in one merge patch guarded by resourceVersion; returns the patched object. */
  private async gatewayMetadata(r: GatewayReport, ns: string, name: string): Promise<KubeObject | undefined> {
    const path = objectPath(TARGETS.Gateway, ns, name);
    let obj = this.cached('gateways', ns, name);
    for (let attempt = 0; obj && attempt <= STATUS_CONFLICT_RETRIES; attempt++) {
      const annotations = obj.metadata.annotations ?? {};
      const finalizers = obj.metadata.finalizers ?? [];
      const first = !finalizers.includes(GATEWAY_FINALIZER);
      const changed = Object.entries(r.annotations).some(([k, v]) => annotations[k] !== v);
      if (!first && !changed && annotations[GATEWAY_ANNOTATIONS.lastReconcileTime]) return undefined;
      try {
        const patched = await this.rest.patch<KubeObject>(path, {
          metadata: {
            resourceVersion: obj.metadata.resourceVersion,
            annotations: { ...r.annotations, [GATEWAY_ANNOTATIONS.lastReconcileTime]: this.now() },
            finalizers: first ? [...finalizers, GATEWAY_FINALIZER] : finalizers,
          },
        });
        if (first) this.events.record(involved(TARGETS.Gateway, obj), 'Normal', 'ADD', r.key);
        return patched;
      } catch (err) {
        obj = await this.reread(err, path);
      }
    }
    return undefined;
  }

  private async releaseGateway(g: KubeObject): Promise<boolean> {
    const ns = g.metadata.namespace ?? '';
    const name = g.metadata.name ?? '';
    const path = objectPath(TARGETS.Gateway, ns, name);
    let obj: KubeObject | undefined = g;
    for (let attempt = 0; obj && attempt <= STATUS_CONFLICT_RETRIES; attempt++) {
      const finalizers = obj.metadata.finalizers ?? [];
      if (!finalizers.includes(GATEWAY_FINALIZER)) return false;
      try {
        await this.rest.patch(path, {
          metadata: {
            resourceVersion: obj.metadata.resourceVersion,
            finalizers: finalizers.filter((f) => f !== GATEWAY_FINALIZER),
          },
        });
        if (obj.metadata.deletionTimestamp)
          this.events.record(involved(TARGETS.Gateway, obj), 'Normal', 'DELETE', `${ns}/${name}`);
        return true;
      } catch (err) {
        obj = await this.reread(err, path);
      }
    }
    return false;
  }

  private route(r: RouteReport): Promise<boolean> {
    const [ns, name] = splitKey(r.key);
    return this.updateStatus(TARGETS.HTTPRoute, ns, name, undefined, (obj) => {
      const old = ((obj.status ?? {}) as { parents?: RouteParentStatus[] }).parents ?? [];
      const ourOld = old.filter((p) => p.controllerName === CONTROLLER_NAME);
      const now = this.now();
      const parents = [
        ...old.filter((p) => p.controllerName !== CONTROLLER_NAME),
        ...r.parents.map((p) => ({
          ...p,
          conditions: withTransitionTimes(
            p.conditions,
            ourOld.find((o) => sameRef(o.parentRef, p.parentRef))?.conditions,
            now,
          ),
        })),
      ];
      const events: PendingEvent[] = [];
      if (ourOld.length === 0 && r.parents.length > 0)
        events.push({ type: 'Normal', reason: 'ADD', message: r.key });
      const rejected = r.parents.flatMap((p) => p.conditions.filter((c) => c.status !== 'True'));
      if (rejected.length === 0)
        events.push({ type: 'Normal', reason: 'SYNC', message: `SYNC on ${r.key} was a success` });
      else
        events.push({
          type: 'Warning',
          reason: 'SYNC',
          message: `SYNC on ${r.key} failed: ${rejected.map((c) => `${c.type}=${c.reason}: ${c.message}`).join('; ')}`,
        });
      return { status: { ...((obj.status ?? {}) as object), parents }, events };
    });
  }

  private policy(r: PolicyReport): Promise<boolean> {
    const [ns, name] = splitKey(r.key);
    return this.updateStatus(TARGETS[r.kind], ns, name, undefined, (obj) => {
      const old = ((obj.status ?? {}) as { ancestors?: PolicyAncestorStatus[] }).ancestors ?? [];
      const ourOld = old.filter((a) => a.controllerName === CONTROLLER_NAME);
      const now = this.now();
      const events: PendingEvent[] = [];
      if (ourOld.length === 0 && r.ancestors.length > 0)
        events.push({ type: 'Normal', reason: 'ADD', message: r.key });
      const ancestors = [
        ...old.filter((a) => a.controllerName !== CONTROLLER_NAME),
        ...r.ancestors.map((a) => {
          const prev = ourOld.find((o) => sameRef(o.ancestorRef, a.ancestorRef));
          if (!prev || !sameConditions(prev.conditions, a.conditions))
            events.push(...policyEvents(r, a, prev?.conditions));
          return { ...a, conditions: withTransitionTimes(a.conditions, prev?.conditions, now) };
        }),
      ];
      return { status: { ...((obj.status ?? {}) as object), ancestors }, events };
    });
  }

  /**
   * Read-compare-write of one object's status. `compute` returns the full new status; nothing is written
   * when it equals the stored one (no flapping, no watch event). 409 → re-read, recompute, retry.
   */
  private async updateStatus(
    target: Target,
    ns: string | undefined,
    name: string,
    fresh: KubeObject | undefined,
    compute: (obj: KubeObject) => { status: unknown; events: PendingEvent[] },
  ): Promise<boolean> {
    const path = objectPath(target, ns, name);
    let obj = fresh ?? this.cached(target.field, target.namespaced ? ns : undefined, name);
    for (let attempt = 0; obj && attempt <= STATUS_CONFLICT_RETRIES; attempt++) {
      const next = compute(obj);
      if (deepEqual(stripTimes(next.status), stripTimes(obj.status ?? {}))) return false;
      try {
        await this.rest.replace(`${path}/status`, { ...obj, status: next.status });
        for (const e of next.events) this.events.record(involved(target, obj), e.type, e.reason, e.message);
        return true;
      } catch (err) {
        obj = await this.reread(err, path);
      }
    }
    return false;
  }

  /** After a failed write: 409 → the fresh object; 404 → gone (undefined); anything else → thrown. */
  private async reread(err: unknown, path: string): Promise<KubeObject | undefined> {
    if (err instanceof KubeApiError && err.status === 409) {
      try {
        return await this.rest.get<KubeObject>(path);
      } catch (e) {
        if (e instanceof KubeApiError && e.status === 404) return undefined;
        throw e;
      }
    }
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

function involved(target: Target, obj: KubeObject) {
  return {
    apiVersion: target.apiVersion,
    kind: target.kind,
    name: obj.metadata.name ?? '',
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
  };
}

function objectPath(target: Target, ns: string | undefined, name: string): string {
  const base = `/apis/${target.apiVersion}`;
  return target.namespaced
    ? `${base}/namespaces/${ns ?? 'default'}/${target.plural}/${name}`
    : `${base}/${target.plural}/${name}`;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
