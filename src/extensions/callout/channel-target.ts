// Where a callout channel connects: its own module, so the channel pool and the health book that hears
// about its connection attempts share the type without importing each other.
import type { CalloutTlsIR, EndpointIR } from '../../ir/snapshot.js';

export interface ChannelTarget {
  readonly endpoint: EndpointIR;
  readonly authority: string;
  readonly tls: CalloutTlsIR | null;
}
