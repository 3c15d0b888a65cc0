/** Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) and screenshots in test-artifacts/. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
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
