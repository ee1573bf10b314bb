// The callout client's own HTTP/2 layer against real peers: node:http2 servers (nghttp2) that send GOAWAY,
// reset streams, limit concurrent streams, keep flow-control windows small, split trailers into CONTINUATION
// frames and PING; raw sockets that break the protocol; TLS without ALPN h2. Each case is what a gRPC
// server or a proxy in front of one does in production.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { CalloutChannels, type CallListener } from '../../src/extensions/callout/channels.js';
import {
  FrameDecoder,
  GrpcStatus,
  frame,
  type CallStatus,
} from '../../src/extensions/callout/grpc-frames.js';
import {
  extProcCodec,
  type ProcessingRequest,
  type ProcessingResponse,
} from '../../src/extensions/callout/protos.js';
import { testCertificate } from './support.js';

const codec = extProcCodec();

interface Outcome {
  readonly messages: ProcessingResponse[];
  readonly status: CallStatus;
}

/** One Process call with one message (half-closing with it); resolves with what came back. */
function callOnce(
  channels: CalloutChannels,
  port: number,
  message: ProcessingRequest,
  tlsOn = false,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const messages: ProcessingResponse[] = [];
    const listener: CallListener = {
      onMessage: (m) => messages.push(m),
      onStatus: (status) => resolve({ messages, status }),
    };
    const call = channels.call(
      {
        endpoint: { address: '127.0.0.1', port },
        authority: 'callout.test',
        tls: tlsOn ? { verify: false } : null,
      },
      listener,
    );
    call.write(message, true);
  });
}

const headersMessage = (path: string): ProcessingRequest => ({
  request_headers: {
    headers: { headers: [{ key: ':path', raw_value: Buffer.from(path) }] },
    end_of_stream: true,
  },
});

const pathOf = (req: ProcessingRequest): string =>
  Buffer.from(req.request_headers?.headers?.headers?.[0]?.raw_value ?? []).toString();

type Behaviour = (
  stream: http2.ServerHttp2Stream,
  req: ProcessingRequest,
  session: http2.ServerHttp2Session,
) => void;

/** Answers a request_headers message with an empty answer and status OK. */
const answer: Behaviour = (stream) => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(frame(codec.encodeResponse({ request_headers: { response: {} } })));
};

