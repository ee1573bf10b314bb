// The dashboard of the real product in real headless Chromium: `extgate up` as a process, manifests applied
// with the real kubectl, the store app on loopback, the `basic` callout over gRPC+TLS and the `add-header`
// Proxy-Wasm plugin in ONE traffic extension chain. The page is opened before requests are sent; a request is
// found in the live log by its x-request-id, and its trace must show the chain that matched, the callout's and
// the plugin's steps with their effects, the header diff each made, the upstream's answer, and no credential.
// The screenshot is saved in the test's temp dir for a look.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { CalloutServer } from '../../src/sdk/server.js';
import { basic } from '../../examples/callouts/basic/callout.js';
import { startStoreApp, type StoreApp } from '../../examples/store/store-app.js';
import { buildPlugins, examplePath } from '../wasm/helpers.js';
import { chromiumMissing, closeBrowser, launchBrowser, openWatchedPage } from '../admin/browser.js';
import {
  freePort,
  REPO_ROOT,
  httpGet as get,
  startExtgate,
  startTlsCallout,
  waitFor,
  type ExtgateProcess,
} from './harness.js';
import { documents, httpGateway, loopbackService } from './manifests.js';

const skip = chromiumMissing();
const CHAIN = 'GCPTrafficExtension/default/my-traffic-extension/chain1';
const SECRET = 'Bearer very-secret-token';

function manifests(storePort: number, calloutPort: number, pluginWasm: string): string {
  return `${documents(
    httpGateway('external-http', 'gke-l7-global-external-managed'),
    loopbackService('store-v1', storePort),
    loopbackService('extension-service', calloutPort, { servicePort: 443, appProtocol: 'HTTP2' }),
  )}---
kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{kind: Gateway, name: external-http}]
  hostnames: ["store.example.com"]
  rules:
  - backendRefs: [{name: store-v1, port: 8080}]
---
kind: GCPWasmPlugin
apiVersion: networking.gke.io/v1
metadata: {name: add-header}
spec:
  versions:
  - name: v1
    image: "file://${pluginWasm}"
    weight: 1
  logConfig: {enabled: true, sampleRate: 1000000, minLogLevel: INFO}
---
${trafficExtension('')}`;
}

/** The one traffic extension: chain1 = the callout then the plugin; `more` appends further chains. */
function trafficExtension(more: string): string {
  return `kind: GCPTrafficExtension
apiVersion: networking.gke.io/v1
metadata: {name: my-traffic-extension, namespace: default}
spec:
  targetRefs: [{group: "gateway.networking.k8s.io", kind: Gateway, name: external-http}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions:
      - celMatcher: request.path.contains("serviceextensions")
    extensions:
    - name: ext1
      authority: "myext.com"
      timeout: 1s
      supportedEvents: [RequestHeaders, ResponseHeaders]
      backendRef: {group: "", kind: Service, name: extension-service, port: 443}
    - name: plugin
      supportedEvents: [RequestHeaders, ResponseHeaders]
      backendRef: {group: "networking.gke.io", kind: GCPWasmPlugin, name: add-header}
${more}`;
}

/**
 * A second chain for the failure paths: a callout nobody answers (fail-open) and the block-request plugin,
 * which logs every decision and answers 403 itself for a bad user agent.
 */
function guardedChain(): string {
  return `  - name: guarded
    matchCondition:
      celExpressions:
      - celMatcher: request.path.startsWith("/guarded")
    extensions:
    - name: gone
      authority: "myext.com"
      timeout: 1s
      failOpen: true
      supportedEvents: [RequestHeaders]
      backendRef: {group: "", kind: Service, name: gone-service, port: 443}
    - name: guard
      supportedEvents: [RequestHeaders]
      backendRef: {group: "networking.gke.io", kind: GCPWasmPlugin, name: block-request}
`;
}

