import { unreadCount } from '../../alerts/store.ts';
import { mayDo } from '../../auth/policy.ts';
import { asOfDate } from '$lib/server/as-of';
import { auth } from '$lib/server/session';
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
  // The bell: unread early-warning alerts, for the roles that have alerts (alerts/).
  alertsUnread:
    locals.user?.uid !== undefined && mayDo(locals.user.role, 'alerts.subscribe')
      ? unreadCount(auth().ops, locals.user.uid)
      : null,
});
