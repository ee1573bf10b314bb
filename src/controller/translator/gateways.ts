// GatewayClasses and Gateways → graph nodes: which Gateways are ours, their listeners (with TLS material,
// allowed routes and conflicts), the bound port of each listener. Routes and extensions fill the nodes later.

import { compileCertificate } from '../../dataplane/certificates.js';
import { BoundedMemo } from '../../support/bounded-memo.js';
import { isIP } from 'node:net';
import type {
  CertificateIR,
  ExtensionChainIR,
  ListenerProtocol,
  RouteRuleIR,
  TlsIR,
} from '../../ir/snapshot.js';
import { type ClassCapabilities, CONTROLLER_NAME, classCapabilities } from '../config.js';
import type { Condition, Gateway, GatewayClass, Listener, RouteGroupKind } from '../resources.js';
import { keyOf } from '../resources.js';
import { cond, Problems } from './conditions.js';
import { byAge, guard, type ResourceIndex } from './resource-index.js';
import {
  boundPort as boundPortOf,
  describeBinding,
  explainListenError,
  type PortOffset,
} from './listener-ports.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface TranslatedListener {
  readonly id: string;
  readonly spec: Listener;
  readonly protocol: ListenerProtocol | undefined;
  readonly boundPort: number;
  readonly supportedKinds: RouteGroupKind[];
  readonly acceptsHTTPRoute: boolean;
  /** Accepted problems (UnsupportedProtocol...). */
  readonly notAccepted: Problems;
  /** ResolvedRefs problems (certificates, kinds). */
  readonly unresolved: Problems;
  /** Conflicted reason, if any. */
  conflict?: { reason: string; message: string };
  tls: TlsIR | undefined;
  /** Set once validation is done: serves traffic. */
  programmed: boolean;
  /** The data plane refused this listener in an earlier snapshot (why). */
  refused: string | undefined;
  attachedRoutes: number;
  readonly routes: Array<{ rule: RouteRuleIR; sortKey: RouteSortKey }>;
  readonly routingChains: ExtensionChainIR[];
  readonly trafficChains: ExtensionChainIR[];
}

/** What the precedence order needs besides the rule itself. */
export interface RouteSortKey {
  readonly created: string;
  readonly routeKey: string;
  readonly ruleIndex: number;
  readonly matchIndex: number;
}

/**
 * A Gateway of ours as the translator builds it up (listeners, attached chains, what it references), before it
 * becomes IR and status. Not the data-plane process of src/cli/gateway-node.ts (GatewayNode).
 */
export interface TranslatedGateway {
  readonly key: string;
  readonly gateway: Gateway;
  readonly className: string;
  readonly capabilities: ClassCapabilities;
  readonly listeners: TranslatedListener[];
  /** Why the Gateway itself is not accepted (Accepted=False with the first reason), e.g. InvalidParameters. */
  readonly notAccepted: Problems;
  /** Programming problems reported on the Gateway (e.g. a callout Service without an HTTP2 port). */
  readonly programProblems: Problems;
  readonly routingExtensions: string[];
  readonly trafficExtensions: string[];
  readonly wasmPlugins: Set<string>;
  readonly wasmPluginVersions: Set<string>;
  readonly backendServices: Set<string>;
}

export interface GatewayClassReport {
  readonly name: string;
  readonly generation: number | undefined;
  readonly conditions: Condition[];
}

export function ownedClasses(index: ResourceIndex): GatewayClass[] {
  return [...index.gatewayClasses.values()].filter((c) => c.spec?.controllerName === CONTROLLER_NAME);
}

