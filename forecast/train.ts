/**
 * Training at a cutoff, pure: what the forecast knows at a date C is every past origin's open items
 * (features as of that origin) with their outcomes censored at C, and the cash received by C.
 *
 * 1. Validation: the hazard model and the bucket-rate baseline are fitted as of V = C − 182 days and
 *    every method forecasts the month-end origins in (V, C − 28]; their 4-week WAPE against the cash
 *    received (known by C) decides which method serves: of the two with a distribution (the hazard model and
 *    the bucket-rate baseline), the one with the lower WAPE. The copula's ρ is the value of RHO_GRID whose 80 %
 *    intervals for the serving method covered nearest 80 % of those origins' observed weeks (ties: the
 *    larger ρ).
 * 2. The hazard model and the bucket rates are fitted again as of C, on the origins of the
 *    TRAIN_DAYS before C.
 */
import {
  BASELINES,
  bucketRateBaseline,
  customerDelayBaseline,
  dueDateBaseline,
  fitBucketRates,
  type BaselineName,
  type BucketRates,
} from './baselines.ts';
import { coverage, wape, weeklyTotals, type OriginWeeks } from './evaluate.ts';
import {
  fitHazard,
  HORIZON_WEEKS,
  personPeriods,
  predictWeeks as predictHazard,
  type HazardModel,
  type ItemOutcome,
  type ItemState,
  type TrainingOrigin,
} from './hazard.ts';
import { quantiles, simulate, type SimItem } from './simulate.ts';

export const MODEL_NAME = 'hazard_logistic';
export const METHODS = [MODEL_NAME, ...BASELINES] as const;
export type MethodName = (typeof METHODS)[number];

/**
 * The methods that may serve: those with a distribution of payment dates. The due-date and
 * customer-delay baselines are point forecasts (each item on one day), compared but without intervals.
 */
export const SERVABLE: readonly MethodName[] = [MODEL_NAME, 'bucket_rate'];

export const RHO_GRID = [0, 0.25, 0.5, 0.75] as const;
export const TRAIN_DAYS = 730;
export const VALIDATION_DAYS = 182;

export type ForecastItem = ItemState & ItemOutcome & { readonly meanDaysLate12m: number | null };

/** One past origin: its open items (outcomes up to the data's as-of date) and the cash received after it. */
export interface OriginData {
  readonly origin: number;
  readonly items: readonly ForecastItem[];
  /** Cash received on those items in weeks 1…13 (reporting currency); weeks after the data's as-of date are 0. */
  readonly actual: readonly number[];
}

export interface Trained {
  readonly cutoff: number;
  readonly hazard: HazardModel;
  readonly rates: BucketRates;
  readonly served: MethodName;
  readonly rho: number;
  /** Each method's 4-week WAPE on the validation origins (NaN without any). */
  readonly validationWape: Record<MethodName, number>;
  readonly validationOrigins: number[];
  readonly validationCoverage: number;
}

export interface TrainSettings {
  readonly l2: number;
  readonly sims: number;
  readonly seed: number;
}

export const DEFAULT_SETTINGS: TrainSettings = { l2: 1e-3, sims: 400, seed: 42 };

/** Outcomes after `cutoff` are unknown at the cutoff. */
function censor(items: readonly ForecastItem[], cutoff: number): ForecastItem[] {
  return items.map((i) =>
    i.closedDay !== null && i.closedDay > cutoff ? { ...i, closedDay: null, closedByPayment: false } : i,
  );
}

function trainingOrigins(data: readonly OriginData[], cutoff: number): TrainingOrigin[] {
  return data
    .filter((d) => d.origin <= cutoff - 7 && d.origin >= cutoff - TRAIN_DAYS)
    .map((d) => ({ origin: d.origin, cutoff, items: censor(d.items, cutoff) }));
}

function fitAt(data: readonly OriginData[], cutoff: number, s: TrainSettings) {
  const origins = trainingOrigins(data, cutoff);
  if (origins.length === 0) throw new Error('no month-end before the cutoff to train on');
  const hazard = fitHazard(origins, { l2: s.l2, seed: s.seed });
  const rates = fitBucketRates(personPeriods(hazard.layout, origins));
  return { hazard, rates };
}

