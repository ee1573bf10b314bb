// The data format of the conformance port: a test is the objects it applies and the steps it checks, each
// step one of the suite's assertions (a request and the answer it must eventually get, a route's or a
// Gateway's status, a kubectl change between checks). Written for this port after the facts of
// kubernetes-sigs/gateway-api conformance/tests/*.go; nothing of the suite's code or manifests is copied.

export type Level = 'Core' | 'Extended';

export const INFRA = 'gateway-conformance-infra';
export const APP_BACKEND = 'gateway-conformance-app-backend';
export const WEB_BACKEND = 'gateway-conformance-web-backend';
/** Stands in for the suite's `{GATEWAY_CLASS_NAME}`. */
export const CLASS = 'gke-l7-regional-external-managed';

export interface HttpCase {
  /** Path with its query, as sent (and, unless `seenPath` says otherwise, as the backend must see it). */
  path: string;
  method?: string;
  /** Host header; default the Gateway's address (`127.0.0.1:<port>`). With `https`, also the SNI. */
  host?: string;
  /** With `https`: the SNI, when it differs from the Host (misdirected requests). */
  sni?: string;
  /** `h2c`: HTTP/2 with prior knowledge instead of HTTP/1.1. */
  protocol?: 'h2c';
  headers?: Record<string, string>;
  /** Who must answer: a Service in gateway-conformance-infra, or `namespace/service`. */
  backend?: string;
  /** Expected status; default 200. */
  status?: number;
  /** Headers the backend must have received (several values joined with `,`, names case-insensitive). */
  received?: Record<string, string>;
  /** Headers the backend must not have received. */
  absent?: string[];
  /** Path (with query) the backend must have seen, when a filter rewrote it. */
  seenPath?: string;
  /** Host the backend must have seen, when a filter rewrote it. */
  seenHost?: string;
  /** The Location of a redirect, by part; a part left out defaults as in the suite's CompareRoundTrip. */
  redirect?: { scheme?: string; host?: string; port?: string; path?: string };
  /** Headers the echo backend must set on its answer (sent to it in `X-Echo-Set-Header`, as the suite does). */
  backendSets?: Record<string, string>;
  /** Response headers (several values joined with `,`) and ones that must be absent. */
  responseHeaders?: Record<string, string>;
  absentResponseHeaders?: string[];
  /** Services (in gateway-conformance-infra) that must receive a copy of the request. */
  mirroredTo?: string[];
}

/** `Type=Status` or `Type=Status:Reason` (the suite's "any reason" when no reason is given). */
export type ConditionSpec = string;

export interface ListenerExpectation {
  attachedRoutes?: number;
  /** Kinds of `supportedKinds` (group gateway.networking.k8s.io), exactly. */
  supportedKinds?: string[];
  conditions?: ConditionSpec[];
}

export type Step =
  /** Requests to the listener `port` (before the run's offset; default 80), each until its answer comes. */
  | { requests: HttpCase[]; port?: number; https?: boolean }
  /** A route (`name` in gateway-conformance-infra, or `namespace/name`): its parent entry for Gateway `parent`. */
  | { route: string; parent: string; conditions: ConditionSpec[] }
  /** The route has no parent entry, or one whose Accepted is False (HTTPRouteMustHaveNoAcceptedParents). */
  | { noAcceptedParents: string }
  /**
   * A Gateway in gateway-conformance-infra: its conditions, its listeners (by name; `only` = no other
   * listener), zero attached routes (GatewayMustHaveZeroRoutes); its conditions always at its generation.
   */
  | {
      gateway: string;
      conditions?: ConditionSpec[];
      listeners?: Record<string, ListenerExpectation>;
      zeroRoutes?: boolean;
      /** `status.addresses` has an entry with a type (WaitForGatewayAddress). */
      addressAssigned?: boolean;
    }
  /** A WebSocket to `path`: a text and a binary message, each echoed back (HTTPRouteBackendProtocolWebSocket). */
  | { websocket: string; port?: number }
  /** A GatewayClass: its conditions, all at its generation (GatewayClassMustHaveLatestConditions). */
  | { gatewayClass: string; conditions: ConditionSpec[] }
  /** Every condition of the route's parent entries at the route's generation (MustHaveLatestConditions). */
  | { routeLatest: string }
  /** A kubectl command between checks (the suite's Patch / Delete); `input` goes to stdin. */
  | { kubectl: string[]; input?: string }
  /**
   * Sends `count` requests to `path`; each must reach the Service named by the request header `header` the
   * backend received (HTTPRouteRequestHeaderModifierBackendWeights: a per-backendRef filter set it).
   */
  | { headerNamesBackend: string; path: string; count: number }
  /**
   * Sends `count` requests to `path` (a fresh query each try); the share `mirror` (a Service in
   * gateway-conformance-infra) receives must be within 3 standard deviations of `percent` (the suite's
   * HTTPRouteRequestPercentageMirror), up to 5 tries.
   */
  | {
      mirrorShare: {
        path: string;
        mirror: string;
        percent: number;
        count: number;
        headers?: Record<string, string>;
      };
    }
  /** Sends `count` requests to `path` and checks the share each Service answers (HTTPRouteWeight). */
  | { weights: Record<string, number>; path: string; count: number; port?: number };

export interface ConformanceTest {
  name: string;
  level: Level;
  /** YAML applied before the steps and deleted after. */
  manifests: string;
  steps: Step[];
}

/** A test of the suite this port does not run, and why. */
export interface Skipped {
  name: string;
  level: Level;
  why: string;
}

// ---- YAML builders: flow-style YAML, short enough to read next to the suite's test.

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

/** An HTTPRoute `name` (`namespace/name` outside gateway-conformance-infra) with `spec` (YAML under spec:). */
export function route(name: string, spec: string): string {
  const [ns, n] = name.includes('/') ? name.split('/') : [INFRA, name];
  return `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${n}, namespace: ${ns}}\nspec:\n${indent(spec, '  ')}`;
}

/** A Gateway of our class in gateway-conformance-infra with `listeners` (a YAML list, flow or block). */
export function gateway(name: string, listeners: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: ${name}, namespace: ${INFRA}}\nspec:\n  gatewayClassName: ${CLASS}\n  listeners:\n${indent(listeners, '  ')}`;
}

/** A ReferenceGrant in `namespace` from `from` (`group/Kind[@namespace]`) to `to` (`group/Kind[/name]`). */
export function referenceGrant(name: string, namespace: string, from: string, to: string): string {
  const [fg, fk, fns] = from.split(/[/@]/);
  const [tg, tk, tn] = to.split('/');
  return `apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  from: [{group: "${fg}", kind: ${fk}, namespace: ${fns ?? INFRA}}]
  to: [{group: "${tg}", kind: ${tk}${tn ? `, name: ${tn}` : ''}}]`;
}

/**
 * Stands in, in manifests, for the loopback port of a Service's echo server (an EndpointSlice a test writes
 * itself names it, where the suite's names Pod IPs).
 */
export const echoPort = (service: string) => `__ECHO_PORT_${service}__`;

/** A rule's backendRefs to one Service on port 8080. */
export const to = (backend: string) => `backendRefs: [{name: ${backend}, port: 8080}]`;
