// Entry point of a WorkerGateway worker: one DataPlane driven by messages from the primary.
import { DataPlane, type DataPlaneOptions } from './gateway.js';
import type { CompileChains } from './runtime.js';
import type { WorkerMessage } from './workers.js';

const raw = JSON.parse(process.env.EXTGATE_WORKER_OPTIONS ?? '{}') as { chainsModule?: string; limits?: DataPlaneOptions['limits'] };
let compileChains: CompileChains | undefined;
if (raw.chainsModule !== undefined) {
  const mod = (await import(raw.chainsModule)) as { compileChains?: CompileChains };
  compileChains = mod.compileChains;
}
const gw = new DataPlane({ ...(compileChains !== undefined ? { compileChains } : {}), ...(raw.limits !== undefined ? { limits: raw.limits } : {}) });
const send = (m: WorkerMessage): void => void process.send?.(m);

process.on('message', (m: WorkerMessage) => {
  if (m.type === 'apply') {
    gw.apply(m.snapshot).then(
      () => send({ type: 'done', seq: m.seq, ports: gw.ports() }),
      (err: Error) => send({ type: 'done', seq: m.seq, error: err.message }),
    );
  } else if (m.type === 'close') {
    void gw.close(m.graceMs).then(() => send({ type: 'done', seq: m.seq }));
  }
});
send({ type: 'ready' });
