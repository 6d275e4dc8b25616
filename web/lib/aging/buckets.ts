/**
 * Aging buckets as the build configured them (arlens.config.yaml `aging:`; the models' macros/aging.sql
 * names them 'current', '1-30', '180+' or, on the document-date basis, '0-30'). The dashboard never
 * hard-codes the ranges: it reads the configured list (intermediate.int_aging_buckets, through the
 * filter options) and the buckets in Cube's rows, and words them here. Pure.
 */
import { toMoney, toNumber, type CubeValue } from '../cube/values.ts';
import type { Translate } from '../i18n/messages.ts';

export type AgingBasis = 'due_date' | 'document_date';

/** One configured bucket (a row of int_aging_buckets). */
export interface AgingBucketDef {
  readonly order: number;
  readonly bucket: string;
}

export interface AgingConfig {
  readonly basis: AgingBasis;
  readonly buckets: readonly AgingBucketDef[];
}

type Parsed =
  | { readonly kind: 'current' }
  | { readonly kind: 'range'; readonly from: number; readonly to: number }
  | { readonly kind: 'over'; readonly days: number };

/** What a bucket's name says, or null for a name the models do not write. */
export function parseBucket(name: string): Parsed | null {
  if (name === 'current') return { kind: 'current' };
  const range = /^(\d{1,5})-(\d{1,5})$/.exec(name);
  if (range) return { kind: 'range', from: Number(range[1]), to: Number(range[2]) };
  const over = /^(\d{1,5})\+$/.exec(name);
  if (over) return { kind: 'over', days: Number(over[1]) };
  return null;
}

/** The bucket in the user's words ('1–30 days', '1～30日', 'Over 180 days'); an unknown name as is. */
export function bucketText(t: Translate, name: string): string {
  const p = parseBucket(name);
  if (!p) return name;
  if (p.kind === 'current') return t('aging.current');
  if (p.kind === 'range') return t('aging.range', { from: p.from, to: p.to });
  return t('aging.over', { days: p.days });
}

/** Not due is calm; overdue buckets warm from yellow to dark red with age, however many there are. */
const CURRENT = '#4f8a5b';
const RAMP = ['#c9b037', '#e08e2b', '#d2602a', '#b3361e', '#7a1f12'];

function mix(a: string, b: string, f: number): string {
  const c = (hex: string, i: number) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const part = (i: number) =>
    Math.round(c(a, i) + (c(b, i) - c(a, i)) * f)
      .toString(16)
      .padStart(2, '0');
  return `#${part(0)}${part(1)}${part(2)}`;
}

/** One colour per bucket, in the order given. */
export function bucketColours(names: readonly string[]): string[] {
  const aged = names.filter((n) => n !== 'current').length;
  let i = 0;
  return names.map((n) => {
    if (n === 'current') return CURRENT;
    const at = aged <= 1 ? RAMP.length - 1 : (i++ * (RAMP.length - 1)) / (aged - 1);
    const lo = Math.floor(at);
    return lo >= RAMP.length - 1 ? RAMP[RAMP.length - 1]! : mix(RAMP[lo]!, RAMP[lo + 1]!, at - lo);
  });
}

/** The bucket list to show: the configured one, plus any bucket Cube returned that it lacks, in order. */
export function bucketList(
  config: readonly AgingBucketDef[],
  rows: readonly Record<string, CubeValue>[],
  view: string,
): AgingBucketDef[] {
  const byName = new Map(config.map((d) => [d.bucket, d]));
  for (const r of rows) {
    const name = r[`${view}.aging_bucket`];
    if (name === null || name === undefined || byName.has(String(name))) continue;
    byName.set(String(name), {
      bucket: String(name),
      order: toNumber(r[`${view}.aging_bucket_order`]) ?? byName.size,
    });
  }
  return [...byName.values()].sort((a, b) => a.order - b.order);
}

export interface BucketAmount {
  readonly bucket: string;
  /** Reporting currency, exact; '0.00' for a bucket with nothing in it. */
  readonly amount: string;
}

/** Each bucket's amount from rows by bucket (one period), every bucket of the list present. */
export function bucketAmounts(
  config: readonly AgingBucketDef[],
  rows: readonly Record<string, CubeValue>[],
  view: string,
): BucketAmount[] {
  const amounts = new Map(
    rows.map((r) => [String(r[`${view}.aging_bucket`]), toMoney(r[`${view}.total_ar`])]),
  );
  return bucketList(config, rows, view).map((d) => ({
    bucket: d.bucket,
    amount: amounts.get(d.bucket) ?? '0.00',
  }));
}
