/**
 * Whether a warehouse holds the generated demo data set and nothing else. The dashboard offers its
 * demo sign-in (pick any role, any region) only then: `arlens start` with no configured sources
 * generates the demo exports, loads them and passes `demo: true` to the server when every load in
 * the warehouse came from those exports. Configured sources, `arlens serve` on a user's warehouse,
 * or a demo warehouse someone also loaded their own files into: no demo sign-in; signing in then
 * takes an API token (`npx arlens token`).
 */
import { resolve, sep } from 'node:path';
import { connQuery, queryRows, tableExists } from '../warehouse/convert.ts';
import { withPublished } from '../warehouse/store.ts';

export async function onlyDemoLoads(warehouseDir: string, demoExportsDir: string): Promise<boolean> {
  const prefix = resolve(demoExportsDir) + sep;
  return withPublished(warehouseDir, async (conn) => {
    if (!(await tableExists(connQuery(conn), 'meta', 'loads'))) return false;
    const [row] = await queryRows(
      conn,
      `SELECT count(*) AS loads, count(*) FILTER (WHERE NOT starts_with(file_path, $1)) AS others
       FROM meta.loads`,
      [prefix],
    );
    return Number(row?.['loads']) > 0 && Number(row?.['others']) === 0;
  });
}