/** Every method's payment-week distribution for the items open at `origin`. */
export function predictAll(
  m: { hazard: HazardModel; rates: BucketRates },
  items: readonly ForecastItem[],
  origin: number,
): Record<MethodName, Float64Array[]> {
  return {
    hazard_logistic: predictHazard(m.hazard, items, origin),
    due_date: dueDateBaseline(items, origin),
    customer_delay: customerDelayBaseline(items, origin),
    bucket_rate: bucketRateBaseline(m.rates, items, origin),
  };
}

/** The 80 % interval of the weekly portfolio totals (weeks 1…13) by simulation. */
export function totalIntervals(
  items: readonly ForecastItem[],
  probs: readonly Float64Array[],
  origin: number,
  o: { sims: number; seed: number; rho: number },
): { low: number[]; high: number[] } {
  const sim: SimItem[] = items.map((it, i) => ({
    customerId: it.customerId,
    probs: probs[i] as Float64Array,
    groups: [{ key: 0, amount: it.openAmountRc }],
  }));
  const opts = {
    sims: o.sims,
    seed: o.seed,
    rho: o.rho,
    groupCount: 1,
    periodCount: HORIZON_WEEKS,
    periodsOfDay: (d: number) => [Math.ceil(d / 7) - 1],
    origin,
  };
  const draws = simulate(sim, opts);
  const low: number[] = [];
  const high: number[] = [];
  for (let k = 0; k < HORIZON_WEEKS; k++) {
    const [lo, hi] = quantiles(draws, opts, 0, k, [0.1, 0.9]);
    low.push(lo as number);
    high.push(hi as number);
  }
  return { low, high };
}

const amounts = (items: readonly ForecastItem[]) => items.map((i) => i.openAmountRc);

/** Validate, choose the serving method and ρ, and fit the serving models as of `cutoff` (a day number). */
export function trainAt(
  data: readonly OriginData[],
  cutoff: number,
  s: TrainSettings = DEFAULT_SETTINGS,
): Trained {
  const v = cutoff - VALIDATION_DAYS;
  const validation = data.filter((d) => d.origin > v && d.origin <= cutoff - 28);
  const validationWape = Object.fromEntries(METHODS.map((m) => [m, NaN])) as Record<MethodName, number>;
  let served: MethodName = MODEL_NAME;
  let rho: number = RHO_GRID[1];
  let validationCoverage = NaN;
  const earlier = trainingOrigins(data, v);
  if (validation.length > 0 && earlier.length > 0) {
    const atV = fitAt(data, v, s);
    const rows = Object.fromEntries(METHODS.map((m) => [m, [] as OriginWeeks[]])) as Record<
      MethodName,
      OriginWeeks[]
    >;
    const preds = validation.map((d) => predictAll(atV, d.items, d.origin));
    validation.forEach((d, i) => {
      const observed = d.actual.map((a, k) => (d.origin + 7 * (k + 1) <= cutoff ? a : NaN));
      for (const m of METHODS) {
        rows[m].push({ forecast: weeklyTotals(amounts(d.items), preds[i]![m]), actual: observed });
      }
    });
    for (const m of METHODS) validationWape[m] = wape(rows[m]);
    for (const m of SERVABLE) if (validationWape[m] < validationWape[served]) served = m;
    let best = Infinity;
    for (const r of RHO_GRID) {
      const cov = coverage(
        validation.map((d, i) => {
          const iv = totalIntervals(d.items, preds[i]![served], d.origin, {
            sims: s.sims,
            seed: s.seed,
            rho: r,
          });
          const weeks = Math.min(HORIZON_WEEKS, Math.floor((cutoff - d.origin) / 7));
          return { actual: d.actual.slice(0, weeks), low: iv.low, high: iv.high };
        }),
      );
      // Ties (coverage is a share of a few dozen weeks) go to the larger ρ: the wider intervals.
      if (Math.abs(cov - 0.8) <= best) {
        best = Math.abs(cov - 0.8);
        rho = r;
        validationCoverage = cov;
      }
    }
  }
  const { hazard, rates } = fitAt(data, cutoff, s);
  return {
    cutoff,
    hazard,
    rates,
    served,
    rho,
    validationWape,
    validationOrigins: validation.map((d) => d.origin),
    validationCoverage,
  };
}

export type { BaselineName };
