import { servingWarehouse } from '$lib/server/warehouse';
import { quarantinedRows, warehouseStatus } from '../../server/status.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
  const wh = servingWarehouse();
  const query = wh.query.bind(wh);
  const [status, quarantine] = await Promise.all([warehouseStatus(query), quarantinedRows(query, 100)]);
  return { generation: wh.generation, status, quarantine };
};
