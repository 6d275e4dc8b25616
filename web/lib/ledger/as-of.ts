/**
 * The as-of date every mart describes (intermediate.int_as_of: the date and where it came from), in
 * words for the header of every page. Pure.
 */
import { businessDate } from '../format/format.ts';
import { labelOr, type Translate } from '../i18n/messages.ts';

export interface AsOf {
  /** 'YYYY-MM-DD', a business date. */
  readonly date: string;
  /** 'set' (a flag, var or config), 'last document date' or 'today (no documents)', as the build wrote it. */
  readonly source: string;
}

/** "As of Jun 30, 2026 (last document date)" / "2026年6月30日 時点（最終伝票日）". */
export function asOfText(t: Translate, locale: string, asOf: AsOf): string {
  return t('asOf.label', {
    date: businessDate(asOf.date, locale),
    source: labelOr(t, 'asOf.source.', asOf.source),
  });
}
