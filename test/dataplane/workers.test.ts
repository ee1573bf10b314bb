// The data plane in worker processes, wired as `extgate up` / `serve` wire it (src/cli/gateway.ts): every
// worker gets every snapshot, a killed worker is replaced while the others keep serving, /metrics sums all
// workers, and traces recorded in workers reach the primary's dashboard store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Registry } from 'prom-client';
import { startGateway, type Gateway } from '../../src/cli/gateway.js';
import type { TraceRecord } from '../../src/admin/trace.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { EMPTY_SNAPSHOT } from '../../src/ir/snapshot.js';
import { backend, echoBackend, get, listener, port, rule, snapshot, type EchoBackend } from './fixtures.js';

const WORKERS = 2;

async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('data-plane workers', { timeout: 90_000 }, () => {
  let a: EchoBackend;
  let gw: Gateway;
  let listenPort = 0;
  const traces = (): TraceRecord[] => gw.observability.recorder.list();
  const traceOf = (requestId: string) => () => traces().find((t) => t.requestId === requestId);

  before(async () => {
    a = await echoBackend('a');
    gw = startGateway({
      workers: WORKERS,
      metrics: new Registry(),
      log: () => {},
      observability: { accessLog: false, recordWhen: 'asked' },
    });
    await gw.apply(snapshot([port([listener([rule({ backends: [backend('default/a:80', a.port)] })])])]));
    listenPort = gw.ports()[0]!.boundPort;
  });
  after(async () => {
    await gw?.close(200);
    await a?.close();
  });

  /** The admin port as `up` serves it: dashboard, /api/capture, /metrics of every worker. */
  function startAdmin(): Promise<AdminServer> {
    return startAdminServer({
      host: '127.0.0.1',
      port: 0,
      isReady: () => true,
      metrics: gw.metrics,
      routes: [
        gw.observability.dashboard({
          snapshot: () => gw.snapshot ?? EMPTY_SNAPSHOT,
          resources: () => [],
          events: () => [],
        }),
      ],
    });
  }

  /** Fresh connections until each worker id has answered; the traces of those requests. */
  async function oneRequestPerWorker(path: string, prefix: string): Promise<Map<number, TraceRecord>> {
    const seen = new Map<number, TraceRecord>();
    for (let i = 0; seen.size < WORKERS; i++) {
      assert.ok(i < 400, `only workers ${[...seen.keys()].join(',')} answered 400 fresh connections`);
      const id = `${prefix}-${i}`;
      await get(listenPort, path, { host: 'x', 'x-request-id': id });
      const t = await until(`trace ${id}`, traceOf(id));
      seen.set(t.worker!, t);
    }
    return seen;
  }

  it('starts the workers, each serving the snapshot on the same port', async () => {
    assert.equal(gw.workerPids().size, WORKERS);
    const stop = gw.observability.recorder.demand.watch();
    try {
      const served = await oneRequestPerWorker('/', 'start');
      for (const t of served.values()) assert.equal(t.status, 200);
    } finally {
      stop();
    }
  });

  it('a snapshot change reaches every worker', async () => {
    await gw.apply(
      snapshot([
        port(
          [
            listener([
              rule({
                match: { path: { type: 'Exact', value: '/only' } },
                backends: [backend('default/a:80', a.port)],
              }),
            ]),
          ],
          'HTTP',
          listenPort,
        ),
      ]),
    );
    const stop = gw.observability.recorder.demand.watch();
    try {
      const served = await oneRequestPerWorker('/', 'changed');
      for (const [worker, t] of served)
        assert.equal(t.status, 404, `worker ${worker} serves the new route table`);
    } finally {
      stop();
    }
    await gw.apply(
      snapshot([
        port([listener([rule({ backends: [backend('default/a:80', a.port)] })])], 'HTTP', listenPort),
      ]),
    );
  });

  it('/metrics counts the requests of every worker', async () => {
    const total = async () => {
      const text = await gw.metrics.metrics();
      let n = 0;
      for (const m of text.matchAll(/^extgate_requests_total\{[^}]*\} (\d+)/gm)) n += Number(m[1]);
      return n;
    };
    const before = await total();
    const stop = gw.observability.recorder.demand.watch();
    let sent = 0;
    try {
      const served = new Set<number>();
      while (served.size < WORKERS || sent < 10) {
        const id = `metrics-${sent++}`;
        await get(listenPort, '/', { host: 'x', 'x-request-id': id });
        served.add((await until(`trace ${id}`, traceOf(id))).worker!);
      }
    } finally {
      stop();
    }
    assert.equal((await total()) - before, sent);
  });

  it('traces are recorded only while someone watches; a watcher sees traces from every worker', async () => {
    const admin = await startAdmin();
    try {
      for (let i = 0; i < 6; i++) await get(listenPort, '/', { host: 'x', 'x-request-id': `idle-${i}` });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(
        traces().filter((t) => t.requestId.startsWith('idle-')).length,
        0,
        'nobody looked: nothing recorded',
      );
      // A dashboard client connects: its event stream shows requests served by the workers.
      const frames: string[] = [];
      const stream = await new Promise<http.IncomingMessage>((resolve, reject) =>
        http
          .get({ host: '127.0.0.1', port: admin.port, path: '/api/requests/stream' }, resolve)
          .on('error', reject),
      );
      stream.on('data', (d: Buffer) => frames.push(d.toString()));
      await until('watch reaches the workers', async () => {
        const id = `watched-${Date.now()}`;
        await get(listenPort, '/', { host: 'x', 'x-request-id': id });
        await new Promise((r) => setTimeout(r, 30));
        return traces().some((t) => t.requestId === id) ? true : undefined;
      });
      const served = await oneRequestPerWorker('/', 'dash');
      await until('the live log shows them', () =>
        [...served.values()].every((t) => frames.join('').includes(t.requestId)) ? true : undefined,
      );
      stream.destroy();
    } finally {
      await admin.close();
    }
  });

  it('a capture of "the next 5 requests to /x" records exactly those', async () => {
    const admin = await startAdmin();
    try {
      const res = await fetch(`http://127.0.0.1:${admin.port}/api/capture`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 5, path: '/x', seconds: 60 }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      const capture = (await res.json()) as { id: number };
      const sentToX: string[] = [];
      for (let i = 0; i < 16; i++) {
        const path = i % 2 === 0 ? '/x/item' : '/y';
        const id = `cap-${i}`;
        if (path !== '/y') sentToX.push(id);
        await get(listenPort, path, { host: 'x', 'x-request-id': id });
        // One at a time: the trace of one request reaches this process before the next request starts.
        if (sentToX.length <= 5 && path !== '/y') await until(`trace ${id}`, traceOf(id));
      }
      await new Promise((r) => setTimeout(r, 300));
      const captured = traces().filter((t) => t.requestId.startsWith('cap-'));
      assert.deepEqual(captured.map((t) => t.requestId).sort(), sentToX.slice(0, 5).sort());
      assert.ok(
        captured.every((t) => t.capture === capture.id && t.request !== undefined),
        'content captured',
      );
      assert.ok(
        captured.every((t) => t.worker !== undefined),
        'recorded in workers',
      );
      const left = (await (await fetch(`http://127.0.0.1:${admin.port}/api/capture`)).json()) as {
        captures: unknown[];
      };
      assert.deepEqual(left.captures, [], 'the capture ended after 5');
    } finally {
      await admin.close();
    }
  });

  it('a worker killed with SIGKILL under load is replaced; requests on the other workers never fail', async () => {
    const stop = gw.observability.recorder.demand.watch();
    const agents: http.Agent[] = [];
    try {
      // Keep-alive connections, each pinned to one worker (learned from the trace of its first request).
      const conns: Array<{ agent: http.Agent; worker: number }> = [];
      for (let i = 0; i < 40 && new Set(conns.map((c) => c.worker)).size < WORKERS; i++) {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        agents.push(agent);
        const id = `pin-${i}`;
        await request(listenPort, agent, id);
        conns.push({ agent, worker: (await until(`trace ${id}`, traceOf(id))).worker! });
      }
      const victim = conns[0]!.worker;
      const victimPid = gw.workerPids().get(victim)!;
      const survivors = conns.filter((c) => c.worker !== victim);
      assert.ok(survivors.length > 0, 'connections on another worker');
      let stopLoad = false;
      const failures: string[] = [];
      let ok = 0;
      const loops = survivors.map(async (c, n) => {
        for (let i = 0; !stopLoad; i++) {
          try {
            const status = await request(listenPort, c.agent, `load-${n}-${i}`);
            if (status === 200) ok++;
            else failures.push(`status ${status}`);
          } catch (err) {
            failures.push((err as Error).message);
          }
        }
      });
      await until('load running', () => (ok >= 10 ? true : undefined));
      process.kill(victimPid, 'SIGKILL');
      const okAtKill = ok;
      // Load goes on until the replacement is up and the survivors have answered plenty meanwhile.
      const pid = await until(
        'a replacement worker, under load',
        () => {
          const p = gw.workerPids().get(victim);
          return p !== undefined && p !== victimPid && ok >= okAtKill + 50 ? p : undefined;
        },
        60_000,
      );
      stopLoad = true;
      await Promise.all(loops);
      assert.deepEqual(failures, [], 'no request on the surviving workers failed');
      assert.notEqual(pid, victimPid);
      const served = await oneRequestPerWorker('/', 'replaced');
      assert.equal(served.get(victim)?.status, 200, 'the new worker serves the current snapshot');
    } finally {
      stop();
      for (const agent of agents) agent.destroy();
    }
  });
});

function request(port: number, agent: http.Agent, requestId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(
        { host: '127.0.0.1', port, path: '/', agent, headers: { host: 'x', 'x-request-id': requestId } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      )
      .on('error', reject);
  });
}

describe('data-plane workers: shutdown', { timeout: 60_000 }, () => {
  it('close() finishes when the workers die at the same moment (Ctrl-C reaches the whole group)', async () => {
    const gw = startGateway({
      workers: 2,
      metrics: new Registry(),
      log: () => {},
      observability: { accessLog: false, recordWhen: 'asked' },
    });
    await gw.apply(snapshot([]));
    const pids = [...gw.workerPids().values()];
    assert.equal(pids.length, 2);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await gw.close(100);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0));
  });
});
