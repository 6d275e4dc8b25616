/** Cube queries of the Risk page. Pure. */
import type { Query } from '@cubejs-client/core';
import { viewFilters, type GlobalFilters } from '../filters/filters.ts';

/** Customers by expected loss (exposure x probability of default), scored ones only. */
export function riskListQuery(f: GlobalFilters, limit = 100): Query {
  return {
    dimensions: [
      'customer_risk.customer_id',
      'customer_risk.customer_name',
      'customer_risk.region',
      'customer_risk.segment',
      'customer_risk.risk_band',
      'customer_risk.probability_of_default',
      'customer_risk.top_features',
    ],
    measures: ['customer_risk.exposure', 'customer_risk.expected_loss'],
    filters: [
      ...viewFilters('customer_risk', f, ['region']),
      { member: 'customer_risk.risk_band', operator: 'set' },
    ],
    order: { 'customer_risk.expected_loss': 'desc' },
    limit,
  };
}

/** Customers, exposure and expected loss per risk band. */
export function riskBandsQuery(f: GlobalFilters): Query {
  return {
    dimensions: ['customer_risk.risk_band'],
    measures: ['customer_risk.scored_customers', 'customer_risk.exposure', 'customer_risk.expected_loss'],
    filters: [
      ...viewFilters('customer_risk', f, ['region']),
      { member: 'customer_risk.risk_band', operator: 'set' },
    ],
  };
}

/** Band order for display, lowest risk first. */
export const BAND_ORDER = ['low', 'medium', 'high', 'very high', 'in default'];

export function bandRank(band: unknown): number {
  const i = BAND_ORDER.indexOf(String(band));
  return i === -1 ? BAND_ORDER.length : i;
}

export interface Driver {
  readonly feature: string;
  /** The customer's value of the feature (number, category text, or null). */
  readonly value: number | string | null;
  /** Probability points the feature adds (+) or removes (−); null when not from the model (in default). */
  readonly contribution: number | null;
}

/** The drivers stored with a score (ml.customer_risk_scores.top_features, JSON); [] when absent or unreadable. */
export function parseDrivers(json: unknown): Driver[] {
  if (typeof json !== 'string' || json === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: Driver[] = [];
  for (const d of parsed as unknown[]) {
    const o = (d ?? {}) as Record<string, unknown>;
    const feature = o['feature'];
    const value = o['value'];
    const contribution = o['contribution'];
    if (typeof feature !== 'string') continue;
    out.push({
      feature,
      value: typeof value === 'number' || typeof value === 'string' ? value : null,
      contribution: typeof contribution === 'number' ? contribution : null,
    });
  }
  return out;
}
