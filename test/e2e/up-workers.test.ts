// `extgate up` with default flags runs one data-plane worker per CPU, replaces a worker that is killed, and
// stops them all on SIGTERM.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { dataPlaneWorkers, startExtgate, waitFor, type ExtgateProcess } from './harness.js';

describe('extgate up: data-plane workers', () => {
  let extgate: ExtgateProcess;
  before(async () => {
    extgate = await startExtgate('up');
  });
  after(async () => {
    await extgate?.cleanup();
  });

  it('starts one worker per CPU by default, replaces a killed one, and stops them all on SIGTERM', async () => {
    const pid = extgate.child.pid!;
    let workers: number[] = [];
    await waitFor(() => (workers = dataPlaneWorkers(pid)).length === availableParallelism(), 30_000);
    process.kill(workers[0]!, 'SIGKILL');
    let replaced: number[] = [];
    await waitFor(
      () => (replaced = dataPlaneWorkers(pid)).length === workers.length && !replaced.includes(workers[0]!),
      30_000,
    );
    assert.deepEqual(
      replaced.filter((w) => workers.includes(w)).sort(),
      workers.slice(1).sort(),
      'the other workers kept running',
    );
    assert.equal(await extgate.stop('SIGTERM'), 0, extgate.output());
    for (const w of replaced) assert.throws(() => process.kill(w, 0), `worker ${w} exited with up`);
  });
});
