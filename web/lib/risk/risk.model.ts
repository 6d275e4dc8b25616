/** The Risk page's rows from customer_risk, and the model evaluation's words. Pure. */
import type { CandidateReport, Interval, ModelReport, ModelStatus } from '../../../ml/evaluations.ts';
import { toMoney, toNumber, toText, type CubeRow } from '../cube/values.ts';
import { businessDate, decimal } from '../format/format.ts';
import { labelOr, type MessageKey, type Translate } from '../i18n/messages.ts';
import { bandRank } from './bands.ts';
import { driverSentence, parseDrivers, type RiskDriver } from './drivers.ts';

const V = 'customer_risk';

export interface BandRow {
  readonly band: string;
  readonly customers: number;
  /** Reporting currency, exact. */
  readonly exposure: string | null;
  readonly expectedLoss: string | null;
}

/** Customers, exposure and expected loss per band, lowest risk first. */
export function riskBands(rows: readonly CubeRow[]): BandRow[] {
  return rows
    .map((r) => ({
      band: String(r[`${V}.risk_band`]),
      customers: toNumber(r[`${V}.scored_customers`]) ?? 0,
      exposure: toMoney(r[`${V}.exposure`]),
      expectedLoss: toMoney(r[`${V}.expected_loss`]),
    }))
    .sort((a, b) => bandRank(a.band) - bandRank(b.band));
}

export interface RiskCustomer {
  readonly id: string;
  readonly name: string;
  readonly region: string | null;
  readonly band: string | null;
  readonly probabilityOfDefault: number | null;
  /** Reporting currency, exact. */
  readonly exposure: string | null;
  readonly expectedLoss: string | null;
  /** The first three drivers the model stored (none when unreadable). */
  readonly drivers: readonly RiskDriver[];
}

/** The customers by expected loss, as the query ordered them. */
export function riskCustomers(rows: readonly CubeRow[]): RiskCustomer[] {
  return rows.map((r) => ({
    id: String(r[`${V}.customer_id`]),
    name: toText(r[`${V}.customer_name`]) ?? String(r[`${V}.customer_id`]),
    region: toText(r[`${V}.region`]),
    band: toText(r[`${V}.risk_band`]),
    probabilityOfDefault: toNumber(r[`${V}.probability_of_default`]),
    exposure: toMoney(r[`${V}.exposure`]),
    expectedLoss: toMoney(r[`${V}.expected_loss`]),
    drivers: parseDrivers(r[`${V}.top_features`]).drivers.slice(0, 3),
  }));
}

/**
 * A driver in a line: a sentence in business words with its value, and the probability points it
 * adds (+) or removes (−) ("An invoice reached 95 days past due in the last 12 months +3.1 pt").
 */
export function driverLine(d: RiskDriver, t: Translate, locale: string): string {
  const points =
    d.contribution === null
      ? ''
      : ` ${d.contribution > 0 ? '+' : '−'}${t('risk.points', { value: decimal(Math.abs(d.contribution) * 100, locale, 1) })}`;
  return `${driverSentence(t, d.feature, d.value, locale)}${points}`;
}

/** The test metrics the Risk page lists beside ROC AUC, with their words. */
export const EVALUATION_METRICS = ['pr_auc', 'brier', 'ece'] as const;

export const metricText = (t: Translate, metric: (typeof EVALUATION_METRICS)[number]) =>
  t(`risk.metric.${metric}` as MessageKey);

/** A candidate's name in words; an unknown name (a matrix model's rule) as it is. */
export const candidateText = (t: Translate, name: string) => labelOr(t, 'risk.candidate.', name);

/** A signed ROC AUC difference, '+0.043' / '−0.012'. */
export function signedAuc(x: number, locale: string): string {
  return `${x >= 0 ? '+' : '−'}${decimal(Math.abs(x), locale, 3)}`;
}

