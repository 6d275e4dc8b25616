import { filterOptions } from '$lib/server/options';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => ({
  user: locals.user,
  lang: locals.lang,
  options: locals.user ? await filterOptions(locals.user) : null,
});
