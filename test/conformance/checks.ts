// The suite's assertions, for this port: an answer compared with the expected one (its CompareRoundTrip, for
// the fields the HTTP tests use), and status compared with the expected conditions, listeners and parents
// (its HTTPRouteMustHaveCondition, GatewayStatusMustHaveListeners, ...MustHaveLatestConditions). Each returns
// why the actual state is not the expected one, or undefined when it is, so the runner can poll.
import { CONTROLLER_NAME } from '../../src/controller/config.js';
import type { HttpAnswer } from '../e2e/harness.js';
import type { EchoAnswer } from './backends.js';
import { type ConditionSpec, type HttpCase, INFRA, type ListenerExpectation } from './model.js';

interface Condition {
  type: string;
  status: string;
  reason: string;
  observedGeneration?: number;
}

export interface ObjectStatus {
  metadata: { generation?: number };
  status?: {
    addresses?: Array<{ type?: string; value: string }>;
    conditions?: Condition[];
    listeners?: Array<{
      name: string;
      attachedRoutes: number;
      supportedKinds?: Array<{ group?: string; kind: string }>;
      conditions?: Condition[];
    }>;
    parents?: Array<{
      parentRef: { name: string; namespace?: string };
      controllerName: string;
      conditions?: Condition[];
    }>;
  };
}

/** Why `conditions` lacks the one `spec` describes, or undefined. */
export function conditionMismatch(
  conditions: readonly Condition[] = [],
  spec: ConditionSpec,
): string | undefined {
  const [, type, status, reason] = /^(\w+)=(\w+)(?::(\w+))?$/.exec(spec) ?? [];
  const c = conditions.find((x) => x.type === type);
  if (!c) return `no ${type} condition`;
  if (c.status !== status || (reason !== undefined && c.reason !== reason))
    return `${type}=${c.status}:${c.reason}, want ${spec}`;
  return undefined;
}

function stale(what: string, generation: number | undefined, conditions: readonly Condition[] = []) {
  const old = conditions.find((c) => c.observedGeneration !== generation);
  return old
    ? `${what} condition ${old.type} observed generation ${old.observedGeneration}, not ${generation}`
    : undefined;
}

