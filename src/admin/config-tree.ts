// The dashboard's configuration tree: Gateway → listeners → routes, and Gateway → extension resources →
// chains → extensions → plugins, each node with its status conditions and events, problems flagged.
//
// Built from the stored resources (with their status), not from the snapshot: a resource the controller
// rejected never reaches the snapshot, yet it is exactly what a user needs to see, with the message that says
// how to fix it. Pure function of its inputs; tolerant of any shape (status written by any controller).

import type { KubeObject } from '../api/types.js';

export interface ConditionView {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  /** The condition says something is wrong (and its message usually says how to fix it). */
  problem: boolean;
  /** What to do about it, when the reason alone tells (the message keeps the controller's exact words). */
  fix?: string;
}

export interface EventView {
  type: string;
  reason: string;
  message: string;
  count?: number;
  time?: string;
  problem: boolean;
}

export interface TreeNode {
  kind: string;
  name: string;
  namespace?: string;
  /** One line under the name: hostname and port, backendRef, CEL match, image... */
  detail?: string;
  conditions: ConditionView[];
  events: EventView[];
  /** This node or any node below it has a problem. */
  problem: boolean;
  children: TreeNode[];
}

export interface ConfigTree {
  gateways: TreeNode[];
  /** Routes, extensions and plugins attached to no existing Gateway (often the error being looked for). */
  unattached: TreeNode[];
}

/**
 * How to fix a problem, by condition reason. The controller's messages are GKE's exact words, which say what
 * is wrong but rarely what to change; these say it in the terms of the manifest a user edits.
 */
const FIXES: Readonly<Record<string, string>> = {
  BackendNotFound:
    'create the Service (and an EndpointSlice with its endpoints), or correct backendRef name/port; a callout Service port needs appProtocol: HTTP2',
  ExtensionServiceNotFound:
    "create the callout Service in the extension's namespace, or correct backendRef name/port",
  GCPWasmPluginNotFound: 'create the GCPWasmPlugin in the same namespace, or correct backendRef.name',
  RefNotPermitted: 'add a ReferenceGrant in the target namespace that allows this reference',
  InvalidKind: 'use a supported kind in the reference (Service for backends, Secret for certificates)',
  NotAllowedByListeners:
    "allow this route's namespace in the listener's allowedRoutes, or attach it to another listener",
  NoMatchingListenerHostname: 'make the route hostnames overlap the listener hostname',
  NoMatchingParent: 'check parentRefs: the Gateway name, sectionName and port must exist',
  NotAllowed:
    'move the extension to a Gateway of a class that supports it (routing extensions: regional classes; Wasm plugins: gke-l7-global-external-managed)',
  InvalidCELExpression: 'rewrite celMatcher with the attributes and functions GKE admits (docs/cel.md)',
  InvalidCertificateRef: 'reference a Secret of type kubernetes.io/tls with tls.crt and tls.key',
  ProgrammingFailed: 'read the message: usually an image that cannot be pulled or a port that is in use',
  CalloutConnectionFailed:
    "the message names the fix: start the callout, or make the Service port's appProtocol match what it speaks (HTTP2 = gRPC over TLS, kubernetes.io/h2c = plaintext)",
  PortUnavailable: 'choose another listener port or --port-offset; something else listens there',
  UnsupportedProtocol: 'use protocol HTTP or HTTPS',
};

/** Conditions where True is the bad state (Gateway API's negative-polarity types). */
const NEGATIVE_CONDITIONS = new Set(['Conflicted', 'Degraded', 'Detached']);
const EXTENSION_KINDS = new Set(['GCPRoutingExtension', 'GCPTrafficExtension']);

/** Reasons of a False condition that mean "in progress", not broken (an image being pulled). */
const IN_PROGRESS_REASONS = new Set(['Pending']);

/**
 * `serving`: GCPWasmPlugin key (`ns/name`) → the version the data plane runs (from the snapshot): only that
 * version is labelled "(serving)"; a version with weight whose image is not loaded yet is labelled so.
 */
