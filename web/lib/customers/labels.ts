/** Words for the customer master's codes (status, risk band, payment method, risk drivers). */
import { decimal, percent } from '../format/format.ts';
import { labelOr, type Translate } from '../i18n/messages.ts';

export const statusText = (t: Translate, status: string | null) => labelOr(t, 'customers.status.', status);
export const bandText = (t: Translate, band: string | null) => labelOr(t, 'customers.band.', band);
export const methodText = (t: Translate, method: string | null) => labelOr(t, 'customers.method.', method);

/** A risk driver's label; an unknown feature name is shown readable ('foo_bar_3m' → 'foo bar 3m'). */
export function featureText(t: Translate, feature: string): string {
  const label = labelOr(t, 'customers.feature.', feature);
  return label === feature ? feature.replaceAll('_', ' ') : label;
}

/** CSS class of a risk band's badge. */
export function bandTone(band: string | null): 'low' | 'medium' | 'high' | 'severe' | 'none' {
  switch (band) {
    case 'low':
      return 'low';
    case 'medium':
      return 'medium';
    case 'high':
      return 'high';
    case 'very high':
    case 'in default':
      return 'severe';
    default:
      return 'none';
  }
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
