import { servingWarehouse } from '$lib/server/warehouse';
import { quarantinedRows, warehouseStatus } from '../../../../ingest/status.ts';
import { latestBuild, modelLineage } from '../../../../models/runner/run-log.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
  // The layout checks the role first: nothing is read for a role that may not see it.
  await parent();
  const wh = servingWarehouse();
  const query = wh.query.bind(wh);
  const [status, quarantine, build, lineage] = await Promise.all([
    warehouseStatus(query),
    quarantinedRows(query, 100),
    latestBuild(query),
    modelLineage(query),
  ]);
  return { status, quarantine, build, lineage };
};
