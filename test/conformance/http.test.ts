// Gateway API conformance, HTTP profile, against the real `extgate up` (one process for the whole run): the
// suite's base infrastructure (base.ts), then each ported test's objects applied with kubectl, its steps run
// in order (requests sent until the expected answer comes, status read until it is as expected: the suite's
// eventual consistency), its objects deleted after. The closing line gives Core and Extended counts and every
// test of the suite this port skips, with why (tests-core.ts, tests-extended.ts, skipped.ts).
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { selfSignedCertificate, type CertificatePair } from '../../src/sdk/certs.js';
import { startExtgate, waitFor, type ExtgateProcess, type HttpAnswer } from '../e2e/harness.js';
import { startEcho, type EchoAnswer, type EchoBackend } from './backends.js';
import { BACKENDS, baseInfrastructure, CERTIFICATE_NAMES, pickPortOffset } from './base.js';
import {
  acceptedParentsMismatch,
  answerMismatch,
  gatewayMismatch,
  type ObjectStatus,
  routeLatestMismatch,
  routeMismatch,
} from './checks.js';
import { type ConformanceTest, type HttpCase, INFRA, type Level, type Step } from './model.js';
import { SKIPPED } from './skipped.js';
import { CORE_TESTS } from './tests-core.js';
import { EXTENDED_TESTS } from './tests-extended.js';

/** How long one expectation may take to come true (the suite's MaxTimeToConsistency). */
const CONSISTENCY_MS = 30_000;

