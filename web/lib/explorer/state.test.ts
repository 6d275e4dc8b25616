import { describe, expect, it } from 'vitest';
import { ANALYST, CFO, VIEWS } from './fixture.ts';
import { operatorsFor, sanitizeState } from './sanitize.ts';
import {
  DEFAULT_STATE,
  explorerStateFromUrl,
  explorerStateToUrl,
  isDate,
  joinValues,
  splitValues,
  type ExplorerState,
} from './state.ts';

const full: ExplorerState = {
  view: 'analyst',
  measures: ['open_amount', 'count'],
  dimensions: ['region', 'customer_name'],
  filters: [
    {
      member: 'customer_name',
      operator: 'contains',
      values: ['Acme, Inc.', 'back\\slash', '=HYPERLINK("x")', ''],
    },
    { member: 'days_past_due', operator: 'gt', values: ['30'] },
    { member: 'aging_bucket', operator: 'notSet', values: [] },
    { member: 'region', operator: 'equals', values: [] },
  ],
  time: { dimension: 'issue_date', granularity: 'quarter', from: '2025-07-01', to: '2026-06-30' },
  chart: 'stacked',
  pivot: { columns: 'time', measure: 'count' },
  global: {
    region: 'LATAM',
    productLine: 'Spare Parts',
    currency: 'JPY',
    from: '2025-01-01',
    to: '2026-06-30',
  },
  drill: {
    measure: 'open_amount',
    values: [
      { dimension: 'region', value: 'LATAM' },
      { dimension: 'customer_name', value: 'Tom: "the" <b>best</b>' },
      { dimension: 'segment', value: null },
    ],
    bucket: '2026-04-01',
  },
};

describe('Explorer state in the URL', () => {
  it('round-trips every part of the state', () => {
    const params = explorerStateToUrl(full);
    // Through a real URL, as a shared link travels.
    const url = new URL(`https://arlens.example/explore?${params.toString()}`);
    expect(explorerStateFromUrl(url.searchParams)).toEqual(full);
  });

  it('round-trips the default state and a state with nothing chosen', () => {
    expect(explorerStateFromUrl(explorerStateToUrl(DEFAULT_STATE))).toEqual(DEFAULT_STATE);
    const empty: ExplorerState = {
      ...DEFAULT_STATE,
      view: 'payments_received',
      measures: [],
      dimensions: [],
    };
    expect(explorerStateFromUrl(explorerStateToUrl(empty))).toEqual(empty);
  });

  it('writes readable parameters next to the global filters', () => {
    const p = explorerStateToUrl(full);
    expect(p.get('region')).toBe('LATAM');
    expect(p.get('view')).toBe('analyst');
    expect(p.get('m')).toBe('open_amount,count');
    expect(p.getAll('f')).toEqual([
      'customer_name:contains:Acme\\, Inc.,back\\\\slash,=HYPERLINK("x"),',
      'days_past_due:gt:30',
      'aging_bucket:notSet',
      'region:equals',
    ]);
    expect(p.getAll('dn')).toEqual(['segment']);
    expect(p.get('db')).toBe('2026-04-01');
  });

  it('opens with open AR by region as a bar chart when the URL says nothing', () => {
    expect(explorerStateFromUrl(new URLSearchParams())).toEqual(DEFAULT_STATE);
    // Another view without measures or dimensions: nothing chosen yet (sanitizeState picks a measure).
    const other = explorerStateFromUrl(new URLSearchParams('view=payments_received'));
    expect(other).toMatchObject({ view: 'payments_received', measures: [], dimensions: [] });
  });

  it('ignores what it cannot read and never throws', () => {
    const hostile = new URLSearchParams({
      view: '<script>',
      m: 'open_amount,,DROP TABLE;,open_amount,count',
      d: 'region,../../etc',
      t: 'issue date',
      g: 'fortnight',
      tf: '2026-02-30',
      chart: 'radar',
      pivot: 'x y',
      drill: '',
      db: 'yesterday',
    });
    hostile.append('f', 'no-colon');
    hostile.append('f', 'region:like:LATAM');
    hostile.append('f', 'Region:equals:x');
    hostile.append('f', 'region:equals:LATAM');
    hostile.append('dv', 'no colon');
    const s = explorerStateFromUrl(hostile);
    expect(s).toEqual({
      ...DEFAULT_STATE,
      measures: ['open_amount', 'count'],
      dimensions: ['region'],
      filters: [{ member: 'region', operator: 'equals', values: ['LATAM'] }],
    });
    for (const junk of [
      '%',
      'f=:::',
      'dv=:&drill=x',
      'tt=9999-99-99&t=issue_date',
      'f=a:set:x,y',
      'm=' + 'a,'.repeat(500),
    ]) {
      expect(() => explorerStateFromUrl(new URLSearchParams(junk))).not.toThrow();
    }
    expect(explorerStateFromUrl(new URLSearchParams('t=issue_date&tt=9999-99-99')).time).toEqual({
      dimension: 'issue_date',
      granularity: null,
      from: null,
      to: null,
    });
    expect(explorerStateFromUrl(new URLSearchParams('f=a:set:x,y')).filters).toEqual([
      { member: 'a', operator: 'set', values: [] },
    ]);
  });

  it('escapes commas and backslashes in filter values', () => {
    const values = ['a,b', 'c\\d', '', '\\,', 'plain'];
    expect(splitValues(joinValues(values))).toEqual(values);
    expect(splitValues('trailing\\')).toEqual(['trailing\\']);
  });

  it('accepts only real calendar dates', () => {
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2026-02-29')).toBe(false);
    expect(isDate('2026-6-1')).toBe(false);
  });
});

