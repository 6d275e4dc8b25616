import { randomUUID } from 'node:crypto';
import { json, redirect, type Handle, type HandleServerError } from '@sveltejs/kit';
import { isPublic, mayOpen } from '../auth/access.ts';
import { pickLang } from '$lib/i18n/messages';
import { LANG_COOKIE, readSession } from '$lib/server/session';

/**
 * Every request: the language, the session, then the route table (auth/access.ts). Signed out, only
 * the public routes open; signed in, a route the role may not open is refused here, except a page
 * of the app opened as a document, which the app's layout answers with the friendly 403 page.
 */
export const handle: Handle = async ({ event, resolve }) => {
  event.locals.lang = pickLang(event.cookies.get(LANG_COOKIE), event.request.headers.get('accept-language'));
  event.locals.user = await readSession(event.cookies);
  const route = event.route.id;
  const user = event.locals.user;
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
