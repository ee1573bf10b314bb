// Issue 9, "forwarding targets", performed as written: a routing callout (or whoever controls one) answers
// dynamic forwarding metadata naming 127.0.0.1:<admin port> to read the dashboard's snapshot through a public
// listener. Only IP:port endpoints of the backend the route chose may be selected (Envoy's override host);
// anything else is ignored — the request is load balanced as usual — and the access log says so.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { chainCompiler } from '../../src/extensions/chain.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { ExtensionChainIR } from '../../src/ir/snapshot.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { TraceRecorder, type TraceRecord } from '../../src/admin/trace.js';
import { accessLogRecord } from '../../src/admin/access-log.js';
import { headersReply, type Callout } from '../../src/sdk/index.js';
import { DEFAULT_ENDPOINT, dynamicForwarding } from '../../examples/callouts/dynamic-forwarding/callout.js';
import {
  backend,
  echoBackend,
  echoOf,
  get,
  listener,
  port,
  rule,
  snapshot,
  startGateway,
} from '../dataplane/fixtures.js';
import type { EchoBackend } from '../dataplane/fixtures.js';
import { calloutIR, startCallout, type RunningCallout } from '../callout/support.js';

const callouts = new CalloutClient();
let admin: AdminServer;
let adminRequests = 0;
let storeA: EchoBackend;
let storeB: EchoBackend;
let other: EchoBackend;
let flat: RunningCallout;
let nested: RunningCallout;
let gw: DataPlane;
let gwPort: number;
const traces: TraceRecord[] = [];

/** The namespace form of the metadata (Envoy's), where Google's sample uses one flat key. */
const nestedForwarding: Callout = {
  onRequestHeaders: (h) => ({
    ...(headersReply() as { continue: object }),
    dynamicMetadata: {
      'com.google.envoy.dynamic_forwarding': { selected_endpoints: { primary: h.get('ip-to-return') ?? '' } },
    },
  }),
};

before(async () => {
  // The admin port as `extgate up` runs it: every request it gets is counted.
  admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    isReady: () => true,
    metrics: new Registry(),
    routes: [
      () => {
        adminRequests++;
        return false;
      },
    ],
  });
  [storeA, storeB, other] = await Promise.all([
    echoBackend('store-a'),
    echoBackend('store-b'),
    echoBackend('other'),
  ]);
  flat = await startCallout(dynamicForwarding);
  nested = await startCallout(nestedForwarding);
  const chain = (name: string, calloutPort: number, header: string): ExtensionChainIR => ({
    id: `GCPRoutingExtension/default/${name}/chain1`,
    name: 'chain1',
    resource: `default/${name}`,
    resourceKind: 'GCPRoutingExtension',
    match: [{ celMatcher: `request.headers['${header}'] == '1'` }],
    extensions: [
      calloutIR({
        id: `GCPRoutingExtension/default/${name}/chain1/ext`,
        port: calloutPort,
        events: ['RequestHeaders'],
      }),
    ],
  });
  const recorder = new TraceRecorder({ capacity: 0 });
  recorder.onEnd((t) => traces.push(t));
  ({ gw, port: gwPort } = await startGateway(
    snapshot([
      port([
        listener(
          [
            rule({
              match: { path: { type: 'PathPrefix', value: '/other' } },
              backends: [backend('default/other:80', other.port)],
            }),
            rule({ backends: [backend('default/store:8080', [storeA.port, storeB.port])] }),
          ],
          {
            routingChains: [
              chain('flat', flat.plaintext, 'x-flat'),
              chain('nested', nested.plaintext, 'x-nested'),
            ],
          },
        ),
      ]),
    ]),
    { compileChains: chainCompiler(callouts), recorder },
  ));
});

after(async () => {
  await gw?.close(100);
  callouts.close();
  await Promise.all([
    admin.close(),
    flat.stop(),
    nested.stop(),
    storeA.close(),
    storeB.close(),
    other.close(),
  ]);
});

/** One request whose routing callout names `target`, in the metadata shape chosen by `shape`. */
async function forwardTo(shape: 'flat' | 'nested', target: string, path = '/api/snapshot') {
  const a = await get(gwPort, path, { [`x-${shape}`]: '1', 'ip-to-return': target });
  await new Promise((r) => setImmediate(r));
  return { answer: a, trace: traces.at(-1)! };
}

describe('dynamic forwarding targets', () => {
  for (const shape of ['flat', 'nested'] as const) {
    it(`${shape}: 127.0.0.1:<admin port> is ignored, the route's backend answers, the access log says so`, async () => {
      const before = { admin: adminRequests, ignored: gw.stats.ignoredOverrides };
      const target = `127.0.0.1:${admin.port}`;
      const { answer, trace } = await forwardTo(shape, target);
      assert.equal(answer.status, 200);
      assert.match(echoOf(answer).metadata, /^store-[ab]$/, 'normal load balancing over the route backend');
      assert.equal(adminRequests, before.admin, 'the admin port never saw the request');
      assert.equal(gw.stats.ignoredOverrides, before.ignored + 1);
      assert.equal(accessLogRecord(trace).upstream?.ignored_override_host, target);
    });

    it(`${shape}: an endpoint of another Service, a hostname or a malformed target is ignored too`, async () => {
      for (const target of [
        `127.0.0.1:${other.port}`,
        `localhost:${storeA.port}`,
        `[::1]:${storeA.port}`,
        `127.0.0.1`,
        `127.0.0.1:${storeA.port}0`,
      ]) {
        const { answer, trace } = await forwardTo(shape, target, '/');
        assert.match(echoOf(answer).metadata, /^store-[ab]$/, target);
        // Google's sample answers its DEFAULT_ENDPOINT (10.1.10.3:80) for what is not ip:port: ignored as well.
        const ignored = accessLogRecord(trace).upstream?.ignored_override_host;
        assert.ok(
          ignored === target || (shape === 'flat' && ignored === DEFAULT_ENDPOINT),
          `${target}: ${ignored}`,
        );
      }
    });

    it(`${shape}: an endpoint of the chosen backend is selected`, async () => {
      for (const target of [storeB, storeA, storeB]) {
        const { answer, trace } = await forwardTo(shape, `127.0.0.1:${target.port}`, '/');
        assert.equal(echoOf(answer).metadata, target.name);
        assert.equal(accessLogRecord(trace).upstream?.ignored_override_host, undefined);
      }
    });
  }
});
