// The dashboard in real headless Chromium: real requests go through a traced proxy into a real upstream, the
// page (opened before they are sent) shows them in its live log, and a chosen request's trace shows each
// extension step, its effect and the header diff; the screenshot is saved for a look.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { BrowserContext, Page } from 'playwright-core';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { TraceRecorder } from '../../src/admin/trace.js';
import { dashboardRoutes } from '../../src/admin/dashboard.js';
import { PluginLogBook } from '../../src/admin/plugin-logs.js';
import * as grpc from '@grpc/grpc-js';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { headersReply } from '../../src/sdk/index.js';
import { startMiniGateway, type MiniGateway } from './mini-gateway.js';
import { calloutIR, chainIR, startCallout, type RunningCallout } from '../callout/support.js';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { buildPlugins, examplePath, pluginIR } from '../wasm/helpers.js';
import { staticSource } from './fixtures.js';
import { chromiumMissing, launchBrowser } from './browser.js';

const skip = chromiumMissing();
const CHAIN = 'GCPTrafficExtension/default/my-traffic-extension/chain1';

let upstream: Server;
let admin: AdminServer;
let gateway: MiniGateway;
let browser: { context: BrowserContext; dir: string } | undefined;
let page: Page;
const pageErrors: string[] = [];
let callout: RunningCallout | undefined;
const client = new CalloutClient();
const pluginLogs = new PluginLogBook({ destination: { write: () => {} } });
const wasmRuntime = new WasmRuntime({ logSink: pluginLogs.sink });

before(async () => {
  if (skip) return;
  upstream = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'session=top-secret-cookie' });
    res.end(
      JSON.stringify({
        metadata: 'store-v1',
        host_header: req.headers.host,
        added: req.headers['x-added'] ?? null,
      }),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (upstream.address() as { port: number }).port;

  const recorder = new TraceRecorder({ capacity: 100 });
  admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    isReady: () => true,
    metrics: new Registry(),
    routes: [dashboardRoutes({ recorder, source: staticSource(), pluginLogs })],
  });
  callout = await startCallout({
    onRequestHeaders: () => headersReply({ set: { 'x-added': 'by-ext1' }, remove: ['x-remove-me'] }),
    onResponseHeaders: () => headersReply({ set: { hello: 'service-extensions' } }),
  });
  const dead = new grpc.Server();
  const deadPort = await new Promise<number>((resolve, reject) =>
    dead.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  dead.forceShutdown();
  // A real Proxy-Wasm plugin too: block-request logs every decision (its log lines reach the dashboard
  // through the runtime's log sink) and answers 403 itself for a bad user agent.
  buildPlugins();
  const plugins = {
    'default/block-request': pluginIR('default/block-request', examplePath('block-request'), {
      log: { enabled: true, sampleRate: 1, minLogLevel: 'INFO' },
    }),
  };
  assert.deepEqual(wasmRuntime.prepare(plugins), {});
  gateway = await startMiniGateway({
    recorder,
    upstreamPort,
    callout: (ir) => client.extension(ir),
    plugins,
    wasm: wasmRuntime.forSnapshot({ wasmPlugins: plugins }),
    chains: [
      {
        ...chainIR('chain1', 'request.path.contains("serviceextensions")', []),
        extensions: [
          calloutIR({
            id: `${CHAIN}/ext1`,
            name: 'ext1',
            port: callout.plaintext,
            events: ['RequestHeaders', 'ResponseHeaders'],
          }),
          calloutIR({
            id: `${CHAIN}/ext2`,
            name: 'ext2',
            port: deadPort,
            failOpen: true,
            events: ['RequestHeaders'],
          }),
          {
            kind: 'wasm',
            id: `${CHAIN}/plugin`,
            name: 'plugin',
            failOpen: false,
            events: ['RequestHeaders'],
            plugin: 'default/block-request',
          },
        ],
        id: CHAIN,
      },
    ],
  });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
});

after(async () => {
  await browser?.context.close();
  if (browser) await rm(browser.dir, { recursive: true, force: true }).catch(() => {});
  await gateway?.close();
  client.close();
  await callout?.stop();
  await admin?.close();
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
});

