// The provider: one informer per kind the translator reads, feeding a cache; changes are coalesced
// (DEBOUNCE_MS) into one call of `onChange`. client-node informers (1.x and 2.x alike) stop for good on any
// error other than 410 (docs/spec/kubernetes-api.md §4.6), so each one is restarted here with backoff.

import { type KubeConfig, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeObject } from '../api/types.js';
import { CONTROLLER_NAME, DEBOUNCE_MS, INFORMER_BACKOFF_MAX_MS, INFORMER_BACKOFF_MIN_MS } from './config.js';
import type { KubeRest } from './kube/rest.js';
import type { ResourceSet } from './resources.js';

interface WatchedKind {
  readonly field: keyof ResourceSet;
  readonly path: string;
  /** Kinds a cluster may lack (BackendTLSPolicy before Gateway API 1.4): a 404 counts as "synced, empty". */
  readonly optional?: boolean;
  readonly fieldSelector?: string;
}

export const WATCHED_KINDS: readonly WatchedKind[] = [
  { field: 'gatewayClasses', path: '/apis/gateway.networking.k8s.io/v1/gatewayclasses' },
  { field: 'gateways', path: '/apis/gateway.networking.k8s.io/v1/gateways' },
  { field: 'httpRoutes', path: '/apis/gateway.networking.k8s.io/v1/httproutes' },
  { field: 'referenceGrants', path: '/apis/gateway.networking.k8s.io/v1beta1/referencegrants' },
  {
    field: 'backendTLSPolicies',
    path: '/apis/gateway.networking.k8s.io/v1/backendtlspolicies',
    optional: true,
  },
  { field: 'services', path: '/api/v1/services' },
  { field: 'endpointSlices', path: '/apis/discovery.k8s.io/v1/endpointslices' },
  { field: 'endpoints', path: '/api/v1/endpoints' },
  // Only TLS Secrets matter (listener certificates); a real cluster has many others.
  { field: 'secrets', path: '/api/v1/secrets', fieldSelector: 'type=kubernetes.io/tls' },
  { field: 'configMaps', path: '/api/v1/configmaps' },
  { field: 'namespaces', path: '/api/v1/namespaces' },
  { field: 'routingExtensions', path: '/apis/networking.gke.io/v1/gcproutingextensions' },
  { field: 'trafficExtensions', path: '/apis/networking.gke.io/v1/gcptrafficextensions' },
  { field: 'wasmPlugins', path: '/apis/networking.gke.io/v1/gcpwasmplugins' },
];

export interface ProviderLog {
  warn(msg: string): void;
  info(msg: string): void;
}

interface KindState {
  readonly kind: WatchedKind;
  readonly informer: ListWatch<KubernetesObject>;
  synced: boolean;
  backoffMs: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
  failedThisAttempt: boolean;
  lastError: string | undefined;
}

