// The in-process traffic-chain members the extension benches share (bench/gateway-proc.ts `noop-headers` /
// `add-headers`, bench/edit-path-cost.ts): one that changes nothing, the cost of the hook points alone, and one
// adding a header each way in JavaScript, what carrying an edit costs the data plane apart from any plugin.
import type { Extension } from '../src/extensions/extension.js';
import type { ExtensionChainIR } from '../src/ir/snapshot.js';
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

/**
 * The IR of the one traffic chain these members run in: no extensions of its own (the bench's compileChains
 * hands the member in), no match condition.
 */
export const memberChainIR: ExtensionChainIR = {
  id: 'GCPTrafficExtension/default/bench/chain1',
  name: 'chain1',
  resource: 'default/bench',
  resourceKind: 'GCPTrafficExtension',
  match: [],
  extensions: [],
};
