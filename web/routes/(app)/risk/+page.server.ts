import { modelReport } from '../../../../ml/evaluations.ts';
import { servingWarehouse } from '$lib/server/warehouse';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
  // The layout checks the role first.
  await parent();
  const wh = servingWarehouse();
  return { report: wh.generation === 0 ? null : await modelReport(wh.query.bind(wh)) };
};
