// Headless Chromium for the dashboard tests: Debian's `chromium` driven by playwright-core, with a fresh
// profile each time and nothing that talks to the network on its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM)
    ? false
    : `${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`;
}

export async function launchBrowser(): Promise<{ context: BrowserContext; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'extgate-browser-'));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { context, dir };
}

/** A new page whose script errors and console errors are collected into `errors` (asserted empty by tests). */
export async function openWatchedPage(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return page;
}

/** Closes what launchBrowser opened and removes its profile folder. */
export async function closeBrowser(
  browser: { context: BrowserContext; dir: string } | undefined,
): Promise<void> {
  if (!browser) return;
  await browser.context.close();
  await rm(browser.dir, { recursive: true, force: true }).catch(() => {});
}
