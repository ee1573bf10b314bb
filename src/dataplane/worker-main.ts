// Entry point of a WorkerGateway worker: one DataPlane driven by messages from the primary.
import { DataPlane, type DataPlaneOptions } from './gateway.js';
import type { CompileChains } from './runtime.js';
import type { WorkerExtensions, WorkerMessage } from './workers.js';

const raw = JSON.parse(process.env.EXTGATE_WORKER_OPTIONS ?? '{}') as {
  chainsModule?: string;
  limits?: DataPlaneOptions['limits'];
};
let extensions: WorkerExtensions | undefined;
if (raw.chainsModule !== undefined) {
  const mod = (await import(raw.chainsModule)) as {
    compileChains?: CompileChains;
    createWorkerExtensions?: () => WorkerExtensions | Promise<WorkerExtensions>;
  };
  if (mod.createWorkerExtensions !== undefined) extensions = await mod.createWorkerExtensions();
  else if (mod.compileChains !== undefined) extensions = { compileChains: mod.compileChains };
  else throw new Error(`${raw.chainsModule} exports neither createWorkerExtensions nor compileChains`);
}
const gw = new DataPlane({
  ...(extensions !== undefined ? { compileChains: extensions.compileChains } : {}),
  ...(raw.limits !== undefined ? { limits: raw.limits } : {}),
});
const send = (m: WorkerMessage): void => void process.send?.(m);

process.on('message', (m: WorkerMessage) => {
  if (m.type === 'apply') {
    Promise.resolve(extensions?.prepare?.(m.snapshot))
      .then(() => gw.apply(m.snapshot))
      .then(
        () => send({ type: 'done', seq: m.seq, ports: gw.ports() }),
        (err: Error) => send({ type: 'done', seq: m.seq, error: err.message }),
      );
  } else if (m.type === 'close') {
    void gw
      .close(m.graceMs)
      .then(() => extensions?.close?.())
      .catch(() => {})
      .then(() => send({ type: 'done', seq: m.seq }));
  }
});
send({ type: 'ready' });
