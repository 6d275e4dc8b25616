import { fail, redirect } from '@sveltejs/kit';
import { ROLES, type SecurityContext } from '../../../cube/tokens.ts';
import { translator } from '$lib/i18n/messages';
import { filterOptions } from '$lib/server/options';
import { sameOriginPath } from '$lib/server/safe-path';
import { startSession } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
  const options = await filterOptions(null);
  return { regions: options.regions, controllers: options.controllers };
};

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
    await startSession(cookies, url, context);
    const fallback = role === 'collector' ? '/collections' : '/';
    // Only a path on this server is followed after sign-in.
    redirect(303, sameOriginPath(url.searchParams.get('next'), fallback));
  },
};
