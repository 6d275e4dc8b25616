/**
 * Whether a warehouse holds the generated demo data set and nothing else. The dashboard offers its
 * demo sign-in (pick any role, any region) only then: `arlens start` with no configured sources
 * generates the demo exports, loads them and passes `demo: true` to the server when every load in
 * the warehouse came from those exports. Configured sources, `arlens serve` on a user's warehouse,
 * or a demo warehouse someone also loaded their own files into: no demo sign-in; signing in then
 * takes an API token (`npx arlens token`).
 */
import { resolve, sep } from 'node:path';
import { connQuery, tableExists, type Query } from '../warehouse/convert.ts';
import { withPublished } from '../warehouse/store.ts';

/** Whether every load of the warehouse `query` reads (either engine) came from `demoExportsDir`. */
export async function onlyDemoLoadsIn(query: Query, demoExportsDir: string): Promise<boolean> {
  const prefix = resolve(demoExportsDir) + sep;
  if (!(await tableExists(query, 'meta', 'loads'))) return false;
  const [row] = await query(
    `SELECT count(*) AS loads, count(*) FILTER (WHERE NOT starts_with(file_path, $1)) AS others
     FROM meta.loads`,
    [prefix],
  );
  return Number(row?.['loads']) > 0 && Number(row?.['others']) === 0;
}

/** onlyDemoLoadsIn on a published DuckDB warehouse. */
export async function onlyDemoLoads(warehouseDir: string, demoExportsDir: string): Promise<boolean> {
  return withPublished(warehouseDir, (conn) => onlyDemoLoadsIn(connQuery(conn), demoExportsDir));
}
