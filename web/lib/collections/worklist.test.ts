import { describe, expect, it } from 'vitest';
import { activityStates, parseActivity } from '../activities/activity.ts';
import { toBoolean as flag, toText as text } from '../cube/values.ts';
import { translator } from '../i18n/messages.ts';
import { pageInfo } from '../ui/paging.ts';
import {
  levelLink,
  levelSummaryQuery,
  pageActivityQuery,
  withWorklistParams,
  worklistActivityQuery,
  worklistParams,
  worklistQuery,
  WORKLIST_PAGE_SIZE,
} from './worklist.query.ts';
import {
  addMoney,
  byPriority,
  levelCount,
  levelSummary,
  worklistEmptyText,
  worklistItems,
  worklistPagerSummary,
  worklistTitle,
} from './worklist.model.ts';

const invoice = (id: string, o: Record<string, string | number | boolean | null>) => ({
  'collections.invoice_id': id,
  'collections.customer_id': 'C1',
  'collections.customer_name': '=HYPERLINK("http://x","y") Ltd',
  'collections.credit_controller': 'Sophie Laurent',
  'collections.status': 'active',
  'collections.is_credit_blocked': false,
  'collections.due_date': '2026-10-01T00:00:00.000',
  'collections.days_past_due': '30',
  'collections.dunning_level': 3,
  'collections.has_open_dispute': false,
  'collections.currency': 'EUR',
  'collections.open_amount_document': '100.00',
  'collections.open_amount': '110.00',
  'collections.risk_band': null,
  ...o,
});

const log = (id: string, o: Record<string, string | number | null>) => ({
  'collection_log.activity_id': id,
  'collection_log.invoice_id': 'INV-1',
  'collection_log.customer_id': 'C1',
  'collection_log.activity_date': '2026-10-01T00:00:00.000',
  'collection_log.activity_type': 'call',
  'collection_log.outcome': 'contacted',
  'collection_log.note': null,
  'collection_log.collector': 'Sophie Laurent',
  'collection_log.promised_date': null,
  'collection_log.promised_amount': null,
  'collection_log.promise_currency': null,
  'collection_log.promise_status': null,
  ...o,
});

describe('worklist queries', () => {
  it('reads level, owner and page from the URL, ignoring bad values', () => {
    expect(worklistParams(new URLSearchParams('level=3&owner=Rafael+Lima&page=2'))).toEqual({
      level: 3,
      owner: 'Rafael Lima',
      page: 2,
    });
    expect(worklistParams(new URLSearchParams('level=0&page=-1'))).toEqual({
      level: null,
      owner: null,
      page: 1,
    });
    expect(worklistParams(new URLSearchParams('level=x&page=1.5&owner='))).toEqual({
      level: null,
      owner: null,
      page: 1,
    });
  });

  it('one page of open invoices at levels 1–4 by priority, global filters applied', () => {
    expect(
      worklistQuery(
        { region: 'EMEA', currency: 'EUR', from: '2026-01-01' },
        { level: null, owner: null, page: 3 },
      ),
    ).toMatchInlineSnapshot(`
        {
          "dimensions": [
            "collections.invoice_id",
            "collections.customer_id",
            "collections.customer_name",
            "collections.credit_controller",
            "collections.status",
            "collections.is_credit_blocked",
            "collections.due_date",
            "collections.days_past_due",
            "collections.dunning_level",
            "collections.has_open_dispute",
            "collections.currency",
            "collections.open_amount_document",
            "collections.risk_band",
          ],
          "filters": [
            {
              "member": "collections.region",
              "operator": "equals",
              "values": [
                "EMEA",
              ],
            },
            {
              "member": "collections.currency",
              "operator": "equals",
              "values": [
                "EUR",
              ],
            },
            {
              "member": "collections.open_amount_document",
              "operator": "gt",
              "values": [
                "0",
              ],
            },
            {
              "member": "collections.dunning_level",
              "operator": "gte",
              "values": [
                "1",
              ],
            },
          ],
          "limit": 50,
          "measures": [
            "collections.open_amount",
          ],
          "offset": 100,
          "order": [
            [
              "collections.dunning_level",
              "desc",
            ],
            [
              "collections.open_amount",
              "desc",
            ],
            [
              "collections.invoice_id",
              "asc",
            ],
          ],
        }
      `);
    const one = worklistQuery({}, { level: 4, owner: 'Marcus Reed', page: 1 });
    expect(one.offset).toBe(0);
    expect(one.limit).toBe(WORKLIST_PAGE_SIZE);
    expect(one.filters).toContainEqual({
      member: 'collections.dunning_level',
      operator: 'equals',
      values: ['4'],
    });
    expect(one.filters).toContainEqual({
      member: 'collections.credit_controller',
      operator: 'equals',
      values: ['Marcus Reed'],
    });
  });

  it('summary: every level whatever the tab, with the owner filter', () => {
    const q = levelSummaryQuery({ productLine: 'Services' }, 'Marcus Reed');
    expect(q.dimensions).toEqual(['collections.dunning_level']);
    expect(q.filters).toContainEqual({ member: 'collections.dunning_level', operator: 'gte', values: ['1'] });
    expect(q.filters).toContainEqual({
      member: 'collections.product_line',
      operator: 'equals',
      values: ['Services'],
    });
    expect(q.limit).toBeUndefined();
  });

  it('activities: the invoices on the page and their customers’ account-level ones', () => {
    expect(worklistActivityQuery([], [])).toBeNull();
    const q = worklistActivityQuery(['INV-1', 'INV-2'], ['C1', 'C1', 'C2']);
    expect(q?.filters).toEqual([
      {
        or: [
          { member: 'collection_log.invoice_id', operator: 'equals', values: ['INV-1', 'INV-2'] },
          {
            and: [
              { member: 'collection_log.customer_id', operator: 'equals', values: ['C1', 'C2'] },
              { member: 'collection_log.invoice_id', operator: 'notSet' },
            ],
          },
        ],
      },
      // What ARLens recorded comes live from the store, not a second time from the warehouse.
      { member: 'collection_log.recorded_in', operator: 'equals', values: ['erp'] },
    ]);
  });
});

