// Plugins answer headers in the turn they are asked (ExtensionStream.headersNow): a chain whose one member
// taking the event is a plugin gives its result synchronously, with fail-open and immediate responses as the
// promise form has them; a chain that cannot (several members, a callout) says so by returning undefined
// without running anything, and the data plane then takes the promise form.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExtensionChainIR, HttpEvent } from '../../src/ir/snapshot.js';
import { compileChains, type CompiledChainSet } from '../../src/extensions/chain.js';
import { ExtensionError, type Extension, type RequestInfo } from '../../src/extensions/extension.js';
import { TraceRecorder, type TraceRecord } from '../../src/admin/trace.js';
import type { RequestTrace } from '../../src/dataplane/trace.js';
import { tracedExtension } from '../../src/dataplane/traced-extension.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { buildPlugins, examplePath, extensionIR, fixturePath, pluginIR, requestInfo } from './helpers.js';
import { passThroughStream } from '../support/pass-through-stream.js';

const EVENTS: HttpEvent[] = ['RequestHeaders', 'ResponseHeaders'];

function chainOf(
  plugins: Array<{ key: string; path: string; failOpen?: boolean }>,
  traceOf?: (r: RequestInfo) => RequestTrace | undefined,
): CompiledChainSet {
  const irs = plugins.map((p) => pluginIR(p.key, p.path));
  const chain: ExtensionChainIR = {
    id: 'GCPTrafficExtension/default/ext/chain',
    name: 'chain',
    resource: 'default/ext',
    resourceKind: 'GCPTrafficExtension',
    match: [],
    extensions: plugins.map((p) => ({
      ...extensionIR(p.key, { events: EVENTS, failOpen: p.failOpen ?? false }),
      id: `GCPTrafficExtension/default/ext/chain/${p.key.split('/')[1]}`,
    })),
  };
  const rt = new WasmRuntime({ logSink: () => {} });
  const plugin = rt.forSnapshot({ wasmPlugins: Object.fromEntries(irs.map((ir) => [ir.key, ir])) });
  return compileChains([chain], {
    callout: () => {
      throw new Error('no callouts here');
    },
    // As the product wires it (src/cli/gateway-node.ts): members traced when a trace records.
    wasm:
      traceOf === undefined
        ? plugin
        : (ir) => tracedExtension(plugin(ir), traceOf, 'traffic', { key: ir.plugin, version: 'v1' }),
  });
}

function request(extra: Array<[string, string]> = []): HeaderList {
  return new HeaderList([
    [':method', 'GET'],
    [':path', '/'],
    [':authority', 'store.example.com'],
    [':scheme', 'http'],
    ...extra,
  ]);
}

function open(chains: CompiledChainSet, headers: HeaderList, info = requestInfo()) {
  return chains.select(info, headers)!.open(info);
}

