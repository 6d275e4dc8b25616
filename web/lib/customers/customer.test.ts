import { describe, expect, it } from 'vitest';
import {
  activitySummary,
  agingBuckets,
  agingIsEmpty,
  balanceHistory,
  customerFromRows,
  disputes,
  invoices,
  payments,
  promises,
  timeline,
} from './customer.model.ts';
import { agingOption, balanceHistoryOption } from './customer.option.ts';
import {
  activitiesQuery,
  agingQuery,
  balanceHistoryQuery,
  customerQuery,
  disputesQuery,
  openInvoicesQuery,
  promisesQuery,
  settledInvoicesQuery,
} from './customer.query.ts';

const ID = '0000100020';

describe('customer page: queries', () => {
  it('every query is about the one customer', () => {
    for (const q of [
      customerQuery(ID),
      agingQuery(ID, '2026-10-31'),
      balanceHistoryQuery(ID, '2026-10-31'),
      openInvoicesQuery(ID),
      settledInvoicesQuery(ID, 'analyst'),
      settledInvoicesQuery(ID, 'collections'),
      disputesQuery(ID),
      activitiesQuery(ID),
      promisesQuery(ID),
    ]) {
      expect(q.filters?.[0]).toMatchObject({ operator: 'equals', values: [ID] });
    }
  });

  it('aging at the as-of snapshot; history at month ends and the as-of date only', () => {
    expect(agingQuery(ID, '2026-10-31').timeDimensions).toEqual([
      { dimension: 'ar_balances.snapshot_date', dateRange: ['2026-10-31', '2026-10-31'] },
    ]);
    expect(balanceHistoryQuery(ID, '2026-10-20').filters?.[1]).toEqual({
      or: [
        { member: 'ar_balances.is_month_end', operator: 'equals', values: ['true'] },
        {
          member: 'ar_balances.snapshot_date',
          operator: 'inDateRange',
          values: ['2026-10-20', '2026-10-20'],
        },
      ],
    });
  });

  it('invoices: open oldest due first; settled from the analyst view with the settlement date, or without', () => {
    expect(openInvoicesQuery(ID).order).toEqual([
      ['collections.due_date', 'asc'],
      ['collections.invoice_id', 'asc'],
    ]);
    const analyst = settledInvoicesQuery(ID, 'analyst');
    expect(analyst.dimensions).toContain('analyst.settled_date');
    expect(analyst.order).toEqual([
      ['analyst.settled_date', 'desc'],
      ['analyst.invoice_id', 'desc'],
    ]);
    expect(analyst.filters?.[1]).toEqual({
      member: 'analyst.open_amount_document',
      operator: 'equals',
      values: ['0'],
    });
    const collector = settledInvoicesQuery(ID, 'collections');
    expect(collector.dimensions?.every((d) => d.startsWith('collections.'))).toBe(true);
    expect(collector.dimensions).not.toContain('collections.settled_date');
  });

  it('promises: only activities with a promise status', () => {
    expect(promisesQuery(ID).filters).toContainEqual({
      member: 'collection_log.promise_status',
      operator: 'set',
    });
    expect(disputesQuery(ID).filters).toContainEqual({
      member: 'collections.disputed_amount',
      operator: 'gt',
      values: ['0'],
    });
  });
});

const header = (o: Record<string, string | number | boolean | null> = {}) => ({
  'customer_risk.customer_id': ID,
  'customer_risk.customer_name': '<img src=x onerror=alert(1)>',
  'customer_risk.region': 'EMEA',
  'customer_risk.country': 'FR',
  'customer_risk.segment': 'Enterprise',
  'customer_risk.industry': 'Manufacturing',
  'customer_risk.salesperson': 'Pieter de Boer',
  'customer_risk.credit_controller': 'Sophie Laurent',
  'customer_risk.status': 'active',
  'customer_risk.credit_utilisation': 1.107,
  'customer_risk.is_over_limit': true,
  'customer_risk.risk_band': null,
  'customer_risk.probability_of_default': null,
  'customer_risk.top_features': null,
  'customer_risk.model_version': null,
  'customer_risk.scored_as_of': null,
  'customer_risk.open_ar': '568692.04',
  'customer_risk.overdue_ar': '278469.56',
  'customer_risk.total_credit_limit': '513593.21',
  'customer_risk.expected_loss': null,
  ...o,
});

