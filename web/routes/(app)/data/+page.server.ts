import { dataStatus } from '$lib/server/data-status';
import { servingWarehouse } from '$lib/server/warehouse';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
  // The layout checks the role first: nothing is read for a role that may not see it.
  await parent();
  const wh = servingWarehouse();
  return { status: await dataStatus(wh.query.bind(wh)) };
};
