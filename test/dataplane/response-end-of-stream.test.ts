// Response headers' end_of_stream as Envoy's codecs report it to extensions: true when the response has no
// body. HTTP/1.1 (`http1/codec_impl.cc`, ClientConnectionImpl::cannotHaveBody): a HEAD request, 204, 304, or
// content-length 0 without chunking; HTTP/2: END_STREAM on the HEADERS frame (an empty DATA frame with
// END_STREAM after the headers is a body that ends empty: false). ext_proc gets it in
// ProcessingRequest.response_headers.end_of_stream and then no body message; Proxy-Wasm gets it as
// proxy_on_response_headers' end_of_stream.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { chainCompiler, compileChains } from '../../src/extensions/chain.js';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { ExtensionChainIR, Snapshot } from '../../src/ir/snapshot.js';
import { bodyReply, headersReply } from '../../src/sdk/index.js';
import { backend, get, listener, port, rule, snapshot, startGateway } from './fixtures.js';
import { calloutIR, startCallout, type RunningCallout } from '../callout/support.js';
import { buildPlugins, extensionIR, fixturePath, pluginIR } from '../wasm/helpers.js';

type Protocol = 'http1' | 'h2c';

/** A backend answering by path: /body (2 bytes), /empty (no body), /204, /304, /chunked-empty, /data-empty. */
async function backendFor(protocol: Protocol): Promise<{ port: number; close(): void }> {
  let server: http.Server | http2.Http2Server;
  if (protocol === 'h2c') {
    const h2 = http2.createServer();
    h2.on('stream', (stream, headers) => {
      const path = headers[':path'];
      const head = headers[':method'] === 'HEAD';
      if (path === '/empty' || head) {
        // HEADERS with END_STREAM.
        stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { endStream: true });
      } else if (path === '/204') {
        stream.respond({ ':status': 204 }, { endStream: true });
      } else if (path === '/data-empty') {
        // HEADERS, then an empty DATA frame with END_STREAM: the body ends empty, after the headers.
        stream.respond({ ':status': 200, 'content-type': 'text/plain' });
        setTimeout(() => stream.end(), 20);
      } else {
        stream.respond({ ':status': 200, 'content-type': 'text/plain' });
        stream.end('hi');
      }
    });
    server = h2;
  } else {
    server = http.createServer((req, res) => {
      const path = req.url;
      if (path === '/empty') res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 0 }).end();
      else if (path === '/204') res.writeHead(204).end();
      else if (path === '/304') res.writeHead(304, { etag: '"x"' }).end();
      else if (path === '/chunked-empty') {
        res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
        res.flushHeaders();
        setTimeout(() => res.end(), 20);
      } else res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }).end('hi');
    });
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      server.close();
    },
  };
}

/** [method, path, end_of_stream Envoy reports] per upstream protocol. */
const CASES: Record<Protocol, Array<readonly [string, string, boolean]>> = {
  http1: [
    ['GET', '/body', false],
    ['HEAD', '/body', true],
    ['GET', '/empty', true],
    ['GET', '/204', true],
    ['GET', '/304', true],
    ['GET', '/chunked-empty', false],
  ],
  h2c: [
    ['GET', '/body', false],
    ['HEAD', '/body', true],
    ['GET', '/empty', true],
    ['GET', '/204', true],
    ['GET', '/data-empty', false],
  ],
};

describe('response headers end_of_stream, as Envoy reports it', () => {
  const client = new CalloutClient();
  const closers: Array<() => unknown> = [];
  const seen: Array<{ path: string; endOfStream: boolean; bodyMessages: number }> = [];
  let callout: RunningCallout;

  before(async () => {
    buildPlugins();
    callout = await startCallout({
      onRequestHeaders(h, ctx) {
        ctx.state.set('path', h.get(':path'));
      },
      onResponseHeaders(h, ctx) {
        seen.push({ path: ctx.state.get('path') as string, endOfStream: h.endOfStream, bodyMessages: 0 });
        return headersReply({ set: { 'x-eos': h.endOfStream ? '1' : '0' } });
      },
      onResponseBody() {
        seen[seen.length - 1]!.bodyMessages++;
        return bodyReply();
      },
    });
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    client.close();
    await callout.stop();
  });

  async function gateway(
    protocol: Protocol,
    chain: ExtensionChainIR,
    snap: Partial<Snapshot>,
    wasm: boolean,
  ) {
    const b = await backendFor(protocol);
    closers.push(() => b.close());
    const rt = new WasmRuntime({ logSink: () => {} });
    const { gw, port: p }: { gw: DataPlane; port: number } = await startGateway(
      {
        ...snapshot([
          port([
            listener([rule({ backends: [backend('default/up:8080', b.port, protocol)] })], {
              trafficChains: [chain],
            }),
          ]),
        ]),
        ...snap,
      },
      {
        compileChains: wasm
          ? (chains, s) =>
              compileChains(chains, {
                callout: () => {
                  throw new Error('no callouts here');
                },
                wasm: rt.forSnapshot(s),
              })
          : chainCompiler(client),
      },
    );
    closers.push(() => gw.close());
    return p;
  }

  const chainOf = (extensions: ExtensionChainIR['extensions']): ExtensionChainIR => ({
    id: 'GCPTrafficExtension/default/ext/chain1',
    name: 'chain1',
    resource: 'default/ext',
    resourceKind: 'GCPTrafficExtension',
    match: [],
    extensions,
  });

  for (const protocol of ['http1', 'h2c'] as const) {
    it(`${protocol} upstream: ext_proc response_headers.end_of_stream, and no body message without a body`, async () => {
      const p = await gateway(
        protocol,
        chainOf([
          calloutIR({
            port: callout.plaintext,
            events: ['RequestHeaders', 'ResponseHeaders', 'ResponseBody'],
          }),
        ]),
        {},
        false,
      );
      for (const [method, path, eos] of CASES[protocol]) {
        seen.length = 0;
        const a = await get(p, path, {}, method);
        assert.equal(a.headers['x-eos'], eos ? '1' : '0', `${method} ${path}`);
        assert.deepEqual(
          seen.map((s) => ({ path: s.path, endOfStream: s.endOfStream })),
          [{ path, endOfStream: eos }],
        );
        // A response with a body gets its body message(s); one without gets none (Envoy: no decodeData).
        if (eos) assert.equal(seen[0]!.bodyMessages, 0, `${method} ${path}: no body message`);
        else assert.ok(seen[0]!.bodyMessages >= 1, `${method} ${path}: body message`);
      }
    });

    it(`${protocol} upstream: Proxy-Wasm proxy_on_response_headers end_of_stream`, async () => {
      const plugin = pluginIR('default/eos', fixturePath('headers-eos.wat'));
      const p = await gateway(
        protocol,
        chainOf([extensionIR(plugin.key, { events: ['ResponseHeaders', 'ResponseBody'] })]),
        { wasmPlugins: { [plugin.key]: plugin } },
        true,
      );
      for (const [method, path, eos] of CASES[protocol]) {
        const a = await get(p, path, {}, method);
        assert.equal(a.headers['x-eos'], eos ? '1' : '0', `${method} ${path}`);
        assert.equal(a.body, method === 'HEAD' || eos ? '' : path === '/body' ? 'hi' : '');
      }
    });
  }
});
