/**
 * Sign-in. On the demo data set (ServerOptions.demo) any role may be picked, with a region or
 * portfolio of the data; otherwise an API token printed by `npx arlens token` on the server opens the
 * session (until real user accounts arrive). Either way a region or portfolio the served data does
 * not have is refused, and the browser goes on to a path on this server only.
 */
import { fail, redirect } from '@sveltejs/kit';
import { ROLES, type SecurityContext } from '../../../cube/tokens.ts';
import { translator } from '$lib/i18n/messages';
import { filterOptions } from '$lib/server/options';
import { sameOriginPath } from '$lib/server/safe-path';
import { demoSignIn, readApiToken, startSession } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
  const demo = demoSignIn();
  const options = demo ? await filterOptions(null) : null;
  return {
    demo,
    regions: options?.regions ?? [],
    controllers: options?.controllers ?? [],
    next: sameOriginPath(url.searchParams.get('next'), ''),
  };
};

export const actions: Actions = {
  default: async ({ request, cookies, url, locals }) => {
    const form = await request.formData();
    const t = translator(locals.lang);
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v.trim() : '';
    };
    const next = sameOriginPath(field('next') || url.searchParams.get('next'), '');
    let context: SecurityContext;
    let notAfter: number | undefined;
    if (field('token')) {
      const result = await readApiToken(field('token'));
      if (!result.ok) return fail(400, { message: t('signin.badToken') });
      context = result.context;
      notAfter = result.expiresAt;
    } else {
      if (!demoSignIn()) return fail(403, { message: t('signin.demoOff') });
      const role = field('role');
      if (!(ROLES as readonly string[]).includes(role)) return fail(400, { message: t('signin.role') });
      if (role === 'sales_lead') {
        if (!field('region')) return fail(400, { message: t('signin.needRegion') });
        context = { role, regions: [field('region')] };
      } else if (role === 'collector') {
        if (!field('portfolio')) return fail(400, { message: t('signin.needPortfolio') });
        context = { role, portfolio: field('portfolio') };
      } else {
        context = { role: role as 'cfo' | 'analyst' };
      }
    }
    // Only what the served data has: a made-up region or portfolio opens nothing.
    const known = await filterOptions(null);
    if (context.role === 'sales_lead') {
      const unknown = context.regions.find((r) => !known.regions.includes(r));
      if (unknown !== undefined)
        return fail(400, { message: t('signin.unknownRegion', { region: unknown }) });
    }
    if (context.role === 'collector' && !known.controllers.includes(context.portfolio)) {
      return fail(400, { message: t('signin.unknownPortfolio', { portfolio: context.portfolio }) });
    }
    await startSession(cookies, url, context, notAfter);
    redirect(303, next || (context.role === 'collector' ? '/collections' : '/'));
  },
};
