import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** Switch the UI language (cookie) and go back to the page. */
export const GET: RequestHandler = ({ url, cookies }) => {
  const to = url.searchParams.get('to') === 'ja' ? 'ja' : 'en';
  cookies.set('arlens_lang', to, {
    path: '/',
    httpOnly: false,
    sameSite: 'lax',
    secure: false,
    maxAge: 365 * 86400,
  });
  const back = url.searchParams.get('back') ?? '/';
  redirect(303, back.startsWith('/') && !back.startsWith('//') ? back : '/');
};
