// The in-process traffic-chain members the extension benches share (bench/gateway-proc.ts `noop-headers` /
// `add-headers`, bench/edit-path-cost.ts): one that changes nothing, the cost of the hook points alone, and one
// adding a header each way in JavaScript, what carrying an edit costs the data plane apart from any plugin.
import type { Extension } from '../src/extensions/extension.js';
import { passThroughStream } from '../test/support/pass-through-stream.js';

export const noopMember: Extension = {
  id: 'GCPTrafficExtension/default/bench/chain1/noop',
  failOpen: false,
  events: new Set(['RequestHeaders', 'ResponseHeaders']),
  open: passThroughStream,
};

export const addHeadersMember: Extension = {
  ...noopMember,
  open: () => ({
    ...passThroughStream(),
    requestHeaders: (h) => (h.set('x-added', 'yes'), Promise.resolve({ effect: 'CONTENT_MODIFIED' })),
    responseHeaders: (h) => (h.set('x-added', 'yes'), Promise.resolve({ effect: 'CONTENT_MODIFIED' })),
  }),
};
