import { describe, expect, it } from 'vitest';
import {
  dateRange,
  filterQueryString,
  filtersFromUrl,
  filtersToUrl,
  monthsBetween,
  viewFilters,
} from './filters.ts';

describe('global filters', () => {
  it('round-trips through the URL and keeps other parameters', () => {
    const params = new URLSearchParams('region=LATAM&pl=Spare+Parts&from=2025-07-01&to=bad&m=dso');
    const f = filtersFromUrl(params);
    expect(f).toEqual({ region: 'LATAM', productLine: 'Spare Parts', from: '2025-07-01' });
    expect(filtersToUrl({ ...f, region: undefined }, params).toString()).toBe(
      'pl=Spare+Parts&from=2025-07-01&m=dso',
    );
    expect(filterQueryString(params)).toBe('?region=LATAM&pl=Spare+Parts&from=2025-07-01');
  });

  it('becomes Cube filters only for dimensions the view has', () => {
    expect(
      viewFilters('analyst', { region: 'EMEA', currency: 'JPY', productLine: 'Services' }, [
        'region',
        'currency',
      ]),
    ).toEqual([
      { member: 'analyst.region', operator: 'equals', values: ['EMEA'] },
      { member: 'analyst.currency', operator: 'equals', values: ['JPY'] },
    ]);
    expect(dateRange({})).toBeUndefined();
    expect(dateRange({ to: '2026-06-30' })).toEqual(['2000-01-01', '2026-06-30']);
  });
});

describe('month pickers', () => {
  it('lists every month start across a year end', () => {
    expect(monthsBetween('2025-11-01', '2026-02-01')).toEqual([
      '2025-11-01',
      '2025-12-01',
      '2026-01-01',
      '2026-02-01',
    ]);
    expect(monthsBetween(null, '2026-02-01')).toEqual([]);
  });
});
