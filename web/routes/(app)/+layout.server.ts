/**
 * Every page of the app: the role must be allowed by the one route table (auth/access.ts). A page
 * a role may not open answers 403 with the friendly error page (../+error.svelte) inside the app's
 * layout; the page's own data is never loaded (page loads await this layout first).
 */
import { error } from '@sveltejs/kit';
import { mayOpen } from '../../../auth/access.ts';
import { translator } from '$lib/i18n/messages';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, route }) => {
  const user = locals.user;
  if (!user || !route.id || !mayOpen(user.role, route.id)) {
    error(403, translator(locals.lang)('error.forbidden.title'));
  }
  return {};
};
