/**
 * The dashboard's door to the warehouse. The ARLens server (server/index.ts) owns the one
 * Serving (DuckDB or PostgreSQL) and hands it over under a Symbol key before it mounts the SvelteKit handler;
 * the getter throws when that did not happen (e.g. `vite dev` without the ARLens server).
 */
import type { Serving } from '../../../warehouse/serving.ts';

const KEY = Symbol.for('arlens.serving-warehouse');

export function provideWarehouse(warehouse: Serving): void {
  (globalThis as Record<symbol, unknown>)[KEY] = warehouse;
}

export function servingWarehouse(): Serving {
  const wh = (globalThis as Record<symbol, unknown>)[KEY] as Serving | undefined;
  if (!wh)
    throw new Error(
      'The dashboard runs inside the ARLens server: start it with `npm start` or `arlens serve`.',
    );
  return wh;
}

const CURRENCY_KEY = Symbol.for('arlens.reporting-currency');

/** The currency the marts report in (arlens.config.yaml `reporting_currency`), set by the server. */
export function provideReportingCurrency(currency: string): void {
  (globalThis as Record<symbol, unknown>)[CURRENCY_KEY] = currency;
}

export function reportingCurrency(): string {
  const c = (globalThis as Record<symbol, unknown>)[CURRENCY_KEY];
  return typeof c === 'string' ? c : 'USD';
}
