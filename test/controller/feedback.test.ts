// "Programmed" means served: when the data plane cannot open a port, the controller reports it on the
// Gateway (listener Accepted=False/PortUnavailable, Gateway Programmed=False), leaves the port out, and
// tries again later.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { startController } from '../../src/controller/controller.js';
import type { Snapshot } from '../../src/ir/snapshot.js';
import { loadApiServer, startTestCluster, waitFor } from './harness.js';

const startApiServer = await loadApiServer();

interface GatewayJson {
  status?: {
    conditions?: Array<{ type: string; status: string; reason: string }>;
    listeners?: Array<{
      name: string;
      conditions: Array<{ type: string; status: string; reason: string; message: string }>;
    }>;
  };
}

describe('data plane feedback', { skip: startApiServer ? false : 'src/apiserver not merged yet' }, () => {
  test('a port the data plane cannot open is reported, left out, and retried', async () => {
    if (!startApiServer) return;
    const cluster = await startTestCluster(startApiServer);
    let refuse = true;
    const seen: Snapshot[] = [];
    const controller = await startController({
      kubeConfig: cluster.kubeConfig,
      address: '127.0.0.1',
      portOffset: 0,
      writeStatus: true,
      refusalRetryMs: 300,
      log: { info: () => undefined, warn: () => undefined },
      onSnapshot: async (s) => {
        seen.push(s);
        const busy = s.ports.find((p) => p.port === 81);
        return refuse && busy
          ? { portErrors: { 81: 'listen EADDRINUSE: address already in use 127.0.0.1:81' } }
          : undefined;
      },
    });
    try {
      await controller.synced();
      const file = `${cluster.dir}/gw.yaml`;
      writeFileSync(
        file,
        `kind: Gateway
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: gke-l7-rilb
  listeners: [{name: free, protocol: HTTP, port: 80}, {name: busy, protocol: HTTP, port: 81}]
`,
      );
      await cluster.kubectl('apply', '-f', file);
      const refused = await waitFor('PortUnavailable on the busy listener', async () => {
        const g = JSON.parse(await cluster.kubectl('get', 'gateway', 'gw', '-o', 'json')) as GatewayJson;
        const busy = g.status?.listeners?.find((l) => l.name === 'busy');
        return busy?.conditions.some((c) => c.type === 'Accepted' && c.reason === 'PortUnavailable')
          ? g
          : undefined;
      });
      const busy = refused.status?.listeners?.find((l) => l.name === 'busy');
      assert.match(
        busy?.conditions.find((c) => c.type === 'Accepted')?.message ?? '',
        /port 81 could not be opened: listen EADDRINUSE/,
      );
      assert.equal(
        refused.status?.listeners
          ?.find((l) => l.name === 'free')
          ?.conditions.find((c) => c.type === 'Programmed')?.status,
        'True',
      );
      assert.deepEqual(
        controller.snapshot?.ports.map((p) => p.port),
        [80],
      );

      refuse = false; // the port is free now
      await waitFor('the port is tried again and served', async () => {
        const g = JSON.parse(await cluster.kubectl('get', 'gateway', 'gw', '-o', 'json')) as GatewayJson;
        const ok = g.status?.listeners
          ?.find((l) => l.name === 'busy')
          ?.conditions.every((c) => c.type === 'Conflicted' || c.status === 'True');
        return ok ? true : undefined;
      });
      assert.deepEqual(
        controller.snapshot?.ports.map((p) => p.port),
        [80, 81],
      );
      await cluster.kubectl('wait', '--for=condition=Programmed', 'gateway/gw', '--timeout=10s');
    } finally {
      await controller.close();
      await cluster.close();
    }
  });
});
