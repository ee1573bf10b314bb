// Pooled HTTP/2 channels to callout endpoints: one grpc-js Client per (endpoint, authority, TLS settings),
// shared by every extension and every snapshot that names the same target, so a config change does not
// reconnect. Streams (one per HTTP request) are multiplexed on these channels.

import { checkServerIdentity as tlsCheckServerIdentity, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { CalloutTlsIR, EndpointIR } from '../../ir/snapshot.js';
import { CALLOUT_MAX_RESPONSE_BYTES } from './limits.js';

export interface ChannelTarget {
  readonly endpoint: EndpointIR;
  readonly authority: string;
  readonly tls: CalloutTlsIR | null;
}

export class CalloutChannels {
  private readonly clients = new Map<string, grpc.Client>();
  private closed = false;

  client(t: ChannelTarget): grpc.Client {
    if (this.closed) throw new Error('CalloutChannels is closed');
    const key = channelKey(t);
    let c = this.clients.get(key);
    if (!c) {
      c = new grpc.Client(hostPort(t.endpoint), credentials(t), channelOptions(t));
      this.clients.set(key, c);
    }
    return c;
  }

  /** Number of open channels (for metrics and tests). */
  get size(): number {
    return this.clients.size;
  }

  close(): void {
    this.closed = true;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

function hostPort(e: EndpointIR): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function channelKey(t: ChannelTarget): string {
  const tls = t.tls ? `tls:${t.tls.verify}:${t.tls.hostname ?? ''}:${t.tls.caPem ?? ''}` : 'h2c';
  return `${hostPort(t.endpoint)}|${t.authority}|${tls}`;
}

function channelOptions(t: ChannelTarget): grpc.ChannelOptions {
  const o: grpc.ChannelOptions = {
    'grpc.default_authority': t.authority,
    // A request's callout must fail fast when the endpoint is down, not wait out the reconnect backoff.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 2_000,
    'grpc.keepalive_time_ms': 30_000,
    // Larger answers end the stream with RESOURCE_EXHAUSTED, as on Google's load balancer.
    'grpc.max_receive_message_length': CALLOUT_MAX_RESPONSE_BYTES,
    'grpc.enable_retries': 0,
  };
  if (t.tls) o['grpc.ssl_target_name_override'] = sniName(t.authority);
  return o;
}

/** SNI is the authority without a port (and without IPv6 brackets). */
function sniName(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(1, authority.indexOf(']'));
  const i = authority.lastIndexOf(':');
  return i > 0 ? authority.slice(0, i) : authority;
}

function credentials(t: ChannelTarget): grpc.ChannelCredentials {
  if (!t.tls) return grpc.credentials.createInsecure();
  if (!t.tls.verify) {
    // As Google's load balancer: encrypted, certificate not verified.
    return grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined });
  }
  const name = t.tls.hostname ?? sniName(t.authority);
  const ca = t.tls.caPem ? Buffer.from(t.tls.caPem) : null;
  return grpc.credentials.createSsl(ca, null, null, {
    checkServerIdentity: (_host: string, cert: PeerCertificate) => tlsCheckServerIdentity(name, cert),
  });
}