/** A gRPC server made of node:http2, whose behaviour per request the test picks by the request's :path. */
async function h2Server(
  behaviour: (path: string) => Behaviour,
  settings: http2.Settings = {},
): Promise<{ port: number; sessions: http2.ServerHttp2Session[]; close(): void }> {
  const server = http2.createServer({ settings });
  const sessions: http2.ServerHttp2Session[] = [];
  server.on('session', (s) => sessions.push(s));
  server.on('stream', (stream) => {
    const decoder = new FrameDecoder(1 << 20);
    let done = false;
    stream.on('data', (chunk: Buffer) => {
      for (const m of decoder.push(chunk)) {
        if (done) return;
        done = true;
        const req = codec.decodeRequest(m);
        behaviour(pathOf(req))(stream, req, stream.session as http2.ServerHttp2Session);
      }
    });
    stream.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    sessions,
    close: () => {
      for (const s of sessions) s.destroy();
      server.close();
    },
  };
}

/** A raw TCP server that writes `bytes` to whoever connects (to break the protocol on purpose). */
async function rawServer(bytes: (socket: net.Socket) => void): Promise<{ port: number; close(): void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    bytes(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function rawFrame(type: number, flags: number, id: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(id, 5);
  return Buffer.concat([h, payload]);
}

describe('callout HTTP/2 connection', () => {
  const channels = new CalloutChannels();
  after(() => channels.close());

  it('GOAWAY: streams above its last id are retried on a new connection, the rest finish there', async () => {
    const held: http2.ServerHttp2Stream[] = [];
    let first: http2.ServerHttp2Session | undefined;
    const server = await h2Server((path) => (stream, req, session) => {
      first ??= session;
      // Only the first connection holds: the retried stream is answered on the second.
      if (path === '/hold' && session === first) held.push(stream);
      else answer(stream, req, session);
    });
    try {
      assert.equal((await callOnce(channels, server.port, headersMessage('/ok'))).status.code, GrpcStatus.OK);
      const kept = callOnce(channels, server.port, headersMessage('/hold'));
      const refused = callOnce(channels, server.port, headersMessage('/hold'));
      while (held.length < 2) await new Promise((r) => setTimeout(r, 5));
      // Stream 3 is the last the server will process; stream 5 never was.
      first!.goaway(http2.constants.NGHTTP2_NO_ERROR, 3);
      const r = await refused;
      assert.equal(r.status.code, GrpcStatus.OK, r.status.details);
      assert.equal(r.messages.length, 1, 'answered on the new connection');
      answer(held[0]!, {}, first!);
      assert.equal((await kept).status.code, GrpcStatus.OK);
      assert.equal((await callOnce(channels, server.port, headersMessage('/ok'))).status.code, GrpcStatus.OK);
      assert.equal(
        server.sessions.length,
        2,
        'the retried call and the call after GOAWAY used a new connection',
      );
    } finally {
      server.close();
    }
  });

  it('REFUSED_STREAM twice: retried once, then the call fails UNAVAILABLE', async () => {
    let streams = 0;
    const server = await h2Server(() => (stream) => {
      streams++;
      stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    });
    try {
      const r = await callOnce(channels, server.port, headersMessage('/refuse'));
      assert.equal(r.status.code, GrpcStatus.UNAVAILABLE);
      assert.match(r.status.details, /stream refused by the callout/);
      assert.equal(streams, 2);
    } finally {
      server.close();
    }
  });

  for (const [code, grpcCode, details] of [
    [http2.constants.NGHTTP2_REFUSED_STREAM, GrpcStatus.UNAVAILABLE, 'stream refused by the callout'],
    [http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, GrpcStatus.RESOURCE_EXHAUSTED, 'bandwidth exhausted'],
    [http2.constants.NGHTTP2_INTERNAL_ERROR, GrpcStatus.INTERNAL, 'HTTP/2 error code 2'],
  ] as const) {
    it(`RST_STREAM ${code} from the callout → ${grpcCode}`, async () => {
      const server = await h2Server(() => (stream) => stream.close(code));
      try {
        const r = await callOnce(channels, server.port, headersMessage('/reset'));
        assert.equal(r.status.code, grpcCode);
        assert.match(r.status.details, new RegExp(details));
      } finally {
        server.close();
      }
    });
  }

  it('MAX_CONCURRENT_STREAMS 1: more connections, then streams wait for a slot; none is refused', async () => {
    let open = 0;
    let most = 0;
    const server = await h2Server(
      () => (stream, req, session) => {
        open++;
        most = Math.max(most, open);
        setTimeout(() => {
          open--;
          answer(stream, req, session);
        }, 20);
      },
      { maxConcurrentStreams: 1 },
    );
    const own = new CalloutChannels();
    try {
      assert.equal((await callOnce(own, server.port, headersMessage('/first'))).status.code, GrpcStatus.OK);
      const all = await Promise.all(
        Array.from({ length: 10 }, (_, i) => callOnce(own, server.port, headersMessage(`/${i}`))),
      );
      assert.deepEqual(
        all.map((o) => o.status.code),
        all.map(() => GrpcStatus.OK),
      );
      assert.equal(server.sessions.length, 4, 'four connections (the channel maximum), then waiting');
      assert.ok(most <= 4);
    } finally {
      own.close();
      server.close();
    }
  });

  it('flow control both ways: 200 KB requests through a 1 KB initial window, 8 MB+ of answers through ours', async () => {
    const body = Buffer.alloc(100 * 1024, 0x61);
    const server = await h2Server(
      () => (stream, req) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        const got = req.request_body?.body?.length ?? 0;
        stream.end(
          frame(
            codec.encodeResponse({
              request_body: { response: { body_mutation: { body: Buffer.alloc(got, 0x62) } } },
            }),
          ),
        );
      },
      { initialWindowSize: 1024 },
    );
    try {
      const results: Outcome[] = [];
      for (let round = 0; round < 10; round++) {
        results.push(
          ...(await Promise.all(
            Array.from({ length: 10 }, () =>
              callOnce(channels, server.port, { request_body: { body, end_of_stream: true } }),
            ),
          )),
        );
      }
      for (const r of results) {
        assert.equal(r.status.code, GrpcStatus.OK, r.status.details);
        assert.equal(r.messages[0]?.request_body?.response?.body_mutation?.body?.length, body.length);
      }
      assert.equal(server.sessions.length, 1);
    } finally {
      server.close();
    }
  });

  it('trailers split over CONTINUATION frames, and PINGs answered', async () => {
    const long = 'x'.repeat(40_000);
    const server = await h2Server(() => (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '9', 'grpc-message': long }));
      stream.end();
    });
    try {
      const r = await callOnce(channels, server.port, headersMessage('/long'));
      assert.equal(r.status.code, GrpcStatus.FAILED_PRECONDITION);
      assert.equal(r.status.details, long);
      const pinged = await new Promise<boolean>((resolve) =>
        server.sessions[0]!.ping((err) => resolve(err === null)),
      );
      assert.ok(pinged, 'the client answered the PING');
    } finally {
      server.close();
    }
  });

  it('HEADERS with padding and priority: only the header block is decoded', async () => {
    // :status 200 (static index 8); content-type (static name 31) application/grpc; grpc-status 0 (new name).
    const status200 = Buffer.concat([Buffer.from([0x88, 0x0f, 0x10, 16]), Buffer.from('application/grpc')]);
    const grpcOk = Buffer.concat([
      Buffer.from([0x00, 11]),
      Buffer.from('grpc-status'),
      Buffer.from([1, 0x30]),
    ]);
    // Padding of 0xff bytes (an HPACK index far beyond any table) and a priority block of 0xff too: read as
    // part of the header block, either fails the connection.
    const padded = (block: Buffer, pad: number): Buffer =>
      Buffer.concat([Buffer.from([pad]), Buffer.alloc(5, 0xff), block, Buffer.alloc(pad, 0xff)]);
    const answerFrame = frame(codec.encodeResponse({ request_headers: { response: {} } }));
    const peer = await rawServer((s) => {
      s.write(rawFrame(0x4, 0, 0, Buffer.alloc(0)));
      let answered = false;
      s.on('data', () => {
        if (answered) return;
        answered = true;
        s.write(
          Buffer.concat([
            rawFrame(0x1, 0x4 | 0x8 | 0x20, 1, padded(status200, 7)), // END_HEADERS | PADDED | PRIORITY
            rawFrame(0x0, 0, 1, answerFrame),
            rawFrame(0x1, 0x1 | 0x4 | 0x8 | 0x20, 1, padded(grpcOk, 3)), // + END_STREAM
          ]),
        );
      });
    });
    const own = new CalloutChannels();
    try {
      const r = await callOnce(own, peer.port, headersMessage('/padded'));
      assert.equal(r.status.code, GrpcStatus.OK, r.status.details);
      assert.equal(r.messages.length, 1);
    } finally {
      own.close();
      peer.close();
    }
  });

  it('a peer that does not speak HTTP/2 fails the call with the reason; the gateway does not crash', async () => {
    const http1 = await rawServer((s) => s.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n'));
    const evenStream = await rawServer((s) =>
      s.write(
        Buffer.concat([
          rawFrame(0x4, 0, 0, Buffer.alloc(0)),
          rawFrame(0x0, 0, 2, Buffer.from('hello')), // DATA on a stream the server cannot own
        ]),
      ),
    );
    const badHpack = await rawServer((s) =>
      s.write(
        Buffer.concat([rawFrame(0x4, 0, 0, Buffer.alloc(0)), rawFrame(0x1, 0x4, 1, Buffer.from([0x80]))]),
      ),
    );
    const hugeFrame = await rawServer((s) => {
      const h = Buffer.alloc(9);
      h.writeUIntBE(1 << 20, 0, 3);
      s.write(Buffer.concat([rawFrame(0x4, 0, 0, Buffer.alloc(0)), h]));
    });
    try {
      const a = await callOnce(channels, http1.port, headersMessage('/'));
      assert.equal(a.status.code, GrpcStatus.UNAVAILABLE);
      assert.match(
        a.status.details,
        /No connection established: HTTP\/2 protocol error from the callout: the first frame/,
      );
      const b = await callOnce(channels, evenStream.port, headersMessage('/'));
      assert.equal(b.status.code, GrpcStatus.UNAVAILABLE);
      assert.match(b.status.details, /DATA on stream 2, which we did not open/);
      const c = await callOnce(channels, badHpack.port, headersMessage('/'));
      assert.match(c.status.details, /header index 0/);
      const d = await callOnce(channels, hugeFrame.port, headersMessage('/'));
      assert.match(d.status.details, /frame of 1048576 bytes over our max frame size/);
    } finally {
      for (const s of [http1, evenStream, badHpack, hugeFrame]) s.close();
    }
  });

  it('TLS: a server that does not choose h2 by ALPN is refused with the reason', async () => {
    const cert = testCertificate();
    const server = tls.createServer({ key: cert.keyPem, cert: cert.certPem }, (s) =>
      s.on('error', () => undefined),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const r = await callOnce(channels, (server.address() as AddressInfo).port, headersMessage('/'), true);
      assert.equal(r.status.code, GrpcStatus.UNAVAILABLE);
      assert.match(r.status.details, /did not negotiate HTTP\/2 \(ALPN h2\)/);
    } finally {
      server.close();
    }
  });

  it('a call the callout ends first (OK) closes our side too: its stream slot is free for the next call', async () => {
    const server = await h2Server(() => answer, { maxConcurrentStreams: 2 });
    const own = new CalloutChannels();
    try {
      for (let i = 0; i < 5; i++) {
        // A pause lets node:http2 retire the finished stream on its side before the next one comes.
        await new Promise((r) => setTimeout(r, 10));
        const st = await new Promise<CallStatus>((resolve) => {
          const call = own.call(
            { endpoint: { address: '127.0.0.1', port: server.port }, authority: 'callout.test', tls: null },
            { onMessage: () => undefined, onStatus: resolve },
          );
          call.write(headersMessage('/not-last')); // not half-closed: the callout ends the call first
        });
        assert.equal(st.code, GrpcStatus.OK);
      }
      assert.equal(server.sessions.length, 1, 'every call fit in the stream slots of one connection');
    } finally {
      own.close();
      server.close();
    }
  });

  it('closeGracefully: half-closes, and resets the stream when the callout does not finish it in time', async () => {
    const resets: number[] = [];
    const ended: boolean[] = [];
    const server = await h2Server(() => (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.write(frame(codec.encodeResponse({ request_headers: { response: {} } })));
      stream.on('end', () => ended.push(true));
      stream.resume();
      stream.on('close', () => resets.push(stream.rstCode));
    });
    try {
      const statuses: CallStatus[] = [];
      const call = channels.call(
        { endpoint: { address: '127.0.0.1', port: server.port }, authority: 'callout.test', tls: null },
        { onMessage: () => call.closeGracefully(150), onStatus: (st) => statuses.push(st) },
      );
      call.write(headersMessage('/linger'));
      const started = Date.now();
      while (resets.length === 0) await new Promise((r) => setTimeout(r, 10));
      assert.ok(Date.now() - started >= 140, 'not reset before the grace period');
      assert.deepEqual(ended, [true], 'the callout saw our half-close first');
      assert.deepEqual(resets, [http2.constants.NGHTTP2_CANCEL]);
      assert.equal(statuses[0]?.code, GrpcStatus.CANCELLED);
    } finally {
      server.close();
    }
  });

  it('the connection dropping mid-call fails the call as UNAVAILABLE', async () => {
    const server = await h2Server(() => (_stream, _req, session) => session.destroy());
    try {
      const r = await callOnce(channels, server.port, headersMessage('/drop'));
      assert.equal(r.status.code, GrpcStatus.UNAVAILABLE);
    } finally {
      server.close();
    }
  });
});