export function buildConfigTree(
  resources: readonly KubeObject[],
  events: readonly KubeObject[],
  serving: ReadonlyMap<string, string> = new Map(),
): ConfigTree {
  const eventsOf = indexEvents(events);
  const gateways = resources.filter((r) => r.kind === 'Gateway');
  const routes = resources.filter((r) => r.kind === 'HTTPRoute');
  const extensions = resources.filter((r) => EXTENSION_KINDS.has(r.kind));
  const plugins = new Map(resources.filter((r) => r.kind === 'GCPWasmPlugin').map((p) => [key(p), p]));
  const attached = new Set<KubeObject>();

  const gatewayNodes = gateways.map((gw) => {
    const gwNs = ns(gw);
    const listeners = arr(spec(gw).listeners).map((l) => {
      const lName = str(l.name);
      const lStatus = arr(status(gw).listeners).find((s) => s.name === lName);
      const lRoutes = routes.filter((r) => {
        const refs = parentRefsTo(r, gw);
        if (refs.length > 0) attached.add(r);
        return refs.some((p) => p.sectionName === undefined || p.sectionName === lName);
      });
      const port = l.port === undefined ? '' : ` :${String(l.port)}`;
      return node(
        'Listener',
        lName,
        undefined,
        `${str(l.protocol)}${port}${l.hostname ? ` ${str(l.hostname)}` : ''}`,
        conditions(lStatus?.conditions),
        [],
        lRoutes.map((r) => routeNode(r, gw, eventsOf)),
      );
    });
    const extNodes = extensions
      .filter((e) => targets(e, gw))
      .map((e) => {
        attached.add(e);
        return extensionNode(e, gw, plugins, attached, eventsOf, serving);
      });
    const gwStatus = status(gw);
    const children = [
      group('Listeners', listeners),
      ...(extNodes.length > 0 ? [group('Extensions', extNodes)] : []),
    ];
    return node(
      'Gateway',
      name(gw),
      gwNs,
      `class ${str(spec(gw).gatewayClassName)}${addresses(gwStatus)}`,
      conditions(gwStatus.conditions),
      eventsOf(gw),
      children,
    );
  });

  const unattached: TreeNode[] = [];
  for (const r of routes) if (!attached.has(r)) unattached.push(routeNode(r, undefined, eventsOf, gateways));
  for (const e of extensions)
    if (!attached.has(e)) unattached.push(extensionNode(e, undefined, plugins, attached, eventsOf, serving));
  for (const p of plugins.values()) if (!attached.has(p)) unattached.push(pluginNode(p, eventsOf, serving));
  return { gateways: gatewayNodes, unattached };
}

type EventsOf = (obj: KubeObject) => EventView[];
type Loose = Record<string, unknown>;

/**
 * `gateways`: for a route attached to none, every Gateway there is; a parentRef naming none of them is
 * shown with its name (the controller writes no status for a parent that does not exist).
 */
function routeNode(
  route: KubeObject,
  gw: KubeObject | undefined,
  eventsOf: EventsOf,
  gateways: readonly KubeObject[] = [],
): TreeNode {
  const hostList = spec(route).hostnames;
  const hostnames = Array.isArray(hostList) ? hostList.map(String).join(', ') : '';
  const rules = arr(spec(route).rules);
  const parents = arr(status(route).parents).filter((p) => !gw || refNames(p.parentRef, gw));
  const conds = parents.flatMap((p) => conditions(p.conditions));
  if (!gw) {
    for (const p of arr(spec(route).parentRefs)) {
      if ((p.kind ?? 'Gateway') !== 'Gateway' || gateways.some((g) => refNames(p, g, ns(route)))) continue;
      const parent = `${str(p.namespace ?? ns(route) ?? '')}/${str(p.name)}`;
      conds.push({
        type: 'Accepted',
        status: 'False',
        reason: 'NoMatchingParent',
        message: `parentRef Gateway ${parent} does not exist`,
        problem: true,
        fix: `create Gateway ${parent}, or correct parentRefs[].name/namespace`,
      });
    }
  }
  const ruleNodes = rules.map((rule, i) => {
    const matches = arr(rule.matches).map(describeMatch).join(' | ') || 'PathPrefix /';
    const backends = arr(rule.backendRefs)
      .map((b) => `${str(b.name)}:${String(b.port ?? '')}`)
      .join(', ');
    return node('Rule', String(i), undefined, `${matches} → ${backends || '(no backends)'}`, [], [], []);
  });
  return node('HTTPRoute', name(route), ns(route), hostnames, conds, eventsOf(route), ruleNodes);
}