describe('customer page: the account and its risk', () => {
  it('no row: not found or not the role’s (the page says so)', () => {
    expect(customerFromRows([])).toBeNull();
  });

  it('an unscored customer', () => {
    const c = customerFromRows([header()])!;
    expect(c).toMatchObject({
      id: ID,
      name: '<img src=x onerror=alert(1)>',
      openAr: '568692.04',
      creditLimit: '513593.21',
      utilisation: 1.107,
      overLimit: true,
      risk: { scored: false },
    });
    expect(
      customerFromRows([header({ 'customer_risk.total_credit_limit': '0.00' })])!.creditLimit,
    ).toBeNull();
  });

  it('a scored customer with its drivers', () => {
    const c = customerFromRows([
      header({
        'customer_risk.risk_band': 'high',
        'customer_risk.probability_of_default': 0.0712,
        'customer_risk.expected_loss': '40490.87',
        'customer_risk.model_version': 'mlp-2026-11-01',
        'customer_risk.scored_as_of': '2026-10-31T00:00:00.000',
        'customer_risk.top_features': JSON.stringify([
          { feature: 'max_dpd_3m', value: 45, contribution: 0.0213 },
          { feature: 'region', value: 'LATAM', contribution: -0.004 },
        ]),
      }),
    ])!;
    expect(c.risk).toEqual({
      scored: true,
      band: 'high',
      probabilityOfDefault: 0.0712,
      expectedLoss: '40490.87',
      modelVersion: 'mlp-2026-11-01',
      scoredAsOf: '2026-10-31',
      drivers: [
        { feature: 'max_dpd_3m', value: 45, contribution: 0.0213 },
        { feature: 'region', value: 'LATAM', contribution: -0.004 },
      ],
      driversUnreadable: false,
    });
  });
});

