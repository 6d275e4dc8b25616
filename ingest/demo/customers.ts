/**
 * The customers: drawn country by country with names in the country's style, a segment, an industry
 * and its product mix, a lateness profile and payment habits; then the Spare Parts cohort of the story,
 * the blocked, blacklisted and inactive accounts, and each customer's lateness and product weights.
 */
import type { SeededRandom } from '../../core/random.ts';
import type { Customer, PaymentMethod, Profile } from './model.ts';
import { HOSTILE_NAMES, makeName } from './names.ts';
import { docId } from './sink.ts';
import {
  CONTROLLERS,
  COUNTRIES,
  countryWeights,
  DISTRESS_BEFORE_AS_OF,
  FX_LEVEL,
  INDUSTRIES,
  INDUSTRY_MIX,
  REGIONS,
  SALESPEOPLE,
  SEGMENT_VOLUME,
  SEGMENTS,
  SPARE_PARTS,
  type CountryInfo,
  type Region,
  type Segment,
} from './world.ts';

/** Customers for a history of `invoices` (≈ invoices / 25, from 40 to 50,000), active in [start, asOf]. */
export function makeCustomers(rng: SeededRandom, invoices: number, start: number, asOf: number): Customer[] {
  const n = Math.min(50_000, Math.max(40, Math.round(invoices / 25)));
  const taken = new Set<string>();
  const customers: Customer[] = [];
  let hostile = 0;
  for (let i = 0; i < n; i++) {
    const c = newCustomer(rng, i, hostile, taken, start, asOf);
    if (c.hostile) hostile++;
    customers.push(c);
  }
  plantCohort(rng, customers, start, asOf);
  assignStatuses(rng, customers, start, asOf);
  for (const c of customers) settleHabits(rng, c, asOf);
  return customers;
}

/** The i-th customer; the first EMEA customers take the hostile names until they are used up. */
function newCustomer(
  rng: SeededRandom,
  i: number,
  hostileSoFar: number,
  taken: Set<string>,
  start: number,
  asOf: number,
): Customer {
  const region = rng.weighted(REGIONS);
  let country = rng.weighted(countryWeights(region));
  const hostile = region === 'EMEA' && hostileSoFar < HOSTILE_NAMES.length;
  if (hostile) country = hostileSoFar === 0 ? 'DE' : 'GB';
  const info = COUNTRIES[country] as CountryInfo;
  const name = hostile ? (HOSTILE_NAMES[hostileSoFar] as string) : makeName(rng, country, taken);
  taken.add(name);
  const segment = rng.weighted(SEGMENTS);
  const industry = rng.pick(INDUSTRIES);
  const primaryLine = rng.index(INDUSTRY_MIX[industry] as readonly number[]);
  const team = country === 'JP' ? 'JP' : region;
  const profile = hostile ? 'normal' : drawProfile(rng, country);
  const habits = paymentHabits(rng, region, country, segment);
  return {
    idx: i,
    id: docId('00', 100001 + i, 8),
    name,
    region,
    country,
    currency: info.currency,
    perUsd: 1 / (FX_LEVEL[info.currency] as number),
    segment,
    industry,
    salesperson: rng.pick(SALESPEOPLE[team] as readonly string[]),
    controller: rng.pick(CONTROLLERS[team] as readonly string[]),
    terms: rng.weightedNumber(info.terms),
    status: 'active',
    profile,
    baseLateness: 0,
    latenessSd: 3,
    lineCum: [],
    primaryLine,
    volume: SEGMENT_VOLUME[segment] * Math.exp(0.6 * rng.normal()),
    activeFrom: rng.chance(0.2) ? rng.intBetween(start, asOf - 120) : start,
    activeUntil: asOf,
    cohort: false,
    distressDay: 0,
    nonPayRate: 0,
    ...habits,
    reminders: rng.chance(0.45),
    hostile,
    open: 0,
    billedLastYear: 0,
    billedTotal: 0,
    batch: undefined,
  };
}

function drawProfile(rng: SeededRandom, country: string): Profile {
  return rng.weighted<Profile>(
    country === 'JP'
      ? { early: 25, normal: 68, late: 6, chronic: 1 }
      : { early: 15, normal: 62, late: 17, chronic: 6 },
  );
}

function paymentHabits(
  rng: SeededRandom,
  region: Region,
  country: string,
  segment: Segment,
): Pick<Customer, 'directDebit' | 'method' | 'paymentRun'> {
  const directDebit = (region === 'EMEA' || country === 'US') && rng.chance(0.35);
  const method: PaymentMethod =
    country === 'US'
      ? rng.weighted<PaymentMethod>({ bank_transfer: 55, check: 35, card: 10 })
      : segment === 'SMB' && rng.chance(0.08)
        ? 'card'
        : 'bank_transfer';
  const paymentRun =
    country === 'JP' && rng.chance(0.4) ? 7 : segment !== 'SMB' && rng.chance(0.1) ? rng.intBetween(1, 5) : 0;
  return { directDebit, method, paymentRun };
}

