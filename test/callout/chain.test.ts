// Extension chains over real callouts: selection by CEL, order, reversed response path, mutations flowing
// from one extension to the next, failOpen, and streams closed at the end of the request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import {
  externalProcessorService,
  type ProcessingRequest,
  type ProcessingResponse,
} from '../../src/extensions/callout/protos.js';
import { chainCompiler, compileChains, type ExtensionFactory } from '../../src/extensions/chain.js';
import type { ExtensionChainIR, WasmExtensionIR } from '../../src/ir/snapshot.js';
import { bodyReply, headersReply, type Callout, type CalloutContext } from '../../src/sdk/index.js';
import {
  calloutIR,
  chainIR,
  requestHeaders,
  requestInfo,
  responseHeaders,
  startCallout,
  text,
  type RunningCallout,
} from './support.js';

/** Each extension is told its name through `metadata`; it appends it to x-order and reports what it saw. */
const ordering: Callout = {
  onRequestHeaders(h, ctx) {
    const me = nameOf(ctx);
    const before = h.get('x-order');
    return headersReply({
      set: { 'x-order': before ? `${before},${me}` : me, [`x-${me}-saw`]: before ?? '' },
    });
  },
  onResponseHeaders(h, ctx) {
    const me = nameOf(ctx);
    const before = h.get('x-order');
    return headersReply({ set: { 'x-order': before ? `${before},${me}` : me } });
  },
  onRequestBody(b, ctx) {
    return bodyReply({ body: `${b.body.toString()}+${nameOf(ctx)}` });
  },
};

function nameOf(ctx: CalloutContext): string {
  const md = Object.values(ctx.metadata)[0] as { name?: string } | undefined;
  return md?.name ?? '?';
}

