/** The Risk page's rows from customer_risk, and the model evaluation's words. Pure. */
import { toMoney, toNumber, toText, type CubeRow } from '../cube/values.ts';
import { decimal } from '../format/format.ts';
import type { MessageKey, Translate } from '../i18n/messages.ts';
import { bandRank } from './bands.ts';
import { driverValue, featureText, parseDrivers, type RiskDriver } from './drivers.ts';

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
 * A driver in a line: its words, its value, and the probability points it adds (+) or removes (−)
 * ("Max days past due (12 months) = 95 +3.1 pt").
 */
export function driverLine(d: RiskDriver, t: Translate, locale: string): string {
  const value = driverValue(d.feature, d.value, locale);
  const points =
    d.contribution === null
      ? ''
      : ` ${d.contribution > 0 ? '+' : '−'}${t('risk.points', { value: decimal(Math.abs(d.contribution) * 100, locale, 1) })}`;
  return `${featureText(t, d.feature)}${value !== null ? ` = ${value}` : ''}${points}`;
}

/** The evaluation metrics the Risk page lists, with their words. */
export const EVALUATION_METRICS = ['roc_auc', 'pr_auc', 'brier', 'ks', 'lift_top_decile'] as const;

export const metricText = (t: Translate, metric: (typeof EVALUATION_METRICS)[number]) =>
  t(`risk.metric.${metric}` as MessageKey);
