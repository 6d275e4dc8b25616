/**
 * Cube's driver for ARLens: every query runs on the server's ServingWarehouse (an in-memory DuckDB
 * with the published warehouse attached read-only), so Cube follows the atomic swap and never holds
 * a lock a job needs. Pre-aggregations (`external: false`) are written into the in-memory catalog
 * (`memory.prod_pre_aggregations`), never into the warehouse file.
 *
 * Values cross into Cube through warehouse/convert.ts (DECIMAL/BIGINT as strings, dates as Cube's
 * local timestamps), the one conversion boundary.
 */
import { createRequire } from 'node:module';
import type * as CubeBaseDriver from '@cubejs-backend/base-driver';
import type { TableStructure } from '@cubejs-backend/base-driver';
import type { ServingWarehouse } from '../warehouse/serving.ts';
import { queryRowsForCube } from '../warehouse/convert.ts';
import type { SqlParam } from '../warehouse/duckdb.ts';

const { BaseDriver } = createRequire(import.meta.url)('@cubejs-backend/base-driver') as typeof CubeBaseDriver;

export class ServingDriver extends BaseDriver {
  constructor(private readonly serving: ServingWarehouse) {
    super({});
  }

  static dialectClass(): unknown {
    return undefined;
  }

  async testConnection(): Promise<void> {
    await this.serving.query('SELECT 1');
  }

  query<R = unknown>(sql: string, values: unknown[] = []): Promise<R[]> {
    return this.serving.withConnection(
      (conn) => queryRowsForCube(conn, sql, values as SqlParam[]) as Promise<R[]>,
    );
  }

  override readOnly(): boolean {
    return false;
  }

  override async release(): Promise<void> {
    // The ServingWarehouse belongs to the server, which closes it.
  }

  private schemas = new Map<string, Promise<void>>();

  /**
   * Once per schema, in the in-memory catalog. Concurrent rollup builds all ask for it; two
   * concurrent CREATE SCHEMA statements conflict in DuckDB's catalog, so the first call's promise
   * is shared.
   */
  override createSchemaIfNotExists(schemaName: string): Promise<void> {
    let created = this.schemas.get(schemaName);
    if (!created) {
      created = this.query(`CREATE SCHEMA IF NOT EXISTS memory.${this.quoteIdentifier(schemaName)}`).then(
        () => undefined,
      );
      created.catch(() => this.schemas.delete(schemaName));
      this.schemas.set(schemaName, created);
    }
    return created;
  }

  /** Only the in-memory catalog's own tables (the stock query also lists the attached warehouse). */
  override getTablesQuery(schemaName: string): Promise<{ table_name?: string; TABLE_NAME?: string }[]> {
    return this.query(
      `SELECT table_name FROM information_schema.tables
       WHERE table_catalog = current_database() AND table_schema = ? AND table_type = 'BASE TABLE'`,
      [schemaName],
    );
  }

  override async tableColumnTypes(table: string): Promise<TableStructure> {
    const [schema, name] = table.split('.');
    const columns = await this.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?
       ORDER BY ordinal_position`,
      [schema ?? '', name ?? ''],
    );
    return columns.map((c) => ({ name: c.column_name, type: this.toGenericType(c.data_type) }));
  }
}