/** '+0.043 (−0.023 to +0.089)' */
export function intervalText(t: Translate, d: Interval | null, locale: string): string {
  if (d === null) return '—';
  return t('risk.interval', {
    diff: signedAuc(d.difference, locale),
    low: signedAuc(d.low, locale),
    high: signedAuc(d.high, locale),
  });
}

export type CandidateStatus = 'serves' | 'reference' | 'publishable' | 'noise';

/** Serves; the rule (reference); beats the rule beyond noise; or not. */
export function candidateStatus(c: CandidateReport): CandidateStatus {
  if (c.served) return 'serves';
  if (c.validationVsRule === null) return 'reference';
  return c.validationVsRule.low > 0 ? 'publishable' : 'noise';
}

/** Which candidate serves and why, with its intervals, in the user's words. */
export function selectionText(t: Translate, r: ModelReport, locale: string): string | null {
  const s = r.selection;
  if (s === null) return null;
  const served = r.candidates.find((c) => c.name === s.served);
  const vs = served?.validationVsRule ?? null;
  const d = (x: number | undefined) => (x === undefined ? '—' : signedAuc(x, locale));
  const words =
    s.reason === 'best' ||
    s.reason === 'simpler_within_noise' ||
    s.reason === 'no_model_beats_rule' ||
    s.reason === 'too_few_defaults'
      ? t(`risk.reason.${s.reason}` as MessageKey, {
          have: s.defaultingCustomers === null ? '—' : decimal(s.defaultingCustomers, locale, 0),
          needed:
            s.defaultingCustomersNeeded === null ? '—' : decimal(s.defaultingCustomersNeeded, locale, 0),
          model: candidateText(t, s.served),
          diff: d(vs?.difference),
          low: d(vs?.low),
          high: d(vs?.high),
          best: s.best === null ? '' : candidateText(t, s.best),
          bdiff: d(s.bestVsServed?.difference),
          blow: d(s.bestVsServed?.low),
          bhigh: d(s.bestVsServed?.high),
        })
      : s.reason;
  return `${t('risk.serving', { model: candidateText(t, s.served) })} ${words}`;
}

/** Where the served PDs were calibrated. */
export function calibrationText(t: Translate, r: ModelReport, locale: string): string | null {
  const s = r.selection;
  if (s === null) return null;
  return t('risk.calibratedOn', {
    method: labelOr(t, 'risk.method.', s.calibrationMethod),
    from: businessDate(s.calibratedFrom || null, locale),
    to: businessDate(s.calibratedTo || null, locale),
    rows: decimal(s.calibrationRows, locale, 0),
    positives: decimal(s.calibrationPositives, locale, 0),
  });
}

/** Why there are no scores, in numbers; null when there are scores (or nothing is known). */
export function shortfallText(t: Translate, status: ModelStatus, locale: string): string | null {
  const n = (x: number) => decimal(x, locale, 0);
  switch (status.state) {
    case 'not_enough_history':
      return t('risk.shortfall.history', {
        needed: n(status.needed),
        have: n(status.have),
        missing: n(status.needed - status.have),
        horizon: n(status.horizonDays),
        from: businessDate(status.firstInvoiceDate || null, locale),
        to: businessDate(status.asOfDate || null, locale),
      });
    case 'not_enough_defaults':
      return t('risk.shortfall.defaults', {
        period: labelOr(t, 'risk.period.', status.period),
        from: businessDate(status.from || null, locale),
        to: businessDate(status.to || null, locale),
        defaults: n(status.defaults),
        needed: n(status.needed),
      });
    default:
      return null;
  }
}

/** What the band and list cards say when they have no rows. */
export function emptyScoresText(t: Translate, r: ModelReport | null, locale: string): string {
  if (r === null || r.status.state === 'scored') return t('risk.notScored');
  const why = shortfallText(t, r.status, locale);
  return why === null ? t('risk.noModel') : t('risk.notScoredWhy', { why });
}
