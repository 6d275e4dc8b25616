/** The Customers list's ARLens blacklist: the customers the user sees that ARLens took off credit. */
import { blacklistedFor } from '$lib/credit/desk/holds-for.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent, locals }) => {
  await parent();
  return { arlensBlacklist: locals.user ? await blacklistedFor(locals.user) : [] };
};
