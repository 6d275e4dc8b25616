/**
 * `arlens forecast`: the cash-collection forecast (docs/forecast.md). Computes it at the warehouse's
 * as-of date in a warehouse job (the tables ml.cash_forecast_* are published atomically, like the
 * risk scores) and writes CSV: expected receipts with their 80 % interval per period and group, or
 * each open item's expected payment date (--items).
 */
import { promises as fs } from 'node:fs';
import { Option, type Command } from 'commander';
import { type Config } from '../config.ts';
import { jobEngine } from '../engine.ts';

const count = (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isInteger(n) || String(n) !== v.trim() || n < 0 || n > 60) {
    throw new Error(`expected a whole number of month-ends from 0 to 60, got ${v}`);
  }
  return n;
};

export function registerForecast(program: Command, config: () => Promise<Config>): void {
  program
    .command('forecast')
    .description(
      'Forecast cash receipts from the open items for the next 13 weeks (payment-timing model, docs/forecast.md), ' +
        'store it in the warehouse (ml.cash_forecast_*) and write it as CSV.',
    )
    .addOption(
      new Option('--by <grain>', 'period of each row').choices(['day', 'week', 'month']).default('week'),
    )
    .addOption(
      new Option('--group <grouping>', 'rows per group')
        .choices(['total', 'region', 'currency', 'product_line', 'customer'])
        .default('total'),
    )
    .option('--items', 'one row per open item: its expected payment date and amounts (instead of periods)')
    .option(
      '--backtest <month-ends>',
      'also backtest at this many past month-ends and store it (0–60)',
      count,
    )
    .option('--no-refresh', 'write the stored forecast without computing it again')
    .option('--out <file>', 'write the CSV to this file (default: standard output)')
    .action(
      async (o: {
        by: string;
        group: string;
        items?: boolean;
        backtest?: number;
        refresh: boolean;
        out?: string;
      }) => {
        const c = await config();
        const engine = jobEngine(c);
        const { refreshForecast, forecastCsv, itemsCsv } = await import('../../forecast/store.server.ts');
        if (o.refresh) {
          const s = await refreshForecast(c.warehouse, {
            engine,
            backtestOrigins: o.backtest ?? 0,
            log: (m) => process.stderr.write(`${m}\n`),
          });
          process.stderr.write(
            `forecast as of ${s.asOfDate}: ${s.items} open items, ${s.servedMethod} serves, ${s.seconds.toFixed(1)} s\n`,
          );
          if (s.backtest) {
            const { backtestTable } = await import('../../forecast/report.ts');
            process.stderr.write(`${backtestTable(s.backtest)}\n`);
          }
        } else if (o.backtest !== undefined) {
          throw new Error('--backtest needs the forecast to be computed (leave out --no-refresh)');
        }
        const csv = o.items
          ? await itemsCsv(c.warehouse, { engine })
          : await forecastCsv(c.warehouse, { grain: o.by as 'week', grouping: o.group as 'total', engine });
        if (o.out) await fs.writeFile(o.out, csv, 'utf8');
        else process.stdout.write(csv);
      },
    );
}