describe('extension chains', () => {
  let callout: RunningCallout;
  let deadPort: number;
  const client = new CalloutClient();
  const runtime: ExtensionFactory = { callout: (ir) => client.extension(ir) };
  const ext = (name: string, o: { failOpen?: boolean; port?: number } = {}) =>
    calloutIR({
      name,
      port: o.port ?? callout.plaintext,
      metadata: { name },
      failOpen: o.failOpen ?? false,
      events: ['RequestHeaders', 'RequestBody', 'ResponseHeaders'],
    });

  before(async () => {
    callout = await startCallout(ordering);
    const dead = new grpc.Server();
    deadPort = await new Promise<number>((resolve, reject) =>
      dead.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    dead.forceShutdown();
  });
  after(async () => {
    client.close();
    await callout.stop();
  });

  it('selects the first chain whose CEL condition holds (and the backendService condition)', () => {
    const chains: ExtensionChainIR[] = [
      chainIR('one', 'request.path.startsWith("/one")', [ext('a')]),
      { ...chainIR('backend', undefined, [ext('b')]), match: [{ backendService: 'default/store-v2:8080' }] },
      chainIR(
        'tenant',
        "request.headers['x-tenant'] == 'blue' || request.path.contains('serviceextensions')",
        [ext('c')],
      ),
      chainIR('all', '1 == 1', [ext('d')]),
    ];
    const compiled = compileChains(chains, runtime);
    const pick = (path: string, extra: Array<[string, string]> = [], backendService?: string) =>
      compiled
        .select(requestInfo(backendService ? { backendService } : {}), requestHeaders(path, extra))
        ?.id.split('/')
        .pop();
    assert.equal(pick('/one/x'), 'one');
    assert.equal(pick('/two', [], 'default/store-v2:8080'), 'backend');
    assert.equal(pick('/two', [['x-tenant', 'blue']]), 'tenant');
    assert.equal(pick('/serviceextensions'), 'tenant');
    assert.equal(pick('/two'), 'all');
    assert.equal(
      compileChains([chainIR('only', 'request.method == "POST"', [ext('a')])], runtime).select(
        requestInfo(),
        requestHeaders('/'),
      ),
      undefined,
    );
  });

  it('runs extensions in order on the request path and reversed on the response path; each sees the previous mutations', async () => {
    const chain = compileChains([chainIR('c', undefined, [ext('a'), ext('b'), ext('c')])], runtime).select(
      requestInfo(),
      requestHeaders(),
    )!;
    const s = chain.open(requestInfo());
    try {
      const req = requestHeaders();
      const r = await s.requestHeaders(req, false);
      assert.equal(r.effect, 'CONTENT_MODIFIED');
      assert.equal(req.get('x-order'), 'a,b,c');
      assert.equal(req.get('x-b-saw'), 'a');
      assert.equal(req.get('x-c-saw'), 'a,b');
      const body = await s.requestBody(Buffer.from('body'), true);
      assert.equal(text(body.chunks), 'body+a+b+c');
      const res = responseHeaders();
      await s.responseHeaders(res, false);
      assert.equal(res.get('x-order'), 'c,b,a');
    } finally {
      s.close();
    }
  });

  it('failOpen: true skips the failing extension for the rest of the request; later ones still run', async () => {
    const chain = compileChains(
      [chainIR('c', undefined, [ext('a'), ext('dead', { failOpen: true, port: deadPort }), ext('c')])],
      runtime,
    ).select(requestInfo(), requestHeaders())!;
    const s = chain.open(requestInfo());
    try {
      const req = requestHeaders();
      const r = await s.requestHeaders(req, false);
      assert.equal(req.get('x-order'), 'a,c');
      assert.equal(r.effect, 'CONTENT_MODIFIED');
      assert.equal(text((await s.requestBody(Buffer.from('x'), true)).chunks), 'x+a+c');
      const res = responseHeaders();
      await s.responseHeaders(res, true);
      assert.equal(res.get('x-order'), 'c,a');
    } finally {
      s.close();
    }
    const alone = compileChains(
      [chainIR('c', undefined, [ext('dead', { failOpen: true, port: deadPort })])],
      runtime,
    ).select(requestInfo(), requestHeaders())!;
    const s2 = alone.open(requestInfo());
    assert.equal((await s2.requestHeaders(requestHeaders(), true)).effect, 'FAILED_OPEN');
    s2.close();
  });

  it('failOpen: false propagates the ExtensionError', async () => {
    const chain = compileChains(
      [chainIR('c', undefined, [ext('a'), ext('dead', { port: deadPort })])],
      runtime,
    ).select(requestInfo(), requestHeaders())!;
    const s = chain.open(requestInfo());
    try {
      await assert.rejects(s.requestHeaders(requestHeaders(), true), {
        name: 'ExtensionError',
        failure: 'unreachable',
      });
    } finally {
      s.close();
    }
  });

  it('a Wasm extension without a Wasm runtime fails clearly (and failOpen still applies)', async () => {
    const wasm = (failOpen: boolean): WasmExtensionIR => ({
      kind: 'wasm',
      id: 'GCPTrafficExtension/default/test/c/plugin',
      name: 'plugin',
      failOpen,
      events: ['RequestHeaders'],
      plugin: 'default/my-plugin',
    });
    const chains = (failOpen: boolean): ExtensionChainIR => ({
      ...chainIR('c', undefined, []),
      extensions: [wasm(failOpen), ext('a')],
    });
    const closed = compileChains([chains(false)], runtime)
      .select(requestInfo(), requestHeaders())!
      .open(requestInfo());
    await assert.rejects(closed.requestHeaders(requestHeaders(), true), /no Wasm runtime/);
    closed.close();
    const open = compileChains([chains(true)], runtime)
      .select(requestInfo(), requestHeaders())!
      .open(requestInfo());
    const req = requestHeaders();
    await open.requestHeaders(req, true);
    assert.equal(req.get('x-order'), 'a');
    open.close();
  });

  it('an immediate response ends the chain: later extensions are not called', async () => {
    const deny = await startCallout({ onRequestHeaders: () => ({ immediate: { status: { code: 401 } } }) });
    try {
      const chain = compileChains(
        [chainIR('c', undefined, [calloutIR({ name: 'deny', port: deny.plaintext }), ext('b')])],
        runtime,
      ).select(requestInfo(), requestHeaders())!;
      const s = chain.open(requestInfo());
      const req = requestHeaders();
      const r = await s.requestHeaders(req, false);
      assert.equal(r.immediate?.status, 401);
      assert.equal(req.has('x-order'), false);
      s.close();
    } finally {
      await deny.stop();
    }
  });

  it('closing the chain stream ends every member gRPC stream', async () => {
    let opened = 0;
    let ended = 0;
    const server = new grpc.Server();
    server.addService(externalProcessorService(), {
      Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => {
        opened++;
        let done = false;
        const finish = () => {
          if (!done) {
            done = true;
            ended++;
          }
        };
        call.on('data', (req: ProcessingRequest) => {
          if (req.request === 'request_headers') call.write({ request_headers: { response: {} } });
        });
        call.on('end', () => {
          finish();
          call.end();
        });
        call.on('cancelled', finish);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    try {
      const exts = ['x', 'y', 'z'].map((name) =>
        calloutIR({ name, port, events: ['RequestHeaders', 'ResponseHeaders'] }),
      );
      const chain = compileChains([chainIR('c', undefined, exts)], runtime).select(
        requestInfo(),
        requestHeaders(),
      )!;
      const s = chain.open(requestInfo());
      await s.requestHeaders(requestHeaders(), true);
      assert.equal(opened, 3);
      s.close(); // request ended before the response: nothing more will be sent
      for (let i = 0; i < 100 && ended < 3; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(ended, 3);
    } finally {
      server.forceShutdown();
    }
  });

  it('a chain whose matcher does not compile is reported and never selected', () => {
    const compiled = compileChains(
      [chainIR('bad', 'request.path.contains(', [ext('a')]), chainIR('good', undefined, [ext('b')])],
      runtime,
    );
    assert.equal(compiled.problems.length, 1);
    assert.match(compiled.problems[0]!, /bad: match condition does not compile/);
    assert.equal(compiled.select(requestInfo(), requestHeaders())?.id.endsWith('/good'), true);
  });

  it('chainCompiler hands Wasm extensions their plugin from the snapshot, and fails them clearly when it is missing', async () => {
    const wasmIR: WasmExtensionIR = {
      kind: 'wasm',
      id: 'GCPTrafficExtension/default/test/c/plugin',
      name: 'plugin',
      failOpen: false,
      events: ['RequestHeaders'],
      plugin: 'default/my-plugin',
    };
    const given: string[] = [];
    const compile = chainCompiler(client, (ir, plugin) => {
      given.push(`${ir.plugin}@${plugin.serving.name}`);
      return {
        id: ir.id,
        failOpen: ir.failOpen,
        events: new Set(ir.events),
        open: () => ({
          requestHeaders: async (h) => {
            h.set('x-wasm', plugin.serving.name);
            return { effect: 'CONTENT_MODIFIED' };
          },
          requestBody: async (c) => ({ chunks: [c] }),
          requestTrailers: async () => ({}),
          responseHeaders: async () => ({}),
          responseBody: async (c) => ({ chunks: [c] }),
          responseTrailers: async () => ({}),
          close: () => undefined,
        }),
      };
    });
    const chains = [{ ...chainIR('c', undefined, []), extensions: [wasmIR] }];
    const plugin = {
      key: 'default/my-plugin',
      serving: { name: 'v1', image: 'x', moduleDigest: 'sha256:0', modulePath: '/dev/null' },
      log: { enabled: false, sampleRate: 1, minLogLevel: 'INFO' as const },
    };
    const withPlugin = compile(chains, {
      version: 1,
      ports: [],
      wasmPlugins: { 'default/my-plugin': plugin },
    });
    const s = withPlugin.select(requestInfo(), requestHeaders())!.open(requestInfo());
    const h = requestHeaders();
    await s.requestHeaders(h, true);
    s.close();
    assert.equal(h.get('x-wasm'), 'v1');
    assert.deepEqual(given, ['default/my-plugin@v1']);
    const missing = compile(chains, { version: 2, ports: [], wasmPlugins: {} })
      .select(requestInfo(), requestHeaders())!
      .open(requestInfo());
    await assert.rejects(
      missing.requestHeaders(requestHeaders(), true),
      /GCPWasmPlugin default\/my-plugin is not in the snapshot/,
    );
    missing.close();
  });
});
