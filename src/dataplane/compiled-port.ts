// A snapshot compiled for serving: per port, the Gateway listeners indexed by hostname; per listener, the
// route matcher, the compiled extension chains and the TLS contexts. Built once per apply(), never mutated:
// a request keeps the CompiledPort it started with, which is how in-flight requests finish on their snapshot.

import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { CompiledChains } from '../extensions/extension.js';
import type {
  BackendIR,
  CertificateIR,
  ExtensionChainIR,
  GatewayListenerIR,
  HeaderModifierIR,
  HttpFilterIR,
  PortIR,
  RequestRedirectIR,
  RouteRuleIR,
  Snapshot,
  UrlRewriteIR,
  WeightedBackendIR,
} from '../ir/snapshot.js';
import { compileCertificate } from './certificates.js';
import { HostTable } from './routing/host-table.js';
import { IndexedRouteMatcher, type RouteMatcher } from './routing/route-matcher.js';

export type CompileChains = (chains: readonly ExtensionChainIR[], snapshot: Snapshot) => CompiledChains;

/** The filters of a rule, split by when they act. */
export interface CompiledRule {
  readonly ir: RouteRuleIR;
  readonly requestHeaders: readonly HeaderModifierIR[];
  readonly responseHeaders: readonly HeaderModifierIR[];
  readonly redirect?: RequestRedirectIR;
  readonly rewrite?: UrlRewriteIR;
  readonly mirrors: readonly CompiledMirror[];
  readonly backends: readonly CompiledBackend[];
  readonly totalWeight: number;
}

/** A RequestMirror target and the share of requests it gets (0-100; absent: every request). */
export interface CompiledMirror {
  readonly target: BackendIR;
  readonly percent?: number;
}

export interface CompiledBackend {
  readonly ir: BackendIR;
  readonly weight: number;
  readonly requestHeaders: readonly HeaderModifierIR[];
  readonly responseHeaders: readonly HeaderModifierIR[];
  /** The backendRef's own RequestRedirect / URLRewrite (Gateway API allows them there too). */
  readonly redirect?: RequestRedirectIR;
  readonly rewrite?: UrlRewriteIR;
}

export interface CompiledListener {
  readonly ir: GatewayListenerIR;
  readonly matcher: RouteMatcher;
  readonly rules: ReadonlyMap<RouteRuleIR, CompiledRule>;
  readonly routingChains: CompiledChains | undefined;
  readonly trafficChains: CompiledChains | undefined;
  /** HTTPS: certificates with the names they cover, first is the default. */
  readonly contexts: ReadonlyArray<{ readonly context: tls.SecureContext; readonly cert: X509Certificate }>;
}

export interface CompiledPort {
  readonly ir: PortIR;
  readonly version: number;
  readonly listeners: HostTable<CompiledListener>;
  /** Set when the port has a single listener: the common case skips the hostname lookup. */
  readonly only: CompiledListener | undefined;
  /** For TLS clients that send no SNI (and for SNI names no listener covers). */
  readonly defaultCertificate: CertificateIR | undefined;
  readonly defaultContext: tls.SecureContext | undefined;
}

/**
 * Compiles a port. Each Gateway listener compiles on its own: one that fails (an unusable certificate, a
 * regex the translator let through) is left out and reported in `listenerErrors` (listener id → why); the
 * port's other listeners serve.
 */
export function compilePort(
  ir: PortIR,
  snapshot: Snapshot,
  compileChains: CompileChains | undefined,
  listenerErrors: Record<string, string> = {},
): CompiledPort {
  const listeners = new HostTable<CompiledListener>();
  let first: CompiledListener | undefined;
  for (const l of ir.listeners) {
    let compiled: CompiledListener;
    try {
      compiled = compileListener(l, snapshot, compileChains);
    } catch (err) {
      listenerErrors[l.id] = err instanceof Error ? err.message : String(err);
      continue;
    }
    first ??= compiled;
    // Listeners come sorted most specific first; a duplicate hostname keeps the first (the controller marks
    // the other Conflicted).
    listeners.upsert(l.hostname, () => compiled);
  }
  const only =
    ir.listeners.length === 1 && ir.listeners[0]!.hostname === undefined && first !== undefined
      ? first
      : undefined;
  const withTls = [listeners.find(''), first, ...listeners.values()].find(
    (l) => l !== undefined && l.contexts.length > 0,
  );
  return {
    ir,
    version: snapshot.version,
    listeners,
    only,
    defaultCertificate: withTls?.ir.tls?.certificates[0],
    defaultContext: withTls?.contexts[0]?.context,
  };
}

