import { redirect } from '@sveltejs/kit';
import { sameOriginPath } from '$lib/server/safe-path';
import type { RequestHandler } from './$types';

/** Switch the UI language (cookie) and go back to the page (a path on this server only). */
export const GET: RequestHandler = ({ url, cookies }) => {
  const to = url.searchParams.get('to') === 'ja' ? 'ja' : 'en';
  cookies.set('arlens_lang', to, {
    path: '/',
    httpOnly: false,
    sameSite: 'lax',
    secure: false,
    maxAge: 365 * 86400,
  });
  redirect(303, sameOriginPath(url.searchParams.get('back')));
};
