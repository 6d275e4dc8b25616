/**
 * Every page renders for a signed-in CFO without errors, with its charts drawn, and leaves a
 * full-page screenshot in test-results/screenshots/ (CI keeps them); the Japanese UI shows Japanese
 * navigation.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  gotoReady,
  screenshot,
  signIn,
  startBrowserHarness,
  waitForCharts,
  type BrowserHarness,
} from './harness.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
}, 180_000);
afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
});

describe('every page, signed in as the CFO', () => {
  let page: Page;
  beforeAll(async () => {
    page = await h.newPage();
    await signIn(page, 'cfo');
  }, 60_000);
  afterAll(async () => {
    await page?.context().close();
  });

  const PAGES: [string, string][] = [
    ['overview', '/'],
    ['credit', '/credit'],
    ['explore', '/explore'],
    ['customers', '/customers'],
    ['collections', '/collections'],
    ['risk', '/risk'],
    ['data', '/data'],
  ];
  it.for(PAGES)('%s (%s)', async ([name, path]) => {
    await gotoReady(page, new URL(path, h.url).href);
    await expect(page.locator('main h1').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('[role=alert]').allInnerTexts()).resolves.toEqual([]);
    await screenshot(page, name);
  });

  it('a customer (the first in top overdue)', async () => {
    await gotoReady(page, h.url);
    const href = await page.locator('main a[href^="/customers/"]').first().getAttribute('href');
    expect(href).toMatch(/^\/customers\/.+/);
    await gotoReady(page, new URL(href ?? '', h.url).href);
    await expect(page.locator('main h1').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('[role=alert]').allInnerTexts()).resolves.toEqual([]);
    await screenshot(page, 'customer');
  });
});

it('the sign-in page', async () => {
  const page = await h.newPage();
  await gotoReady(page, `${h.url}signin`);
  // The password form, and on the demo data the demo users: one radio per role.
  await expect(page.getByLabel('User name').count()).resolves.toBe(1);
  await expect(page.getByRole('radio').count()).resolves.toBe(6);
  await screenshot(page, 'signin');
  await page.context().close();
});

it('the Overview in Japanese', async () => {
  const page = await h.newPage();
  await signIn(page, 'cfo');
  await page.goto(`${h.url}lang?to=ja&back=${encodeURIComponent('/')}`);
  await waitForCharts(page);
  expect(new URL(page.url()).pathname).toBe('/');
  await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ja');
  const nav = await page.getByRole('navigation', { name: 'メイン' }).getByRole('link').allInnerTexts();
  expect(nav).toEqual(expect.arrayContaining(['概要', '与信方針', 'エクスプローラー', 'データ']));
  await expect(page.locator('[data-kpi=total_ar] .label').innerText()).resolves.toBe('売掛金残高');
  await screenshot(page, 'overview-ja');
  await page.context().close();
});