function compileListener(
  ir: GatewayListenerIR,
  snapshot: Snapshot,
  compileChains: CompileChains | undefined,
): CompiledListener {
  const rules = new Map<RouteRuleIR, CompiledRule>();
  for (const r of ir.routes) rules.set(r, compileRule(r));
  const contexts = (ir.tls?.certificates ?? []).map((c) => {
    try {
      return compileCertificate(c);
    } catch (err) {
      throw new Error(`listener ${ir.id}: ${(err as Error).message}`);
    }
  });
  return {
    ir,
    matcher: compileMatcher(ir),
    rules,
    routingChains:
      compileChains !== undefined && ir.routingChains.length > 0
        ? compileChains(ir.routingChains, snapshot)
        : undefined,
    trafficChains:
      compileChains !== undefined && ir.trafficChains.length > 0
        ? compileChains(ir.trafficChains, snapshot)
        : undefined,
    contexts,
  };
}

function compileMatcher(ir: GatewayListenerIR): RouteMatcher {
  try {
    return new IndexedRouteMatcher(ir.routes);
  } catch (err) {
    // Only a RegularExpression can fail to compile; name the rule so the HTTPRoute can be fixed.
    const bad = ir.routes.find((r) => {
      try {
        new IndexedRouteMatcher([r]);
        return false;
      } catch {
        return true;
      }
    });
    throw new Error(
      `listener ${ir.id}: route rule ${bad?.id ?? '?'} has an invalid RegularExpression: ${(err as Error).message}`,
    );
  }
}

/** A rule's or backendRef's filters, split by when they act. */
function splitFilters(filters: readonly HttpFilterIR[]): {
  requestHeaders: HeaderModifierIR[];
  responseHeaders: HeaderModifierIR[];
  mirrors: CompiledMirror[];
  redirect?: RequestRedirectIR;
  rewrite?: UrlRewriteIR;
} {
  const requestHeaders: HeaderModifierIR[] = [];
  const responseHeaders: HeaderModifierIR[] = [];
  const mirrors: CompiledMirror[] = [];
  let redirect: RequestRedirectIR | undefined;
  let rewrite: UrlRewriteIR | undefined;
  for (const f of filters) {
    if (f.type === 'RequestHeaderModifier') requestHeaders.push(f.modifier);
    else if (f.type === 'ResponseHeaderModifier') responseHeaders.push(f.modifier);
    else if (f.type === 'RequestRedirect') redirect = f.redirect;
    else if (f.type === 'URLRewrite') rewrite = f.rewrite;
    else
      mirrors.push(f.percent === undefined ? { target: f.mirror } : { target: f.mirror, percent: f.percent });
  }
  return {
    requestHeaders,
    responseHeaders,
    mirrors,
    ...(redirect !== undefined ? { redirect } : {}),
    ...(rewrite !== undefined ? { rewrite } : {}),
  };
}

function compileRule(ir: RouteRuleIR): CompiledRule {
  const backends = ir.backends.map(compileBackend);
  return {
    ir,
    ...splitFilters(ir.filters),
    backends,
    totalWeight: backends.reduce((sum, b) => sum + b.weight, 0),
  };
}

function compileBackend(wb: WeightedBackendIR): CompiledBackend {
  // A backendRef's mirrors are not served (only the rule's are).
  const { mirrors: _mirrors, ...filters } = splitFilters(wb.filters);
  return { ir: wb.backend, weight: Math.max(0, wb.weight), ...filters };
}

/** Weighted random choice, as Envoy's weighted clusters do; undefined when every weight is 0. */
export function chooseBackend(rule: CompiledRule): CompiledBackend | undefined {
  const list = rule.backends;
  if (list.length === 1) return list[0]!.weight > 0 ? list[0] : undefined;
  if (rule.totalWeight <= 0) return undefined;
  let pick = Math.random() * rule.totalWeight;
  for (const b of list) {
    pick -= b.weight;
    if (pick < 0) return b;
  }
  return list[list.length - 1];
}

/** The certificate context for an SNI name: listener by hostname, then the certificate covering the name. */
export function contextForServername(port: CompiledPort, servername: string): tls.SecureContext | undefined {
  const listener = port.listeners.find(servername.toLowerCase());
  if (listener === undefined || listener.contexts.length === 0) return port.defaultContext;
  for (const c of listener.contexts) if (c.cert.checkHost(servername) !== undefined) return c.context;
  return listener.contexts[0]!.context;
}