function extensionNode(
  ext: KubeObject,
  gw: KubeObject | undefined,
  plugins: Map<string, KubeObject>,
  attached: Set<KubeObject>,
  eventsOf: EventsOf,
  serving: ReadonlyMap<string, string>,
): TreeNode {
  const ancestors = arr(status(ext).ancestors).filter((a) => !gw || refNames(a.ancestorRef, gw));
  const chains = arr(spec(ext).extensionChains).map((chain) => {
    const cel = arr((chain.matchCondition as Loose | undefined)?.celExpressions)
      .map(
        (c) =>
          [
            c.celMatcher ? str(c.celMatcher) : '',
            c.backendRefs ? `backendRefs ${JSON.stringify(c.backendRefs)}` : '',
          ]
            .filter(Boolean)
            .join(' && ') || 'true',
      )
      .join(' || ');
    const members = arr(chain.extensions).map((e) => {
      const ref = (e.backendRef ?? {}) as Loose;
      const children: TreeNode[] = [];
      let detail: string;
      if (ref.kind === 'GCPWasmPlugin') {
        const plugin = plugins.get(`${ns(ext)}/${str(ref.name)}`);
        detail = `plugin ${str(ref.name)}`;
        if (plugin) {
          attached.add(plugin);
          children.push(pluginNode(plugin, eventsOf, serving));
        } else {
          children.push(
            node(
              'GCPWasmPlugin',
              str(ref.name),
              ns(ext),
              'not found',
              [
                {
                  type: 'ResolvedRefs',
                  status: 'False',
                  reason: 'GCPWasmPluginNotFound',
                  message: `GCPWasmPlugin ${ns(ext)}/${str(ref.name)} does not exist: create it or fix backendRef.name`,
                  problem: true,
                },
              ],
              [],
              [],
            ),
          );
        }
      } else {
        detail = `${str(ref.kind ?? 'Service')} ${str(ref.name)}:${String(ref.port ?? '')}${e.authority ? ` authority ${str(e.authority)}` : ''}${e.timeout ? ` timeout ${str(e.timeout)}` : ''}${e.failOpen ? ' failOpen' : ''}`;
      }
      const events = arr(e.supportedEvents).map(String).join(',');
      return node(
        'Extension',
        str(e.name),
        undefined,
        events ? `${detail} [${events}]` : detail,
        [],
        [],
        children,
      );
    });
    return node('Chain', str(chain.name), undefined, `match: ${cel || 'true'}`, [], [], members);
  });
  return node(
    ext.kind,
    name(ext),
    ns(ext),
    undefined,
    ancestors.flatMap((a) => conditions(a.conditions)),
    eventsOf(ext),
    chains,
  );
}

function pluginNode(plugin: KubeObject, eventsOf: EventsOf, serving: ReadonlyMap<string, string>): TreeNode {
  const servingName = serving.get(key(plugin));
  const versions = arr(spec(plugin).versions).map((v) => {
    const label =
      str(v.name) === servingName
        ? ' (serving)'
        : Number(v.weight) > 0
          ? ' (selected, not loaded: see the status)'
          : '';
    return node(
      'Version',
      str(v.name),
      undefined,
      `${str(v.image)} weight ${String(v.weight ?? 0)}${label}`,
      [],
      [],
      [],
    );
  });
  const log = spec(plugin).logConfig as Loose | undefined;
  const detail = log?.enabled
    ? `logs on, sampleRate ${String(log.sampleRate ?? 1000000)}, min ${str(log.minLogLevel ?? 'INFO')}`
    : 'logs off';
  const conds = arr(status(plugin).ancestors)
    .flatMap((a) => conditions(a.conditions))
    .concat(conditions(status(plugin).conditions));
  return node('GCPWasmPlugin', name(plugin), ns(plugin), detail, conds, eventsOf(plugin), versions);
}

function node(
  kind: string,
  nm: string,
  namespace: string | undefined,
  detail: string | undefined,
  conds: ConditionView[],
  evs: EventView[],
  children: TreeNode[],
): TreeNode {
  const n: TreeNode = {
    kind,
    name: nm,
    conditions: conds,
    events: evs,
    children,
    // Red means broken now: a condition says so. Warning events are history (shown, flagged) and stay
    // after the problem is fixed, so they do not colour the node.
    problem: conds.some((c) => c.problem) || children.some((c) => c.problem),
  };
  if (namespace !== undefined) n.namespace = namespace;
  if (detail) n.detail = detail;
  return n;
}

