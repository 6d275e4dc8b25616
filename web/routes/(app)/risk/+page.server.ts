import { modelReport } from '$lib/server/model-report';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
  // The layout checks the role first.
  await parent();
  return { report: await modelReport() };
};
