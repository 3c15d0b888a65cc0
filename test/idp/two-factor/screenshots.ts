/** Screenshots of a hosted page at desktop and 375 px into test-artifacts/two-factor/, checking that it fits 375 px. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'two-factor');

export async function shots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 375, height: 740 });
  await page.screenshot({ path: join(ARTIFACTS, `${name}-375.png`), fullPage: true });
  const box = (await page.locator('main').boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= 375, `${name}: the page fits 375 px (${box.x} + ${box.width})`);
  await page.setViewportSize({ width: 1280, height: 800 });
}
