/** Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser), screenshots in test-artifacts/, and the 375 px checks. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { requireExecutable } from '../../support/services.js';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'admin');

export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  const path = requireExecutable(t, '/usr/bin/chromium');
  if (path === false) return undefined;
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS });
}

/** Saves a full-page screenshot as test-artifacts/admin/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A 375 px wide phone context, signed in as `who`, on the dashboard. */
export async function phoneSignedIn(browser: Browser, base: string, who: { loginId: string; password: string }): Promise<{ phone: BrowserContext; small: Page }> {
  const phone = await browser.newContext({ viewport: { width: 375, height: 800 }, isMobile: true });
  const small = await phone.newPage();
  await small.goto(`${base}/admin/login`);
  await small.getByLabel('Email').fill(who.loginId);
  await small.getByLabel('Password').fill(who.password);
  await small.getByRole('button', { name: 'Sign in' }).click();
  await small.waitForURL(/\/admin\/$/);
  return { phone, small };
}

/** The page at `path` is no wider than the screen and every control has a label; saved as <name>.png. */
export async function fitsAndIsLabelled(small: Page, base: string, path: string, name: string): Promise<void> {
  await small.goto(`${base}${path}`);
  const overflow = await small.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.ok(overflow <= 1, `${path} is wider than 375 px by ${overflow}`);
  const unlabelled = await small.evaluate<string[]>(
    "Array.from(document.querySelectorAll('input:not([type=hidden]),select,textarea,button')).filter(e => (e.labels === undefined || e.labels.length === 0) && !e.getAttribute('aria-label') && !(e.textContent || '').trim()).map(e => e.outerHTML)",
  );
  assert.deepEqual(unlabelled, [], `${path}: every control has a label`);
  await shot(small, name);
}