describe('headers answered in the same turn (headersNow)', () => {
  before(() => buildPlugins());

  it('a one-plugin chain answers request and response headers synchronously, edits applied', () => {
    const chains = chainOf([{ key: 'default/add-header', path: fixturePath('add-header-min.wat') }]);
    const headers = request();
    const stream = open(chains, headers);
    const r = stream.headersNow!('request', headers, true);
    assert.ok(r !== undefined, 'a plugin chain must answer now');
    assert.equal(r.effect, 'CONTENT_MODIFIED');
    const response = new HeaderList([[':status', '200']]);
    const rs = stream.headersNow!('response', response, false);
    assert.equal(rs?.effect, 'CONTENT_MODIFIED');
    assert.ok(headers.size > 4 && response.size > 1, 'the plugin added a header each way');
    stream.close();
  });

  it('a trapping plugin: fail-closed throws the ExtensionError now; fail-open is FAILED_OPEN now and skipped after', () => {
    const closed = chainOf([{ key: 'default/misbehave', path: fixturePath('misbehave') }]);
    const h1 = request([['x-misbehave', 'trap']]);
    const s1 = open(closed, h1);
    assert.throws(
      () => s1.headersNow!('request', h1, true),
      (err: unknown) => err instanceof ExtensionError && /trapped/.test(err.message),
    );
    s1.close();

    const opened = chainOf([{ key: 'default/misbehave', path: fixturePath('misbehave'), failOpen: true }]);
    const h2 = request([['x-misbehave', 'trap']]);
    const s2 = open(opened, h2);
    assert.equal(s2.headersNow!('request', h2, true)?.effect, 'FAILED_OPEN');
    // The member is absent for the rest of the request: nothing takes the response headers.
    assert.equal(s2.headersNow!('response', new HeaderList([[':status', '200']]), false)?.effect, 'NONE');
    s2.close();
  });

  it('an immediate response from a plugin comes back now and closes the chain', () => {
    const chains = chainOf([{ key: 'default/local-reply', path: examplePath('local-reply') }]);
    const headers = request();
    const stream = open(chains, headers);
    const r = stream.headersNow!('request', headers, true);
    assert.equal(r?.effect, 'IMMEDIATE_RESPONSE');
    assert.equal(r?.immediate?.status, 200);
    // Closed with the answer: the response side has nothing left to run.
    assert.equal(stream.headersNow!('response', new HeaderList([[':status', '200']]), false)?.effect, 'NONE');
  });

  it('traced (every request in the product feeds the access log), a plugin still answers now, each event a step', () => {
    const recorder = new TraceRecorder({ capacity: 0 });
    const ended: TraceRecord[] = [];
    recorder.onEnd((t) => ended.push(t));
    const traces = new WeakMap<RequestInfo, RequestTrace>();
    const chains = chainOf([{ key: 'default/add-header', path: fixturePath('add-header-min.wat') }], (r) =>
      traces.get(r),
    );
    const info = requestInfo();
    const trace = recorder.begin({
      requestId: 'r',
      method: 'GET',
      authority: 'a',
      path: '/',
      scheme: 'http',
    });
    assert.ok(trace.recording && !trace.capturing, 'a light trace, as the access log asks for');
    traces.set(info, trace);
    const headers = request();
    const stream = open(chains, headers, info);
    assert.equal(stream.headersNow!('request', headers, true)?.effect, 'CONTENT_MODIFIED');
    assert.equal(
      stream.headersNow!('response', new HeaderList([[':status', '200']]), false)?.effect,
      'CONTENT_MODIFIED',
    );
    stream.close();
    trace.end({ status: 200, bytes: 0 });
    assert.deepEqual(
      ended[0]!.steps.map((s) => [s.event, s.effect, s.plugin?.key]),
      [
        ['RequestHeaders', 'CONTENT_MODIFIED', 'default/add-header'],
        ['ResponseHeaders', 'CONTENT_MODIFIED', 'default/add-header'],
      ],
    );
  });

  it('several members taking the event: undefined, and nothing ran (the promise form then runs them once)', async () => {
    const chains = chainOf([
      { key: 'default/first', path: fixturePath('add-header-min.wat') },
      { key: 'default/second', path: fixturePath('add-header-min.wat') },
    ]);
    const headers = request();
    const stream = open(chains, headers);
    const sizeBefore = headers.size;
    assert.equal(stream.headersNow!('request', headers, true), undefined);
    assert.equal(headers.size, sizeBefore, 'no member ran');
    await stream.requestHeaders(headers, true);
    assert.ok(headers.size > sizeBefore);
    stream.close();
  });

  it('a member without a synchronous form (an in-process async extension) makes the chain answer undefined', () => {
    const asyncOnly: Extension = {
      id: 'x',
      failOpen: false,
      events: new Set(EVENTS),
      open: passThroughStream,
    };
    const chains = compileChains(
      [
        {
          id: 'GCPTrafficExtension/default/ext/chain',
          name: 'chain',
          resource: 'default/ext',
          resourceKind: 'GCPTrafficExtension',
          match: [],
          extensions: [extensionIR('default/x', { events: EVENTS })],
        },
      ],
      { callout: () => asyncOnly, wasm: () => asyncOnly },
    );
    const headers = request();
    assert.equal(open(chains, headers).headersNow!('request', headers, true), undefined);
  });
});
