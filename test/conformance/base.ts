// The suite's base infrastructure (its conformance/base/manifests.yaml, by what it declares): three
// namespaces labelled as the suite labels them, the shared Gateways, the backend Services and the certificate
// Secret of the HTTPS Gateway. Differences, because extgate serves every Gateway on one address: each shared
// Gateway has its own listener port (a cluster gives each Gateway an address of its own, where all use 80),
// and Services are loopback Services whose EndpointSlice names an echo server of this process.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { documents, loopbackService } from '../e2e/manifests.js';
import type { CertificatePair } from '../../src/sdk/certs.js';
import type { EchoBackend } from './backends.js';
import { APP_BACKEND, gateway, INFRA, WEB_BACKEND } from './model.js';

/** The Services the suite deploys echo Pods for. */
export const BACKENDS: ReadonlyArray<{ namespace: string; service: string }> = [
  { namespace: INFRA, service: 'infra-backend-v1' },
  { namespace: INFRA, service: 'infra-backend-v2' },
  { namespace: INFRA, service: 'infra-backend-v3' },
  { namespace: APP_BACKEND, service: 'app-backend-v1' },
  { namespace: APP_BACKEND, service: 'app-backend-v2' },
  { namespace: WEB_BACKEND, service: 'web-backend' },
];

/** Listener ports of the shared Gateways (see the header for why they differ). */
export const PORTS = { sameNamespace: 80, allNamespaces: 81, backendNamespaces: 82, https: 443 } as const;

/**
 * Names the certificates cover. The suite's (suite.go) covers `*`, `*.org` and `*.wildcard.org`; Node (client
 * and extgate's SNI lookup alike) refuses a wildcard over a top-level domain, so the `.org` hosts the tests
 * ask for are named instead.
 */
export const CERTIFICATE_NAMES = [
  'example.org',
  'unknown-example.org',
  'second-example.org',
  '*.wildcard.org',
];

export function tlsSecret(name: string, namespace: string, cert: CertificatePair): string {
  return `apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: ${namespace}}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(cert.certPem).toString('base64')}
  tls.key: ${Buffer.from(cert.keyPem).toString('base64')}`;
}

const httpsListener = (name: string, hostname?: string) =>
  `- name: ${name}
  port: ${PORTS.https}
  protocol: HTTPS${hostname ? `\n  hostname: "${hostname}"` : ''}
  allowedRoutes: {namespaces: {from: Same}}
  tls: {certificateRefs: [{group: "", kind: Secret, name: tls-validity-checks-certificate, namespace: ${INFRA}}]}`;

export function baseInfrastructure(backends: readonly EchoBackend[], cert: CertificatePair): string {
  return documents(
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${INFRA}, labels: {gateway-conformance: infra}}`,
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${APP_BACKEND}, labels: {gateway-conformance: backend}}`,
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${WEB_BACKEND}, labels: {gateway-conformance: backend}}`,
    tlsSecret('tls-validity-checks-certificate', INFRA, cert),
    tlsSecret('certificate', WEB_BACKEND, cert),
    gateway(
      'same-namespace',
      `- {name: http, port: ${PORTS.sameNamespace}, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}`,
    ),
    gateway(
      'same-namespace-with-https-listener',
      [
        httpsListener('https'),
        httpsListener('https-with-hostname', 'second-example.org'),
        httpsListener('https-with-wildcard-hostname', '*.wildcard.org'),
        httpsListener('https-with-hostname-matching-wildcard', 'fourth-example.wildcard.org'),
      ].join('\n'),
    ),
    gateway(
      'all-namespaces',
      `- {name: http, port: ${PORTS.allNamespaces}, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}`,
    ),
    gateway(
      'backend-namespaces',
      `- name: http
  port: ${PORTS.backendNamespaces}
  protocol: HTTP
  allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {gateway-conformance: backend}}}}`,
    ),
    ...backends.map((b) =>
      b.service === 'infra-backend-v1'
        ? infraBackendV1(b)
        : loopbackService(b.service, b.port, { namespace: b.namespace }),
    ),
  );
}

/** infra-backend-v1 with the suite's three ports: HTTP, h2c (appProtocol kubernetes.io/h2c) and WebSocket. */
function infraBackendV1(b: EchoBackend): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${b.service}, namespace: ${b.namespace}}
spec:
  ports:
  - {name: first-port, protocol: TCP, port: 8080, targetPort: 3000}
  - {name: second-port, protocol: TCP, appProtocol: kubernetes.io/h2c, port: 8081, targetPort: 3001}
  - {name: third-port, protocol: TCP, appProtocol: kubernetes.io/ws, port: 8082, targetPort: 3000}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${b.service}-local
  namespace: ${b.namespace}
  labels: {kubernetes.io/service-name: ${b.service}}
addressType: IPv4
ports:
- {name: first-port, port: ${b.port}, protocol: TCP}
- {name: second-port, port: ${b.h2cPort}, protocol: TCP}
- {name: third-port, port: ${b.port}, protocol: TCP}
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]`;
}

/** Every listener port the port's Gateways use (base.ts, tests-core.ts, tests-extended.ts). */
const LISTENER_PORTS = [
  ...Array.from({ length: 105 - 80 + 1 }, (_, i) => 80 + i),
  ...Array.from({ length: 456 - 443 + 1 }, (_, i) => 443 + i),
];

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A `--port-offset` that puts every listener port below the kernel's ephemeral range, on ports free now. In
 * that range a listener can collide with the local port of any outgoing connection on the machine (kubectl,
 * the tests' own requests), which extgate then reports as PortUnavailable.
 */
export async function pickPortOffset(): Promise<number> {
  let ephemeralLow = 32768;
  try {
    ephemeralLow =
      Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]) || 32768;
  } catch {
    // Not Linux: the common default.
  }
  const top = Math.max(2000, ephemeralLow - 500);
  for (let attempt = 0; attempt < 50; attempt++) {
    const offset = 1000 + Math.floor(Math.random() * (top - 1000 - 456));
    const results = await Promise.all(LISTENER_PORTS.map((p) => bindable(p + offset)));
    if (results.every(Boolean)) return offset;
  }
  throw new Error('no port offset with all listener ports free below the ephemeral range');
}