describe('callout connections: keepalive, idle timeout, retry budget', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it(
    'a callout that goes silent after the handshake is found dead by the keepalive PING; the next call gets a fresh connection',
    { timeout: 5000 },
    async () => {
      const live = await h2Server(() => answer);
      let connections = 0;
      // The first connection answers the handshake, then swallows everything (a NAT that dropped the flow);
      // later ones reach a real server.
      const proxy = await rawServer((s) => {
        if (++connections === 1) {
          s.write(rawFrame(0x4, 0, 0, Buffer.alloc(0)));
          s.resume();
          return;
        }
        const upstream = net.connect(live.port, '127.0.0.1');
        upstream.on('error', () => s.destroy());
        s.pipe(upstream).pipe(s);
      });
      const own = new CalloutChannels(undefined, { pingAfterMs: 100, pingTimeoutMs: 100 });
      try {
        const started = Date.now();
        const dead = await callOnce(own, proxy.port, headersMessage('/silent'));
        assert.equal(dead.status.code, GrpcStatus.UNAVAILABLE);
        assert.match(dead.status.details, /did not answer a keepalive PING within 100 ms/);
        assert.ok(Date.now() - started < 2000, 'found dead in about 200 ms, not left waiting');
        assert.equal(own.stats.keepaliveTimeouts, 1);
        const next = await callOnce(own, proxy.port, headersMessage('/next'));
        assert.equal(next.status.code, GrpcStatus.OK, next.status.details);
        assert.equal(connections, 2, 'the next call went to a new connection');
      } finally {
        own.close();
        proxy.close();
        live.close();
      }
    },
  );

  it(
    'a slow but live callout: PINGs while the stream waits are answered and the call succeeds; no PING while idle',
    { timeout: 5000 },
    async () => {
      const pings: number[] = [];
      const server = await h2Server(() => (stream, req, session) => {
        setTimeout(() => answer(stream, req, session), 300);
      });
      const own = new CalloutChannels(undefined, { pingAfterMs: 50, pingTimeoutMs: 100 });
      try {
        const call = callOnce(own, server.port, headersMessage('/slow'));
        while (server.sessions.length === 0) await sleep(5);
        server.sessions[0]!.on('ping', () => pings.push(Date.now()));
        const r = await call;
        assert.equal(r.status.code, GrpcStatus.OK, r.status.details);
        assert.ok(pings.length >= 2, `PINGed while waiting (${pings.length})`);
        const during = pings.length;
        await sleep(250);
        assert.equal(pings.length, during, 'no PINGs on a connection without streams');
        assert.equal(own.stats.keepaliveTimeouts, 0);
      } finally {
        own.close();
        server.close();
      }
    },
  );

  it(
    'a connection without streams is closed after the idle timeout; the next call opens a new one',
    { timeout: 5000 },
    async () => {
      const server = await h2Server(() => answer);
      const own = new CalloutChannels(undefined, { idleTimeoutMs: 100 });
      try {
        assert.equal((await callOnce(own, server.port, headersMessage('/a'))).status.code, GrpcStatus.OK);
        const goaway = new Promise<number>((r) =>
          server.sessions[0]!.once('goaway', (code: number) => r(code)),
        );
        const closed = new Promise<void>((r) => server.sessions[0]!.once('close', () => r()));
        assert.equal(await goaway, http2.constants.NGHTTP2_NO_ERROR);
        await closed;
        assert.equal(own.stats.idleCloses, 1);
        assert.equal((await callOnce(own, server.port, headersMessage('/b'))).status.code, GrpcStatus.OK);
        assert.equal(server.sessions.length, 2);
      } finally {
        own.close();
        server.close();
      }
    },
  );

  it(
    'GOAWAY ENHANCE_YOUR_CALM too_many_pings: the next connection PINGs half as often',
    { timeout: 5000 },
    async () => {
      const pingDelays: number[] = [];
      const server = await h2Server(() => (stream, req, session) => {
        const seen = Date.now();
        session.once('ping', () => {
          pingDelays.push(Date.now() - seen);
          if (pingDelays.length === 1) {
            session.goaway(
              http2.constants.NGHTTP2_ENHANCE_YOUR_CALM,
              stream.id!,
              Buffer.from('too_many_pings'),
            );
          }
          answer(stream, req, session);
        });
      });
      const own = new CalloutChannels(undefined, { pingAfterMs: 100, pingTimeoutMs: 1000 });
      try {
        assert.equal((await callOnce(own, server.port, headersMessage('/1'))).status.code, GrpcStatus.OK);
        assert.equal(own.stats.tooManyPings, 1);
        assert.equal((await callOnce(own, server.port, headersMessage('/2'))).status.code, GrpcStatus.OK);
        assert.equal(server.sessions.length, 2);
        assert.ok(
          pingDelays[1]! >= 180,
          `the second connection waited 200 ms before its PING (${pingDelays[1]} ms)`,
        );
      } finally {
        own.close();
        server.close();
      }
    },
  );

  it(
    '10 streams refused at once: 3 are retried (the retry budget), the other 7 fail saying so',
    { timeout: 5000 },
    async () => {
      const N = 10;
      const first: http2.ServerHttp2Stream[] = [];
      let retried = 0;
      const server = await h2Server(() => (stream, req, session) => {
        if (first.length < N) {
          first.push(stream);
          if (first.length === N) for (const s of first) s.close(http2.constants.NGHTTP2_REFUSED_STREAM);
          return;
        }
        retried++;
        // Answered later, so every retry is still in flight while the refusals are handled.
        setTimeout(() => answer(stream, req, session), 100);
      });
      const own = new CalloutChannels();
      try {
        const all = await Promise.all(
          Array.from({ length: N }, (_, i) => callOnce(own, server.port, headersMessage(`/${i}`))),
        );
        const ok = all.filter((o) => o.status.code === GrpcStatus.OK);
        const failed = all.filter((o) => o.status.code !== GrpcStatus.OK);
        assert.equal(ok.length, 3);
        assert.equal(retried, 3);
        assert.equal(failed.length, 7);
        for (const f of failed) {
          assert.equal(f.status.code, GrpcStatus.UNAVAILABLE);
          assert.match(
            f.status.details,
            /stream refused by the callout; not retried: the channel's retry budget is spent/,
          );
        }
        assert.equal(own.stats.transparentRetries, 3);
        assert.equal(own.stats.retriesOverBudget, 7);
      } finally {
        own.close();
        server.close();
      }
    },
  );
});