describe('worklist model', () => {
  it('adds money exactly', () => {
    expect(addMoney(['0.10', '0.20', null, '1'])).toBe('1.30');
    expect(addMoney(['1234567890123.45', '0.55'])).toBe('1234567890124.00');
    expect(addMoney(['-5.5', '2.25'])).toBe('-3.25');
    expect(addMoney([])).toBe('0.00');
    expect(() => addMoney(['1.234'])).toThrow('more than two decimals');
    expect(() => addMoney(['abc'])).toThrow('not a money amount');
  });

  it('summary tiles: levels 4 to 1, missing levels as zero, exact total', () => {
    const s = levelSummary([
      {
        'collections.dunning_level': 3,
        'collections.count': '6',
        'collections.open_amount': '275943.48',
        'collections.disputed_amount': '0.00',
      },
      {
        'collections.dunning_level': 1,
        'collections.count': '28',
        'collections.open_amount': '0.10',
        'collections.disputed_amount': '5.00',
      },
    ]);
    expect(s.levels.map((l) => [l.level, l.count, l.amount])).toEqual([
      [4, 0, '0.00'],
      [3, 6, '275943.48'],
      [2, 0, '0.00'],
      [1, 28, '0.10'],
    ]);
    expect(s.count).toBe(34);
    expect(s.amount).toBe('275943.58');
    expect(levelCount(s, null)).toBe(34);
    expect(levelCount(s, 3)).toBe(6);
    expect(levelCount(s, 4)).toBe(0);
  });

  it('rows: priority order, last activity, next action; hostile names kept as plain text', () => {
    const items = worklistItems(
      [
        invoice('INV-1', { 'collections.dunning_level': 2, 'collections.open_amount': '999.00' }),
        invoice('INV-2', {
          'collections.dunning_level': 4,
          'collections.open_amount': '5.00',
          'collections.is_credit_blocked': true,
        }),
        invoice('INV-3', {
          'collections.dunning_level': 4,
          'collections.open_amount': '50.00',
          'collections.has_open_dispute': true,
        }),
        invoice('INV-4', {
          'collections.dunning_level': 1,
          'collections.days_past_due': '-2',
          'collections.customer_id': 'C2',
        }),
      ],
      [
        log('ACT-1', {
          'collection_log.activity_date': '2026-09-01T00:00:00.000',
          'collection_log.outcome': 'promise_to_pay',
          'collection_log.promise_status': 'broken',
          'collection_log.promised_date': '2026-09-15T00:00:00.000',
          'collection_log.promised_amount': '500.00',
          'collection_log.promise_currency': 'EUR',
        }),
        log('ACT-2', { 'collection_log.activity_date': '2026-09-10T00:00:00.000' }),
        log('ACT-3', {
          'collection_log.invoice_id': null,
          'collection_log.customer_id': 'C2',
          'collection_log.activity_date': '2026-10-20T00:00:00.000',
          'collection_log.activity_type': 'visit',
        }),
      ],
      '2026-10-31',
    );
    expect(items.map((i) => [i.invoiceId, i.level, i.nextAction.kind])).toEqual([
      ['INV-3', 4, 'resolveDispute'],
      ['INV-2', 4, 'escalateHandOver'],
      ['INV-1', 2, 'followUpBrokenPromise'],
      ['INV-4', 1, 'reminderBeforeDue'],
    ]);
    const inv1 = items[2]!;
    expect(inv1.lastActivity?.id).toBe('ACT-2');
    expect(inv1.nextAction.date).toBe('2026-09-15');
    expect(inv1.customerName).toBe('=HYPERLINK("http://x","y") Ltd');
    expect(inv1.dueDate).toBe('2026-10-01');
    expect(inv1.daysPastDue).toBe(30);
    // The account-level visit counts as the last activity for the other customer's invoice.
    expect(items[3]!.lastActivity?.type).toBe('visit');
    expect(items[0]!.lastActivity).toBeNull();
    expect([...items].sort(byPriority)).toEqual(items);
  });

  it('activities: promise parsed only with a known status; states per invoice', () => {
    const a = parseActivity(
      log('ACT-9', {
        'collection_log.promise_status': 'pending',
        'collection_log.promised_date': '2026-11-05T00:00:00.000',
        'collection_log.promised_amount': '1234.50',
        'collection_log.promise_currency': 'JPY',
        'collection_log.note': '<img src=x onerror=alert(1)>',
      }),
    );
    expect(a.promise).toEqual({ date: '2026-11-05', amount: '1234.50', currency: 'JPY', status: 'pending' });
    expect(a.note).toBe('<img src=x onerror=alert(1)>');
    expect(parseActivity(log('ACT-8', { 'collection_log.promise_status': 'unknown' })).promise).toBeNull();
    expect(() => parseActivity(log('ACT-7', { 'collection_log.activity_date': null }))).toThrow(
      'without a date',
    );
    const states = activityStates(
      [a],
      [
        { invoiceId: 'INV-1', customerId: 'C1' },
        { invoiceId: 'INV-5', customerId: 'C1' },
      ],
    );
    expect(states.get('INV-1')).toEqual({ last: a, latestPromise: a });
    expect(states.get('INV-5')).toEqual({ last: null, latestPromise: null });
  });

  it("flags a customer on ARLens's blacklist like the ERP's: blacklisted, credit-blocked, hand over", () => {
    const rows = [
      invoice('INV-1', { 'collections.dunning_level': 4, 'collections.open_amount': '10.00' }),
      invoice('INV-2', {
        'collections.dunning_level': 4,
        'collections.customer_id': 'C2',
        'collections.open_amount': '5.00',
      }),
    ];
    const plain = worklistItems(rows, [], '2026-10-31');
    expect(plain.map((i) => [i.invoiceId, i.status, i.isCreditBlocked, i.nextAction.kind])).toEqual([
      ['INV-1', 'active', false, 'escalateCreditHold'],
      ['INV-2', 'active', false, 'escalateCreditHold'],
    ]);
    const listed = worklistItems(rows, [], '2026-10-31', new Set(['C2']));
    expect(listed.map((i) => [i.invoiceId, i.status, i.isCreditBlocked, i.nextAction.kind])).toEqual([
      ['INV-1', 'active', false, 'escalateCreditHold'],
      ['INV-2', 'blacklisted', true, 'escalateHandOver'],
    ]);
  });

  it('fields: text and flags', () => {
    expect([text(''), text(null), text(undefined), text(12), text('x')]).toEqual([
      null,
      null,
      null,
      '12',
      'x',
    ]);
    expect([flag(true), flag('true'), flag(1), flag(false), flag('false'), flag(null)]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('worklist links and words', () => {
  const t = translator('en');

  it('changes the worklist parameters in the URL, keeping the global filters', () => {
    const params = new URLSearchParams('region=LATAM&level=3&page=2&owner=Ana');
    expect(withWorklistParams(params, { owner: '', page: 1 }).toString()).toBe('region=LATAM&level=3');
    expect(withWorklistParams(params, { page: 4 }).toString()).toBe('region=LATAM&level=3&page=4&owner=Ana');
    expect(withWorklistParams(params, { owner: 'Bo Li' }).get('owner')).toBe('Bo Li');
    expect(levelLink(params, 4)).toBe('?region=LATAM&level=4&owner=Ana');
    expect(levelLink(params, null)).toBe('?region=LATAM&owner=Ana');
    expect(levelLink(new URLSearchParams('level=2'), null)).toBe('');
  });

  it('the activities behind the rows shown; none without rows', () => {
    expect(pageActivityQuery([])).toBeNull();
    const rows = [
      { 'collections.invoice_id': 'I1', 'collections.customer_id': 'C1' },
      { 'collections.invoice_id': 'I2', 'collections.customer_id': 'C1' },
    ];
    expect(pageActivityQuery(rows)).toEqual(worklistActivityQuery(['I1', 'I2'], ['C1', 'C1']));
  });

  it('the heading, the empty states and the pager line', () => {
    expect(worklistTitle(t, null)).toBe('Worklist · All levels');
    expect(worklistTitle(t, 3)).toBe('Worklist · Level 3');
    const none = levelSummary([]);
    expect(worklistEmptyText(t, none, 1, 0)).toBe(t('collections.empty', { days: 3 }));
    const some = { ...none, count: 5 };
    expect(worklistEmptyText(t, some, 3, 5)).toBe(t('pager.pastEnd'));
    expect(worklistEmptyText(t, some, 1, 0)).toBe(t('collections.emptyLevel'));
    expect(worklistPagerSummary(t, pageInfo(1, 1))).toBe('1 invoice');
    expect(worklistPagerSummary(t, pageInfo(2, 60))).toBe(
      t('collections.showing', { first: 51, last: 60, total: 60 }),
    );
  });
});
