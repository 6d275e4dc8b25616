import { describe, expect, it } from 'vitest';
import {
  CATEGORICAL,
  columnGroups,
  columnNames,
  derive,
  diffFeatures,
  displayValue,
  featureSpec,
  fitPreprocessor,
  NUMERIC_FEATURES,
  RAW_NUMERIC,
  sameFeatures,
  transform,
  type RawFeatures,
} from './features.ts';

function raw(over: Partial<RawFeatures> = {}): RawFeatures {
  const r = {} as Record<string, number | string | null>;
  for (const c of RAW_NUMERIC) r[c] = 0;
  for (const c of CATEGORICAL) r[c] = null;
  return { ...(r as RawFeatures), ...over };
}

const value = (r: RawFeatures, name: string) => {
  const j = NUMERIC_FEATURES.findIndex((f) => f.name === name);
  if (j < 0) throw new Error(name);
  return derive(r).numeric[j];
};

describe('deriving features from the raw quantities', () => {
  it('computes the ratios, and NULL where the denominator is empty', () => {
    const r = raw({ settled_12m: 8, settled_late_12m: 2, applications_12m: 0, partial_applications_12m: 0 });
    expect(value(r, 'share_paid_late_12m')).toBe(0.25);
    expect(value(r, 'partial_payment_ratio_12m')).toBeNull();
    expect(value(raw({ due_3m: 4, unpaid_due_3m: 1 }), 'unpaid_recent_due_share')).toBe(0.25);
    expect(value(raw({ promises_due_12m: 4, broken_promises_12m: 3 }), 'broken_promise_ratio_12m')).toBe(
      0.75,
    );
  });

  it('trend = recent mean days late − the mean of the 9 months before; NULL when either is missing', () => {
    expect(value(raw({ mean_days_late_3m: 30, mean_days_late_prior_9m: 12 }), 'days_late_trend')).toBe(18);
    expect(
      value(raw({ mean_days_late_3m: null, mean_days_late_prior_9m: 12 }), 'days_late_trend'),
    ).toBeNull();
  });

  it('overdue share is 0 without open AR; utilisation needs a limit and is capped at 5', () => {
    expect(value(raw({ open_ar_rc: 0, overdue_ar_rc: 0 }), 'overdue_share')).toBe(0);
    expect(value(raw({ open_ar_rc: 400, overdue_ar_rc: 100 }), 'overdue_share')).toBe(0.25);
    expect(value(raw({ open_ar_rc: 500, credit_limit_rc: 1000 }), 'credit_utilisation')).toBe(0.5);
    expect(value(raw({ open_ar_rc: 50_000, credit_limit_rc: 1000 }), 'credit_utilisation')).toBe(5);
    expect(value(raw({ open_ar_rc: 500, credit_limit_rc: null }), 'credit_utilisation')).toBeNull();
    expect(value(raw({ credit_limit_rc: null }), 'has_credit_limit')).toBe(0);
    expect(value(raw({ credit_limit_rc: 10 }), 'has_credit_limit')).toBe(1);
  });

  it('logs counts and amounts, and compares balances on the log scale', () => {
    expect(value(raw({ disputes_12m: Math.E - 1 }), 'disputes_12m')).toBeCloseTo(1, 12);
    expect(
      value(raw({ open_ar_rc: Math.E ** 2 - 1, open_ar_rc_3m_ago: Math.E - 1 }), 'balance_growth_3m'),
    ).toBeCloseTo(1, 12);
    expect(value(raw({ tenure_days: 730.5 }), 'tenure_years')).toBe(2);
  });

  it('uses the days since the first invoice when nothing was ever paid', () => {
    expect(
      value(raw({ days_since_last_payment: null, tenure_days: Math.E - 1 }), 'days_since_last_payment'),
    ).toBeCloseTo(1, 12);
  });

  it('clips days past due to two years', () => {
    expect(value(raw({ max_dpd_12m: 5000 }), 'max_dpd_12m')).toBe(730);
  });
});

