// extgate's ext_proc client against a server on Python's grpcio (Debian python3-grpcio; a small server of
// our own, test/callout/grpcio_server.py), over h2c and TLS: directly, and through the gateway with a traffic
// chain on request and response headers and a body. A second, independent gRPC implementation beside grpc-js.
// Then our keepalive PINGs against grpc-core's ping abuse policy (docs/callouts.md, "Keepalive against gRPC
// servers"), with the server's policy and our intervals scaled from seconds and minutes to milliseconds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { registerCalloutMetrics } from '../../src/extensions/callout/metrics.js';
import { chainCompiler } from '../../src/extensions/chain.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  bodyEcho,
  listener,
  port,
  postH1,
  rule,
  snapshot,
  startGateway,
} from '../dataplane/fixtures.js';
import { calloutIR, requestHeaders, requestInfo, responseHeaders, testCertificate } from './support.js';

const PYTHON = '/usr/bin/python3';
const SERVER = fileURLToPath(new URL('../../../test/callout/grpcio_server.py', import.meta.url));

interface PythonServer {
  readonly port: number;
  stop(): void;
}

function startPython(args: string[]): Promise<PythonServer> {
  const child: ChildProcess = spawn(PYTHON, [SERVER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`grpcio server exited with ${code}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), stop: () => child.kill('SIGKILL') });
    });
  });
}

describe('ext_proc client against a Python grpcio server', { skip: !existsSync(PYTHON) }, () => {
  const client = new CalloutClient();
  let plain: PythonServer;
  let secure: PythonServer;
  let certDir: string;
  const gateways: DataPlane[] = [];
  const closers: Array<() => void> = [];

  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'extgate-grpcio-'));
    const cert = testCertificate();
    writeFileSync(join(certDir, 'cert.pem'), cert.certPem);
    writeFileSync(join(certDir, 'key.pem'), cert.keyPem);
    [plain, secure] = await Promise.all([
      startPython([]),
      startPython([join(certDir, 'cert.pem'), join(certDir, 'key.pem')]),
    ]);
  });
  after(async () => {
    for (const gw of gateways) await gw.close();
    for (const c of closers) c();
    client.close();
    plain?.stop();
    secure?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  for (const tls of [false, true]) {
    it(`${tls ? 'TLS' : 'h2c'}: request and response headers answered with mutations`, async () => {
      const ir = calloutIR({ port: tls ? secure.port : plain.port, tls });
      const s = client.extension(ir).open(requestInfo());
      try {
        const req = requestHeaders();
        const r1 = await s.requestHeaders(req, false);
        assert.equal(r1.effect, 'CONTENT_MODIFIED');
        assert.equal(req.get('x-python'), 'grpcio');
        const res = responseHeaders();
        await s.responseHeaders(res, false);
        assert.equal(res.get('x-python-response'), 'grpcio');
      } finally {
        s.close();
      }
    });
  }

  it('through the gateway: headers mutated both ways, a body streamed through unchanged', async () => {
    const echo = await bodyEcho('http1');
    closers.push(() => echo.close());
    const chain = {
      id: 'GCPTrafficExtension/default/ext/chain1',
      name: 'chain1',
      resource: 'default/ext',
      resourceKind: 'GCPTrafficExtension' as const,
      match: [],
      extensions: [
        calloutIR({
          port: secure.port,
          tls: true,
          events: ['RequestHeaders', 'RequestBody', 'ResponseHeaders', 'ResponseBody'],
        }),
      ],
    };
    const { gw, port: p } = await startGateway(
      snapshot([
        port([
          listener([rule({ backends: [backend('default/echo:80', echo.port)] })], { trafficChains: [chain] }),
        ]),
      ]),
      { compileChains: chainCompiler(client) },
    );
    gateways.push(gw);
    const a = await postH1(p, 'hello grpcio');
    assert.equal(a.status, 200);
    assert.equal(a.body, 'hello grpcio');
    assert.equal(a.headers['x-backend-got'], 'hello grpcio');
    assert.equal(a.headers['x-python-response'], 'grpcio');
  });
});

/**
 * A TCP proxy in front of the callout that notes when each client connection sends a PING (not an ACK):
 * what the server's ping policy sees, read from the wire rather than from our own bookkeeping.
 */
async function pingWatch(upstreamPort: number): Promise<{
  port: number;
  /** Per connection, in accept order: the times of its PINGs. */
  pings: number[][];
  close(): void;
}> {
  const pings: number[][] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((client) => {
    const mine: number[] = [];
    pings.push(mine);
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.push(client, upstream);
    for (const s of [client, upstream]) s.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    let buf = Buffer.alloc(0);
    let skip = 24; // the client connection preface
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buf = Buffer.concat([buf, chunk]);
      const drop = Math.min(skip, buf.length);
      buf = buf.subarray(drop);
      skip -= drop;
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) break;
        if (buf[3] === 0x6 && (buf[4]! & 0x1) === 0) mine.push(Date.now());
        buf = buf.subarray(9 + len);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    pings,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gaps = (times: readonly number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

describe("keepalive PINGs against grpcio's ping abuse policy", { skip: !existsSync(PYTHON) }, () => {
  const closers: Array<() => void> = [];
  after(() => {
    for (const c of closers.reverse()) c();
  });

  /** grpcio with these channel arguments, behind a PING-watching proxy; a client with these intervals. */
  async function setup(
    serverOptions: Record<string, number>,
    connections: ConstructorParameters<typeof CalloutClient>[0],
  ) {
    const python = await startPython(
      Object.entries(serverOptions).flatMap(([k, v]) => ['--option', `${k}=${v}`]),
    );
    closers.push(() => python.stop());
    const watch = await pingWatch(python.port);
    closers.push(() => watch.close());
    const client = new CalloutClient(connections);
    closers.push(() => client.close());
    const registry = new Registry();
    registerCalloutMetrics(registry, () => client.connectionStatsByAuthority);
    const ext = client.extension(calloutIR({ port: watch.port, timeoutMs: 5000 }));
    return { client, watch, registry, ext };
  }

  it(
    "grpc-core's default policy (scaled 1:100): a stream quiet for 4 s of PINGs survives; the PINGs slow down after two",
    { timeout: 30_000 },
    async () => {
      // grpc-core's defaults: min_recv_ping_interval_without_data 5 min, max_ping_strikes 2. Ours: PING after
      // 30 s, twice, then every 5 min 10 s until the callout sends something.
      const { client, watch, ext } = await setup(
        { 'grpc.http2.min_ping_interval_without_data_ms': 3000, 'grpc.http2.max_ping_strikes': 2 },
        { connections: { pingAfterMs: 300, pingTimeoutMs: 250, pingAfterWithoutDataMs: 3100 } },
      );
      const s = ext.open(requestInfo());
      try {
        assert.equal((await s.requestHeaders(requestHeaders(), false)).effect, 'CONTENT_MODIFIED');
        // The request's upstream is slow: the callout stream stays open, nothing sent either way.
        await sleep(4000);
        const res = responseHeaders();
        await s.responseHeaders(res, false);
        assert.equal(res.get('x-python-response'), 'grpcio', 'the quiet stream was still alive');
      } finally {
        s.close();
      }
      assert.equal(watch.pings.length, 1, 'one connection');
      const pings = watch.pings[0]!;
      assert.ok(pings.length >= 3, `PINGed while the stream was quiet (${pings.length})`);
      const [first, second] = gaps(pings);
      assert.ok(first! < 2000, `the second PING followed the first at the short interval (${first} ms)`);
      assert.ok(second! >= 3000, `the third waited the long interval (${second} ms)`);
      assert.equal(client.connectionStats.tooManyPings, 0);
    },
  );

  it(
    'a server stricter than our long interval: GOAWAY too_many_pings ends the quiet stream; the channel PINGs half as often and the next calls succeed',
    { timeout: 30_000 },
    async () => {
      const { client, watch, registry, ext } = await setup(
        { 'grpc.http2.min_ping_interval_without_data_ms': 5000, 'grpc.http2.max_ping_strikes': 1 },
        { connections: { pingAfterMs: 300, pingTimeoutMs: 250, pingAfterWithoutDataMs: 1000 } },
      );
      const s = ext.open(requestInfo());
      let failure = '';
      try {
        assert.equal((await s.requestHeaders(requestHeaders(), false)).effect, 'CONTENT_MODIFIED');
        await sleep(4000);
        await s.responseHeaders(responseHeaders(), false);
      } catch (err) {
        failure = (err as Error).message;
      } finally {
        s.close();
      }
      // grpc-core closes the connection with its calls: an ext_proc stream that quiet is lost.
      assert.match(failure, /too many pings/i);
      assert.equal(client.connectionStats.tooManyPings, 1);
      assert.match(
        await registry.metrics(),
        /extgate_callout_connections_retired_total\{authority="callout.test",reason="too_many_pings"\} 1/,
      );
      // The next calls open a new connection; the last holds its stream quiet: its PINGs come 600 ms
      // (twice 300) apart.
      for (let i = 0; i < 3; i++) {
        const next = ext.open(requestInfo());
        try {
          assert.equal((await next.requestHeaders(requestHeaders(), false)).effect, 'CONTENT_MODIFIED');
          if (i === 2) await sleep(1600);
          await next.responseHeaders(responseHeaders(), false);
        } finally {
          next.close();
        }
      }
      assert.equal(watch.pings.length, 2, 'one new connection for the calls after GOAWAY');
      const pings = watch.pings[1]!;
      assert.ok(pings.length >= 2, `the new connection PINGs the quiet stream too (${pings.length})`);
      assert.ok(gaps(pings)[0]! >= 550, `PINGs ${gaps(pings)[0]} ms apart: expected 600 (twice 300)`);
      assert.equal(client.connectionStats.tooManyPings, 1);
    },
  );
});
