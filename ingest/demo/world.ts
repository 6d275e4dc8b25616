/**
 * The demo's world: regions and countries (currency, payment terms, how late they pay), FX levels,
 * product lines (size, lateness, disputes), industries, segments, the sales and credit teams, and the
 * dates of the planted story. Reference data only.
 */
import type { Weights } from '../../core/random.ts';

export type Region = 'EMEA' | 'North America' | 'LATAM' | 'APAC';

export interface CountryInfo {
  readonly region: Region;
  readonly currency: string;
  /** Share of the region's customers. */
  readonly weight: number;
  /** Country-level lateness in days, added to every customer profile. */
  readonly lateness: number;
  readonly terms: Readonly<Record<number, number>>;
}

export const REGIONS: Weights<Region> = { EMEA: 35, 'North America': 30, LATAM: 15, APAC: 20 };

export const COUNTRIES: Readonly<Record<string, CountryInfo>> = {
  DE: { region: 'EMEA', currency: 'EUR', weight: 30, lateness: -1, terms: { 30: 80, 45: 10, 60: 10 } },
  FR: { region: 'EMEA', currency: 'EUR', weight: 20, lateness: 6, terms: { 30: 50, 45: 25, 60: 25 } },
  GB: { region: 'EMEA', currency: 'GBP', weight: 22, lateness: 3, terms: { 30: 85, 45: 5, 60: 10 } },
  NL: { region: 'EMEA', currency: 'EUR', weight: 13, lateness: 0, terms: { 30: 85, 45: 10, 60: 5 } },
  IT: { region: 'EMEA', currency: 'EUR', weight: 15, lateness: 9, terms: { 30: 40, 60: 45, 45: 15 } },
  US: { region: 'North America', currency: 'USD', weight: 82, lateness: 2, terms: { 30: 85, 45: 8, 60: 7 } },
  CA: { region: 'North America', currency: 'USD', weight: 18, lateness: 2, terms: { 30: 85, 45: 10, 60: 5 } },
  BR: { region: 'LATAM', currency: 'USD', weight: 45, lateness: 6, terms: { 30: 70, 45: 15, 60: 15 } },
  MX: { region: 'LATAM', currency: 'USD', weight: 35, lateness: 5, terms: { 30: 75, 45: 15, 60: 10 } },
  CL: { region: 'LATAM', currency: 'USD', weight: 20, lateness: 4, terms: { 30: 75, 45: 15, 60: 10 } },
  JP: { region: 'APAC', currency: 'JPY', weight: 45, lateness: -1, terms: { 60: 60, 30: 30, 45: 10 } },
  SG: { region: 'APAC', currency: 'SGD', weight: 25, lateness: 2, terms: { 30: 85, 45: 10, 60: 5 } },
  AU: { region: 'APAC', currency: 'AUD', weight: 30, lateness: 3, terms: { 30: 85, 45: 10, 60: 5 } },
};
export const countryWeights = (region: Region): Weights<string> =>
  Object.fromEntries(
    Object.entries(COUNTRIES).flatMap(([k, c]) => (c.region === region ? [[k, c.weight]] : [])),
  );

/** USD per unit, around which the FX random walk moves; also used to price documents locally. */
export const FX_LEVEL: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 1.08,
  GBP: 1.27,
  JPY: 0.0068,
  SGD: 0.74,
  AUD: 0.66,
  CHF: 1.12,
  CAD: 0.73,
  CNY: 0.138,
  SEK: 0.095,
};

export const PRODUCT_LINES = [
  'Hardware',
  'Software Licences',
  'Services',
  'Spare Parts',
  'Subscriptions',
] as const;
export const SPARE_PARTS = 3;
export const SUBSCRIPTIONS = 4;

export interface LineInfo {
  /** Median invoice in USD for a mid-market customer, and lognormal sigma. */
  readonly median: number;
  readonly sigma: number;
  /** Extra days late on average. */
  readonly lateness: number;
  readonly disputeRate: number;
  readonly disputeReasons: Weights<string>;
  readonly shipped: boolean;
}

export const LINES: readonly LineInfo[] = [
  {
    median: 9000,
    sigma: 0.9,
    lateness: 0,
    disputeRate: 0.04,
    disputeReasons: { not_received: 35, quantity: 30, quality: 20, pricing: 15 },
    shipped: true,
  },
  {
    median: 14000,
    sigma: 1.0,
    lateness: 1,
    disputeRate: 0.03,
    disputeReasons: { pricing: 60, quantity: 30, quality: 10 },
    shipped: false,
  },
  {
    median: 5500,
    sigma: 0.8,
    lateness: 4,
    disputeRate: 0.1,
    disputeReasons: { quality: 45, pricing: 35, quantity: 20 },
    shipped: false,
  },
  {
    median: 900,
    sigma: 0.8,
    lateness: 1,
    disputeRate: 0.035,
    disputeReasons: { quantity: 35, not_received: 30, quality: 25, pricing: 10 },
    shipped: true,
  },
  {
    median: 1800,
    sigma: 0.6,
    lateness: -2,
    disputeRate: 0.015,
    disputeReasons: { pricing: 70, quantity: 30 },
    shipped: false,
  },
];

export const INDUSTRY_MIX: Readonly<Record<string, readonly number[]>> = {
  // Hardware, Software Licences, Services, Spare Parts, Subscriptions
  Manufacturing: [35, 10, 15, 35, 5],
  Retail: [25, 20, 15, 5, 35],
  Healthcare: [30, 15, 30, 5, 20],
  Construction: [35, 5, 20, 40, 0],
  Technology: [10, 35, 20, 0, 35],
  Logistics: [25, 10, 15, 30, 20],
  Energy: [25, 10, 30, 30, 5],
};
export const INDUSTRIES = Object.keys(INDUSTRY_MIX);

export type Segment = 'Enterprise' | 'Mid-market' | 'SMB';
export const SEGMENTS: Weights<Segment> = { Enterprise: 10, 'Mid-market': 30, SMB: 60 };
export const SEGMENT_SIZE: Readonly<Record<Segment, number>> = { Enterprise: 3, 'Mid-market': 1, SMB: 0.35 };
export const SEGMENT_VOLUME: Readonly<Record<Segment, number>> = { Enterprise: 8, 'Mid-market': 2.5, SMB: 1 };

export const SALESPEOPLE: Readonly<Record<string, readonly string[]>> = {
  EMEA: ['Anna Schmidt', 'Luca Romano', 'Claire Martin', 'James Whitfield', 'Pieter de Boer'],
  'North America': ['Michael Chen', 'Sarah Johnson', 'David Miller', 'Ashley Brooks'],
  LATAM: ['Carlos Mendoza', 'Fernanda Souza', 'Javier Ortega'],
  JP: ['佐藤 健', '鈴木 美咲'],
  APAC: ['Priya Nair', 'Oliver Grant'],
};
export const CONTROLLERS: Readonly<Record<string, readonly string[]>> = {
  EMEA: ['Katrin Vogel', 'Sophie Laurent'],
  'North America': ['Emily Carter', 'Marcus Reed'],
  LATAM: ['Lucía Fernández', 'Rafael Lima'],
  JP: ['山本 由美'],
  APAC: ['Daniel Tan'],
};

// The story's dates (see generate.ts).

/** LATAM customers pay later and later for invoices due in the last this-many days. */
export const LATAM_DRIFT_DAYS = 270;
/** …reaching about this many days beyond their usual delay at the as-of date. */
export const LATAM_DRIFT_MAX = 38;
/** The Spare Parts cohort gets into trouble about this many days before the as-of date. */
export const DISTRESS_BEFORE_AS_OF = 395;
