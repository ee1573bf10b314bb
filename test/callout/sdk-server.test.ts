// The SDK server's other surfaces: the HTTP health port, unknown gRPC methods, runCallout's environment.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import {
  CalloutServer,
  headersReply,
  runCallout,
  type Callout,
  type HeadersEvent,
  type Reply,
} from '../../src/sdk/index.js';
import { calloutIR, requestHeaders, requestInfo, startCallout, testCertificate } from './support.js';

/** A callout written as a class, keeping state across requests on `this`. */
class CountingCallout implements Callout {
  private count = 0;
  constructor(private readonly header: string) {}
  onRequestHeaders(h: HeadersEvent): Reply {
    this.count++;
    return headersReply({ set: { [this.header]: `${this.count}:${h.get(':path')}` } });
  }
}

function request(port: number, method: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port, method, path: '/healthz', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject)
      .end();
  });
}

describe('CalloutServer', () => {
  it('answers health checks on the HTTP port (any GET → 200)', async () => {
    const c = testCertificate();
    const server = new CalloutServer(
      {},
      {
        address: '127.0.0.1',
        plaintextPort: null,
        securePort: 0,
        healthPort: 0,
        certChain: c.certPem,
        privateKey: c.keyPem,
      },
    );
    const ports = await server.start();
    try {
      assert.equal(ports.plaintext, undefined);
      assert.ok(ports.secure! > 0);
      assert.equal(await request(ports.health!, 'GET'), 200);
      assert.equal(await request(ports.health!, 'POST'), 405);
    } finally {
      await server.stop();
    }
  });

  it('serves a callout written as a class (handlers keep `this`)', async () => {
    const callout = await startCallout(new CountingCallout('x-count'));
    const client = new CalloutClient();
    try {
      const ext = client.extension(calloutIR({ port: callout.plaintext, events: ['RequestHeaders'] }));
      for (const expected of ['1:/a', '2:/b']) {
        const h = requestHeaders(expected.slice(2));
        const s = ext.open(requestInfo());
        await s.requestHeaders(h, true);
        s.close();
        assert.equal(h.get('x-count'), expected);
      }
    } finally {
      client.close();
      await callout.stop();
    }
  });

  it('answers an unknown gRPC method with UNIMPLEMENTED', async () => {
    const server = new CalloutServer(
      {},
      { address: '127.0.0.1', plaintextPort: 0, securePort: null, healthPort: null },
    );
    const ports = await server.start();
    const client = new grpc.Client(`127.0.0.1:${ports.plaintext}`, grpc.credentials.createInsecure());
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          '/some.Service/Method',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          (e) => resolve(e),
        ),
      );
      assert.equal(err?.code, grpc.status.UNIMPLEMENTED);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('runCallout refuses a bad port variable with the variable named', async () => {
    process.env.CALLOUT_PLAINTEXT_PORT = 'eighty';
    try {
      await assert.rejects(runCallout({}), /CALLOUT_PLAINTEXT_PORT=eighty: expected a port number or "off"/);
    } finally {
      delete process.env.CALLOUT_PLAINTEXT_PORT;
    }
  });
});