export function gatewayMismatch(
  gw: ObjectStatus,
  expect: {
    conditions?: ConditionSpec[];
    listeners?: Record<string, ListenerExpectation>;
    zeroRoutes?: boolean;
    addressAssigned?: boolean;
  },
): string | undefined {
  const status = gw.status ?? {};
  if (!status.conditions?.length) return 'no conditions yet';
  const old = stale('object', gw.metadata.generation, status.conditions);
  if (old) return old;
  for (const spec of expect.conditions ?? []) {
    const why = conditionMismatch(status.conditions, spec);
    if (why) return `Gateway ${why}`;
  }
  if (expect.addressAssigned && !(status.addresses ?? []).some((a) => a.type !== undefined))
    return `no typed address in status.addresses: ${JSON.stringify(status.addresses)}`;
  const listeners = status.listeners ?? [];
  if (
    expect.zeroRoutes &&
    !(listeners.length === 0 || (listeners.length === 1 && listeners[0]!.attachedRoutes === 0))
  )
    return `want zero listeners or one with no route, got ${JSON.stringify(listeners.map((l) => [l.name, l.attachedRoutes]))}`;
  if (!expect.listeners) return undefined;
  const names = Object.keys(expect.listeners);
  if (names.length !== listeners.length)
    return `${listeners.length} listeners in status, want ${names.length}`;
  for (const [name, e] of Object.entries(expect.listeners)) {
    const l = listeners.find((x) => x.name === name);
    if (!l) return `no status for listener ${name}`;
    if (e.attachedRoutes !== undefined && l.attachedRoutes !== e.attachedRoutes)
      return `listener ${name} attachedRoutes ${l.attachedRoutes}, want ${e.attachedRoutes}`;
    if (e.supportedKinds) {
      const got = (l.supportedKinds ?? []).map((k) => `${k.group ?? 'gateway.networking.k8s.io'}/${k.kind}`);
      const want = e.supportedKinds.map((k) => `gateway.networking.k8s.io/${k}`);
      if (want.length === 0 ? got.length > 0 : want.some((k) => !got.includes(k)))
        return `listener ${name} supportedKinds ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
    }
    for (const spec of e.conditions ?? []) {
      const why = conditionMismatch(l.conditions, spec);
      if (why) return `listener ${name} ${why}`;
    }
  }
  return undefined;
}

const ours = (r: ObjectStatus) =>
  (r.status?.parents ?? []).filter((p) => p.controllerName === CONTROLLER_NAME);

export function routeMismatch(r: ObjectStatus, parent: string, specs: ConditionSpec[]): string | undefined {
  const parents = ours(r);
  for (const p of parents) {
    const old = stale(`parent ${p.parentRef.name}`, r.metadata.generation, p.conditions);
    if (old) return old;
  }
  const entry = parents.find(
    (p) => p.parentRef.name === parent && (p.parentRef.namespace ?? INFRA) === INFRA,
  );
  if (!entry) return `no status.parents entry for Gateway ${parent}`;
  for (const spec of specs) {
    const why = conditionMismatch(entry.conditions, spec);
    if (why) return `parent ${parent}: ${why}`;
  }
  return undefined;
}

export function routeLatestMismatch(r: ObjectStatus): string | undefined {
  const parents = ours(r);
  if (parents.length === 0) return 'no status.parents entry';
  for (const p of parents) {
    const old = stale(`parent ${p.parentRef.name}`, r.metadata.generation, p.conditions);
    if (old) return old;
  }
  return undefined;
}

/** HTTPRouteMustHaveNoAcceptedParents: no parent entry, or exactly one with Accepted False. */
export function acceptedParentsMismatch(r: ObjectStatus): string | undefined {
  const parents = r.status?.parents ?? [];
  if (parents.length === 0) return undefined;
  if (parents.length > 1) return `${parents.length} parents, want at most one`;
  const old = stale('parent', r.metadata.generation, parents[0]!.conditions);
  if (old) return old;
  return conditionMismatch(parents[0]!.conditions, 'Accepted=False');
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Why an answer is not the expected one (the suite's CompareRoundTrip, for the fields this port uses). */
export function answerMismatch(c: HttpCase, got: HttpAnswer, scheme: 'http' | 'https'): string | undefined {
  const status = c.status ?? 200;
  if (got.status !== status) return `status ${got.status}, want ${status}`;
  const header = (h: Record<string, string | string[] | undefined>, name: string) => {
    const v = h[name.toLowerCase()];
    return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : v;
  };
  if (REDIRECTS.has(got.status) && c.redirect) {
    const location = header(got.headers, 'location');
    if (!location) return 'redirect without Location';
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return `Location ${location} is not an absolute URL`;
    }
    const gotScheme = url.protocol.replace(/:$/, '');
    const want = { scheme: scheme, path: c.path.split('?')[0], ...c.redirect };
    if (want.host !== undefined && url.hostname !== want.host)
      return `redirect host ${url.hostname}, want ${want.host}`;
    if (want.port === undefined) {
      const wellKnown = gotScheme === 'https' ? '443' : '80';
      if (url.port !== '' && url.port !== wellKnown)
        return `redirect port ${url.port}, want none or ${wellKnown}`;
    } else if (url.port !== want.port) return `redirect port "${url.port}", want "${want.port}"`;
    if (gotScheme !== want.scheme) return `redirect scheme ${gotScheme}, want ${want.scheme}`;
    if (url.pathname !== want.path) return `redirect path ${url.pathname}, want ${want.path}`;
    return undefined;
  }
  if (got.status !== 200) return undefined;
  for (const [name, value] of Object.entries(c.responseHeaders ?? {}))
    if (header(got.headers, name) !== value)
      return `response ${name}: ${JSON.stringify(header(got.headers, name))}, want ${JSON.stringify(value)}`;
  for (const name of c.absentResponseHeaders ?? [])
    if (header(got.headers, name) !== undefined) return `response has ${name}, which must be removed`;
  if (!c.backend || c.method === 'HEAD') return undefined;
  let echo: EchoAnswer;
  try {
    echo = JSON.parse(got.body) as EchoAnswer;
  } catch {
    return `body is not the echo server's: ${got.body.slice(0, 200)}`;
  }
  const [namespace, service] = c.backend.includes('/') ? c.backend.split('/') : [INFRA, c.backend];
  if (echo.namespace !== namespace) return `served from namespace ${echo.namespace}, want ${namespace}`;
  if (!echo.pod.startsWith(`${service}-`)) return `served by pod ${echo.pod}, want one of ${service}`;
  if (echo.method !== (c.method ?? 'GET')) return `backend saw method ${echo.method}`;
  const seenPath = c.seenPath ?? c.path;
  if (echo.path !== seenPath) return `backend saw path ${echo.path}, want ${seenPath}`;
  if (c.seenHost !== undefined && echo.host !== c.seenHost)
    return `backend saw Host ${echo.host}, want ${c.seenHost}`;
  const seen = (name: string) => {
    const values = Object.entries(echo.headers)
      .filter(([k]) => k.toLowerCase() === name.toLowerCase())
      .flatMap(([, v]) => v);
    return values.length === 0 ? undefined : values.join(',');
  };
  for (const [name, value] of Object.entries(c.received ?? {}))
    if (seen(name) !== value)
      return `backend saw ${name}: ${JSON.stringify(seen(name))}, want ${JSON.stringify(value)}`;
  for (const name of c.absent ?? [])
    if (seen(name) !== undefined) return `backend saw ${name}, which must be removed`;
  return undefined;
}
