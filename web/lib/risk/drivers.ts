/**
 * What drives a customer's risk score: the drivers stored with it (top_features, JSON written by the
 * risk model) read once, and their words and values for people. Pure.
 */
import type { CubeValue } from '../cube/values.ts';
import { decimal, percent } from '../format/format.ts';
import { labelOr, type Translate } from '../i18n/messages.ts';

export interface RiskDriver {
  /** The model's feature name (ml/features.ts), e.g. 'max_dpd_3m'. */
  readonly feature: string;
  /** The feature's value for the customer (some are log-scaled; categorical ones are text). */
  readonly value: number | string | null;
  /** Change in probability of default the feature causes (0.012 = +1.2 points); null: not from the model. */
  readonly contribution: number | null;
}

/**
 * The risk drivers in top_features (a JSON array of {feature, value, contribution}). Anything else is
 * `unreadable` (no drivers shown, never a crash); no value at all is no drivers.
 */
export function parseDrivers(raw: CubeValue): { drivers: RiskDriver[]; unreadable: boolean } {
  if (raw === null || raw === undefined || raw === '') return { drivers: [], unreadable: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch {
    return { drivers: [], unreadable: true };
  }
  if (!Array.isArray(parsed)) return { drivers: [], unreadable: true };
  const drivers: RiskDriver[] = [];
  for (const d of parsed as unknown[]) {
    if (typeof d !== 'object' || d === null) return { drivers: [], unreadable: true };
    const { feature, value, contribution } = d as Record<string, unknown>;
    if (typeof feature !== 'string') return { drivers: [], unreadable: true };
    drivers.push({
      feature,
      value: typeof value === 'number' || typeof value === 'string' ? value : null,
      contribution: typeof contribution === 'number' && Number.isFinite(contribution) ? contribution : null,
    });
  }
  return { drivers, unreadable: false };
}

/** A driver's label; an unknown feature name is shown readable ('foo_bar_3m' → 'foo bar 3m'). */
export function featureText(t: Translate, feature: string): string {
  const label = labelOr(t, 'risk.feature.', feature);
  return label === feature ? feature.replaceAll('_', ' ') : label;
}

/** Risk-model features that are shares (0–1, or above 1 for utilisation): shown as percentages. */
const SHARE_FEATURES: ReadonlySet<string> = new Set([
  'share_paid_late_12m',
  'overdue_share',
  'unpaid_recent_due_share',
  'partial_payment_ratio_12m',
  'broken_promise_ratio_12m',
  'credit_utilisation',
]);

/** A driver's value for people: shares as percentages, whole numbers as such, text as it is. */
export function driverValue(feature: string, value: number | string | null, locale: string): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (SHARE_FEATURES.has(feature)) return percent(value, locale, 0);
  return decimal(value, locale, Number.isInteger(value) ? 0 : 2);
}

/**
 * A driver as a sentence in business words ("An invoice reached 95 days past due in the last 12
 * months"); a feature without one reads "label = value".
 */
export function driverSentence(
  t: Translate,
  feature: string,
  value: number | string | null,
  locale: string,
): string {
  const shown = driverValue(feature, value, locale);
  const sentence = labelOr(t, 'risk.driver.', feature);
  if (sentence !== feature && shown !== null) return sentence.replace('{value}', shown);
  return `${featureText(t, feature)}${shown !== null ? ` = ${shown}` : ''}`;
}
