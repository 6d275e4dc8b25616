import { asOfDate } from '$lib/server/as-of';
import { filterOptions } from '$lib/server/options';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => ({
  user: locals.user,
  // Who is signed in (shown in the header) and the session's CSRF token, which every form sends back.
  session: locals.session
    ? {
        username: locals.session.username,
        displayName: locals.session.displayName,
        demo: locals.session.demo,
      }
    : null,
  csrf: locals.session?.csrf ?? null,
  lang: locals.lang,
  options: locals.user ? await filterOptions(locals.user) : null,
  // The date every figure describes, in the header of every page (signed in: the data's own pages).
  asOf: locals.user ? await asOfDate() : null,
});
