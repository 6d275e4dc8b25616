import { redirect } from '@sveltejs/kit';
import { signinNotice } from '../../../../auth/oidc-rules.ts';
import { setTransaction } from '$lib/server/oidc';
import { sameOriginPath } from '$lib/server/safe-path';
import { auth, secureCookies } from '$lib/server/session';
import type { RequestHandler } from './$types';

/**
 * Single sign-on starts here (the sign-in page's "Sign in with …" link): a fresh transaction in a
 * short-lived cookie, and off to the provider. A provider that cannot be reached sends the browser
 * back to the sign-in page with a notice (the detail goes to the server log).
 */
export const GET: RequestHandler = async (event) => {
  const sso = auth().oidc;
  if (!sso) redirect(303, '/signin');
  const next = sameOriginPath(event.url.searchParams.get('next'), '');
  let begun;
  try {
    begun = await sso.flow.begin(next);
  } catch (e) {
    console.error('single sign-on: the provider could not be reached:', e);
    redirect(303, signinNotice('failed', null, next));
  }
  setTransaction(event.cookies, begun.transaction, secureCookies(event.url));
  redirect(303, begun.url.href);
};