describe('Gateway API conformance (HTTP) against extgate up', () => {
  let gw: ExtgateProcess;
  let cert: CertificatePair;
  const backends: EchoBackend[] = [];
  const passed: Record<Level, number> = { Core: 0, Extended: 0 };
  const tests: ConformanceTest[] = [...CORE_TESTS, ...EXTENDED_TESTS];

  before(async () => {
    for (const b of BACKENDS) backends.push(await startEcho(b.namespace, b.service));
    cert = selfSignedCertificate(CERTIFICATE_NAMES);
    gw = await startExtgate('up', { portOffset: await pickPortOffset() });
    await gw.kubectl(['apply', '-f', '-'], { input: baseInfrastructure(backends, cert) });
  });
  after(async () => {
    await gw?.cleanup();
    for (const b of backends) {
      b.server.close();
      b.h2c.close();
    }
    const total = (level: Level) => tests.filter((t) => t.level === level).length;
    console.log(
      `conformance: Core ${passed.Core}/${total('Core')} passed, Extended ${passed.Extended}/${total('Extended')} passed;` +
        ` skipped ${SKIPPED.length}: ${SKIPPED.map((s) => `${s.name} (${s.level}: ${s.why})`).join('; ')}`,
    );
  });

  function send(c: HttpCase, listenerPort: number, https: boolean): Promise<HttpAnswer> {
    const port = listenerPort + gw.portOffset;
    const host = c.host ?? `127.0.0.1:${port}`;
    if (c.protocol === 'h2c') return sendH2c(c, port, host);
    return new Promise((resolve, reject) => {
      const options = {
        host: '127.0.0.1',
        port,
        path: c.path,
        method: c.method ?? 'GET',
        headers: {
          Host: host,
          ...c.headers,
          ...(c.backendSets
            ? {
                'X-Echo-Set-Header': Object.entries(c.backendSets)
                  .map(([k, v]) => `${k}:${v}`)
                  .join(','),
              }
            : {}),
        },
        agent: false as const,
        timeout: 10_000,
      };
      const onResponse = (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        // Each header line a value, joined with `,` as the suite's Go client reads them (Node's `headers`
        // joins with `, `, which would hide whether the gateway sent one line or two).
        const headers: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          const value = res.rawHeaders[i + 1]!;
          headers[name] = name in headers ? `${headers[name]},${value}` : value;
        }
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers, body }));
      };
      const req = https
        ? httpsRequest(
            { ...options, servername: c.sni ?? host.replace(/:\d+$/, ''), ca: cert.certPem },
            onResponse,
          )
        : httpRequest(options, onResponse);
      req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
      req.on('error', reject);
      req.end();
    });
  }

  /** One request over HTTP/2 with prior knowledge (the suite's H2CPriorKnowledgeProtocol). */
  function sendH2c(c: HttpCase, port: number, host: string): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const session = http2Connect(`http://127.0.0.1:${port}`);
      session.on('error', reject);
      const stream = session.request({
        ':method': c.method ?? 'GET',
        ':path': c.path,
        ':authority': host,
        ...c.headers,
      });
      let status = 0;
      const headers: Record<string, string> = {};
      let body = '';
      stream.on('response', (h) => {
        status = Number(h[':status']);
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) headers[k] = [v].flat().join(',');
      });
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => (body += d));
      stream.on('end', () => {
        session.close();
        resolve({ status, headers, body });
      });
      stream.on('error', (err) => {
        session.destroy();
        reject(err);
      });
      stream.end();
    });
  }

  /** Opens a WebSocket through the Gateway; resolves to why the echo failed, or undefined. */
  function websocketEcho(path: string, listenerPort: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${listenerPort + gw.portOffset}${path}`);
      const expected: Array<string | Buffer> = ['Websocket Support!', Buffer.from([1, 2, 3, 4, 5, 6, 7])];
      let next = 0;
      const finish = (why: string | undefined) => {
        ws.terminate();
        resolve(why);
      };
      const timer = setTimeout(() => finish('no echo in 5 s'), 5_000);
      ws.on('open', () => ws.send(expected[0]!));
      ws.on('message', (data: Buffer, binary: boolean) => {
        const want = expected[next]!;
        const got = binary ? data : data.toString('utf8');
        if (typeof want === 'string' ? got !== want : !Buffer.isBuffer(got) || !got.equals(want)) {
          clearTimeout(timer);
          return finish(`message ${next}: got ${JSON.stringify(got)}`);
        }
        if (++next === expected.length) {
          clearTimeout(timer);
          return finish(undefined);
        }
        ws.send(expected[next]!);
      });
      ws.on('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        finish(`upgrade refused: ${res.statusCode}`);
      });
      ws.on('error', (err) => {
        clearTimeout(timer);
        finish(err.message);
      });
    });
  }

  async function get(kind: string, name: string): Promise<ObjectStatus> {
    const [ns, n] = name.includes('/') ? name.split('/') : [INFRA, name];
    const { stdout } = await gw.kubectl(['get', kind, '-n', ns!, n!, '-o', 'json']);
    return JSON.parse(stdout) as ObjectStatus;
  }

  /** Polls `check` until it returns undefined; fails with its last answer. */
  async function eventually(what: string, check: () => Promise<string | undefined>): Promise<void> {
    let last: string | undefined = 'never checked';
    await waitFor(
      async () => {
        try {
          last = await check();
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
        }
        return last === undefined;
      },
      CONSISTENCY_MS,
      100,
    ).catch(() => assert.fail(`${what}: ${last}`));
  }

  const label = (c: HttpCase) =>
    `${c.method ?? 'GET'} ${c.host ?? ''}${c.path}${c.headers ? ` ${JSON.stringify(c.headers)}` : ''} → ${c.backend ?? c.status}`;

  async function run(step: Step): Promise<void> {
    if ('requests' in step) {
      const port = step.port ?? 80;
      const https = step.https ?? false;
      for (const c of step.requests) {
        const mirrors = (c.mirroredTo ?? []).map((m) =>
          backends.find((b) => b.namespace === INFRA && b.service === m)!,
        );
        for (const m of mirrors) m.seen.length = 0;
        await eventually(label(c), async () =>
          answerMismatch(c, await send(c, port, https), https ? 'https' : 'http'),
        );
        for (const m of mirrors)
          await eventually(`${label(c)} mirrored to ${m.service}`, async () =>
            m.seen.includes(c.path) ? undefined : `${m.service} saw ${JSON.stringify(m.seen)}`,
          );
      }
    } else if ('headerNamesBackend' in step) {
      for (let i = 0; i < step.count; i++) {
        const a = await send({ path: step.path }, 80, false);
        assert.equal(a.status, 200, `request ${i}: status ${a.status}`);
        const echo = JSON.parse(a.body) as EchoAnswer;
        const header = step.headerNamesBackend.toLowerCase();
        const named: Array<[string, string[]]> = Object.entries(echo.headers).filter(
          ([k]) => k.toLowerCase() === header,
        );
        assert.equal(
          named.flatMap(([, v]) => v).length,
          1,
          `request ${i}: want one ${step.headerNamesBackend} header`,
        );
        const service = named[0]![1][0]!;
        assert.ok(
          echo.pod.startsWith(`${service}-`),
          `request ${i}: ${step.headerNamesBackend} ${service} but served by ${echo.pod}`,
        );
      }
    } else if ('mirrorShare' in step) {
      await runMirrorShare(step.mirrorShare);
    } else if ('weights' in step) {
      await runWeights(step);
    } else if ('route' in step) {
      await eventually(`HTTPRoute ${step.route}`, async () =>
        routeMismatch(await get('httproute', step.route), step.parent, step.conditions),
      );
    } else if ('noAcceptedParents' in step) {
      // A negative check: read twice, a second apart, as the suite does before trusting an empty status.
      await new Promise((r) => setTimeout(r, 1000));
      await eventually(`HTTPRoute ${step.noAcceptedParents} accepted parents`, async () =>
        acceptedParentsMismatch(await get('httproute', step.noAcceptedParents)),
      );
    } else if ('gateway' in step) {
      await eventually(`Gateway ${step.gateway}`, async () =>
        gatewayMismatch(await get('gateway', step.gateway), step),
      );
    } else if ('websocket' in step) {
      await eventually(`WebSocket ${step.websocket}`, () => websocketEcho(step.websocket, step.port ?? 80));
    } else if ('gatewayClass' in step) {
      await eventually(`GatewayClass ${step.gatewayClass}`, async () => {
        const { stdout } = await gw.kubectl(['get', 'gatewayclass', step.gatewayClass, '-o', 'json']);
        return gatewayMismatch(JSON.parse(stdout) as ObjectStatus, { conditions: step.conditions });
      });
    } else if ('routeLatest' in step) {
      await eventually(`HTTPRoute ${step.routeLatest} latest conditions`, async () =>
        routeLatestMismatch(await get('httproute', step.routeLatest)),
      );
    } else if ('kubectl' in step) {
      const input = step.input === undefined ? undefined : withEchoPorts(step.input);
      const r = await gw.kubectl(step.kubectl, { input, allowFail: true });
      assert.equal(r.code, 0, `kubectl ${step.kubectl.join(' ')}: ${r.stderr}`);
    }
  }

  async function runMirrorShare(
    share: Extract<Step, { mirrorShare: unknown }>['mirrorShare'],
  ): Promise<void> {
    const target = backends.find((b) => b.namespace === INFRA && b.service === share.mirror)!;
    const p = share.percent / 100;
    const margin = 3 * Math.sqrt(share.count * p * (1 - p));
    let why = '';
    for (let attempt = 0; attempt < 5; attempt++) {
      const path = `${share.path}?try=${attempt}-${Math.random().toString(36).slice(2)}`;
      for (let i = 0; i < share.count; i += 10)
        await Promise.all(
          Array.from({ length: 10 }, () =>
            send({ path, ...(share.headers ? { headers: share.headers } : {}) }, 80, false),
          ),
        );
      // Mirrors are fire and forget: count once the number stops moving.
      let mirrored = -1;
      for (let now = target.seen.filter((s) => s === path).length; now !== mirrored;) {
        mirrored = now;
        await new Promise((r) => setTimeout(r, 300));
        now = target.seen.filter((s) => s === path).length;
      }
      const expected = share.count * p;
      if (Math.abs(mirrored - expected) <= margin) return;
      why = `${mirrored} of ${share.count} mirrored to ${share.mirror}, want ${expected} ± ${margin.toFixed(1)}`;
    }
    assert.fail(`percentage mirror ${share.path}: ${why}`);
  }

  /** The suite's TestWeightedDistribution: every share within 5 points of its weight, up to 10 tries. */
  async function runWeights(step: Extract<Step, { weights: unknown }>): Promise<void> {
    const port = step.port ?? 80;
    let why = '';
    for (let attempt = 0; attempt < 10; attempt++) {
      const counts = new Map<string, number>();
      for (let i = 0; i < step.count; i += 10) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () =>
            send({ path: step.path, headers: { 'X-Jitter': String(Math.random()) } }, port, false),
          ),
        );
        for (const a of answers) {
          const pod =
            a.status === 200 ? ((JSON.parse(a.body) as { pod: string }).pod ?? '') : `status ${a.status}`;
          const service = pod.replace(/-\d+$/, '');
          counts.set(service, (counts.get(service) ?? 0) + 1);
        }
      }
      const problems = Object.entries(step.weights)
        .map(([service, share]) => [service, share, (counts.get(service) ?? 0) / step.count] as const)
        .filter(([, share, got]) => Math.abs(got - share) > 0.05)
        .map(([service, share, got]) => `${service} ${got.toFixed(2)} (want ${share})`);
      const strays = [...counts.keys()].filter((s) => !(s in step.weights));
      if (problems.length === 0 && strays.length === 0) return;
      why = [...problems, ...strays.map((s) => `unexpected ${s}`)].join(', ');
    }
    assert.fail(`weighted distribution: ${why}`);
  }

  const withEchoPorts = (yaml: string) =>
    yaml.replace(/__ECHO_PORT_([a-z0-9-]+)__/g, (_, service: string) =>
      String(backends.find((b) => b.service === service)!.port),
    );

  for (const test of tests)
    it(`${test.level}: ${test.name}`, async () => {
      const manifests = withEchoPorts(test.manifests);
      await gw.kubectl(['apply', '-f', '-'], { input: manifests });
      try {
        for (const step of test.steps) await run(step);
        passed[test.level]++;
      } finally {
        await gw.kubectl(['delete', '-f', '-', '--wait=false', '--ignore-not-found'], {
          input: manifests,
        });
      }
    });
});