/** The story's Spare Parts cohort: Spare-Parts-heavy distributors in EMEA and LATAM who stop paying. */
function plantCohort(rng: SeededRandom, customers: Customer[], start: number, asOf: number): void {
  const cohortSize = Math.max(3, Math.round(0.012 * customers.length));
  const eligible = (c: Customer): boolean => (c.region === 'EMEA' || c.region === 'LATAM') && !c.hostile;
  const candidates = rng.shuffle(customers.filter((c) => eligible(c) && c.primaryLine === SPARE_PARTS));
  if (candidates.length < cohortSize) {
    const more = rng.shuffle(customers.filter((c) => eligible(c) && c.primaryLine !== SPARE_PARTS));
    candidates.push(...more.slice(0, cohortSize - candidates.length));
  }
  for (const c of candidates.slice(0, cohortSize)) {
    c.cohort = true;
    c.primaryLine = SPARE_PARTS;
    c.activeFrom = start;
    c.profile = rng.chance(0.5) ? 'late' : 'normal';
    c.distressDay = asOf - DISTRESS_BEFORE_AS_OF + rng.intBetween(-25, 25);
    c.activeUntil = c.distressDay + rng.intBetween(110, 210);
    c.segment = rng.chance(0.3) ? 'Enterprise' : 'Mid-market';
    c.volume = SEGMENT_VOLUME[c.segment] * rng.uniform(1, 1.6);
  }
}

/** Statuses: blacklisted and blocked are mostly the cohort and the chronic late payers. */
function assignStatuses(rng: SeededRandom, customers: Customer[], start: number, asOf: number): void {
  const n = customers.length;
  const blacklistTarget = Math.max(1, Math.round(0.005 * n));
  const blockTarget = Math.max(1, Math.round(0.02 * n));
  const inactiveTarget = Math.max(1, Math.round(0.02 * n));
  const cohort = customers.filter((c) => c.cohort);
  const chronic = rng.shuffle(customers.filter((c) => c.profile === 'chronic' && !c.cohort));
  const late = rng.shuffle(customers.filter((c) => c.profile === 'late' && !c.cohort && !c.hostile));
  const others = rng.shuffle(
    customers.filter((c) => !c.cohort && !c.hostile && (c.profile === 'normal' || c.profile === 'early')),
  );
  // Cohort and chronic payers alternate at the head of the list, then the merely late payers.
  const bad: Customer[] = [];
  for (let k = 0; k < Math.max(cohort.length, chronic.length); k++) {
    if (k < cohort.length) bad.push(cohort[k] as Customer);
    if (k < chronic.length) bad.push(chronic[k] as Customer);
  }
  bad.push(...late);
  let next = 0;
  for (let k = 0; k < blacklistTarget && next < bad.length; k++)
    (bad[next++] as Customer).status = 'blacklisted';
  for (let k = 0; k < blockTarget; k++) {
    // One in six blocked accounts is an ordinary customer blocked for another reason.
    if (k % 6 === 5 && others.length > 0) (others.pop() as Customer).status = 'blocked';
    else if (next < bad.length) (bad[next++] as Customer).status = 'blocked';
  }
  for (const c of cohort) if (c.status === 'active') c.status = 'blocked';
  for (let k = 0; k < inactiveTarget && others.length > 0; k++) {
    const c = others.pop() as Customer;
    c.status = 'inactive';
    c.activeUntil = rng.intBetween(Math.min(start + 180, asOf - 150), asOf - 150);
    if (c.activeFrom > c.activeUntil - 60) c.activeFrom = start;
  }
}

/** Lateness from the profile, the end of invoicing for accounts on credit hold, product-line weights. */
function settleHabits(rng: SeededRandom, c: Customer, asOf: number): void {
  const country = COUNTRIES[c.country] as CountryInfo;
  switch (c.profile) {
    case 'early':
      c.baseLateness = rng.uniform(-10, -1);
      c.latenessSd = 2;
      break;
    case 'normal':
      c.baseLateness = country.lateness + rng.uniform(-2, 3);
      c.latenessSd = 3;
      break;
    case 'late':
      c.baseLateness = country.lateness + rng.uniform(8, 20);
      c.latenessSd = 6;
      break;
    case 'chronic':
      c.baseLateness = rng.uniform(20, 60);
      c.latenessSd = 12;
      c.nonPayRate = c.status === 'active' ? 0.02 : 0.05;
      break;
  }
  if (!c.cohort && c.status !== 'active' && c.status !== 'inactive') {
    // Credit hold: no new invoices after the block date.
    const holdFrom =
      c.status === 'blacklisted'
        ? rng.intBetween(asOf - 500, asOf - 100)
        : rng.intBetween(asOf - 150, asOf - 10);
    c.activeUntil = Math.max(holdFrom, c.activeFrom + 60);
  }
  c.lineCum = lineCumulative(c);
}

/** Cumulative product-line weights: 60% the primary line, the rest by the industry mix (cohort: Spare Parts). */
function lineCumulative(c: Customer): number[] {
  const mix = (INDUSTRY_MIX[c.industry] as readonly number[]).map((w) => w + 2);
  const weights = mix.map((w, k) =>
    c.cohort
      ? k === SPARE_PARTS
        ? 96
        : 1
      : k === c.primaryLine
        ? 0.6 * 100
        : (0.4 * 100 * w) / sumExcept(mix, c.primaryLine),
  );
  let acc = 0;
  return weights.map((w) => (acc += w));
}

function sumExcept(xs: readonly number[], skip: number): number {
  let s = 0;
  xs.forEach((x, k) => {
    if (k !== skip) s += x;
  });
  return s;
}
