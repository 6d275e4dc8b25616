/**
 * The risk model's bands (ml.customer_risk_scores.risk_band): their order, words and badge tones, in
 * one place for every page that shows a band. Pure.
 */
import { labelOr, type Translate } from '../i18n/messages.ts';

/** Band order for display, lowest risk first. */
export const BAND_ORDER = ['low', 'medium', 'high', 'very high', 'in default'] as const;

/** A band's place in BAND_ORDER; a band the dashboard does not know sorts last. */
export function bandRank(band: unknown): number {
  const i = (BAND_ORDER as readonly string[]).indexOf(String(band));
  return i === -1 ? BAND_ORDER.length : i;
}

/** A band in words; an unknown band as exported. */
export const bandText = (t: Translate, band: string | null) => labelOr(t, 'risk.band.', band);

export type BandTone = 'low' | 'medium' | 'high' | 'severe' | 'none';

/** The badge tone of a risk band (Badge.svelte). */
export function bandTone(band: string | null): BandTone {
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

/** High risk or worse: a reason to cut a credit limit (credit/suggest.ts). */
export function isHighRisk(band: string | null): boolean {
  return band === 'high' || band === 'very high' || band === 'in default';
}
