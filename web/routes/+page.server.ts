import { servingWarehouse } from '$lib/server/warehouse';
import { quarantinedRows, warehouseStatus } from '../../server/status.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
  const wh = servingWarehouse();
  const [status, quarantine] = await Promise.all([warehouseStatus(wh), quarantinedRows(wh, 100)]);
  return { status, quarantine };
};
