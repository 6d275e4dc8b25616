/**
 * The forecast's doors to the warehouse: compute and publish (a warehouse job), and read it back as
 * CSV from the published warehouse. `engine` (default DuckDB) says which engine holds it: on
 * PostgreSQL the same DuckDB SQL runs on a copy and the ml schema is published back (warehouse/engine.ts).
 */

/** Which engine holds the warehouse (default: the DuckDB files in the warehouse directory). */
export interface EngineOption {
  readonly engine?: WarehouseEngine;
}
import { queryRows, tableExists, connQuery } from '../warehouse/convert.ts';
import { withJobOn, withPublishedOn, type WarehouseEngine } from '../warehouse/engine.ts';
import { toCsv, type CsvColumn } from './csv.ts';
import type { TrainSettings } from './train.ts';
import {
  GRAINS,
  GROUPINGS,
  writeForecast,
  type ForecastOptions,
  type ForecastSummary,
  type Grain,
  type Grouping,
} from './forecast.server.ts';

export async function refreshForecast(
  warehouseDir: string,
  o: ForecastOptions & EngineOption = {},
): Promise<ForecastSummary> {
  return withJobOn(warehouseDir, o.engine, 'forecast', (conn) => writeForecast(conn, o), { writes: ['ml'] });
}

/**
 * What `npm start` calls: compute the forecast when the warehouse has none for its as-of date or the
 * marts were rebuilt since (with a backtest of up to 12 month-ends when none is stored). Returns a
 * line for the console; never throws for too little history (the forecast needs month-ends to learn
 * from: the message says so).
 */
export async function ensureForecast(
  warehouseDir: string,
  o: {
    log?: (s: string) => void;
    settings?: TrainSettings;
    backtestOrigins?: number;
    /** Called when there is work to do (the forecast is not current). */
    onStart?: () => void;
  } & EngineOption = {},
): Promise<string> {
  const state = await withPublishedOn(
    warehouseDir,
    o.engine,
    async (conn) => {
      const q = connQuery(conn);
      if (!(await tableExists(q, 'ml', 'cash_forecast_status'))) return { current: false, backtest: false };
      const built = (await tableExists(q, 'meta', 'manifest'))
        ? '(SELECT max(generated_at) FROM meta.manifest)'
        : 'NULL';
      const rows = await queryRows(
        conn,
        `SELECT s.as_of_date = a.as_of_date AS same_date,
         s.forecast_at >= coalesce(${built}, s.forecast_at) AS after_build
       FROM ml.cash_forecast_status AS s, intermediate.int_as_of AS a`,
      );
      const r = rows[0];
      return {
        current: r?.['same_date'] === true && r['after_build'] === true,
        backtest: await tableExists(q, 'ml', 'cash_forecast_evaluation'),
      };
    },
    {
      only: [
        'ml.cash_forecast_status',
        'ml.cash_forecast_evaluation',
        'meta.manifest',
        'intermediate.int_as_of',
      ],
    },
  );
  if (state.current) return 'the cash forecast is current';
  o.onStart?.();
  const s = await refreshForecast(warehouseDir, {
    ...(o.engine ? { engine: o.engine } : {}),
    backtestOrigins: state.backtest ? 0 : (o.backtestOrigins ?? 12),
    ...(o.settings ? { settings: o.settings } : {}),
    backtestAtMost: true,
    ...(o.log ? { log: o.log } : {}),
  });
  return (
    `forecast ${s.items} open items as of ${s.asOfDate} (${s.servedMethod} serves)` +
    (s.backtest ? `, backtested at ${s.backtest.origins.length} month-ends` : '')
  );
}

const NO_FORECAST = 'The warehouse has no cash forecast yet. Compute it with: arlens forecast';

const PERIOD_COLUMNS: CsvColumn[] = [
  { name: 'as_of_date', kind: 'date' },
  { name: 'grouping', kind: 'text' },
  { name: 'group_value', kind: 'text' },
  { name: 'grain', kind: 'text' },
  { name: 'period_start', kind: 'date' },
  { name: 'period_end', kind: 'date' },
  { name: 'expected_amount_rc', kind: 'money' },
  { name: 'low_amount_rc', kind: 'money' },
  { name: 'high_amount_rc', kind: 'money' },
  { name: 'document_currency', kind: 'text' },
  { name: 'expected_amount_doc', kind: 'money' },
  { name: 'low_amount_doc', kind: 'money' },
  { name: 'high_amount_doc', kind: 'money' },
];

/** Expected receipts and 80 % intervals per period of `grain` and group of `grouping`. */
export async function forecastCsv(
  warehouseDir: string,
  o: { grain: Grain; grouping: Grouping } & EngineOption,
): Promise<string> {
  if (!GRAINS.includes(o.grain))
    throw new Error(`unknown period ${String(o.grain)}: one of ${GRAINS.join(', ')}`);
  if (!GROUPINGS.includes(o.grouping)) {
    throw new Error(`unknown grouping ${String(o.grouping)}: one of ${GROUPINGS.join(', ')}`);
  }
  if (o.grouping === 'customer' && o.grain === 'day') {
    throw new Error('customer forecasts are by week or month (--by week|month)');
  }
  return withPublishedOn(
    warehouseDir,
    o.engine,
    async (conn) => {
      if (!(await tableExists(connQuery(conn), 'ml', 'cash_forecast_intervals')))
        throw new Error(NO_FORECAST);
      const rows = await queryRows(
        conn,
        `SELECT ${PERIOD_COLUMNS.map((c) => c.name).join(', ')} FROM ml.cash_forecast_intervals
       WHERE grouping = ? AND grain = ? ORDER BY group_value, period_start`,
        [o.grouping, o.grain],
      );
      return toCsv(PERIOD_COLUMNS, rows);
    },
    { only: ['ml.cash_forecast_intervals'] },
  );
}

const ITEM_COLUMNS: CsvColumn[] = [
  { name: 'as_of_date', kind: 'date' },
  { name: 'invoice_id', kind: 'text' },
  { name: 'customer_id', kind: 'text' },
  { name: 'customer_name', kind: 'text' },
  { name: 'region', kind: 'text' },
  { name: 'currency_code', kind: 'text' },
  { name: 'product_line', kind: 'text' },
  { name: 'due_date', kind: 'date' },
  { name: 'open_amount', kind: 'money' },
  { name: 'open_amount_rc', kind: 'money' },
  { name: 'expected_payment_date', kind: 'date' },
  { name: 'probability_paid_13w', kind: 'number' },
  { name: 'probability_never', kind: 'number' },
  { name: 'expected_amount_13w', kind: 'money' },
  { name: 'expected_amount_13w_rc', kind: 'money' },
  { name: 'method', kind: 'text' },
];

/** Every open item's expected payment date and amounts. */
export async function itemsCsv(warehouseDir: string, o: EngineOption = {}): Promise<string> {
  return withPublishedOn(
    warehouseDir,
    o.engine,
    async (conn) => {
      if (!(await tableExists(connQuery(conn), 'ml', 'cash_forecast_items'))) throw new Error(NO_FORECAST);
      const rows = await queryRows(
        conn,
        `SELECT ${ITEM_COLUMNS.map((c) =>
          c.kind === 'number' ? `CAST(round(${c.name}, 6) AS DOUBLE) AS ${c.name}` : c.name,
        ).join(', ')}
       FROM ml.cash_forecast_items
       ORDER BY invoice_id`,
      );
      return toCsv(ITEM_COLUMNS, rows);
    },
    { only: ['ml.cash_forecast_items'] },
  );
}