export function gatewayClassReports(
  index: ResourceIndex,
  filter?: ReadonlySet<string>,
): GatewayClassReport[] {
  return ownedClasses(index)
    .filter((c) => !filter || filter.has(c.metadata.name ?? ''))
    .map((c) => ({
      name: c.metadata.name ?? '',
      generation: c.metadata.generation,
      conditions: [cond('Accepted', true, 'Accepted', '', c.metadata.generation)],
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The Gateways of our classes, oldest first (older Gateways win port conflicts), without deleted ones. */
/** What the data plane could not serve from an earlier snapshot (see ControllerOptions.onSnapshot). */
export interface DataPlaneRefusals {
  /** Bound port → why it could not be opened (e.g. `EADDRINUSE`). */
  readonly ports: ReadonlyMap<number, string>;
  /** Listener id (`ns/gateway/listener`) → why the data plane refused it (e.g. an unusable certificate). */
  readonly listeners: ReadonlyMap<string, string>;
}

export function buildGateways(
  index: ResourceIndex,
  portOffset: PortOffset,
  gatewayClassFilter?: ReadonlySet<string>,
  refusals?: DataPlaneRefusals,
): TranslatedGateway[] {
  const owned = new Set(ownedClasses(index).map((c) => c.metadata.name ?? ''));
  const nodes: TranslatedGateway[] = [];
  // (boundPort) → protocol claimed first; (boundPort, hostname) → listener id claimed first.
  const portProtocol = new Map<number, { protocol: string; id: string }>();
  const portHost = new Map<string, string>();
  const gateways = [...index.gateways.values()]
    .filter((g) => owned.has(g.spec?.gatewayClassName ?? '') && !g.metadata.deletionTimestamp)
    .filter((g) => !gatewayClassFilter || gatewayClassFilter.has(g.spec?.gatewayClassName ?? ''))
    .sort(byAge);
  for (const gateway of gateways) {
    guard(index, `Gateway ${keyOf(gateway)}`, () => {
      const key = keyOf(gateway);
      const className = gateway.spec?.gatewayClassName ?? '';
      const node: TranslatedGateway = {
        key,
        gateway,
        className,
        capabilities: classCapabilities(className),
        listeners: [],
        notAccepted: gatewayProblems(gateway),
        programProblems: new Problems(),
        routingExtensions: [],
        trafficExtensions: [],
        wasmPlugins: new Set(),
        wasmPluginVersions: new Set(),
        backendServices: new Set(),
      };
      const seenNames = new Set<string>();
      for (const spec of gateway.spec?.listeners ?? []) {
        const listener = buildListener(index, gateway, spec, portOffset);
        if (seenNames.has(spec.name))
          listener.notAccepted.add(
            'Invalid',
            `listener name "${spec.name}" is used twice; listener names must be unique`,
          );
        seenNames.add(spec.name);
        node.listeners.push(listener);
      }
      // Conflicts: first within the Gateway (all parties marked), then against older Gateways.
      for (const l of node.listeners) {
        if (!l.notAccepted.empty || !l.protocol) continue;
        const samePort = node.listeners.filter(
          (o) => o !== l && o.boundPort === l.boundPort && o.notAccepted.empty && o.protocol,
        );
        if (samePort.some((o) => o.protocol !== l.protocol)) {
          l.conflict = {
            reason: 'ProtocolConflict',
            message: `another listener on port ${l.spec.port} uses a different protocol`,
          };
        } else if (samePort.some((o) => (o.spec.hostname ?? '') === (l.spec.hostname ?? ''))) {
          l.conflict = {
            reason: 'HostnameConflict',
            message: `another listener on port ${l.spec.port} has the same hostname "${l.spec.hostname ?? ''}"`,
          };
        }
      }
      for (const l of node.listeners) {
        if (!l.notAccepted.empty || !l.protocol || l.conflict) continue;
        const claimed = portProtocol.get(l.boundPort);
        if (claimed && claimed.protocol !== l.protocol) {
          l.conflict = {
            reason: 'ProtocolConflict',
            message: `port ${l.boundPort} is already served as ${claimed.protocol} by listener ${claimed.id}`,
          };
          continue;
        }
        const hostKey = `${l.boundPort}|${l.spec.hostname ?? ''}`;
        const owner = portHost.get(hostKey);
        if (owner) {
          l.conflict = {
            reason: 'HostnameConflict',
            message: `port ${l.boundPort} with hostname "${l.spec.hostname ?? ''}" is already served by listener ${owner}`,
          };
          continue;
        }
        portProtocol.set(l.boundPort, { protocol: l.protocol, id: l.id });
        portHost.set(hostKey, l.id);
      }
      for (const l of node.listeners) {
        const portError = refusals?.ports.get(l.boundPort);
        if (portError)
          l.notAccepted.add(
            'PortUnavailable',
            `port ${l.boundPort} could not be opened: ${explainListenError(portError)}`,
          );
        l.refused = refusals?.listeners.get(l.id);
        l.programmed =
          node.notAccepted.empty &&
          !l.refused &&
          l.notAccepted.empty &&
          !l.conflict &&
          !!l.protocol &&
          (l.protocol === 'HTTP' || (l.tls?.certificates.length ?? 0) > 0);
      }
      nodes.push(node);
    });
  }
  return nodes;
}

/**
 * What makes a Gateway not accepted as a whole. `infrastructure.parametersRef`: extgate (like GKE's classes)
 * serves no parameters kind, so any reference is one it cannot resolve, which Gateway API answers with
 * Accepted=False, reason InvalidParameters (conformance GatewayInvalidParametersRef).
 */
function gatewayProblems(gateway: Gateway): Problems {
  const problems = new Problems();
  const ref = gateway.spec?.infrastructure?.parametersRef;
  if (ref)
    problems.add(
      'InvalidParameters',
      `infrastructure.parametersRef ${ref.group || 'core'}/${ref.kind} "${ref.name}" is not supported: this class takes no parameters`,
    );
  return problems;
}

function buildListener(
  index: ResourceIndex,
  gateway: Gateway,
  spec: Listener,
  portOffset: PortOffset,
): TranslatedListener {
  const ns = gateway.metadata.namespace ?? '';
  const id = `${keyOf(gateway)}/${spec.name}`;
  const protocol = spec.protocol === 'HTTP' || spec.protocol === 'HTTPS' ? spec.protocol : undefined;
  const notAccepted = new Problems();
  const unresolved = new Problems();
  if (!protocol)
    notAccepted.add('UnsupportedProtocol', `protocol "${spec.protocol}" is not supported; use HTTP or HTTPS`);
  const port = Number(spec.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    notAccepted.add('UnsupportedValue', `port ${String(spec.port)} must be 1-65535`);
  const boundPort = boundPortOf(port, portOffset);
  if (notAccepted.empty && (boundPort < 1 || boundPort > 65535)) {
    notAccepted.add(
      'PortUnavailable',
      `${describeBinding(port, portOffset, boundPort)} is outside 1-65535: change --port-offset`,
    );
  }

  const supportedKinds: RouteGroupKind[] = [];
  const kinds = spec.allowedRoutes?.kinds;
  // A listener whose protocol is not served supports no route kind (conformance: `supportedKinds: []`).
  if (protocol && (!kinds || kinds.length === 0)) {
    supportedKinds.push({ group: GATEWAY_GROUP, kind: 'HTTPRoute' });
  } else if (protocol && kinds) {
    for (const k of kinds) {
      if ((k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && k.kind === 'HTTPRoute')
        supportedKinds.push({ group: GATEWAY_GROUP, kind: 'HTTPRoute' });
      else
        unresolved.add(
          'InvalidRouteKinds',
          `route kind ${k.group ?? GATEWAY_GROUP}/${k.kind} is not supported; only HTTPRoute is`,
        );
    }
  }

  let tls: TlsIR | undefined;
  if (protocol === 'HTTPS') {
    const mode = spec.tls?.mode ?? 'Terminate';
    if (mode !== 'Terminate')
      notAccepted.add(
        'UnsupportedValue',
        `tls.mode "${mode}" is not supported on an HTTPS listener; use Terminate`,
      );
    const certificates: CertificateIR[] = [];
    const refs = spec.tls?.certificateRefs ?? [];
    if (refs.length === 0)
      unresolved.add(
        'InvalidCertificateRef',
        'an HTTPS listener needs tls.certificateRefs naming a kubernetes.io/tls Secret',
      );
    for (const ref of refs) {
      const cert = resolveCertificate(index, ns, ref, unresolved);
      if (cert) certificates.push(cert);
    }
    tls = { certificates };
  }

  return {
    id,
    spec,
    protocol,
    boundPort,
    supportedKinds,
    acceptsHTTPRoute: supportedKinds.length > 0,
    notAccepted,
    unresolved,
    tls,
    programmed: false,
    refused: undefined,
    attachedRoutes: 0,
    routes: [],
    routingChains: [],
    trafficChains: [],
  };
}

function resolveCertificate(
  index: ResourceIndex,
  gatewayNs: string,
  ref: { group?: string; kind?: string; name: string; namespace?: string },
  problems: Problems,
): CertificateIR | undefined {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Secret';
  const ns = ref.namespace ?? gatewayNs;
  const key = `${ns}/${ref.name}`;
  if (group !== '' || kind !== 'Secret') {
    problems.add(
      'InvalidCertificateRef',
      `certificateRef ${group || 'core'}/${kind} "${ref.name}" is not supported; use a Secret`,
    );
    return undefined;
  }
  if (!index.granted(GATEWAY_GROUP, 'Gateway', gatewayNs, '', 'Secret', ns, ref.name)) {
    problems.add(
      'RefNotPermitted',
      `certificateRef to Secret "${key}" is not permitted: add a ReferenceGrant in namespace "${ns}" from Gateways in "${gatewayNs}"`,
    );
    return undefined;
  }
  const secret = index.secrets.get(key);
  if (!secret) {
    problems.add('InvalidCertificateRef', `Secret "${key}" not found`);
    return undefined;
  }
  const crt = secret.data?.['tls.crt'];
  const tlsKey = secret.data?.['tls.key'];
  if (secret.type !== 'kubernetes.io/tls' || !crt || !tlsKey) {
    problems.add(
      'InvalidCertificateRef',
      `Secret "${key}" must be of type kubernetes.io/tls with tls.crt and tls.key`,
    );
    return undefined;
  }
  const certPem = Buffer.from(crt, 'base64').toString('utf8');
  const keyPem = Buffer.from(tlsKey, 'base64').toString('utf8');
  if (!certPem.includes('-----BEGIN') || !keyPem.includes('-----BEGIN')) {
    problems.add('InvalidCertificateRef', `Secret "${key}" does not hold PEM data in tls.crt and tls.key`);
    return undefined;
  }
  const certificate: CertificateIR = { secret: key, certPem, keyPem };
  // Load it as the data plane will, so a broken key marks this listener instead of reaching the snapshot.
  const unusable = certificateProblem(certificate);
  if (unusable !== undefined) {
    problems.add('InvalidCertificateRef', unusable);
    return undefined;
  }
  return certificate;
}

/** Verdicts of compileCertificate by content: every translation re-checks each listener's certificates. */
const certificateVerdicts = new BoundedMemo<string, string | null>(1024);

function certificateProblem(c: CertificateIR): string | undefined {
  const verdict = certificateVerdicts.get(`${c.secret}\0${c.certPem}\0${c.keyPem}`, () => {
    try {
      compileCertificate(c);
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  });
  return verdict ?? undefined;
}

/** The address reported in `status.addresses`: a wildcard bind is reachable on loopback. */
export function reportedAddress(address: string): { type: 'IPAddress' | 'Hostname'; value: string } {
  if (address === '0.0.0.0' || address === '') return { type: 'IPAddress', value: '127.0.0.1' };
  if (address === '::' || address === '[::]') return { type: 'IPAddress', value: '::1' };
  return { type: isIP(address) ? 'IPAddress' : 'Hostname', value: address };
}

export function listenerConditions(l: TranslatedListener, generation: number | undefined): Condition[] {
  const accepted = l.notAccepted.empty && !!l.protocol;
  return [
    cond(
      'Accepted',
      accepted,
      accepted ? 'Accepted' : l.notAccepted.reason,
      l.notAccepted.message,
      generation,
    ),
    cond(
      'ResolvedRefs',
      l.unresolved.empty,
      l.unresolved.empty ? 'ResolvedRefs' : l.unresolved.reason,
      l.unresolved.message,
      generation,
    ),
    l.conflict
      ? { ...cond('Conflicted', true, l.conflict.reason, l.conflict.message, generation) }
      : { ...cond('Conflicted', false, 'NoConflicts', '', generation) },
    cond(
      'Programmed',
      l.programmed,
      l.programmed ? 'Programmed' : 'Invalid',
      l.programmed
        ? ''
        : [l.notAccepted.message, l.unresolved.message, l.conflict?.message, l.refused]
            .filter(Boolean)
            .join('; ') || 'listener is not programmed',
      generation,
    ),
  ];
}
