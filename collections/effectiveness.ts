/**
 * Is dunning working? For the letters written, per level and channel (and by region or controller),
 * the share of the dunned amount paid within 7, 14 and 30 days after the letter's date. An item
 * counts as paid when the warehouse says it was settled (marts.fct_invoices.settled_date) on or after
 * the letter's date and within the window; an item settled before the letter is left out. Letters
 * younger than a window are left out of that window's share (their outcome is not known yet), so
 * the shares are comparable across levels. The aggregation is pure; the reads are below it.
 */
import type { OpsStore } from '../ops/store.ts';
import type { Query } from '../warehouse/convert.ts';
import { authoriseRead, portfolioOf, type Who } from './access.ts';
import { fromMinor, toMinor } from './policy.ts';
import { daysBetween } from './proposal.ts';

export const WINDOWS = [7, 14, 30] as const;

export interface SentLetter {
  readonly level: number;
  readonly channel: string;
  readonly date: string;
  readonly region: string | null;
  readonly controller: string | null;
  readonly items: readonly { readonly itemId: string; readonly openAmount: string }[];
}

export interface EffectRow {
  readonly level: number;
  readonly channel: string;
  /** The region or controller the row is about ('' for all). */
  readonly by: string;
  readonly letters: number;
  readonly dunnedAmount: string;
  /** Share of the amount (of letters old enough) paid within 7, 14, 30 days; null when no letter is old enough. */
  readonly paidShare: readonly (number | null)[];
}

export function effectiveness(
  letters: readonly SentLetter[],
  settled: ReadonlyMap<string, string | null>,
  today: string,
  by: 'all' | 'region' | 'controller' = 'all',
): EffectRow[] {
  interface Acc {
    level: number;
    channel: string;
    by: string;
    letters: number;
    dunned: bigint;
    base: bigint[];
    paid: bigint[];
  }
  const acc = new Map<string, Acc>();
  for (const l of letters) {
    const who = by === 'region' ? (l.region ?? '') : by === 'controller' ? (l.controller ?? '') : '';
    const k = `${l.level}\u0000${l.channel}\u0000${who}`;
    let a = acc.get(k);
    if (!a) {
      a = {
        level: l.level,
        channel: l.channel,
        by: who,
        letters: 0,
        dunned: 0n,
        base: WINDOWS.map(() => 0n),
        paid: WINDOWS.map(() => 0n),
      };
      acc.set(k, a);
    }
    a.letters++;
    const age = daysBetween(l.date, today);
    for (const item of l.items) {
      const amount = toMinor(item.openAmount);
      if (amount <= 0n) continue;
      const s = settled.get(item.itemId) ?? null;
      if (s !== null && s < l.date) continue; // paid before the letter: not the letter's doing
      a.dunned += amount;
      WINDOWS.forEach((w, n) => {
        if (age < w) return;
        a.base[n]! += amount;
        if (s !== null && daysBetween(l.date, s) <= w) a.paid[n]! += amount;
      });
    }
  }
  return [...acc.values()]
    .sort(
      (x, y) =>
        x.level - y.level ||
        (x.channel < y.channel ? -1 : x.channel > y.channel ? 1 : 0) ||
        (x.by < y.by ? -1 : x.by > y.by ? 1 : 0),
    )
    .map((a) => ({
      level: a.level,
      channel: a.channel,
      by: a.by,
      letters: a.letters,
      dunnedAmount: fromMinor(a.dunned),
      paidShare: a.base.map((b, n) => (b === 0n ? null : Number((a.paid[n]! * 10_000n) / b) / 10_000)),
    }));
}

/** The letters written (sent or to print), with the region and controller of their run's customer. */
export function readSentLetters(store: OpsStore, who: Who): SentLetter[] {
  authoriseRead(who);
  const scope = portfolioOf(who);
  const rows = store.db
    .prepare(
      `SELECT l.level, l.channel, l.run_date, l.items, g.region, g.credit_controller
       FROM dunning_letters AS l
       LEFT JOIN dunning_run_customers AS g
         ON g.run_id = l.run_id AND g.customer_id = l.customer_id AND g.currency_code = l.currency_code
       WHERE l.status IN ('sent', 'to_print', 'printed') AND (? IS NULL OR g.credit_controller = ?)`,
    )
    .all(scope, scope) as {
    level: number;
    channel: string;
    run_date: string;
    items: string;
    region: string | null;
    credit_controller: string | null;
  }[];
  return rows.map((r) => ({
    level: r.level,
    channel: r.channel,
    date: r.run_date,
    region: r.region,
    controller: r.credit_controller,
    items: (
      JSON.parse(r.items) as { items: { itemId: string; itemType: string; openAmount: string }[] }
    ).items.filter((i) => i.itemType === 'invoice'),
  }));
}

/** When each invoice was settled (null: still open), from the warehouse. */
export async function readSettled(
  query: Query,
  invoiceIds: readonly string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (invoiceIds.length === 0) return out;
  const rows = await query(
    `SELECT invoice_id, CAST(settled_date AS VARCHAR) AS settled FROM marts.fct_invoices
     WHERE invoice_id IN (SELECT unnest(string_split(?, chr(31))))`,
    [invoiceIds.join('\u001f')],
  );
  for (const r of rows) out.set(String(r['invoice_id']), r['settled'] === null ? null : String(r['settled']));
  return out;
}