/** What the guarded chain refers to; admission wants it to exist first, as GKE's does. */
function guardedResources(deadPort: number, blockRequestWasm: string): string {
  return `apiVersion: v1
kind: Service
metadata: {name: gone-service}
spec:
  ports: [{port: 443, targetPort: ${deadPort}, appProtocol: HTTP2}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: gone-service-local
  labels: {kubernetes.io/service-name: gone-service}
addressType: IPv4
ports: [{port: ${deadPort}, protocol: TCP}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
---
kind: GCPWasmPlugin
apiVersion: networking.gke.io/v1
metadata: {name: block-request}
spec:
  versions:
  - name: v1
    image: "file://${blockRequestWasm}"
    weight: 1
  logConfig: {enabled: true, sampleRate: 1000000, minLogLevel: INFO}
`;
}

/**
 * A routing extension the controller rejects: GKE runs routing extensions only on regional Gateway classes,
 * and this Gateway is global.
 */
const MISPLACED_ROUTING = `kind: GCPRoutingExtension
apiVersion: networking.gke.io/v1
metadata: {name: misplaced-routing, namespace: default}
spec:
  targetRefs: [{group: "gateway.networking.k8s.io", kind: Gateway, name: external-http}]
  extensionChains:
  - name: chain1
    matchCondition:
      celExpressions:
      - celMatcher: request.path.contains("never-sent")
    extensions:
    - name: ext1
      authority: "myext.com"
      backendRef: {group: "", kind: Service, name: extension-service, port: 443}
`;

