/** The Credit page's desk: requests, holds, blacklist and re-rating (web/lib/credit/desk). */
import { deskActions, loadDesk } from '$lib/credit/desk/desk.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent, locals, url }) => {
  await parent();
  return { desk: await loadDesk(locals.user!, url) };
};

export const actions: Actions = deskActions;
