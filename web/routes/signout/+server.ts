import { redirect } from '@sveltejs/kit';
import { endSession } from '$lib/server/session';
import type { RequestHandler } from './$types';

/** Sign out: the session is revoked in the store (not only the cookie dropped), and audited. */
export const POST: RequestHandler = (event) => {
  endSession(event);
  redirect(303, '/signin');
};
