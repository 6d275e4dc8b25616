/**
 * The Risk page after a fresh start's risk step, on the demo data (seed 42, 20,000 invoices, as of
 * 2026-10-31; a short training keeps this quick): it says which candidate serves and why, in numbers,
 * lists the candidates with their intervals, shows the bands and the drivers in business words, and
 * tells nobody to run a command; in English and Japanese.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../ml/config.ts';
import { ensureRiskScores } from '../../ml/risk.server.ts';
import { demoWarehouse } from '../ml/helpers.ts';
import { gotoReady, screenshot, signIn, startBrowserHarness, type BrowserHarness } from './harness.ts';

let h: BrowserHarness;
let served: string | null = null;

beforeAll(async () => {
  h = await startBrowserHarness(async (root) => {
    const { warehouse } = await demoWarehouse(root, { seed: 42, invoices: 20_000, asOf: '2026-10-31' });
    const r = await ensureRiskScores({
      warehouseDir: warehouse,
      modelDir: join(root, 'models'),
      config: {
        ...DEFAULT_CONFIG,
        networkSeeds: 1,
        maxEpochs: 5,
        search: { l2: [], hidden: [], learningRate: [] },
      },
    });
    served = r.servedModel;
    return warehouse;
  });
}, 300_000);
afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
});

describe('the Risk page with scores', () => {
  it('says which model serves and why, lists the candidates with intervals, and the drivers in words', async () => {
    expect(served).toBe('rule_max_dpd_12m');
    const page = await h.newPage();
    await signIn(page, 'cfo');
    await gotoReady(page, new URL('/risk', h.url).href);
    const why = await page.getByTestId('risk-serving').innerText();
    expect(why).toMatch(
      /^Scores come from: Days-past-due rule \(max days past due, 12 months\)\. Only \d+ customers defaulted/,
    );
    const rows = await page.getByTestId('risk-candidates').locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/Days-past-due rule.*Serves/s);
    expect(rows[1]).toMatch(/^Logistic regression/);
    expect(rows[2]).toMatch(/^Neural network/);
    expect(rows.slice(1).join('\n')).toMatch(/[+−]0\.\d{3} \([+−]0\.\d{3} to [+−]0\.\d{3}\)/);
    const main = await page.locator('main').innerText();
    expect(main).toMatch(
      /Probabilities calibrated by (Platt scaling|isotonic regression) on the latest labelled months/,
    );
    expect(main).toMatch(/An invoice reached \d+ days past due in the last 12 months/);
    expect(main).toMatch(/In default/);
    expect(main).not.toMatch(/arlens (train|score)|npm start/);
    await expect(page.locator('[role=alert]').allInnerTexts()).resolves.toEqual([]);
    await screenshot(page, 'risk-served');
    await page.goto(`${h.url}lang?to=ja&back=${encodeURIComponent('/risk')}`);
    await page.getByTestId('risk-serving').waitFor();
    expect(await page.getByTestId('risk-serving').innerText()).toMatch(/^スコアの算出元：延滞日数ルール/);
    await screenshot(page, 'risk-served-ja');
    await page.context().close();
  });
});
