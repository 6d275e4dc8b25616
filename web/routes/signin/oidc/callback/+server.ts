import { redirect } from '@sveltejs/kit';
import { ROLE_POLICY } from '../../../../../auth/policy.ts';
import { signinNotice } from '../../../../../auth/oidc-rules.ts';
import { translator } from '$lib/i18n/messages';
import { CONTINUE_HEADERS, continuePage, takeTransaction } from '$lib/server/oidc';
import { auth, client, secureCookies, startSession } from '$lib/server/session';
import type { RequestHandler } from './$types';

/**
 * The provider sends the browser back here (the redirect URI). The transaction cookie is read once
 * and dropped; the flow (auth/oidc.ts) checks the answer and finds the ARLens user. Signed in: a
 * session (audited, method oidc) and a same-origin page that opens the next page, so the Strict
 * session cookie goes with it (web/lib/server/oidc.ts says why). Not signed in: the sign-in page with
 * a notice code.
 */
export const GET: RequestHandler = async (event) => {
  const sso = auth().oidc;
  if (!sso) redirect(303, '/signin');
  const transaction = takeTransaction(event.cookies, secureCookies(event.url));
  const result = await sso.flow.finish(event.url, transaction, client(event));
  if (!result.ok) redirect(303, signinNotice(result.notice, result.email, result.next));
  startSession(event, result.user, 'oidc');
  const next = result.next || ROLE_POLICY[result.user.role].home;
  return new Response(continuePage(next, event.locals.lang, translator(event.locals.lang)), {
    headers: CONTINUE_HEADERS,
  });
};
