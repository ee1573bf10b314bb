// A data-plane worker process (forked by gateway.ts through WorkerPool): one GatewayNode binding the listener
// ports with SO_REUSEPORT. Its access log goes to stdout directly; kept traces and plugin log lines go to the
// primary, which serves the dashboard; `/metrics` asks each worker for its registry as JSON.
import { Registry } from 'prom-client';
import { createObservability } from '../admin/observability.js';
import { postToPool, serveWorker, workerId, workerInit } from '../dataplane/worker-channel.js';
import {
  METRICS_CALL,
  workerObservability,
  type PrimaryEvent,
  type WorkerEvent,
  type WorkerInit,
} from './gateway.js';
import { startGatewayNode } from './gateway-node.js';

const init = workerInit<WorkerInit>();
const id = workerId();
const registry = new Registry();
const observability = createObservability(workerObservability(init, id, registry));
const post = (event: WorkerEvent): void => postToPool(event);
observability.recorder.onKept((trace) => post({ type: 'trace', trace }));
const log = (line: string): void => void process.stderr.write(`worker ${id}: ${line}\n`);
const node = startGatewayNode({
  metrics: registry,
  log,
  recorder: observability.recorder,
  pluginLogSink: (entry) => post({ type: 'plugin-log', entry }),
  reusePort: true,
  onCalloutProblems: (problems) => post({ type: 'callout-problems', problems: [...problems] }),
  ...(init.limits ? { limits: init.limits } : {}),
});

serveWorker({
  apply: (snapshot) => node.apply(snapshot),
  ports: () => node.dataPlane.ports(),
  async close(graceMs) {
    await node.close(graceMs);
    observability.flush();
  },
  call: (payload) => (payload === METRICS_CALL ? registry.getMetricsAsJSON() : undefined),
  event: (payload) => {
    const event = payload as PrimaryEvent;
    if (event.type === 'trace-demand') observability.recorder.demand.setState(event.state);
  },
});