export class ResourceProvider {
  private readonly kinds: KindState[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private translateDue = false;
  /** uid → what the translator reads of it (see remember()). */
  private readonly inputs = new Map<string, string>();
  /** Called instead of onChange when only status changed: the writer re-checks, no translation. */
  onStatusOnly: (() => void) | undefined;
  private closed = false;
  private syncedResolve!: () => void;
  /** Resolves once every kind has been listed once. */
  readonly synced: Promise<void> = new Promise((r) => (this.syncedResolve = r));

  constructor(
    kubeConfig: KubeConfig,
    private readonly rest: KubeRest,
    private readonly onChange: () => void,
    private readonly log: ProviderLog,
  ) {
    const watch = new Watch(kubeConfig);
    for (const kind of WATCHED_KINDS) this.kinds.push(this.watchKind(kind, watch));
  }

  /** An informer for one kind, wired to the translation schedule. */
  private watchKind(kind: WatchedKind, watch: Watch): KindState {
    // Synced = listed once. Not "start() resolved": that also waits for the watch's response headers,
    // which a server may hold back until the first event.
    const listFn = () =>
      this.rest
        .get<{ metadata?: { resourceVersion?: string }; items: KubernetesObject[] }>(
          kind.fieldSelector
            ? `${kind.path}?fieldSelector=${encodeURIComponent(kind.fieldSelector)}`
            : kind.path,
        )
        .then((list) => {
          // After the informer has stored the items (it does so right after this promise settles).
          setTimeout(() => {
            state.lastError = undefined;
            this.markSynced(state);
          }, 0);
          return list;
        });
    const informer = new ListWatch<KubernetesObject>(
      kind.path,
      watch,
      listFn,
      false,
      undefined,
      kind.fieldSelector,
    );
    const state: KindState = {
      kind,
      informer,
      synced: false,
      backoffMs: INFORMER_BACKOFF_MIN_MS,
      startedAt: 0,
      timer: undefined,
      failedThisAttempt: false,
      lastError: undefined,
    };
    const changed = () => this.schedule();
    informer.on('add', (obj) => {
      this.remember(obj);
      this.schedule();
    });
    informer.on('update', (obj) => {
      // Our own status writes come back as updates; they change nothing the translator reads.
      if (this.remember(obj)) this.schedule();
      else this.scheduleStatusOnly();
    });
    informer.on('delete', (obj) => {
      this.inputs.delete(obj.metadata?.uid ?? '');
      changed();
    });
    informer.on('error', (err: unknown) => this.failed(state, err));
    return state;
  }

  start(): void {
    for (const s of this.kinds) this.startKind(s);
  }

  /** The cache at this instant, as the translator's input. */
  resources(): ResourceSet {
    const out: Record<string, KubeObject[]> = {};
    for (const s of this.kinds) out[s.kind.field] = s.informer.list() as unknown as KubeObject[];
    return out as unknown as ResourceSet;
  }

  /** The cached object, for the status writer's comparisons. */
  get(field: keyof ResourceSet, namespace: string | undefined, name: string): KubeObject | undefined {
    const s = this.kinds.find((k) => k.kind.field === field);
    return s?.informer.get(name, namespace) as KubeObject | undefined;
  }

  /** Kinds not listed yet, with their last error: what /readyz waits for. */
  pending(): string[] {
    return this.kinds
      .filter((k) => !k.synced)
      .map((k) => `${k.kind.path}${k.lastError ? ` (${k.lastError})` : ''}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.debounce) clearTimeout(this.debounce);
    for (const s of this.kinds) {
      if (s.timer) clearTimeout(s.timer);
      await s.informer.stop();
    }
  }

  private startKind(s: KindState): void {
    if (this.closed) return;
    s.failedThisAttempt = false;
    s.startedAt = Date.now();
    s.informer.start().catch((err: unknown) => this.failed(s, err));
  }

  private failed(s: KindState, err: unknown): void {
    if (this.closed) return;
    s.failedThisAttempt = true;
    const status =
      (err as { statusCode?: number; status?: number }).statusCode ?? (err as { status?: number }).status;
    s.lastError = err instanceof Error ? err.message : String(err);
    if (s.kind.optional && status === 404) {
      this.markSynced(s); // the kind does not exist on this server: nothing to watch, look again later
    }
    // A watch that ran for a while was healthy: start over from the shortest backoff.
    if (Date.now() - s.startedAt > 30_000) s.backoffMs = INFORMER_BACKOFF_MIN_MS;
    const delay = s.backoffMs;
    s.backoffMs = Math.min(s.backoffMs * 2, INFORMER_BACKOFF_MAX_MS);
    if (!(s.kind.optional && status === 404))
      this.log.warn(`watch ${s.kind.path} stopped (${s.lastError}); restarting in ${delay} ms`);
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void s.informer.stop().then(() => this.startKind(s));
    }, delay);
    s.timer.unref();
  }

  private markSynced(s: KindState): void {
    if (s.synced) return;
    s.synced = true;
    if (this.kinds.every((k) => k.synced)) {
      this.syncedResolve();
      this.schedule();
    }
  }

  /** Coalesce bursts (kubectl apply of a folder, an informer's initial list) into one translation. */
  schedule(): void {
    this.translateDue = true;
    this.arm();
  }

  private scheduleStatusOnly(): void {
    this.arm();
  }

  private arm(): void {
    if (this.closed || this.debounce || !this.kinds.every((k) => k.synced)) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      if (this.closed) return;
      const translate = this.translateDue;
      this.translateDue = false;
      if (translate) this.onChange();
      else this.onStatusOnly?.();
    }, DEBOUNCE_MS);
  }

  /**
   * Records what the translator reads of an object that has a status subresource and says whether it
   * changed. For those kinds that is the generation (spec), the deletion mark and whether the status holds
   * entries of ours (the translator reports on those to remove them); labels, annotations, finalizers and
   * the rest of status are not read. Other kinds (Services, EndpointSlices, Secrets...) always count.
   */
  private remember(obj: KubernetesObject): boolean {
    const o = obj as KubernetesObject & {
      status?: {
        parents?: Array<{ controllerName?: string }>;
        ancestors?: Array<{ controllerName?: string }>;
      };
    };
    const uid = o.metadata?.uid;
    const generation = o.metadata?.generation;
    if (!uid || generation === undefined) return true;
    const ours = [...(o.status?.parents ?? []), ...(o.status?.ancestors ?? [])].some(
      (e) => e.controllerName === CONTROLLER_NAME,
    );
    const fingerprint = `${generation}|${String(o.metadata?.deletionTimestamp ?? '')}|${ours}`;
    const before = this.inputs.get(uid);
    this.inputs.set(uid, fingerprint);
    return before !== fingerprint;
  }
}
