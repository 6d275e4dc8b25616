/**
 * `npm run bench:forecast`: the cash forecast's backtest (docs/forecast.md). Demo data (seed 42,
 * 20,000 invoices, as of 2026-10-31; `--seed`, `--invoices`, `--as-of`, `--origins` to change) is
 * loaded and built; at the latest 12 month-ends whose 13 weeks the data has seen, the payment-timing
 * model and the three baselines are trained as they would have been then and compared with the cash
 * that came in. Prints the per-origin table and the metrics, and writes
 * tests/bench/results/forecast.json.
 *
 * Metrics: wape_4w_model (the hazard model; its baseline column is the best baseline's WAPE, the
 * target bounds the ratio at < 1), wape_4w_baseline_due_date, wape_4w_baseline_customer_delay,
 * wape_4w_baseline_bucket_rate, interval_coverage_80 (the model's 80 % intervals over every origin's
 * 13 weeks; target 0.8), plus bias and the serving method's figures.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { runBacktest } from '../../forecast/backtest.server.ts';
import { backtestTable } from '../../forecast/report.ts';
import { withPublished } from '../../warehouse/store.ts';
import { metric, writeResults } from './report.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    invoices: { type: 'string', default: '20000' },
    'as-of': { type: 'string', default: '2026-10-31' },
    origins: { type: 'string', default: '12' },
    warehouse: { type: 'string' },
  },
});

const dir = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-forecast-'));
try {
  let wh = values.warehouse;
  if (wh === undefined) {
    const exports = join(dir, 'exports');
    wh = join(dir, 'wh');
    await fs.mkdir(exports, { recursive: true });
    await generateDemo({
      seed: Number(values.seed),
      invoices: Number(values.invoices),
      asOf: values['as-of'],
      outDir: exports,
    });
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
  }
  const started = performance.now();
  const r = await withPublished(wh, (conn) =>
    runBacktest(conn, { count: Number(values.origins), log: (s) => console.log(s) }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`\n${backtestTable(r)}`);
  const bestBaseline = Math.min(r.wape4w.due_date, r.wape4w.customer_delay, r.wape4w.bucket_rate);
  const note = `demo seed ${values.seed}, ${values.invoices} invoices, as of ${r.asOf}, ${r.origins.length} month-ends ${r.origins[0]?.origin} … ${r.origins.at(-1)?.origin}`;
  await writeResults('forecast', [
    metric(
      'wape_4w_model',
      r.wape4w.hazard_logistic,
      'ratio',
      bestBaseline,
      1,
      `${note}; baseline = best baseline`,
    ),
    metric('wape_4w_baseline_due_date', r.wape4w.due_date, 'ratio'),
    metric('wape_4w_baseline_customer_delay', r.wape4w.customer_delay, 'ratio'),
    metric('wape_4w_baseline_bucket_rate', r.wape4w.bucket_rate, 'ratio'),
    metric(
      'interval_coverage_80',
      r.coverage80,
      'share',
      null,
      0.8,
      'the model’s 80 % intervals, weeks 1–13',
    ),
    metric('interval_coverage_80_first_4w', r.coverage80FirstFourWeeks, 'share', null, 0.8),
    metric('bias_4w_model', r.bias4w.hazard_logistic, 'ratio', null, null, '(forecast − actual) / actual'),
    metric('bias_4w_baseline_due_date', r.bias4w.due_date, 'ratio'),
    metric('bias_4w_baseline_customer_delay', r.bias4w.customer_delay, 'ratio'),
    metric('bias_4w_baseline_bucket_rate', r.bias4w.bucket_rate, 'ratio'),
    metric(
      'wape_4w_served',
      r.wape4wServed,
      'ratio',
      null,
      null,
      'the method chosen on validation at each month-end',
    ),
    metric('interval_coverage_80_served', r.coverage80Served, 'share', null, 0.8),
    metric(
      'backtest_seconds',
      seconds,
      's',
      null,
      null,
      'reading the month-ends, 2 fits and the simulations per origin',
    ),
  ]);
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
