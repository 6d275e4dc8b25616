/**
 * Daily FX rates into the reporting currency: each currency's log rate to USD walks randomly on
 * business days, pulled back toward its level (FX_LEVEL); weekends repeat Friday's rate.
 */
import { isWeekend } from '../../core/calendar.ts';
import type { SeededRandom } from '../../core/random.ts';
import type { CsvSink } from './sink.ts';
import { FX_LEVEL } from './world.ts';

/** Rates from each of `currencies` (the reporting currency left out) to `reporting`, every day of [start, asOf]. */
export function writeFxRates(
  rng: SeededRandom,
  sink: CsvSink<'fx_rates'>,
  currencies: readonly string[],
  reporting: string,
  days: { readonly start: number; readonly asOf: number; readonly date: (day: number) => string },
): void {
  const from = currencies.filter((c) => c !== reporting);
  const walking = [...new Set([...from, reporting])].filter((c) => c !== 'USD').sort();
  const level = new Map(walking.map((c) => [c, Math.log(FX_LEVEL[c] as number)]));
  const x = new Map(walking.map((c) => [c, (level.get(c) as number) + 0.03 * rng.normal()]));
  const usd = (c: string): number => (c === 'USD' ? 1 : Math.exp(x.get(c) as number));
  for (let d = days.start; d <= days.asOf; d++) {
    if (!isWeekend(d)) {
      for (const c of walking) {
        const sd = c === 'JPY' ? 0.0055 : 0.0045;
        const cur = x.get(c) as number;
        x.set(c, cur + 0.004 * ((level.get(c) as number) - cur) + sd * rng.normal());
      }
    }
    const rateDate = days.date(d);
    for (const c of from) {
      const rate = Math.round((usd(c) / usd(reporting)) * 1e8) / 1e8;
      sink.row({ rate_date: rateDate, from_currency: c, to_currency: reporting, rate: rate.toFixed(8) });
    }
  }
}
