/**
 * Early-warning alerts in Chromium, on the demo data (issue 18, Deliver 7): a credit controller
 * subscribes on the Alerts page; a call logged on one of their late customers evaluates that
 * customer's conditions at once (no rebuild), the header's bell shows the unread alert, the Alerts page
 * says what happened in English and Japanese, and marking it read clears the bell. A sales lead cannot
 * subscribe to another region, a controller not to a region's DSO, even by a crafted request.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gotoReady, screenshot, signIn, startBrowserHarness, type BrowserHarness } from './harness.ts';

let h: BrowserHarness;
let mine: string;
let late: { id: string; name: string; days: number };

beforeAll(async () => {
  h = await startBrowserHarness();
  // A controller's customer whose oldest open invoice is the most days past due.
  const [row] = await h.sql(
    `SELECT c.credit_controller, o.customer_id, c.customer_name, max(o.days_past_due) AS days
     FROM marts.fct_open_items o JOIN marts.dim_customers c USING (customer_id)
     WHERE o.item_type = 'invoice' AND o.open_amount > 0 AND c.credit_controller IS NOT NULL
     GROUP BY ALL ORDER BY days DESC, o.customer_id LIMIT 1`,
  );
  mine = String(row!['credit_controller']);
  late = { id: String(row!['customer_id']), name: String(row!['customer_name']), days: Number(row!['days']) };
  expect(late.days).toBeGreaterThan(30);
}, 240_000);

afterEach(() => h.assertNoErrors());
afterAll(() => h?.close());

const bell = (page: Page) => page.locator('header a.bell');

async function post(page: Page, path: string, form: Record<string, string>): Promise<string> {
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  const res = await page.request.post(`${h.url}${path}`, {
    form: { csrf, ...form },
    headers: { origin: h.url.replace(/\/$/, ''), 'x-sveltekit-action': 'true' },
  });
  return res.text();
}

describe('alerts', () => {
  it('a worklist write raises a subscribed alert at once; the bell shows it until it is read', async () => {
    const page = await h.newPage();
    await signIn(page, 'collector', { portfolio: mine, next: '/alerts' });
    expect(await bell(page).getAttribute('data-unread')).toBe('0');
    // A controller is not offered a region's DSO (it covers other portfolios).
    expect(await page.locator('select[name=kind] option[value=region_dso]').count()).toBe(0);
    await page.locator('select[name=kind]').selectOption('days_past_due');
    await page.locator('input[name=threshold]').fill('30');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect
      .poll(() => page.locator('[role=status]').textContent())
      .toBe('Subscribed: Days past due above 30.');
    await expect.poll(() => page.locator('tr[data-subscription]').count()).toBe(1);

    await gotoReady(page, `${h.url}customers/${encodeURIComponent(late.id)}`);
    const log = page.locator('form[action="?/activity"]');
    await log.locator('select[name=kind]').selectOption('call');
    await log.locator('select[name=outcome]').selectOption('no_answer');
    await log.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => bell(page).getAttribute('data-unread')).toBe('1');
    expect(await bell(page).getAttribute('aria-label')).toBe('Alerts: 1 unread');

    await bell(page).click();
    await page.waitForURL((u) => u.pathname === '/alerts');
    const row = page.locator('tr[data-alert]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain(
      `${late.name}: the oldest open invoice is ${late.days} days past due (threshold 30 days)`,
    );
    await screenshot(page, 'alerts-en');
    await gotoReady(page, `${h.url}lang?to=ja&back=${encodeURIComponent('/alerts')}`);
    expect(await page.locator('tr[data-alert]').textContent()).toContain(
      `${late.name}：最も古い請求書が支払期日を${late.days}日超過（しきい値 30日）`,
    );
    expect(await bell(page).getAttribute('aria-label')).toBe('アラート：未読 1 件');
    await screenshot(page, 'alerts-ja');
    await page.getByRole('button', { name: 'すべて既読にする' }).click();
    await expect.poll(() => bell(page).getAttribute('data-unread')).toBe('0');

    // A second write on the same customer: the condition still holds, so nothing new.
    await gotoReady(page, `${h.url}lang?to=en&back=${encodeURIComponent(`/customers/${late.id}`)}`);
    await page.locator('form[action="?/activity"]').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('[role=status]').first().textContent()).toBeTruthy();
    await gotoReady(page, `${h.url}alerts`);
    expect(await page.locator('tr[data-alert]').count()).toBe(1);
    expect(await bell(page).getAttribute('data-unread')).toBe('0');

    // Crafted: a region's DSO, a hostile customer id.
    expect(await post(page, 'alerts?/subscribe', { kind: 'region_dso', threshold: '40' })).toMatch(
      /outside your portfolio/,
    );
    expect(
      await post(page, 'alerts?/subscribe', { kind: 'days_past_due', customer: '<script>alert(1)</script>' }),
    ).toMatch(/The customer must be/);
  });

  it("a sales lead sees their regions only and cannot subscribe to another's", async () => {
    const [r] = await h.sql('SELECT min(region) AS a, max(region) AS b FROM marts.dim_customers');
    const page = await h.newPage({ ignoreErrors: [/403/] });
    await signIn(page, 'sales_lead', { region: String(r!['a']), next: '/alerts' });
    const regions = await page.locator('select[name=region] option').allTextContents();
    expect(regions).toEqual(['Any region I see', String(r!['a'])]);
    expect(await post(page, 'alerts?/subscribe', { kind: 'overdue_share', region: String(r!['b']) })).toMatch(
      /is not one of yours/,
    );
    // The bell is on every page of the app, for every role with alerts.
    const cfo = await h.newPage();
    await signIn(cfo, 'cfo');
    expect(await bell(cfo).getAttribute('data-unread')).toBe('0');
  });
});
