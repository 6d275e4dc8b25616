/**
 * The PostgreSQL side of `arlens ingest` (plan §4). Reading, typing, per-row validation, quarantine
 * reasons and in-file duplicates run exactly as on DuckDB, in a DuckDB database of the job's own
 * (ingest/load.ts). What reads the ledger already loaded runs in PostgreSQL, on the job's connection
 * and inside its one transaction (files loaded earlier in the same run are visible, uncommitted):
 *
 * - the reference check: the unit's distinct foreign-key values go over (COPY), the missing ones come
 *   back and mark their rows bad in DuckDB;
 * - the payment-application ledger rules: the fresh rows go over, the same rule query runs in
 *   PostgreSQL, the (few) breaks come back and are quarantined in DuckDB as today;
 * - the upsert: the good rows go over into a temp table, then the same DELETE (changed rows) and
 *   INSERT … WHERE NOT EXISTS as on DuckDB, into `raw.<entity>`;
 * - meta.loads, meta.quarantine and meta.load_notes: written in DuckDB during the run, copied over
 *   at its end.
 *
 * COMMIT of the job's transaction is the publish; a failure or kill rolls everything back.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { CONTRACT, LOAD_ORDER, type EntityName, type EntitySpec } from './contract.ts';
import { metaTableDdl, rawTableDdl } from './schema.ts';
import { ident, Params } from '../warehouse/duckdb.ts';
import { copyQueryToPg } from '../warehouse/pg-copy.ts';
import { PgSession } from '../warehouse/session.ts';
import { worklistDdl } from '../warehouse/worklist-tables.ts';

/** Create what the ingest writes on PostgreSQL: raw, meta and worklist tables (idempotent). */
export async function ensurePgIngestSchema(session: PgSession): Promise<void> {
  await session.run('CREATE SCHEMA IF NOT EXISTS raw');
  await session.run('CREATE SCHEMA IF NOT EXISTS meta');
  for (const entity of LOAD_ORDER) await session.run(rawTableDdl(entity, 'postgres'));
  for (const sql of worklistDdl('postgres')) await session.run(sql);
  for (const sql of metaTableDdl('postgres')) await session.run(sql);
}

/** The meta tables a run writes, in column order (their DDL is the same on both engines). */
const META_TABLES = ['loads', 'quarantine', 'load_notes'] as const;

/**
 * The DuckDB temp table of the keys a reference column's values found in PostgreSQL (column `key` of
 * the parent's key name): what the quarantine detail query joins instead of raw.<parent>, which the
 * job's DuckDB does not hold.
 */
export function knownKeysTable(column: string): string {
  return ident(`_known_${column}`);
}

export class PgIngest {
  constructor(readonly session: PgSession) {}