function group(label: string, children: TreeNode[]): TreeNode {
  return node('Group', label, undefined, undefined, [], [], children);
}

function conditions(value: unknown): ConditionView[] {
  return arr(value).map((c) => {
    const type = str(c.type);
    const st = str(c.status);
    const view: ConditionView = {
      type,
      status: st,
      problem: NEGATIVE_CONDITIONS.has(type)
        ? st === 'True'
        : st === 'False' && !IN_PROGRESS_REASONS.has(str(c.reason)),
    };
    if (c.reason !== undefined) view.reason = str(c.reason);
    if (c.message !== undefined) view.message = str(c.message);
    const fix = view.problem && view.reason !== undefined ? FIXES[view.reason] : undefined;
    if (fix !== undefined) view.fix = fix;
    if (typeof c.observedGeneration === 'number') view.observedGeneration = c.observedGeneration;
    return view;
  });
}

function indexEvents(events: readonly KubeObject[]): EventsOf {
  const byObject = new Map<string, EventView[]>();
  for (const ev of events) {
    const io = (ev.involvedObject ?? ev.regarding ?? {}) as Loose;
    const k = `${str(io.kind)}/${str(io.namespace ?? '')}/${str(io.name)}`;
    const type = str(ev.type ?? 'Normal');
    const view: EventView = {
      type,
      reason: str(ev.reason),
      message: str(ev.message ?? ev.note ?? ''),
      problem: type === 'Warning',
    };
    if (typeof ev.count === 'number') view.count = ev.count;
    const time = ev.lastTimestamp ?? ev.eventTime ?? ev.firstTimestamp;
    if (typeof time === 'string') view.time = time;
    let list = byObject.get(k);
    if (!list) byObject.set(k, (list = []));
    list.push(view);
  }
  for (const list of byObject.values()) list.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
  return (obj) => byObject.get(`${obj.kind}/${ns(obj) ?? ''}/${name(obj)}`) ?? [];
}

function parentRefsTo(route: KubeObject, gw: KubeObject): Loose[] {
  return arr(spec(route).parentRefs).filter((p) => refNames(p, gw, ns(route)));
}

function targets(ext: KubeObject, gw: KubeObject): boolean {
  return arr(spec(ext).targetRefs).some((t) => refNames(t, gw, ns(ext)));
}

/** A Gateway API reference (kind defaulting to Gateway, namespace to the referrer's) names `gw`. */
function refNames(ref: unknown, gw: KubeObject, fromNamespace?: string): boolean {
  if (!ref || typeof ref !== 'object') return false;
  const r = ref as Loose;
  return (
    (r.kind ?? 'Gateway') === 'Gateway' &&
    r.name === name(gw) &&
    (r.namespace ?? fromNamespace ?? ns(gw)) === ns(gw)
  );
}

function describeMatch(m: Loose): string {
  const parts: string[] = [];
  const path = m.path as Loose | undefined;
  parts.push(`${str(path?.type ?? 'PathPrefix')} ${str(path?.value ?? '/')}`);
  if (m.method) parts.push(str(m.method));
  for (const h of arr(m.headers)) parts.push(`${str(h.name)}=${str(h.value)}`);
  for (const q of arr(m.queryParams)) parts.push(`?${str(q.name)}=${str(q.value)}`);
  return parts.join(' ');
}

function addresses(st: Loose): string {
  const list = arr(st.addresses)
    .map((a) => str(a.value))
    .filter(Boolean);
  return list.length > 0 ? `, ${list.join(', ')}` : '';
}

function key(obj: KubeObject): string {
  return `${ns(obj) ?? ''}/${name(obj)}`;
}
function name(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}
function ns(obj: KubeObject): string | undefined {
  return obj.metadata.namespace ?? (obj.kind === 'GatewayClass' ? undefined : 'default');
}
function spec(obj: KubeObject): Loose {
  return obj.spec && typeof obj.spec === 'object' ? (obj.spec as Loose) : {};
}
function status(obj: KubeObject): Loose {
  return obj.status && typeof obj.status === 'object' ? (obj.status as Loose) : {};
}
function arr(value: unknown): Loose[] {
  return Array.isArray(value) ? value.filter((v): v is Loose => !!v && typeof v === 'object') : [];
}
function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}
