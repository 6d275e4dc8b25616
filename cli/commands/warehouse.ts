/**
 * `arlens warehouse ddl [--citus]`: the built warehouse's tables as PostgreSQL DDL, with their Citus
 * distribution (docs/scale-out.md), for a DBA who prepares a server or a Citus cluster.
 */
import { promises as fs } from 'node:fs';
import type { Command } from 'commander';
import { connQuery } from '../../warehouse/convert.ts';
import { readShapes, renderDdl } from '../../warehouse/pg-ddl.ts';
import { warehouseExists, withPublished } from '../../warehouse/store.ts';
import type { Context } from '../context.ts';

export function registerWarehouse(program: Command, ctx: Context): void {
  const warehouse = program
    .command('warehouse')
    .description('The warehouse on a server engine: DDL for PostgreSQL and Citus');
  warehouse
    .command('ddl')
    .description("Print the warehouse's tables as PostgreSQL DDL (from the built warehouse)")
    .option(
      '--citus',
      'add the Citus layout: distributed by customer_id, co-located; reference tables',
      false,
    )
    .option('-o, --out <file>', 'write to a file instead of printing')
    .action(async (o: { citus: boolean; out?: string }) => {
      const c = await ctx.config();
      if (c.engine.kind === 'postgres') {
        throw new Error(
          'arlens warehouse ddl reads the tables of a built DuckDB warehouse (the layout to prepare a server or a ' +
            'Citus cluster from). This config already uses PostgreSQL: its tables exist (pg_dump --schema-only shows ' +
            'them); for the Citus layout, run it on a DuckDB build of the same exports.',
        );
      }
      if (!(await warehouseExists(c.warehouse))) {
        throw new Error(
          `No warehouse in ${c.warehouse}: run npx arlens build first (the DDL is read from its tables).`,
        );
      }
      const ddl = await withPublished(c.warehouse, async (conn) =>
        renderDdl(await readShapes(connQuery(conn)), o),
      );
      if (o.out) {
        await fs.writeFile(o.out, ddl, 'utf8');
        console.log(`Wrote ${o.out}.`);
      } else process.stdout.write(ddl);
    });
}
