import { fail, redirect } from '@sveltejs/kit';
import { ROLES, type SecurityContext } from '../../../cube/tokens.ts';
import { translator } from '$lib/i18n/messages';
import { filterOptions } from '$lib/server/options';
import { startSession } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
  const options = await filterOptions(null);
  return { regions: options.regions, controllers: options.controllers };
};

/** Only same-site paths are followed after sign-in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export const actions: Actions = {
  default: async ({ request, cookies, url, locals }) => {
    const form = await request.formData();
    const t = translator(locals.lang);
    const role = String(form.get('role') ?? '');
    const region = String(form.get('region') ?? '');
    const portfolio = String(form.get('portfolio') ?? '');
    if (!(ROLES as readonly string[]).includes(role)) return fail(400, { message: t('signin.role') });
    let context: SecurityContext;
    if (role === 'sales_lead') {
      if (!region) return fail(400, { message: t('signin.needRegion') });
      context = { role, regions: [region] };
    } else if (role === 'collector') {
      if (!portfolio) return fail(400, { message: t('signin.needPortfolio') });
      context = { role, portfolio };
    } else {
      context = { role: role as 'cfo' | 'analyst' };
    }
    await startSession(cookies, context);
    const fallback = role === 'collector' ? '/collections' : '/';
    redirect(303, url.searchParams.get('next') ? safeNext(url.searchParams.get('next')) : fallback);
  },
};