describe('customer page: aging and balance history', () => {
  it('aging: the configured buckets in order, current first; zero where nothing is open', () => {
    const config = ['current', '1-30', '31-60', '61-90', '91-180', '180+'].map((bucket, order) => ({
      bucket,
      order,
    }));
    const row = (bucket: string, order: number, amount: string) => ({
      'ar_balances.aging_bucket': bucket,
      'ar_balances.aging_bucket_order': order,
      'ar_balances.total_ar': amount,
    });
    // Cube returns only the buckets with a balance, in any order.
    const buckets = agingBuckets(config, [row('31-60', 2, '7972.74'), row('current', 0, '1569.09')]);
    expect(buckets.map((b) => [b.bucket, b.amount])).toEqual([
      ['current', '1569.09'],
      ['1-30', '0.00'],
      ['31-60', '7972.74'],
      ['61-90', '0.00'],
      ['91-180', '0.00'],
      ['180+', '0.00'],
    ]);
    expect(agingIsEmpty(buckets)).toBe(false);
    expect(agingIsEmpty(agingBuckets(config, []))).toBe(true);
    const option = agingOption(buckets, {
      bucket: (k) => k,
      axis: 'Days past due',
      money: (v) => `$${v}`,
    }) as {
      xAxis: { data: string[] };
      series: { data: { value: number }[] }[];
    };
    expect(option.xAxis.data[0]).toBe('current');
    expect(option.series[0]!.data.map((d) => d.value)).toEqual([1569.09, 0, 7972.74, 0, 0, 0]);
    expect(agingOption(agingBuckets(config, []), { bucket: (k) => k, axis: '', money: String })).toBeNull();
    // Before a build has written the configured list, the buckets Cube returns are shown, in order.
    expect(
      agingBuckets([], [row('31-60', 2, '5.00'), row('current', 0, '1.00')]).map((b) => b.bucket),
    ).toEqual(['current', '31-60']);
  });

  it('history: months without a balance are zero, up to the as-of month', () => {
    const row = (m: string, total: string, overdue = '0.00') => ({
      'ar_balances.snapshot_date.month': `${m}T00:00:00.000`,
      'ar_balances.snapshot_date': `${m}T00:00:00.000`,
      'ar_balances.total_ar': total,
      'ar_balances.overdue_ar': overdue,
    });
    const points = balanceHistory(
      [row('2026-07-01', '100.00'), row('2026-05-01', '14596.36', '10.00'), row('2026-08-01', '5.50')],
      '2026-10-31',
    );
    expect(points).toEqual([
      { month: '2026-05-01', total: '14596.36', overdue: '10.00' },
      { month: '2026-06-01', total: '0.00', overdue: '0.00' },
      { month: '2026-07-01', total: '100.00', overdue: '0.00' },
      { month: '2026-08-01', total: '5.50', overdue: '0.00' },
      { month: '2026-09-01', total: '0.00', overdue: '0.00' },
      { month: '2026-10-01', total: '0.00', overdue: '0.00' },
    ]);
    expect(balanceHistory([], '2026-10-31')).toEqual([]);
    expect(balanceHistory([row('2026-05-01', '1.00')], null)).toHaveLength(1);
    const option = balanceHistoryOption(points, {
      total: 'AR',
      overdue: 'Overdue',
      month: (d) => d.slice(0, 7),
      money: String,
    }) as { xAxis: { data: string[] }; series: { name: string; data: number[] }[] };
    expect(option.xAxis.data).toEqual(['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    expect(option.series.map((s) => s.name)).toEqual(['AR', 'Overdue']);
    expect(option.series[0]!.data).toEqual([14596.36, 0, 100, 5.5, 0, 0]);
    expect(balanceHistoryOption([], { total: '', overdue: '', month: String, money: String })).toBeNull();
  });
});

describe('customer page: invoices, payments, disputes', () => {
  it('invoices from either view', () => {
    const [open] = invoices(
      [
        {
          'collections.invoice_id': 'INV-0018536',
          'collections.issue_date': '2026-09-01T00:00:00.000',
          'collections.due_date': '2026-10-01T00:00:00.000',
          'collections.currency': 'EUR',
          'collections.invoice_amount': '108934.42',
          'collections.open_amount_document': '108934.42',
          'collections.days_past_due': '30',
          'collections.dunning_level': 3,
          'collections.has_open_dispute': false,
          'collections.open_amount': '119038.25',
        },
      ],
      'collections',
    );
    expect(open).toEqual({
      id: 'INV-0018536',
      issueDate: '2026-09-01',
      dueDate: '2026-10-01',
      currency: 'EUR',
      amount: '108934.42',
      openAmountDocument: '108934.42',
      openAmount: '119038.25',
      daysPastDue: 30,
      dunningLevel: 3,
      hasOpenDispute: false,
      settledDate: null,
      daysToPay: null,
    });
    const [settled] = invoices(
      [
        {
          'analyst.invoice_id': 'INV-0017346',
          'analyst.issue_date': '2026-06-25T00:00:00.000',
          'analyst.due_date': '2026-07-25T00:00:00.000',
          'analyst.currency': 'EUR',
          'analyst.invoice_amount': '5004.69',
          'analyst.open_amount_document': '0.00',
          'analyst.has_open_dispute': false,
          'analyst.settled_date': '2026-09-29T00:00:00.000',
          'analyst.days_to_pay': '96',
        },
      ],
      'analyst',
    );
    expect(settled).toMatchObject({
      settledDate: '2026-09-29',
      daysToPay: 96,
      dunningLevel: null,
      openAmount: null,
    });
  });

  it('payments and disputes', () => {
    expect(
      payments([
        {
          'payments_received.receipt_id': 'RCPT-1',
          'payments_received.payment_date': '2026-09-29T00:00:00.000',
          'payments_received.payment_method': 'bank_transfer',
          'payments_received.currency': 'EUR',
          'payments_received.bank_reference': '=cmd|"/c calc"!A1',
          'payments_received.amount': '5376.81',
          'payments_received.unapplied_amount': '0.00',
        },
      ]),
    ).toEqual([
      {
        id: 'RCPT-1',
        date: '2026-09-29',
        method: 'bank_transfer',
        currency: 'EUR',
        bankReference: '=cmd|"/c calc"!A1',
        amount: '5376.81',
        unapplied: '0.00',
      },
    ]);
    expect(
      disputes([
        {
          'collections.invoice_id': 'INV-1',
          'collections.issue_date': '2026-06-25T00:00:00.000',
          'collections.currency': 'EUR',
          'collections.open_amount_document': '0.00',
          'collections.has_open_dispute': true,
          'collections.disputed_amount': '3340.71',
        },
      ]),
    ).toEqual([
      {
        invoiceId: 'INV-1',
        issueDate: '2026-06-25',
        currency: 'EUR',
        openAmountDocument: '0.00',
        disputedAmount: '3340.71',
        open: true,
      },
    ]);
  });
});

describe('customer page: collection timeline and promises', () => {
  const act = (id: string, date: string, o: Record<string, string | null> = {}) => ({
    'collection_log.activity_id': id,
    'collection_log.invoice_id': 'INV-1',
    'collection_log.customer_id': ID,
    'collection_log.activity_date': `${date}T00:00:00.000`,
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
  const rows = [
    act('ACT-1', '2026-09-07', {
      'collection_log.outcome': 'promise_to_pay',
      'collection_log.promise_status': 'broken',
      'collection_log.promised_date': '2026-09-26T00:00:00.000',
      'collection_log.promised_amount': '9520.01',
      'collection_log.promise_currency': 'EUR',
    }),
    act('ACT-3', '2026-10-29', { 'collection_log.note': '=HYPERLINK("http://x") <b>call back</b>' }),
    act('ACT-2', '2026-10-29'),
    act('ACT-4', '2026-10-02', {
      'collection_log.invoice_id': null,
      'collection_log.activity_type': 'visit',
    }),
  ];

  it('timeline: newest first, grouped by month; notes kept as plain text', () => {
    const months = timeline(rows);
    expect(months.map((m) => [m.month, m.activities.map((a) => a.id)])).toEqual([
      ['2026-10-01', ['ACT-3', 'ACT-2', 'ACT-4']],
      ['2026-09-01', ['ACT-1']],
    ]);
    expect(months[0]!.activities[0]!.note).toBe('=HYPERLINK("http://x") <b>call back</b>');
    expect(months[0]!.activities[2]!.invoiceId).toBeNull();
    expect(timeline([])).toEqual([]);
  });

  it('promises: only activities with a promise, with date, amount and status', () => {
    expect(promises(rows)).toEqual([
      {
        activityId: 'ACT-1',
        madeOn: '2026-09-07',
        invoiceId: 'INV-1',
        collector: 'Sophie Laurent',
        promisedDate: '2026-09-26',
        amount: '9520.01',
        currency: 'EUR',
        status: 'broken',
      },
    ]);
  });

  it('summary: pending = promises not kept nor broken; no ratio before any promise came due', () => {
    expect(
      activitySummary([
        {
          'collection_log.count': '60',
          'collection_log.promises': '16',
          'collection_log.promises_kept': '3',
          'collection_log.promises_broken': '12',
          'collection_log.promise_kept_ratio': 0.2,
        },
      ]),
    ).toEqual({ activities: 60, promises: 16, kept: 3, broken: 12, pending: 1, keptRatio: 0.2 });
    expect(
      activitySummary([
        {
          'collection_log.count': '2',
          'collection_log.promises': '1',
          'collection_log.promises_kept': '0',
          'collection_log.promises_broken': '0',
          'collection_log.promise_kept_ratio': null,
        },
      ]),
    ).toEqual({ activities: 2, promises: 1, kept: 0, broken: 0, pending: 1, keptRatio: null });
    expect(activitySummary([])).toMatchObject({ activities: 0, keptRatio: null });
  });
});
