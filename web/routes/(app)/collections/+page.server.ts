/** The Collections page's orders on credit hold, for the customers the user sees. */
import { holdsFor } from '$lib/credit/desk/holds-for.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent, locals }) => {
  await parent();
  return { creditHolds: await holdsFor(locals.user!) };
};
