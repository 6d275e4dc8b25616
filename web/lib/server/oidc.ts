/**
 * The dashboard's side of single sign-on (the flow is auth/oidc.ts): the transaction cookie and the
 * page that ends a successful callback.
 *
 * The transaction cookie lives ten minutes, only under /signin/oidc, httpOnly, `SameSite=Lax` (it
 * must come back on the provider's top-level redirect to the callback, a cross-site GET) and
 * `Secure` over https.
 *
 * Why a page and not a redirect: the session cookie is `SameSite=Strict`. The callback is reached by
 * a redirect chain that started on the provider's site, and Chromium treats a redirect at the end of
 * such a chain as cross-site too, so a 303 to the start page would arrive without the new session
 * cookie and land on /signin again. The callback therefore answers a small page of this origin whose
 * meta refresh (no script: the CSP forbids inline scripts) opens the next page as a same-site
 * navigation, which carries the Strict cookie.
 */
import type { Cookies } from '@sveltejs/kit';
import { TRANSACTION_SECONDS } from '../../../auth/oidc-rules.ts';
import type { Translate } from '$lib/i18n/messages';

export const TRANSACTION_COOKIE = 'arlens_oidc';
const COOKIE_PATH = '/signin/oidc';

export function setTransaction(cookies: Cookies, value: string, secure: boolean): void {
  cookies.set(TRANSACTION_COOKIE, value, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: TRANSACTION_SECONDS,
  });
}

/** The transaction, read once: the cookie is dropped whatever comes next. */
export function takeTransaction(cookies: Cookies, secure: boolean): string | undefined {
  const value = cookies.get(TRANSACTION_COOKIE);
  if (value !== undefined) {
    cookies.delete(TRANSACTION_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure });
  }
  return value;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page that opens `next` (a same-origin path) after a successful callback. Pure. */
export function continuePage(next: string, lang: string, t: Translate): string {
  const href = escapeHtml(next.startsWith('/') && !next.startsWith('//') ? next : '/');
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0; url=${href}">
<title>ARLens</title>
</head>
<body>
<p>${escapeHtml(t('signin.oidcDone'))} <a href="${href}">${escapeHtml(t('signin.oidcContinue'))}</a></p>
</body>
</html>
`;
}

/** Headers of that page: never cached, no referrer (its URL held the code and state). */
export const CONTINUE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};
