// Loaded by WorkerGateway workers in apply.test.ts: an extension runtime built inside each worker process.
import type { Extension } from '../../src/extensions/extension.js';
import type { WorkerExtensions } from '../../src/dataplane/workers.js';

export function createWorkerExtensions(): WorkerExtensions {
  let prepared = 0;
  const ext: Extension = {
    id: 'GCPTrafficExtension/default/w/chain1/pid',
    failOpen: false,
    events: new Set(['ResponseHeaders']),
    open: () => ({
      requestHeaders: async () => ({}),
      requestBody: async (c) => ({ chunks: [c] }),
      requestTrailers: async () => ({}),
      responseHeaders: async (h) => {
        h.set('x-worker-pid', String(process.pid));
        h.set('x-prepared', String(prepared));
        return {};
      },
      responseBody: async (c) => ({ chunks: [c] }),
      responseTrailers: async () => ({}),
      close: () => {},
    }),
  };
  return {
    compileChains: () => ({ select: () => ext }),
    prepare: () => void prepared++,
  };
}
