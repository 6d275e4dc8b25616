/** The customer page's credit standing (limit history, blacklist flag) from the operational store. */
import { creditHistory } from '$lib/credit/desk/history.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent, locals, params }) => {
  await parent();
  return { credit: await creditHistory(locals.user!, params.id) };
};
