// The callout connection metrics (`extgate_callout_*`, src/extensions/callout/metrics.ts) as /metrics shows
// them: connection events made to happen against real peers (an SDK callout on grpc-js, a node:http2 server
// that refuses streams, a peer that goes silent, a closed port), read back from the registry's text; then
// through `extgate up`'s worker processes, whose counts the primary sums.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { registerCalloutMetrics } from '../../src/extensions/callout/metrics.js';
import { startGateway as startWorkers } from '../../src/cli/gateway.js';
import { backend, echoBackend, get, listener, port, rule, snapshot } from '../dataplane/fixtures.js';
import { calloutIR, chainIR, requestHeaders, requestInfo, startCallout } from './support.js';

/** The value of one series in Prometheus text (0 when absent), found by its exact label set. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (m[2]!.split(',').sort().join(',') === want) return Number(m[3]);
  }
  return 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** One request_headers event through the extension; its effect or the error's message. */
async function headersEvent(client: CalloutClient, ir: ReturnType<typeof calloutIR>): Promise<string> {
  const s = client.extension(ir).open(requestInfo());
  try {
    return (await s.requestHeaders(requestHeaders(), true)).effect ?? 'NONE';
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    s.close();
  }
}

describe('callout connection metrics', () => {
  const closers: Array<() => unknown> = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  it(
    'each connection event is a counter per authority in the registry /metrics serves',
    { timeout: 20_000 },
    async () => {
      const registry = new Registry();
      const client = new CalloutClient({
        connections: { idleTimeoutMs: 150, pingAfterMs: 100, pingTimeoutMs: 100 },
      });
      closers.push(() => client.close());
      registerCalloutMetrics(registry, () => client.connectionStatsByAuthority);
      const text = () => registry.metrics();

      // A live callout: one connection, closed by the idle timeout once its stream is done.
      const live = await startCallout({});
      closers.push(() => live.stop());
      const liveIR = calloutIR({ port: live.plaintext, authority: 'live.default.svc' });
      assert.equal(await headersEvent(client, liveIR), 'NONE');
      await until(
        'the idle close',
        async () =>
          sample(await text(), 'extgate_callout_connections_retired_total', {
            authority: 'live.default.svc',
            reason: 'idle',
          }) === 1,
      );
      let t = await text();
      assert.equal(
        sample(t, 'extgate_callout_connections_total', { authority: 'live.default.svc', result: 'ok' }),
        1,
      );
      assert.match(t, /# TYPE extgate_callout_connections_total counter/);

      // A closed port: the attempt fails before any HTTP/2.
      const closed = net.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      assert.match(
        await headersEvent(client, calloutIR({ port: closedPort, authority: 'down.default.svc' })),
        /^error/,
      );

      // A peer that answers the handshake and then nothing: the keepalive PING finds it dead.
      const sockets: net.Socket[] = [];
      const silent = net.createServer((s) => {
        sockets.push(s);
        s.on('error', () => undefined);
        s.write(Buffer.from([0, 0, 0, 0x4, 0, 0, 0, 0, 0])); // an empty SETTINGS frame
        s.resume();
      });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      closers.push(() => {
        for (const s of sockets) s.destroy();
        silent.close();
      });
      const silentIR = calloutIR({
        port: (silent.address() as AddressInfo).port,
        authority: 'silent.default.svc',
      });
      assert.match(await headersEvent(client, silentIR), /keepalive PING/);

      // A callout that refuses every stream: the first refusal is retried once, the retry's is final.
      const refusing = http2.createServer();
      refusing.on('stream', (stream) => {
        stream.on('error', () => undefined);
        stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      });
      await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
      closers.push(() => refusing.close());
      const refusingIR = calloutIR({
        port: (refusing.address() as AddressInfo).port,
        authority: 'refusing.default.svc',
      });
      assert.match(await headersEvent(client, refusingIR), /refused/);

      t = await text();
      const expected: Array<[string, Record<string, string>, number]> = [
        ['extgate_callout_connections_total', { authority: 'down.default.svc', result: 'error' }, 1],
        ['extgate_callout_connections_total', { authority: 'down.default.svc', result: 'ok' }, 0],
        ['extgate_callout_connections_total', { authority: 'silent.default.svc', result: 'ok' }, 1],
        [
          'extgate_callout_connections_retired_total',
          { authority: 'silent.default.svc', reason: 'keepalive_timeout' },
          1,
        ],
        [
          'extgate_callout_connections_retired_total',
          { authority: 'live.default.svc', reason: 'keepalive_timeout' },
          0,
        ],
        [
          'extgate_callout_transparent_retries_total',
          { authority: 'refusing.default.svc', result: 'retried' },
          1,
        ],
        [
          'extgate_callout_transparent_retries_total',
          { authority: 'refusing.default.svc', result: 'over_budget' },
          0,
        ],
        ['extgate_callout_connections_retired_total', { authority: 'live.default.svc', reason: 'idle' }, 1],
      ];
      for (const [name, labels, value] of expected) {
        assert.equal(sample(t, name, labels), value, `${name} ${JSON.stringify(labels)}\n${t}`);
      }
    },
  );

  it(
    '`extgate up` with two workers: /metrics sums the connections every worker opened',
    { timeout: 60_000 },
    async () => {
      const callout = await startCallout({});
      closers.push(() => callout.stop());
      const echo = await echoBackend('echo');
      closers.push(() => echo.close());
      const workers = 2;
      const gw = startWorkers({
        workers,
        metrics: new Registry(),
        log: () => {},
        observability: { accessLog: false, recordWhen: 'asked' },
      });
      closers.push(() => gw.close(200));
      const chain = chainIR('chain1', undefined, [
        calloutIR({
          port: callout.plaintext,
          authority: 'callout.default.svc',
          events: ['RequestHeaders'],
        }),
      ]);
      await gw.apply(
        snapshot([
          port([
            listener([rule({ backends: [backend('default/echo:80', echo.port)] })], {
              trafficChains: [chain],
            }),
          ]),
        ]),
      );
      const listenPort = gw.ports()[0]!.boundPort;
      // Fresh connections until every worker has served a request (the kernel spreads them by SO_REUSEPORT);
      // each worker's pool then holds one connection to the callout.
      const stop = gw.observability.recorder.demand.watch();
      const served = new Set<number>();
      try {
        for (let i = 0; served.size < workers; i++) {
          assert.ok(i < 400, `only workers ${[...served].join(',')} answered 400 connections`);
          const id = `metrics-${i}`;
          const a = await get(listenPort, '/', { host: 'x', 'x-request-id': id });
          assert.equal(a.status, 200);
          let worker: number | undefined;
          await until(
            `trace ${id}`,
            () => {
              worker = gw.observability.recorder.list().find((tr) => tr.requestId === id)?.worker;
              return worker !== undefined;
            },
            15_000,
          );
          served.add(worker!);
        }
      } finally {
        stop();
      }
      const t = await gw.metrics.metrics();
      assert.equal(
        sample(t, 'extgate_callout_connections_total', { authority: 'callout.default.svc', result: 'ok' }),
        workers,
        t
          .split('\n')
          .filter((l) => l.startsWith('extgate_callout'))
          .join('\n'),
      );
    },
  );
});
