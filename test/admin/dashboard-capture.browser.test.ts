// A capture started from the dashboard of the real product: `extgate up` (default flags, so the data plane
// runs in workers and traces reach the dashboard's process over IPC), a loopback backend, and headless
// Chromium that clicks "Start capture" for the next 5 requests to /x. Requests to /x and /y go through the
// Gateway while the page's live log is open (so every request is traced); the capture must hold exactly five
// /x requests, none of /y and none sent after it finished.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, closeBrowser, launchBrowser, openWatchedPage } from './browser.js';
import { httpGet as get, startExtgate, waitFor, type ExtgateProcess } from '../e2e/harness.js';
import { documents, httpGateway, loopbackService } from '../e2e/manifests.js';

const skip = chromiumMissing();
const HOST = 'capture.example.com';

describe('starting a capture from the dashboard', { skip }, () => {
  let backend: Server;
  let extgate: ExtgateProcess;
  let browser: { context: BrowserContext; dir: string } | undefined;
  let page: Page;
  let gatewayPort = 0;
  const pageErrors: string[] = [];

  before(async () => {
    backend = createServer((req, res) => {
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    extgate = await startExtgate('up');
    gatewayPort = 80 + extgate.portOffset;
    await extgate.kubectl(['apply', '-f', '-'], {
      input: documents(
        httpGateway('external-http', 'gke-l7-global-external-managed'),
        loopbackService('backend', (backend.address() as AddressInfo).port),
        `kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: all}
spec:
  parentRefs: [{kind: Gateway, name: external-http}]
  hostnames: ["${HOST}"]
  rules:
  - backendRefs: [{name: backend, port: 8080}]`,
      ),
    });
    await waitFor(
      async () => (await get(gatewayPort, '/ready', { host: HOST }).catch(() => undefined))?.status === 200,
      30_000,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- extgate output ---\n${extgate.output()}`);
    });
    browser = await launchBrowser();
    page = await openWatchedPage(browser.context, pageErrors);
  });

  after(async () => {
    await closeBrowser(browser);
    await extgate?.cleanup();
    await new Promise((r) => backend?.close(r));
  });

  it('records exactly the next 5 requests to /x and shows them', async () => {
    await page.goto(`http://127.0.0.1:${extgate.adminPort}/`);
    await page.waitForSelector('#live.on', { timeout: 10_000 });

    await page.click('#tab-capture');
    await page.fill('#capture-count', '5');
    await page.fill('#capture-path', '/x');
    await page.click('#capture-start');
    await page.waitForSelector('#captures tr[data-state="running"]', { timeout: 10_000 });
    await page.waitForSelector('#capture-state.on', { timeout: 5_000 });
    const id = await page.locator('#captures tr[data-state="running"]').getAttribute('data-capture');
    assert.ok(id !== null);

    // /y and /x interleaved until the page says the capture finished (its count reached in the dashboard's
    // process), then more /x that must not be caught.
    const sent: string[] = [];
    const send = async (path: string): Promise<void> => {
      const answer = await get(gatewayPort, path, { host: HOST });
      assert.equal(answer.status, 200, `${path}: ${answer.body}`);
      sent.push(path);
    };
    const finished = page.locator(`#captures tr[data-capture="${id}"][data-state="finished"]`);
    for (let n = 1; n <= 60 && (await finished.count()) === 0; n++) {
      await send(`/y/${n}`);
      await send(`/x/${n}`);
      if (n >= 5) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await finished.count(), 1, 'the capture finished after 5 requests to /x');
    for (let n = 100; n < 103; n++) await send(`/x/${n}`);

    // The live log (the page watches, so everything is traced) has /y too; the capture has only its five.
    await waitFor(
      async () => (await page.locator('#requests tr', { hasText: '/x/102' }).count()) === 1,
      10_000,
    );
    assert.ok((await page.locator('#requests tr', { hasText: '/y/1' }).count()) >= 1);
    await page.waitForFunction(
      (expected) => document.getElementById('capture-traces-title')?.textContent === expected,
      `Captured by #${id}: 5 requests`,
      { timeout: 10_000 },
    );
    const paths = await page.locator('#capture-traces tr td:nth-child(4)').allTextContents();
    assert.equal(paths.length, 5, paths.join(' '));
    for (const path of paths) {
      assert.match(path, /^\/x\/\d+$/);
      assert.ok(sent.includes(path), `${path} was sent`);
      assert.ok(Number(path.slice(3)) < 100, `${path} came after the capture finished`);
    }
    assert.equal(new Set(paths).size, 5, 'five different requests');

    // A captured row opens its trace.
    await page.locator('#capture-traces tr').first().click();
    await page.waitForFunction(
      () => /→ 200/.test(document.querySelector('#trace h2')?.textContent ?? ''),
      null,
      {
        timeout: 10_000,
      },
    );
    assert.match((await page.locator('#trace h2').textContent()) ?? '', /\/x\/\d+ → 200/);
    assert.equal(await page.locator('#capture-state.on').count(), 0, 'no capture is running any more');
    assert.deepEqual(pageErrors, []);
  });

  it('stops a running capture with its Stop button, and says what is wrong with a bad form', async () => {
    await page.fill('#capture-count', '50');
    await page.fill('#capture-path', '/never');
    await page.click('#capture-start');
    const running = page.locator('#captures tr[data-state="running"]');
    await running.waitFor({ timeout: 10_000 });
    const id = await running.getAttribute('data-capture');
    await running.locator('.capture-stop').click();
    await page.waitForSelector(`#captures tr[data-capture="${id}"][data-state="stopped"]`, {
      timeout: 10_000,
    });
    const listed = (await (await fetch(`http://127.0.0.1:${extgate.adminPort}/api/capture`)).json()) as {
      captures: unknown[];
    };
    assert.deepEqual(listed.captures, [], 'the server no longer runs it');

    await page.fill('#capture-path', 'no-slash');
    await page.click('#capture-start');
    await page.waitForSelector('#capture-error:not([hidden])', { timeout: 10_000 });
    assert.match((await page.locator('#capture-error').textContent()) ?? '', /"path"/);
    assert.equal(await page.locator('#captures tr[data-state="running"]').count(), 0);
    // Chromium logs every 4xx answer to fetch as a console error: that one was expected.
    assert.deepEqual(
      pageErrors.filter((e) => !/status of 400/.test(e)),
      [],
    );
  });
});
