/**
 * The collections page's model: the summary per dunning level, the worklist rows with their last
 * activity and next action, in priority order, and the worklist's words. Pure.
 */
import { activityStates, parseActivity, type Activity } from '../activities/activity.ts';
import { toBoolean, toDate, toMoney, toNumber, toText, type CubeRow } from '../cube/values.ts';
import {
  DUNNING_DAYS,
  dunningLevel,
  WORK_LEVELS,
  type DunningLevel,
  type WorkLevel,
} from '../dunning/dunning.ts';
import type { Translate } from '../i18n/messages.ts';
import type { PageInfo } from '../ui/paging.ts';
import { nextAction, type NextAction } from './next-action.ts';

const V = 'collections';

export interface LevelTile {
  readonly level: WorkLevel;
  readonly count: number;
  /** Exact decimal string, reporting currency. */
  readonly amount: string;
  readonly disputed: string;
}

export interface LevelSummary {
  /** Levels 4, 3, 2, 1 (a level without invoices has count 0). */
  readonly levels: readonly LevelTile[];
  readonly count: number;
  /** Sum of the levels' amounts (exact: cents added as integers). */
  readonly amount: string;
}

/** Adds exact decimal strings ('12.30' + '0.7' → '13.00'), two decimals. */
export function addMoney(values: readonly (string | null)[]): string {
  let cents = 0n;
  for (const v of values) {
    if (v === null) continue;
    const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(v.trim());
    if (!m) throw new Error(`not a money amount: ${v}`);
    const frac = `${m[3] ?? ''}00`.slice(0, 2);
    const rest = (m[3] ?? '').slice(2);
    if (/[1-9]/.test(rest)) throw new Error(`more than two decimals: ${v}`);
    const c = BigInt(m[2]!) * 100n + BigInt(frac);
    cents += m[1] ? -c : c;
  }
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

export function levelSummary(rows: readonly CubeRow[]): LevelSummary {
  const by = new Map<number, CubeRow>();
  for (const r of rows) {
    const level = toNumber(r[`${V}.dunning_level`]);
    if (level !== null) by.set(level, r);
  }
  const levels = WORK_LEVELS.map((level): LevelTile => {
    const r = by.get(level);
    return {
      level,
      count: toNumber(r?.[`${V}.count`]) ?? 0,
      amount: toMoney(r?.[`${V}.open_amount`]) ?? '0.00',
      disputed: toMoney(r?.[`${V}.disputed_amount`]) ?? '0.00',
    };
  });
  return {
    levels,
    count: levels.reduce((n, l) => n + l.count, 0),
    amount: addMoney(levels.map((l) => l.amount)),
  };
}

export interface WorklistItem {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly customerName: string;
  readonly owner: string | null;
  readonly status: string | null;
  readonly isCreditBlocked: boolean;
  readonly dueDate: string | null;
  readonly daysPastDue: number;
  readonly level: DunningLevel;
  readonly hasOpenDispute: boolean;
  /** Reporting currency, exact; null: unknown (the currency has no FX rate at the as-of date). */
  readonly openAmount: string | null;
  /** Document currency, exact. */
  readonly openAmountDocument: string | null;
  readonly currency: string | null;
  readonly riskBand: string | null;
  readonly lastActivity: Activity | null;
  readonly nextAction: NextAction;
}

/** Priority: dunning level (highest first), then open amount (largest first), then invoice number. */
export function byPriority(a: WorklistItem, b: WorklistItem): number {
  return (
    b.level - a.level ||
    (toNumber(b.openAmount) ?? 0) - (toNumber(a.openAmount) ?? 0) ||
    (a.invoiceId < b.invoiceId ? -1 : a.invoiceId > b.invoiceId ? 1 : 0)
  );
}

/**
 * Worklist rows from the collections rows and the collection_log rows about them. `blacklisted`: the
 * customers on ARLens's blacklist (two-person rule), flagged and credit-blocked like the ERP's own.
 */
export function worklistItems(
  invoiceRows: readonly CubeRow[],
  activityRows: readonly CubeRow[],
  asOf: string,
  blacklisted: ReadonlySet<string> = new Set(),
): WorklistItem[] {
  const base = invoiceRows.map((r) => {
    const customerId = String(r[`${V}.customer_id`]);
    const listed = blacklisted.has(customerId);
    return {
      invoiceId: String(r[`${V}.invoice_id`]),
      customerId,
      customerName: toText(r[`${V}.customer_name`]) ?? customerId,
      owner: toText(r[`${V}.credit_controller`]),
      status: listed ? 'blacklisted' : toText(r[`${V}.status`]),
      isCreditBlocked: listed || toBoolean(r[`${V}.is_credit_blocked`]),
      dueDate: toDate(r[`${V}.due_date`]),
      daysPastDue: toNumber(r[`${V}.days_past_due`]) ?? 0,
      level: dunningLevel(toNumber(r[`${V}.dunning_level`])) ?? 0,
      hasOpenDispute: toBoolean(r[`${V}.has_open_dispute`]),
      openAmount: toMoney(r[`${V}.open_amount`]),
      openAmountDocument: toMoney(r[`${V}.open_amount_document`]),
      currency: toText(r[`${V}.currency`]),
      riskBand: toText(r[`${V}.risk_band`]),
    };
  });
  const states = activityStates(activityRows.map(parseActivity), base);
  return base
    .map((b): WorklistItem => {
      const history = states.get(b.invoiceId) ?? { last: null, latestPromise: null };
      return {
        ...b,
        lastActivity: history.last,
        nextAction: nextAction({
          dunningLevel: b.level,
          daysPastDue: b.daysPastDue,
          hasOpenDispute: b.hasOpenDispute,
          isCreditBlocked: b.isCreditBlocked,
          history,
          asOf,
        }),
      };
    })
    .sort(byPriority);
}

/** Invoices in a tab (one level, or all levels when null), from the summary. */
export function levelCount(summary: LevelSummary, level: WorkLevel | null): number {
  if (level === null) return summary.count;
  return summary.levels.find((l) => l.level === level)?.count ?? 0;
}

/** The worklist's heading: all levels, or the level open. */
export function worklistTitle(t: Translate, level: WorkLevel | null): string {
  const tab = level === null ? t('collections.all') : t('collections.levelN', { level });
  return `${t('collections.worklist')} · ${tab}`;
}

/** What an empty worklist says: nothing to chase at all, past the end, or nothing at this level. */
export function worklistEmptyText(t: Translate, summary: LevelSummary, page: number, total: number): string {
  if (summary.count === 0) return t('collections.empty', { days: DUNNING_DAYS.reminderBeforeDue });
  return page > 1 && total > 0 ? t('pager.pastEnd') : t('collections.emptyLevel');
}

/** "1–50 of 320 invoices" under the worklist. */
export function worklistPagerSummary(t: Translate, info: PageInfo): string {
  if (info.first === 0) return '';
  return info.total === 1
    ? t('collections.invoicesOne')
    : t('collections.showing', { first: info.first, last: info.last, total: info.total });
}
