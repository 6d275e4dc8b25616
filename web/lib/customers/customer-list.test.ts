import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import { pageInfo } from '../ui/paging.ts';
import {
  customerCount,
  listCustomers,
  listEmptyText,
  listTitle,
  pagerSummary,
  statusBadge,
} from './customer-list.model.ts';
import {
  customerCountQuery,
  customerListQuery,
  DEFAULT_LIST,
  ariaSort,
  listParams,
  listParamsToUrl,
  searchFilters,
  sortedBy,
  unappliedFilters,
} from './customer-list.query.ts';

describe('customers list: URL parameters', () => {
  it('reads search, sort, direction and page; bad values fall back to defaults', () => {
    expect(listParams(new URLSearchParams(''))).toEqual(DEFAULT_LIST);
    expect(listParams(new URLSearchParams('q=%20acme%20&sort=name&page=3'))).toEqual({
      q: 'acme',
      sort: 'name',
      dir: 'asc',
      page: 3,
    });
    expect(listParams(new URLSearchParams('sort=overdue_ar&dir=asc'))).toMatchObject({
      sort: 'overdue_ar',
      dir: 'asc',
    });
    expect(listParams(new URLSearchParams('sort=drop+table&dir=up&page=0'))).toEqual(DEFAULT_LIST);
    expect(listParams(new URLSearchParams(`q=${'x'.repeat(500)}`)).q).toHaveLength(100);
  });

  it('writes only what differs from the defaults and keeps the global filters', () => {
    const base = new URLSearchParams('region=EMEA&page=4');
    expect(listParamsToUrl(DEFAULT_LIST, base).toString()).toBe('region=EMEA');
    expect(
      listParamsToUrl({ q: 'Müller & Co', sort: 'utilisation', dir: 'desc', page: 2 }, base).toString(),
    ).toBe('region=EMEA&page=2&q=M%C3%BCller+%26+Co&sort=utilisation');
    expect(listParamsToUrl({ q: '', sort: 'name', dir: 'desc', page: 1 }, base).toString()).toBe(
      'region=EMEA&sort=name&dir=desc',
    );
  });
});

describe('customers list: queries', () => {
  it('search: part of the name or of the number; nothing for blank text', () => {
    expect(searchFilters('  ')).toEqual([]);
    expect(searchFilters(' 100020 ')).toEqual([
      {
        or: [
          { member: 'customer_risk.customer_name', operator: 'contains', values: ['100020'] },
          { member: 'customer_risk.customer_id', operator: 'contains', values: ['100020'] },
        ],
      },
    ]);
  });

  it('a page sorted by the chosen column, then by number; region filter only', () => {
    const q = customerListQuery(
      { region: 'LATAM', productLine: 'Services', currency: 'EUR' },
      { q: 'acme', sort: 'utilisation', dir: 'asc', page: 3 },
    );
    expect(q).toMatchInlineSnapshot(`
      {
        "dimensions": [
          "customer_risk.customer_id",
          "customer_risk.customer_name",
          "customer_risk.region",
          "customer_risk.segment",
          "customer_risk.status",
          "customer_risk.credit_utilisation",
          "customer_risk.is_over_limit",
          "customer_risk.risk_band",
        ],
        "filters": [
          {
            "member": "customer_risk.region",
            "operator": "equals",
            "values": [
              "LATAM",
            ],
          },
          {
            "or": [
              {
                "member": "customer_risk.customer_name",
                "operator": "contains",
                "values": [
                  "acme",
                ],
              },
              {
                "member": "customer_risk.customer_id",
                "operator": "contains",
                "values": [
                  "acme",
                ],
              },
            ],
          },
        ],
        "limit": 50,
        "measures": [
          "customer_risk.open_ar",
          "customer_risk.overdue_ar",
          "customer_risk.total_credit_limit",
        ],
        "offset": 100,
        "order": [
          [
            "customer_risk.credit_utilisation",
            "asc",
          ],
          [
            "customer_risk.customer_id",
            "asc",
          ],
        ],
      }
    `);
    expect(customerListQuery({}, DEFAULT_LIST).order).toEqual([
      ['customer_risk.open_ar', 'desc'],
      ['customer_risk.customer_id', 'asc'],
    ]);
    expect(customerCountQuery({ region: 'LATAM' }, { ...DEFAULT_LIST, q: 'x', page: 9 })).toEqual({
      measures: ['customer_risk.count'],
      filters: [
        { member: 'customer_risk.region', operator: 'equals', values: ['LATAM'] },
        ...searchFilters('x'),
      ],
    });
  });

  it('names the global filters the list cannot apply', () => {
    expect(unappliedFilters({ region: 'EMEA' })).toEqual([]);
    expect(unappliedFilters({ productLine: 'Services', currency: 'JPY', to: '2026-06-30' })).toEqual([
      'productLine',
      'currency',
      'dates',
    ]);
  });
});

