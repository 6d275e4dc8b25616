/** Words for the customer master's codes (status, risk band, payment method, risk drivers). */
import { labelOr } from '../collections/labels.ts';
import type { Translate } from '../i18n/messages.ts';

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
