/**
 * The warehouse engine of a config as the DuckDB-SQL jobs take it (warehouse/engine.ts): on
 * PostgreSQL with the BI door's hook, so a job that publishes tables (risk scores, the cash forecast)
 * re-applies the row-level security in its publish transaction, as a build does.
 */
import type { WarehouseEngine } from '../warehouse/engine.ts';
import type { PgSession } from '../warehouse/session.ts';
import type { Config } from './config.ts';

/**
 * Re-apply the BI door's row-level security to the published tables (docs/bi.md), once
 * `arlens bi setup` ran; a BI login never sees a republished table unprotected.
 */
export async function reapplyBiPolicies(session: PgSession): Promise<void> {
  const [bi] = await session.rows("SELECT to_regclass('bi.grants') IS NOT NULL AS on");
  if (bi?.['on'] !== true) return;
  const { applyBiPolicies } = await import('../bi/service.ts');
  const n = await applyBiPolicies(session);
  process.stderr.write(`BI row-level security applied to ${n} table(s)\n`);
}

/** The config's engine for a job that publishes with DuckDB SQL (DuckDB when a hand-built config names none). */
export function jobEngine(c: Config): WarehouseEngine {
  return c.engine?.kind === 'postgres' ? { ...c.engine, onPublish: reapplyBiPolicies } : { kind: 'duckdb' };
}