describe('customers list: rows and pages', () => {
  it('rows: exact money, no limit as null, hostile names as plain text', () => {
    const [a, b] = listCustomers([
      {
        'customer_risk.customer_id': '0000100007',
        'customer_risk.customer_name': 'Acme <script>alert(1)</script> GmbH',
        'customer_risk.region': 'EMEA',
        'customer_risk.segment': 'SMB',
        'customer_risk.status': 'blocked',
        'customer_risk.credit_utilisation': 1.25,
        'customer_risk.is_over_limit': true,
        'customer_risk.risk_band': 'high',
        'customer_risk.open_ar': '12345678901234.56',
        'customer_risk.overdue_ar': '0.00',
        'customer_risk.total_credit_limit': '10000.00',
      },
      {
        'customer_risk.customer_id': '0000100008',
        'customer_risk.customer_name': null,
        'customer_risk.region': 'APAC',
        'customer_risk.segment': null,
        'customer_risk.status': 'active',
        'customer_risk.credit_utilisation': null,
        'customer_risk.is_over_limit': false,
        'customer_risk.risk_band': null,
        'customer_risk.open_ar': '0.00',
        'customer_risk.overdue_ar': '0.00',
        'customer_risk.total_credit_limit': '0.00',
      },
    ]);
    expect(a).toEqual({
      id: '0000100007',
      name: 'Acme <script>alert(1)</script> GmbH',
      region: 'EMEA',
      segment: 'SMB',
      status: 'blocked',
      openAr: '12345678901234.56',
      overdueAr: '0.00',
      creditLimit: '10000.00',
      utilisation: 1.25,
      overLimit: true,
      riskBand: 'high',
    });
    expect(b).toMatchObject({ name: '0000100008', creditLimit: null, utilisation: null, riskBand: null });
  });

  it('the customer count from the count query', () => {
    expect(customerCount([{ 'customer_risk.count': '63' }])).toBe(63);
    expect(customerCount([])).toBe(0);
  });

  it('status badges only for accounts that are not active', () => {
    expect(['active', 'blocked', 'blacklisted', 'inactive', null, 'other'].map(statusBadge)).toEqual([
      null,
      'blocked',
      'blacklisted',
      'inactive',
      null,
      null,
    ]);
  });
});

describe('customers list: sorting and words', () => {
  const t = translator('en');

  it('a sort button turns the direction round, or starts a column in its own direction', () => {
    const p = { ...DEFAULT_LIST, page: 3 };
    expect(sortedBy(p, 'open_ar')).toEqual({ ...DEFAULT_LIST, dir: 'asc', page: 1 });
    expect(sortedBy(p, 'name')).toEqual({ ...DEFAULT_LIST, sort: 'name', dir: 'asc', page: 1 });
    expect(sortedBy({ ...p, sort: 'name', dir: 'asc' }, 'name')).toMatchObject({ dir: 'desc' });
    expect(ariaSort(DEFAULT_LIST, 'open_ar')).toBe('descending');
    expect(ariaSort(DEFAULT_LIST, 'name')).toBeUndefined();
    expect(ariaSort(DEFAULT_LIST, null)).toBeUndefined();
  });

  it('the heading, the empty states and the pager line', () => {
    expect(listTitle(t, false, 0)).toBe('Customers');
    expect(listTitle(t, true, 1)).toBe('1 customer');
    expect(listTitle(t, true, 63)).toBe('63 customers');
    expect(listEmptyText(t, { ...DEFAULT_LIST, page: 4 }, 120)).toBe(
      'This page is past the end of the list. Go back to the first page.',
    );
    expect(listEmptyText(t, { ...DEFAULT_LIST, q: '<b>x' }, 0)).toContain('No customer matches “<b>x”.');
    expect(listEmptyText(t, DEFAULT_LIST, 0)).toContain('No customers for these filters.');
    expect(pagerSummary(t, pageInfo(2, 120))).toBe('51–100 of 120 customers');
    expect(pagerSummary(t, pageInfo(1, 1))).toBe('1 customer');
    expect(pagerSummary(t, pageInfo(9, 120))).toBe('');
  });
});
