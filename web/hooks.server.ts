import { redirect, type Handle } from '@sveltejs/kit';
import { pickLang } from '$lib/i18n/messages';
import { LANG_COOKIE, readSession } from '$lib/server/session';

/** Pages anyone may open; everything else needs a signed-in role. */
const PUBLIC = ['/signin', '/lang'];

export const handle: Handle = async ({ event, resolve }) => {
  event.locals.lang = pickLang(event.cookies.get(LANG_COOKIE), event.request.headers.get('accept-language'));
  event.locals.user = await readSession(event.cookies);
  const path = event.url.pathname;
  if (!event.locals.user && !PUBLIC.some((p) => path === p || path.startsWith(`${p}/`))) {
    redirect(303, `/signin?next=${encodeURIComponent(path + event.url.search)}`);
  }
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace('<html lang="en">', `<html lang="${event.locals.lang}">`),
  });
};
