/**
 * Sign-in: a user name and password checked against the operational store (auth/sessions.ts:
 * lock-out per account and address), single sign-on when configured (/signin/oidc), and on the demo
 * data set only, one-click demo users for any role with a region or portfolio of the data. A region
 * or portfolio the served data does not have is refused, and the browser goes on to a path on this
 * server only.
 */
import { fail, redirect } from '@sveltejs/kit';
import { isRole, ROLE_POLICY } from '../../../auth/policy.ts';
import { signInWithPassword } from '../../../auth/sessions.ts';
import { demoUser } from '../../../auth/demo-users.ts';
import { translator } from '$lib/i18n/messages';
import { filterOptions } from '$lib/server/options';
import { sameOriginPath } from '$lib/server/safe-path';
import { auth, client, demoSignIn, startSession } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url, locals }) => {
  const demo = demoSignIn();
  const options = demo ? await filterOptions(null) : null;
  const failed = url.searchParams.get('sso');
  const t = translator(locals.lang);
  return {
    demo,
    oidc: auth().oidc?.label ?? null,
    regions: options?.regions ?? [],
    controllers: options?.controllers ?? [],
    next: sameOriginPath(url.searchParams.get('next'), ''),
    // A failed single sign-on comes back here with a reason code (never free text from the URL).
    notice:
      failed === 'unknown'
        ? t('signin.oidcUnknown', { email: url.searchParams.get('email')?.slice(0, 200) ?? '' })
        : failed === 'failed'
          ? t('signin.oidcRefused')
          : null,
  };
};

const minutes = (seconds: number | undefined) => Math.max(1, Math.ceil((seconds ?? 60) / 60));

export const actions: Actions = {
  default: async (event) => {
    const { request, url, locals } = event;
    const form = await request.formData();
    const t = translator(locals.lang);
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v.trim() : '';
    };
    const next = sameOriginPath(field('next') || url.searchParams.get('next'), '');
    if (field('role')) {
      // A demo user: only on the demo data set.
      if (!demoSignIn()) return fail(403, { message: t('signin.demoOff') });
      const role = field('role');
      if (!isRole(role)) return fail(400, { message: t('signin.role') });
      const known = await filterOptions(null);
      const region = role === 'sales_lead' ? field('region') : '';
      const portfolio = role === 'collector' ? field('portfolio') : '';
      if (role === 'sales_lead') {
        if (!region) return fail(400, { message: t('signin.needRegion') });
        if (!known.regions.includes(region))
          return fail(400, { message: t('signin.unknownRegion', { region }) });
      }
      if (role === 'collector') {
        if (!portfolio) return fail(400, { message: t('signin.needPortfolio') });
        if (!known.controllers.includes(portfolio)) {
          return fail(400, { message: t('signin.unknownPortfolio', { portfolio }) });
        }
      }
      const user = demoUser(auth().ops, {
        role,
        regions: region ? [region] : [],
        portfolio: portfolio || null,
      });
      startSession(event, user, 'demo');
      redirect(303, next || ROLE_POLICY[user.role].home);
    }
    const username = field('username');
    const password = typeof form.get('password') === 'string' ? (form.get('password') as string) : '';
    const result = await signInWithPassword(auth().ops, username, password, client(event));
    if (!result.ok) {
      const message =
        result.reason === 'locked'
          ? t('signin.locked', { minutes: minutes(result.retryAfter) })
          : result.reason === 'address_limited'
            ? t('signin.addressLimited', { minutes: minutes(result.retryAfter) })
            : result.reason === 'disabled'
              ? t('signin.disabled')
              : t('signin.invalid');
      const status = result.reason === 'locked' || result.reason === 'address_limited' ? 429 : 400;
      return fail(status, { message, username: username.slice(0, 64) });
    }
    startSession(event, result.user, 'password');
    redirect(303, next || ROLE_POLICY[result.user.role].home);
  },
};