test(
  'the live log shows requests sent after the page opened, and a trace shows each step with its header diff',
  { skip },
  async (t) => {
    const base = `http://127.0.0.1:${admin.port}`;
    await page.goto(`${base}/`);
    await page.waitForSelector('#live.on', { timeout: 10_000 });

    // Through the gateway, with a credential that must never reach the page.
    for (const path of ['/plain', '/serviceextensions']) {
      const res = await get(gateway.port, path, {
        host: 'store.example.com',
        authorization: 'Bearer very-secret-token',
        'x-remove-me': 'bye',
      });
      assert.equal(res.status, 200);
      if (path === '/serviceextensions') assert.equal(res.headers.hello, 'service-extensions');
    }
    // The plugin answers this one itself.
    const blocked = await get(gateway.port, '/serviceextensions/x', {
      host: 'store.example.com',
      'user-agent': 'badbot/1.0',
    });
    assert.equal(blocked.status, 403);

    const blockedRow = page.locator('#requests tr', { hasText: '/serviceextensions/x' });
    await blockedRow.waitFor({ timeout: 10_000 });
    assert.match((await blockedRow.textContent()) ?? '', /403/);
    const row = page.locator('#requests tr', { hasText: /\/serviceextensions(?!\/)/ });
    assert.equal(await page.locator('#requests tr').count(), 3, 'every request is in the live log');
    assert.match((await row.textContent()) ?? '', /200/);
    await row.click();

    await page.waitForSelector('#trace-steps .step', { timeout: 10_000 });
    const steps = page.locator('#trace-steps .step');
    // Request path: ext1, ext2 (fails open), the plugin; response path: ext1 only.
    assert.equal(await steps.count(), 4);
    assert.equal(await steps.nth(0).getAttribute('data-effect'), 'CONTENT_MODIFIED');
    assert.equal(await steps.nth(1).getAttribute('data-effect'), 'FAILED_OPEN');
    assert.match((await steps.nth(1).textContent()) ?? '', /unreachable/);
    assert.match((await steps.nth(2).textContent()) ?? '', /default\/block-request@v1/);
    assert.equal(await steps.nth(2).getAttribute('data-effect'), 'NONE');
    assert.match((await steps.nth(3).textContent()) ?? '', /ResponseHeaders/);

    // The header diff of ext1's request step: one header added, one removed; authorization redacted.
    const first = steps.nth(0);
    assert.equal(await first.locator('tr.add[data-header="x-added"]').textContent(), '+x-added: by-ext1');
    assert.equal(await first.locator('tr.del[data-header="x-remove-me"]').count(), 1);
    assert.match(
      (await first.locator('tr.same[data-header="authorization"]').textContent()) ?? '',
      /\[redacted\]/,
    );
    assert.equal(
      await steps.nth(3).locator('tr.add[data-header="hello"]').textContent(),
      '+hello: service-extensions',
    );

    // Chain and route, and why; the upstream's answer.
    assert.match(
      (await page.locator('#trace-chains').textContent()) ?? '',
      /chain1.*request\.path\.contains\("serviceextensions"\)/,
    );
    assert.match((await page.locator('#trace-route').textContent()) ?? '', /default\/store\/0\/0/);
    assert.match((await page.locator('#trace-upstream').textContent()) ?? '', /answered 200/);

    const html = await page.content();
    assert.ok(!html.includes('very-secret-token'), 'authorization value never reaches the page');
    assert.ok(!html.includes('top-secret-cookie'), 'set-cookie value never reaches the page');

    // Configuration tree: the broken extension is flagged with the fix its condition gives.
    const ext = page.locator('li.node.problem[data-kind="GCPTrafficExtension"]');
    await ext.waitFor({ timeout: 10_000 });
    assert.match((await ext.locator('.fix').first().textContent()) ?? '', /set appProtocol: HTTP2/);
    assert.match((await ext.locator('.events .warn').textContent()) ?? '', /Reconciliation .* failed/);

    const shot = join(browser!.dir, 'dashboard-trace.png');
    await page.screenshot({ path: shot, fullPage: false });
    t.diagnostic(`screenshot: ${shot}`);
    const png = await readFile(shot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.byteLength > 20_000, `a rendered page, not a blank one (${png.byteLength} bytes)`);
    if (process.env.EXTGATE_KEEP_SCREENSHOT)
      await page.screenshot({ path: process.env.EXTGATE_KEEP_SCREENSHOT });

    // Plugin logs per version.
    await page.click('#tab-plugins');
    const log = page.locator('table.plugin-log[data-plugin="default/block-request"][data-version="v1"]');
    await log.waitFor({ timeout: 10_000 });
    assert.match((await log.textContent()) ?? '', /allowed \/serviceextensions/);
    assert.match((await log.textContent()) ?? '', /blocked \/serviceextensions\/x/);

    // The plugin's own answer, in its trace.
    await page.click('#tab-config');
    await blockedRow.click();
    await page.waitForSelector('#trace-steps .step[data-effect="IMMEDIATE_RESPONSE"]', { timeout: 10_000 });
    assert.match((await page.locator('#trace-steps').textContent()) ?? '', /immediate response 403/);
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
  },
);

/** fetch() would drop the Host header; the gateway routes by it. */
function get(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    })
      .on('error', reject)
      .end();
  });
}