describe('Explorer state against the model', () => {
  it('keeps what the view has and drops the rest', () => {
    const s = explorerStateFromUrl(
      new URLSearchParams(
        'view=analyst&m=open_amount,nope&d=region,issue_date,ghost&f=ghost:equals:x&f=region:gt:1' +
          '&f=days_past_due:gt:30,40&f=days_past_due:equals:x,7&f=is_written_off:equals:true,maybe' +
          '&f=customer_name:contains:Acme&t=issue_date&g=month&pivot=time&pm=count',
      ),
    );
    const out = sanitizeState(s, VIEWS)!;
    expect(out.view).toBe(ANALYST);
    expect(out.state.measures).toEqual(['open_amount']);
    expect(out.state.dimensions).toEqual(['region']);
    expect(out.state.filters).toEqual([
      { member: 'days_past_due', operator: 'gt', values: ['30'] },
      { member: 'days_past_due', operator: 'equals', values: ['7'] },
      { member: 'is_written_off', operator: 'equals', values: ['true'] },
      { member: 'customer_name', operator: 'contains', values: ['Acme'] },
    ]);
    // The pivot's measure is not chosen: the first chosen measure fills the cells.
    expect(out.state.pivot).toEqual({ columns: 'time', measure: 'open_amount' });
  });

  it('falls back to the analyst view, with its defaults, for an unknown view', () => {
    const s = explorerStateFromUrl(new URLSearchParams('view=secret_salaries&m=salary&f=name:equals:x'));
    const out = sanitizeState(s, VIEWS)!;
    expect(out.state).toMatchObject({
      view: 'analyst',
      measures: ['open_amount'],
      dimensions: ['region'],
      filters: [],
    });
    expect(sanitizeState(s, [])).toBeNull();
  });

  it('chooses the first measure when nothing is chosen, and drops a pivot or drill that does not fit', () => {
    const s = explorerStateFromUrl(
      new URLSearchParams('view=cfo_overview&m=&d=&pivot=time&drill=dso&dv=region:EMEA&t=nope'),
    );
    const out = sanitizeState(s, VIEWS)!;
    expect(out.view).toBe(CFO);
    expect(out.state.measures).toEqual(['invoice_count']);
    expect(out.state.time).toBeNull();
    expect(out.state.pivot).toBeNull(); // no time buckets to spread
    expect(out.state.drill).toBeNull(); // cfo_overview has no invoice rows
    const analyst = sanitizeState(
      explorerStateFromUrl(new URLSearchParams('d=region&drill=open_amount&dv=region:LATAM&db=2026-04-01')),
      VIEWS,
    )!;
    expect(analyst.state.drill).toBeNull(); // a bucket without time buckets
    const ok = sanitizeState(
      explorerStateFromUrl(new URLSearchParams('d=region&drill=open_amount&dv=region:LATAM')),
      VIEWS,
    )!;
    expect(ok.state.drill).toEqual({
      measure: 'open_amount',
      values: [{ dimension: 'region', value: 'LATAM' }],
      bucket: null,
    });
  });

  it('offers operators by kind of member', () => {
    const by = (name: string) => operatorsFor(ANALYST.dimensions.find((d) => d.name === name)!);
    expect(by('region')).toContain('contains');
    expect(by('region')).not.toContain('gt');
    expect(by('days_past_due')).toContain('gt');
    expect(by('is_written_off')).toEqual(['equals', 'notEquals', 'set', 'notSet']);
  });
});
