/** Text tables of a backtest (the bench and `arlens forecast --backtest` print them). Pure. */
import type { BacktestResult } from './backtest.server.ts';
import { METHODS } from './train.ts';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');
const k = (x: number) => (x / 1000).toFixed(0);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Per origin: cash in weeks 1–4 and each method's forecast (thousands, reporting currency); then WAPE and bias. */
export function backtestTable(r: BacktestResult): string {
  const sum4 = (xs: readonly number[]) => xs.slice(0, 4).reduce((a, b) => a + b, 0);
  const perOrigin = table(
    ['origin', 'items', 'actual 4w', ...METHODS, 'serves', 'rho', 'in 80 % (13 w)'],
    r.origins.map((o) => [
      o.origin,
      String(o.items),
      k(sum4(o.actual)),
      ...METHODS.map((m) => k(sum4(o.forecast[m]))),
      o.served,
      String(o.rho),
      `${o.actual.filter((a, i) => a >= (o.modelLow[i] as number) && a <= (o.modelHigh[i] as number)).length}/13`,
    ]),
  );
  const summary = table(
    ['method', 'WAPE 4w (weekly)', 'bias 4w'],
    METHODS.map((m) => [m, pct(r.wape4w[m]), pct(r.bias4w[m])]),
  );
  return (
    `${perOrigin}\n\n${summary}\n\nserved (chosen on validation): WAPE 4w ${pct(r.wape4wServed)}; ` +
    `80 % interval coverage: model ${pct(r.coverage80)} (weeks 1–4: ${pct(r.coverage80FirstFourWeeks)}), served ${pct(r.coverage80Served)}`
  );
}
