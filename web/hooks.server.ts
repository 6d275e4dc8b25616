import { randomUUID, timingSafeEqual } from 'node:crypto';
import { json, redirect, type Handle, type HandleServerError } from '@sveltejs/kit';
import { isPublic, mayOpen } from '../auth/access.ts';
import { userContext } from '../auth/users.ts';
import { pickLang } from '$lib/i18n/messages';
import { LANG_COOKIE, readSession } from '$lib/server/session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The CSRF token a state-changing request sends: the form field `csrf`, or the header x-arlens-csrf. */
async function sentCsrf(request: Request): Promise<string> {
  const header = request.headers.get('x-arlens-csrf');
  if (header) return header;
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data'))
    return '';
  try {
    const value = (await request.clone().formData()).get('csrf');
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

/**
 * Every request: the language, the session (looked up in the operational store), CSRF, then the
 * route table (auth/access.ts). Signed out, only the public routes open; signed in, a route the role
 * may not open is refused here, except a page of the app opened as a document, which the app's
 * layout answers with the friendly 403 page. A signed-in request that changes state must carry the
 * session's CSRF token (SvelteKit also refuses a form post from another origin).
 */
export const handle: Handle = async ({ event, resolve }) => {
  event.locals.lang = pickLang(event.cookies.get(LANG_COOKIE), event.request.headers.get('accept-language'));
  const session = readSession(event.cookies);
  event.locals.session = session
    ? {
        username: session.user.username,
        displayName: session.user.displayName,
        csrf: session.csrf,
        demo: session.user.demo,
      }
    : null;
  event.locals.user = session ? userContext(session.user) : null;
  const route = event.route.id;
  const user = event.locals.user;
  if (session && !SAFE_METHODS.has(event.request.method)) {
    if (!same(await sentCsrf(event.request), session.csrf)) {
      return json({ error: 'This form has expired: reload the page and try again.' }, { status: 403 });
    }
  }
  if (!user && (route === null || !isPublic(route))) {
    redirect(303, `/signin?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
  }
  if (user && route !== null && !isPublic(route) && !mayOpen(user.role, route)) {
    const inApp = route === '/(app)' || route.startsWith('/(app)/');
    const pageDocument = inApp && event.request.method === 'GET' && !event.isDataRequest;
    if (!pageDocument) return json({ error: 'Your role may not open this.' }, { status: 403 });
  }
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace('<html lang="en">', `<html lang="${event.locals.lang}">`),
  });
};

/** Unexpected errors: the detail goes to the server log with an id; the page shows only the id. */
export const handleError: HandleServerError = ({ error, event, status, message }) => {
  const id = randomUUID();
  if (status >= 500) {
    console.error(`[${id}] ${event.request.method} ${event.url.pathname}:`, error);
  }
  return { message, id };
};