describe('preprocessing fitted on the training rows', () => {
  const train = [
    derive(raw({ settled_12m: 2, settled_late_12m: 2, region: 'EMEA', segment: 'SMB', industry: 'Retail' })),
    derive(raw({ settled_12m: 2, settled_late_12m: 0, region: 'LATAM', segment: 'SMB', industry: null })),
    derive(raw({ settled_12m: 0, region: 'EMEA', segment: 'Enterprise', industry: 'Energy' })),
  ];
  const p = fitPreprocessor(train);

  it('imputes the training mean, standardises, and clips', () => {
    const j = NUMERIC_FEATURES.findIndex((f) => f.name === 'share_paid_late_12m');
    // Non-null values 1 and 0: mean 0.5; the NULL row is imputed with 0.5; sd over all three rows.
    expect(p.numeric[j]).toMatchObject({ mean: 0.5 });
    expect(p.numeric[j]?.sd).toBeCloseTo(Math.sqrt(0.5 / 3), 12);
    const x = transform(train, p);
    expect(x.data[2 * x.cols + j]).toBe(0);
    expect(x.data[j]).toBeCloseTo(0.5 / Math.sqrt(0.5 / 3), 5);
    // A constant column keeps sd 1 (no division by zero).
    const k = NUMERIC_FEATURES.findIndex((f) => f.name === 'open_disputes');
    expect(p.numeric[k]?.sd).toBe(1);
    const extreme = transform([derive(raw({ settled_12m: 1, settled_late_12m: 1, invoices_12m: 1e9 }))], p);
    expect(Math.max(...extreme.data)).toBeLessThanOrEqual(p.clip);
  });

  it('one-hot encodes categories seen in training; unknown or NULL values are all zeros', () => {
    expect(p.categorical.map((c) => c.values)).toEqual([
      ['EMEA', 'LATAM'],
      ['Enterprise', 'SMB'],
      ['Energy', 'Retail'],
    ]);
    const names = columnNames(p);
    expect(names.slice(NUMERIC_FEATURES.length)).toEqual([
      'region=EMEA',
      'region=LATAM',
      'segment=Enterprise',
      'segment=SMB',
      'industry=Energy',
      'industry=Retail',
    ]);
    const x = transform([derive(raw({ region: 'APAC', segment: 'SMB', industry: null }))], p);
    const oneHot = [...x.data.slice(NUMERIC_FEATURES.length)];
    expect(oneHot).toEqual([0, 0, 0, 1, 0, 0]);
  });

  it('groups columns per feature, with the training mean as the baseline', () => {
    const groups = columnGroups(p);
    expect(groups).toHaveLength(NUMERIC_FEATURES.length + 3);
    expect(groups.at(-3)).toEqual({
      name: 'region',
      columns: [NUMERIC_FEATURES.length, NUMERIC_FEATURES.length + 1],
      baseline: [2 / 3, 1 / 3],
    });
  });

  it('shows values for people', () => {
    const d = derive(raw({ settled_12m: 3, settled_late_12m: 1, region: 'APAC' }));
    expect(displayValue(d, 'share_paid_late_12m')).toBe(0.333);
    expect(displayValue(d, 'region')).toBe('APAC');
    expect(displayValue(derive(raw({ broken_promises_12m: 12 })), 'broken_promises_12m')).toBe(12);
    expect(() => displayValue(d, 'nope')).toThrow(/unknown feature/);
  });
});

describe("comparing a model's features with the code's", () => {
  it('finds nothing when they are the same', () => {
    expect(sameFeatures(diffFeatures(featureSpec(), featureSpec()))).toBe(true);
  });

  it('names missing, extra, redefined and reordered features', () => {
    const code = featureSpec();
    const model = {
      numeric: [
        { name: 'old_feature', definition: 'gone' },
        ...code.numeric.slice(1).map((f, i) => (i === 0 ? { ...f, definition: 'something else' } : f)),
      ],
      categorical: code.categorical.slice(0, 2),
    };
    const d = diffFeatures(model, code);
    expect(d.missing).toEqual(['old_feature']);
    expect(d.extra).toEqual([code.numeric[0]?.name, 'industry=*']);
    expect(d.changed).toEqual([code.numeric[1]?.name]);
    expect(d.reordered).toBe(false);
    const swapped = { ...code, numeric: [code.numeric[1]!, code.numeric[0]!, ...code.numeric.slice(2)] };
    expect(diffFeatures(swapped, code)).toEqual({ missing: [], extra: [], changed: [], reordered: true });
  });
});
