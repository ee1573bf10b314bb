// YAML the end-to-end tests apply with kubectl. Locally nothing runs Pods, so a backend is a Service without
// a selector plus an EndpointSlice naming the loopback port where the test's process listens.

export interface LoopbackServiceOptions {
  /** The Service port routes and extensions refer to (default 8080). */
  servicePort?: number;
  /** e.g. `HTTP2` for a callout Service (gRPC over TLS). */
  appProtocol?: string;
  /** Default: the kubeconfig's namespace. */
  namespace?: string;
}

/** A Service `name` whose one endpoint is 127.0.0.1:`port`. */
export function loopbackService(name: string, port: number, opts: LoopbackServiceOptions = {}): string {
  const servicePort = opts.servicePort ?? 8080;
  const appProtocol = opts.appProtocol ? `, appProtocol: ${opts.appProtocol}` : '';
  const namespace = opts.namespace ? `, namespace: ${opts.namespace}` : '';
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}${namespace}}
spec:
  ports: [{name: http, port: ${servicePort}, targetPort: ${port}${appProtocol}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-local${opts.namespace ? `\n  namespace: ${opts.namespace}` : ''}
  labels: {kubernetes.io/service-name: ${name}}
addressType: IPv4
ports: [{name: http, port: ${port}, protocol: TCP}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
`;
}

/** A Gateway with one plain HTTP listener on port 80 (bound at 80 + the test's --port-offset). */
export function httpGateway(name: string, gatewayClassName: string): string {
  return `kind: Gateway
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: ${name}}
spec:
  gatewayClassName: ${gatewayClassName}
  listeners: [{name: http, protocol: HTTP, port: 80}]
`;
}

/** Joins manifests into one multi-document YAML stream. */
export function documents(...docs: string[]): string {
  return docs.map((d) => d.trimEnd()).join('\n---\n') + '\n';
}
