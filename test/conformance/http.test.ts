// Gateway API conformance, HTTP profile, against the real `extgate up`: the suite's base infrastructure (its
// namespaces, the `same-namespace` Gateway, infra-backend-v1..v3 as echo servers behind EndpointSlices), each
// ported test's routes applied with kubectl, its requests sent until the expected answer comes (the suite's
// eventual consistency), the route deleted after. Status tests read the Gateway as the suite does. The closing
// diagnostic lists Core/Extended counts and every test not ported, with why.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { documents, loopbackService } from '../e2e/manifests.js';
import { startExtgate, waitFor, type ExtgateProcess, type HttpAnswer } from '../e2e/harness.js';
import { startEcho, type EchoAnswer, type EchoBackend } from './backends.js';
import { HTTP_TESTS, NOT_PORTED, type HttpCase, type Level } from './http-cases.js';

const INFRA = 'gateway-conformance-infra';
const CLASS = 'gke-l7-regional-external-managed';

const infrastructure = (backends: EchoBackend[]) =>
  documents(
    ...[INFRA, 'gateway-conformance-app-backend', 'gateway-conformance-web-backend'].map(
      (ns) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`,
    ),
    `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same-namespace, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}]`,
    ...backends.map((b) => loopbackService(b.service, b.port, { namespace: b.namespace })),
  );

const route = (name: string, spec: string) =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: ${INFRA}}\nspec:\n${spec
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n`;

/** The suite's request: `Host` is the Gateway address, method GET unless said. */
function send(port: number, c: HttpCase): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: c.path,
        method: c.method ?? 'GET',
        headers: { Host: `127.0.0.1:${port}`, ...c.headers },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Why an answer is not the expected one, or undefined when it is (the suite's CompareRequest, for our fields). */
function mismatch(c: HttpCase, got: HttpAnswer): string | undefined {
  const status = c.status ?? 200;
  if (got.status !== status) return `status ${got.status}, want ${status}`;
  if (!c.backend || c.method === 'HEAD') return undefined;
  let echo: EchoAnswer;
  try {
    echo = JSON.parse(got.body) as EchoAnswer;
  } catch {
    return `body is not the echo server's: ${got.body.slice(0, 200)}`;
  }
  if (echo.namespace !== INFRA) return `served from namespace ${echo.namespace}, want ${INFRA}`;
  if (!echo.pod.startsWith(`${c.backend}-`)) return `served by pod ${echo.pod}, want one of ${c.backend}`;
  if (echo.method !== (c.method ?? 'GET')) return `backend saw method ${echo.method}`;
  const seen = (name: string) =>
    Object.entries(echo.headers)
      .filter(([k]) => k.toLowerCase() === name.toLowerCase())
      .flatMap(([, v]) => v)
      .join(',');
  for (const [name, value] of Object.entries(c.received ?? {}))
    if (seen(name) !== value)
      return `backend saw ${name}: ${JSON.stringify(seen(name))}, want ${JSON.stringify(value)}`;
  for (const name of c.absent ?? [])
    if (seen(name) !== '') return `backend saw ${name}, which must be removed`;
  return undefined;
}

const label = (c: HttpCase) =>
  `${c.method ?? 'GET'} ${c.path}${c.headers ? ` ${JSON.stringify(c.headers)}` : ''} → ${c.backend ?? c.status}`;

describe('Gateway API conformance (HTTP) against extgate up', () => {
  let gw: ExtgateProcess;
  let port: number;
  const backends: EchoBackend[] = [];
  const passed: Record<Level, number> = { Core: 0, Extended: 0 };

  before(async () => {
    for (const service of ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3'])
      backends.push(await startEcho(INFRA, service));
    gw = await startExtgate('up');
    port = 80 + gw.portOffset;
    await gw.kubectl(['apply', '-f', '-'], { input: infrastructure(backends) });
  });
  after(async () => {
    await gw?.cleanup();
    for (const b of backends) b.server.close();
    const ported = HTTP_TESTS.length + 1;
    const count = (level: Level) => HTTP_TESTS.filter((t) => t.level === level).length;
    console.log(
      `conformance: ${passed.Core}/${count('Core') + 1} Core and ${passed.Extended}/${count('Extended')} Extended ported tests passed (${ported} ported);` +
        ` not ported: ${NOT_PORTED.map((n) => `${n.name} (${n.level}: ${n.why})`).join(', ')}`,
    );
  });

  for (const test of HTTP_TESTS)
    it(`${test.level}: ${test.name}`, async () => {
      const manifests = documents(...Object.entries(test.routes).map(([name, spec]) => route(name, spec)));
      await gw.kubectl(['apply', '-f', '-'], { input: manifests });
      try {
        for (const c of test.cases) {
          let last = '';
          await waitFor(
            async () => {
              last = mismatch(c, await send(port, c)) ?? '';
              return last === '';
            },
            15_000,
            100,
          ).catch(() => assert.fail(`${test.name}: ${label(c)}: ${last}`));
        }
        passed[test.level]++;
      } finally {
        await gw.kubectl(['delete', '-f', '-', '--wait=false'], { input: manifests });
      }
    });

  it('Core: GatewayListenerUnsupportedProtocol', async () => {
    const gateway = (name: string, listeners: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners: ${listeners}`;
    await gw.kubectl(['apply', '-f', '-'], {
      input: documents(
        gateway('gateway-only-unsupported-protocols', '[{name: invalid, port: 1111, protocol: INVALID}]'),
        gateway(
          'gateway-supported-and-unsupported-protocols',
          '[{name: http, port: 80, protocol: HTTP}, {name: invalid, port: 1111, protocol: INVALID}]',
        ),
      ),
    });
    type Condition = { type: string; status: string; reason: string };
    type Listener = {
      name: string;
      supportedKinds: unknown[];
      attachedRoutes: number;
      conditions: Condition[];
    };
    const status = async (name: string) =>
      JSON.parse((await gw.kubectl(['get', 'gateway', '-n', INFRA, name, '-o', 'json'])).stdout).status as {
        conditions?: Condition[];
        listeners?: Listener[];
      };
    const accepted = (cs: Condition[] | undefined) => cs?.find((c) => c.type === 'Accepted');
    const invalidListener = (s: { listeners?: Listener[] }) => s.listeners?.find((l) => l.name === 'invalid');
    await waitFor(
      async () => invalidListener(await status('gateway-supported-and-unsupported-protocols')) !== undefined,
      15_000,
      100,
    );

    const only = await status('gateway-only-unsupported-protocols');
    assert.deepEqual(
      [accepted(only.conditions)?.status, accepted(only.conditions)?.reason],
      ['False', 'ListenersNotValid'],
    );
    const mixed = await status('gateway-supported-and-unsupported-protocols');
    assert.deepEqual(
      [accepted(mixed.conditions)?.status, accepted(mixed.conditions)?.reason],
      ['True', 'ListenersNotValid'],
    );
    for (const s of [only, mixed]) {
      const l = invalidListener(s)!;
      assert.deepEqual(l.supportedKinds, []);
      assert.equal(l.attachedRoutes, 0);
      assert.deepEqual(
        [accepted(l.conditions)?.status, accepted(l.conditions)?.reason],
        ['False', 'UnsupportedProtocol'],
      );
    }
    const http = mixed.listeners!.find((l) => l.name === 'http')!;
    assert.deepEqual(
      [accepted(http.conditions)?.status, accepted(http.conditions)?.reason],
      ['True', 'Accepted'],
    );
    passed.Core++;
  });
});