describe('dashboard of extgate up in headless Chromium', { skip }, () => {
  let extgate: ExtgateProcess;
  let store: StoreApp;
  let callout: CalloutServer;
  let browser: { context: BrowserContext; dir: string } | undefined;
  let page: Page;
  let gatewayPort = 0;
  const pageErrors: string[] = [];

  before(async () => {
    buildPlugins();
    store = await startStoreApp('store-v1', 0);
    const tls = await startTlsCallout(basic);
    callout = tls.server;
    // Port 80 of the Gateway binds 80 + offset: take a port just seen free rather than a random offset, which
    // can land on a loopback port a client connection of another test holds (the listener is then refused
    // and retried 10 s later).
    extgate = await startExtgate('up', {
      portOffset: (await freePort()) - 80,
      args: ['--plugin-dir', join(REPO_ROOT, 'examples', 'plugins')],
    });
    gatewayPort = 80 + extgate.portOffset;
    await extgate.kubectl(['apply', '-f', '-'], {
      input: manifests(store.port, tls.port, examplePath('add-header')),
    });
    // Extensions carry PolicyStatus (conditions per ancestor Gateway), which `kubectl wait` does not read.
    await waitFor(
      async () => {
        const out = await extgate.kubectl([
          'get',
          'gcptrafficextension',
          'my-traffic-extension',
          '-o=jsonpath={.status.ancestors[0].conditions[?(@.type=="Programmed")].status}',
        ]);
        return out.stdout === 'True';
      },
      30_000,
      200,
    );
    browser = await launchBrowser();
    page = await openWatchedPage(browser.context, pageErrors);
  });

  after(async () => {
    await closeBrowser(browser);
    await extgate?.cleanup();
    await callout?.stop();
    await store?.close();
  });

  it('finds a request through a callout and a plugin in the live log and shows its trace', async (t) => {
    // The data plane may serve the new snapshot a moment after the Programmed condition is written.
    await waitFor(
      async () =>
        (await get(gatewayPort, '/serviceextensions', { host: 'store.example.com' })).headers.hello !==
        undefined,
      15_000,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- extgate output ---\n${extgate.output()}`);
    });

    await page.goto(`http://127.0.0.1:${extgate.adminPort}/`);
    await page.waitForSelector('#live.on', { timeout: 10_000 });

    const requestId = `dash-${process.pid}-${Date.now()}`;
    const answer = await get(gatewayPort, '/serviceextensions', {
      host: 'store.example.com',
      authorization: SECRET,
      'x-request-id': requestId,
      foo: 'removed-by-the-callout',
    });
    assert.equal(answer.status, 200, answer.body);
    // Both extensions added a `hello` on the way back: the callout's and the plugin's.
    assert.deepEqual(String(answer.headers.hello).split(', ').sort(), ['service-extensions', 'world']);
    const json = JSON.parse(answer.body) as { metadata: string; host_header: string };
    assert.equal(json.metadata, 'store-v1');
    assert.equal(json.host_header, 'service-extensions.com', "the callout's rewrite reached the upstream");
    // One the chain does not match, for contrast.
    const plain = await get(gatewayPort, '/plain', {
      host: 'store.example.com',
      'x-request-id': `${requestId}-plain`,
    });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.hello, undefined);

    // The live log: the rows whose records carry our x-request-ids (the filter searches request ids too).
    await page.fill('#filter', requestId);
    const rows = page.locator('#requests tr:not([hidden])');
    await waitFor(async () => (await rows.count()) === 2, 10_000);
    const plainRow = rows.filter({ hasText: '/plain' });
    assert.equal(await plainRow.locator('td').last().textContent(), '—', 'no chain for /plain');
    const row = rows.filter({ hasText: '/serviceextensions' });
    assert.match((await row.locator('td.status').textContent()) ?? '', /^200$/);
    assert.equal(await row.locator('td').last().textContent(), CHAIN);
    await row.click();

    await page.waitForSelector('#trace-steps .step', { timeout: 10_000 });
    assert.match((await page.locator('#trace code').first().textContent()) ?? '', new RegExp(requestId));

    // Which chain matched, and why.
    const chains = (await page.locator('#trace-chains').textContent()) ?? '';
    assert.match(chains, /traffic:/);
    assert.match(chains, /chain1.*request\.path\.contains\("serviceextensions"\)/);
    assert.match((await page.locator('#trace-route').textContent()) ?? '', /default\/store/);

    // Request path: the callout, then the plugin; response path: the same two in reverse (GKE's order).
    const steps = page.locator('#trace-steps .step');
    const heads = await steps.locator('.head').allTextContents();
    assert.equal(await steps.count(), 4, heads.join('\n'));
    const ext1Req = steps.nth(0);
    const pluginReq = steps.nth(1);
    const pluginResp = steps.nth(2);
    const ext1Resp = steps.nth(3);
    for (const [step, name, event] of [
      [ext1Req, 'ext1', 'RequestHeaders'],
      [pluginReq, 'plugin', 'RequestHeaders'],
      [pluginResp, 'plugin', 'ResponseHeaders'],
      [ext1Resp, 'ext1', 'ResponseHeaders'],
    ] as const) {
      assert.equal(await step.locator('.head .name').textContent(), name);
      assert.equal(await step.locator('.head .kind').textContent(), event);
      assert.equal(await step.getAttribute('data-effect'), 'CONTENT_MODIFIED', `${name} ${event}`);
    }
    assert.match((await pluginReq.locator('.head').textContent()) ?? '', /default\/add-header@v1/);
    // Each step with its latency (a gRPC status is shown only when a callout failed).
    assert.match((await ext1Req.locator('.head').textContent()) ?? '', /\d+\.\d\d ms at \+/);

    // The callout's request diff: host and path rewritten, a header added, `foo` removed; the credential
    // is shown only as redacted.
    assert.equal(
      await ext1Req.locator('tr.add[data-header="header-request"]').textContent(),
      '+header-request: request',
    );
    assert.equal(await ext1Req.locator('tr.del[data-header="foo"]').count(), 1);
    assert.match(
      (await ext1Req.locator('tr.mod[data-header=":authority"]').textContent()) ?? '',
      /store\.example\.com → service-extensions\.com/,
    );
    assert.match(
      (await ext1Req.locator('tr.mod[data-header=":path"]').textContent()) ?? '',
      /\/serviceextensions → \//,
    );
    assert.equal(
      await ext1Req.locator('tr.same[data-header="authorization"]').textContent(),
      ' authorization: [redacted]',
    );
    // basic asks for clear_route_cache; in a traffic chain that cannot change the route (GKE's order).
    assert.match(
      (await ext1Req.textContent()) ?? '',
      /clear_route_cache ignored: a traffic extension does not change the route/,
    );
    assert.match((await page.locator('#trace-route').textContent()) ?? '', /default\/store\/0\/0/);
    // The plugin's request diff: its x-plugin header.
    assert.equal(
      await pluginReq.locator('tr.add[data-header="x-plugin"]').textContent(),
      '+x-plugin: add-header',
    );
    // Response path: the plugin adds hello: world, then the callout adds hello: service-extensions to it.
    assert.equal(await pluginResp.locator('tr.add[data-header="hello"]').textContent(), '+hello: world');
    assert.equal(
      await ext1Resp.locator('tr.mod[data-header="hello"]').textContent(),
      '~hello: world → world, service-extensions',
    );

    // The upstream's answer.
    const upstream = (await page.locator('#trace-upstream').textContent()) ?? '';
    assert.match(upstream, new RegExp(`127\\.0\\.0\\.1:${store.port} answered 200`));
    assert.match(upstream, /content-type: application\/json/);

    const html = await page.content();
    assert.ok(!html.includes('very-secret-token'), 'the authorization value never reaches the page');
    assert.match(html, /authorization: \[redacted\]/);

    // The configuration tree shows the chain's extensions under the Gateway, none of them in trouble.
    const ext = page.locator('li.node[data-kind="GCPTrafficExtension"][data-name="my-traffic-extension"]');
    await ext.waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('li.node.problem').count(), 0, await page.locator('#config').innerText());

    if (process.env.EXTGATE_KEEP_SCREENSHOT) {
      await ext1Resp.scrollIntoViewIfNeeded();
      await page.screenshot({ path: process.env.EXTGATE_KEEP_SCREENSHOT.replace(/\.png$/, '-response.png') });
    }
    const shot = join(browser!.dir, 'dashboard-trace.png');
    await page.screenshot({ path: shot, fullPage: false });
    t.diagnostic(`screenshot: ${shot}`);
    const png = await readFile(shot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.byteLength > 20_000, `a rendered page, not a blank one (${png.byteLength} bytes)`);
    if (process.env.EXTGATE_KEEP_SCREENSHOT)
      await page.screenshot({ path: process.env.EXTGATE_KEEP_SCREENSHOT });
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
  });

  it('shows a fail-open callout, a plugin answering itself, its logs per version, and a misplaced extension', async () => {
    const host = 'store.example.com';
    const deadPort = await freePort();
    await extgate.kubectl(['apply', '-f', '-'], {
      input: guardedResources(deadPort, examplePath('block-request')),
    });
    await extgate.kubectl(['apply', '-f', '-'], { input: trafficExtension(guardedChain()) });
    await waitFor(
      async () => (await get(gatewayPort, '/guarded/x', { host, 'user-agent': 'badbot/1.0' })).status === 403,
      15_000,
      200,
    );

    const id = `guard-${process.pid}-${Date.now()}`;
    const allowed = await get(gatewayPort, '/guarded/shop', {
      host,
      'x-request-id': `${id}-allowed`,
      cookie: 'session=top-secret-cookie',
    });
    assert.equal(allowed.status, 200, allowed.body);
    const blocked = await get(gatewayPort, '/guarded/x', {
      host,
      'user-agent': 'badbot/1.0',
      'x-request-id': `${id}-blocked`,
    });
    assert.equal(blocked.status, 403);

    await page.fill('#filter', id);
    const rows = page.locator('#requests tr:not([hidden])');
    await waitFor(async () => (await rows.count()) === 2, 10_000);
    const allowedRow = rows.filter({ hasText: '/guarded/shop' });
    const blockedRow = rows.filter({ hasText: '/guarded/x' });
    assert.match((await blockedRow.textContent()) ?? '', /403/);

    // The allowed request: the dead callout failed open, then the plugin let it through.
    await allowedRow.click();
    await page.waitForSelector(`#trace code:text("${id}-allowed")`, { timeout: 10_000 });
    const steps = page.locator('#trace-steps .step');
    assert.equal(await steps.count(), 2, (await steps.locator('.head').allTextContents()).join('\n'));
    assert.match(
      (await page.locator('#trace-chains').textContent()) ?? '',
      /guarded.*startsWith\("\/guarded"\)/,
    );
    assert.equal(await steps.nth(0).locator('.head .name').textContent(), 'gone');
    assert.equal(await steps.nth(0).getAttribute('data-effect'), 'FAILED_OPEN');
    assert.match((await steps.nth(0).locator('.error').textContent()) ?? '', /unreachable: .*UNAVAILABLE/);
    assert.match((await steps.nth(0).locator('.head').textContent()) ?? '', /grpc-status 14/);
    assert.equal(await steps.nth(1).locator('.head .name').textContent(), 'guard');
    assert.equal(await steps.nth(1).getAttribute('data-effect'), 'NONE');
    assert.match((await steps.nth(1).locator('.head').textContent()) ?? '', /default\/block-request@v1/);
    assert.match((await page.locator('#trace-upstream').textContent()) ?? '', /answered 200/);
    assert.equal(
      await page.locator('#trace tr[data-header="cookie"]').first().textContent(),
      ' cookie: [redacted]',
    );
    assert.ok(
      !(await page.content()).includes('top-secret-cookie'),
      'the cookie value never reaches the page',
    );

    // The blocked one: the plugin answered itself; nothing went upstream.
    await blockedRow.click();
    await page.waitForSelector('#trace-steps .step[data-effect="IMMEDIATE_RESPONSE"]', { timeout: 10_000 });
    assert.match((await page.locator('#trace-steps').textContent()) ?? '', /immediate response 403/);
    assert.equal(await page.locator('#trace-upstream').count(), 0);
    assert.match((await page.locator('#trace').textContent()) ?? '', /not sent upstream/);

    // Plugin logs per version.
    await page.click('#tab-plugins');
    const log = page.locator('table.plugin-log[data-plugin="default/block-request"][data-version="v1"]');
    await log.waitFor({ timeout: 10_000 });
    assert.match((await log.textContent()) ?? '', /allowed \/guarded\/shop/);
    assert.match((await log.textContent()) ?? '', /blocked \/guarded\/x/);
    await page.click('#tab-config');

    // A rejected extension is flagged in the configuration tree with the controller's message and event.
    await extgate.kubectl(['apply', '-f', '-'], { input: MISPLACED_ROUTING });
    const broken = page.locator(
      'li.node.problem[data-kind="GCPRoutingExtension"][data-name="misplaced-routing"]',
    );
    await broken.waitFor({ timeout: 15_000 });
    assert.match(
      (await broken.locator('.fix').first().textContent()) ?? '',
      /Accepted False \(NotAllowed\): GCPRoutingExtension is not supported by GatewayClass "gke-l7-global-external-managed".*need a regional class/,
    );
    assert.match(
      (await broken.locator('.events .warn').first().textContent()) ?? '',
      /Warning SYNC: Attachment of GCPRoutingExtension "default\/misplaced-routing" .* failed/,
    );
    if (process.env.EXTGATE_KEEP_SCREENSHOT) {
      await allowedRow.click();
      await page.waitForSelector('#trace-steps .step[data-effect="FAILED_OPEN"]');
      await broken.scrollIntoViewIfNeeded();
      await page.screenshot({ path: process.env.EXTGATE_KEEP_SCREENSHOT.replace(/\.png$/, '-failures.png') });
    }
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
  });
});
