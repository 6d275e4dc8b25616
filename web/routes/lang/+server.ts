import { redirect } from '@sveltejs/kit';
import { sameOriginPath } from '$lib/server/safe-path';
import { LANG_COOKIE, secureCookies } from '$lib/server/session';
import type { RequestHandler } from './$types';

/** Switch the UI language (cookie) and go back to the page (a path on this server only). */
export const GET: RequestHandler = ({ url, cookies }) => {
  const to = url.searchParams.get('to') === 'ja' ? 'ja' : 'en';
  cookies.set(LANG_COOKIE, to, {
    path: '/',
    httpOnly: false,
    sameSite: 'lax',
    secure: secureCookies(url),
    maxAge: 365 * 86400,
  });
  redirect(303, sameOriginPath(url.searchParams.get('back')));
};