  /**
   * Mark the rows of `_v` bad whose `column` names no `key` in `table` (raw.<parent>) on PostgreSQL,
   * as load.ts's DuckDB `NOT EXISTS` check does. Only the unit's distinct values cross the wire.
   */
  async markMissingReferences(
    conn: DuckDBConnection,
    ref: { column: string; table: string; key: string },
  ): Promise<void> {
    const s = this.session;
    await s.run('DROP TABLE IF EXISTS pg_temp._ref');
    await s.run('CREATE TEMP TABLE _ref (v VARCHAR COLLATE "C")');
    await copyQueryToPg(
      conn,
      `SELECT DISTINCT ${ident(ref.column)} FROM _v WHERE ${ident(ref.column)} IS NOT NULL`,
      [],
      s,
      '_ref',
      ['v'],
    );
    const missing = await s.rows(
      `SELECT v FROM _ref AS r WHERE NOT EXISTS (SELECT 1 FROM ${ref.table} t WHERE t.${ident(ref.key)} = r.v)`,
    );
    await s.run('DROP TABLE _ref');
    await conn.run('CREATE OR REPLACE TEMP TABLE _missing (v VARCHAR)');
    const values = missing.map((r) => String(r['v']));
    for (let at = 0; at < values.length; at += 1000) {
      const p = new Params();
      const chunk = values.slice(at, at + 1000).map((v) => `(${p.add(v)})`);
      await conn.run(`INSERT INTO _missing VALUES ${chunk.join(', ')}`, p.values as DuckDBValue[]);
    }
    const col = ident(ref.column);
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${knownKeysTable(ref.column)} AS
      SELECT DISTINCT ${col} AS ${ident(ref.key)} FROM _v
      WHERE ${col} IS NOT NULL AND ${col} NOT IN (SELECT v FROM _missing)`);
    if (missing.length > 0) {
      await conn.run(
        `UPDATE _v SET _bad = TRUE WHERE ${col} IS NOT NULL AND ${col} IN (SELECT v FROM _missing)`,
      );
    }
    await conn.run('DROP TABLE _missing');
  }

  /**
   * The ledger rules on PostgreSQL: `rulesSql(fresh)` (load.ts's query) runs over the unit's fresh
   * rows, COPYed to a temp table; its rows land in DuckDB's temp `_ledger`, as the DuckDB path leaves them.
   */
  async ledgerBreaks(conn: DuckDBConnection, rulesSql: (fresh: string) => string): Promise<void> {
    const s = this.session;
    await s.run('DROP TABLE IF EXISTS pg_temp._fresh');
    await s.run(`CREATE TEMP TABLE _fresh AS
      SELECT _source_row AS _row, receipt_id, invoice_id, applied_date, applied_amount
      FROM raw.payment_applications WITH NO DATA`);
    await copyQueryToPg(
      conn,
      'SELECT _row, receipt_id, invoice_id, applied_date, applied_amount FROM _v WHERE NOT _bad',
      [],
      s,
      '_fresh',
      ['_row', 'receipt_id', 'invoice_id', 'applied_date', 'applied_amount'],
    );
    await s.run('ANALYZE _fresh');
    const breaks = await s.rows(rulesSql('SELECT * FROM _fresh'));
    await s.run('DROP TABLE _fresh');
    await conn.run(`CREATE OR REPLACE TEMP TABLE _ledger
      (_row BIGINT, column_name VARCHAR, code VARCHAR, reason VARCHAR, value VARCHAR)`);
    for (let at = 0; at < breaks.length; at += 500) {
      const p = new Params();
      const rows = breaks.slice(at, at + 500).map((r) => {
        const text = [r['column_name'], r['code'], r['reason'], r['value']].map((v) =>
          v === null || v === undefined ? 'NULL' : p.add(String(v)),
        );
        return `(CAST(${p.add(String(r['_row']))} AS BIGINT), ${text.join(', ')})`;
      });
      await conn.run(`INSERT INTO _ledger VALUES ${rows.join(', ')}`, p.values as DuckDBValue[]);
    }
  }

  /**
   * Upsert the unit's good rows (`good`: a DuckDB query of the entity's fields then `_row`) into
   * raw.<entity> on PostgreSQL: changed rows replaced, new keys inserted, equal rows kept.
   */
  async upsert(
    conn: DuckDBConnection,
    entity: EntityName,
    good: string,
    loadId: string,
  ): Promise<{ inserted: number; updated: number }> {
    const s = this.session;
    const spec: EntitySpec = CONTRACT[entity];
    const table = `raw.${ident(entity)}`;
    const names = spec.fields.map((f) => f.name);
    const fields = names.map(ident);
    const keyMatch = spec.key.map((k) => `t.${ident(k)} = o.${ident(k)}`).join(' AND ');
    await s.run('DROP TABLE IF EXISTS pg_temp._good');
    await s.run(
      `CREATE TEMP TABLE _good AS SELECT ${fields.join(', ')}, _source_row AS _row FROM ${table} WITH NO DATA`,
    );
    await copyQueryToPg(conn, good, [], s, '_good', [...names, '_row']);
    await s.run('ANALYZE _good');
    const differs = spec.fields
      .filter((f) => !spec.key.includes(f.name))
      .map((f) => `o.${ident(f.name)} IS DISTINCT FROM t.${ident(f.name)}`)
      .join(' OR ');
    const updated = await s.run(
      `DELETE FROM ${table} AS t USING _good AS o WHERE ${keyMatch} AND (${differs || 'FALSE'})`,
    );
    const written = await s.run(
      `INSERT INTO ${table} (${fields.join(', ')}, _load_id, _source_row)
       SELECT ${fields.map((f) => `o.${f}`).join(', ')}, $1, o._row FROM _good AS o
       WHERE NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE ${keyMatch})`,
      [loadId],
    );
    await s.run('DROP TABLE _good');
    await s.run(`ANALYZE ${table}`);
    return { inserted: written - updated, updated };
  }

  /** Copy what the run wrote to the job's DuckDB meta tables into PostgreSQL's. */
  async publishMeta(conn: DuckDBConnection): Promise<void> {
    for (const table of META_TABLES) {
      const cols = (
        await conn.runAndReadAll(
          `SELECT column_name FROM information_schema.columns
           WHERE table_schema = 'meta' AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        )
      )
        .getRows()
        .map(([c]) => String(c));
      await copyQueryToPg(
        conn,
        `SELECT ${cols.map(ident).join(', ')} FROM meta.${ident(table)}`,
        [],
        this.session,
        `meta.${ident(table)}`,
        cols,
      );
    }
  }
}

/** sha256|profile|entity|options of every load recorded on PostgreSQL, and the file sizes. */
export async function pgLoadedFiles(url: string): Promise<{
  rows: { sha: string; profile: string; entity: string; bytes: number; options: string | null }[];
}> {
  const session = await PgSession.connect(url, { applicationName: 'arlens ingest plan' });
  try {
    const [exists] = await session.rows("SELECT to_regclass('meta.loads') IS NOT NULL AS ok");
    if (exists?.['ok'] !== true) return { rows: [] };
    const rows = await session.rows(
      'SELECT DISTINCT file_sha256, profile, entity, file_bytes, load_options FROM meta.loads',
    );
    return {
      rows: rows.map((r) => ({
        sha: String(r['file_sha256']),
        profile: String(r['profile']),
        entity: String(r['entity']),
        bytes: Number(r['file_bytes']),
        options: r['load_options'] === null ? null : String(r['load_options']),
      })),
    };
  } finally {
    await session.close();
  }
}
