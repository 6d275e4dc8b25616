import { redirect } from '@sveltejs/kit';
import { endSession } from '$lib/server/session';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = ({ cookies, url }) => {
  endSession(cookies, url);
  redirect(303, '/signin');
};
