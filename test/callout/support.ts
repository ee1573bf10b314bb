// Shared by the callout tests: IR builders and a real SDK server on ephemeral ports.
import type { CalloutExtensionIR, ExtensionChainIR, HttpEvent } from '../../src/ir/snapshot.js';
import type { RequestInfo } from '../../src/extensions/extension.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import {
  CalloutServer,
  selfSignedCertificate,
  type Callout,
  type CertificatePair,
} from '../../src/sdk/index.js';

let cert: CertificatePair | undefined;
/** One certificate per test process (key generation is the slow part). */
export function testCertificate(): CertificatePair {
  cert ??= selfSignedCertificate(['localhost', 'callout.test', '127.0.0.1']);
  return cert;
}

export interface RunningCallout {
  readonly server: CalloutServer;
  readonly plaintext: number;
  readonly secure: number;
  stop(): Promise<void>;
}

/** `plaintextPort` lets a test bring a callout back on the port a stopped one used. */
export async function startCallout(callout: Callout, plaintextPort = 0): Promise<RunningCallout> {
  const c = testCertificate();
  const server = new CalloutServer(callout, {
    address: '127.0.0.1',
    plaintextPort,
    securePort: 0,
    healthPort: null,
    certChain: c.certPem,
    privateKey: c.keyPem,
  });
  const ports = await server.start();
  return { server, plaintext: ports.plaintext!, secure: ports.secure!, stop: () => server.stop() };
}

export interface IrOptions extends Partial<Omit<CalloutExtensionIR, 'target' | 'kind'>> {
  readonly port: number;
  readonly tls?: boolean;
  readonly verify?: boolean;
  readonly caPem?: string;
  readonly hostname?: string;
}

export function calloutIR(o: IrOptions): CalloutExtensionIR {
  const name = o.name ?? 'ext';
  const events: HttpEvent[] = o.events ? [...o.events] : ['RequestHeaders', 'ResponseHeaders'];
  return {
    kind: 'callout',
    id: o.id ?? `GCPTrafficExtension/default/test/chain1/${name}`,
    name,
    failOpen: o.failOpen ?? false,
    events,
    authority: o.authority ?? 'callout.test',
    timeoutMs: o.timeoutMs ?? 1000,
    ...(o.forwardHeaders ? { forwardHeaders: o.forwardHeaders } : {}),
    ...(o.metadata ? { metadata: o.metadata } : {}),
    metadataNamespace: o.metadataNamespace ?? `com.google.lb_traffic_extension.test.chain1.${name}`,
    requestBodySendMode: o.requestBodySendMode ?? 'Streamed',
    responseBodySendMode: o.responseBodySendMode ?? 'Streamed',
    observabilityMode: o.observabilityMode ?? false,
    target: {
      service: 'default/callout:443',
      endpoints: [{ address: '127.0.0.1', port: o.port }],
      tls: o.tls
        ? {
            verify: o.verify ?? false,
            ...(o.caPem ? { caPem: o.caPem } : {}),
            ...(o.hostname ? { hostname: o.hostname } : {}),
          }
        : null,
    },
  };
}

export function chainIR(
  name: string,
  celMatcher: string | undefined,
  extensions: CalloutExtensionIR[],
): ExtensionChainIR {
  return {
    id: `GCPTrafficExtension/default/test/${name}`,
    name,
    resource: 'default/test',
    resourceKind: 'GCPTrafficExtension',
    match: celMatcher === undefined ? [] : [{ celMatcher }],
    extensions,
  };
}

export function requestInfo(o: Partial<RequestInfo> = {}): RequestInfo {
  return {
    requestId: 'req-1',
    scheme: 'http',
    sourceAddress: '127.0.0.1',
    sourcePort: 40000,
    destinationAddress: '127.0.0.1',
    destinationPort: 8080,
    listener: 'default/gw/http',
    ...o,
  };
}

export function requestHeaders(path = '/serviceextensions', extra: Array<[string, string]> = []): HeaderList {
  return new HeaderList([
    [':method', 'GET'],
    [':path', path],
    [':authority', 'store.example.com'],
    [':scheme', 'http'],
    ['user-agent', 'test'],
    ...extra,
  ]);
}

export function responseHeaders(extra: Array<[string, string]> = []): HeaderList {
  return new HeaderList([[':status', '200'], ['content-type', 'text/plain'], ...extra]);
}

export const text = (chunks: readonly Uint8Array[]): string =>
  Buffer.concat(chunks.map((c) => Buffer.from(c))).toString();
