/** The person behind a request, as the audit log records them. */
import type { RequestEvent } from '@sveltejs/kit';
import type { Actor } from '../../../ops/audit.ts';
import { client } from './session';

export function actorOf(event: RequestEvent): Actor {
  const s = event.locals.session;
  return {
    id: event.locals.user?.uid ?? null,
    name: s?.username ?? 'unknown',
    address: client(event).address,
  };
}
