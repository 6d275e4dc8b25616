/**
 * The app's pages in menu order, each a route of the route table (auth/access.ts). The menu and the
 * error pages list the ones the signed-in role may open.
 */
import type { Role } from '../../auth/policy.ts';
import { mayOpen } from '../../auth/access.ts';
import type { MessageKey } from './i18n/messages.ts';

export const PAGES: readonly { readonly href: string; readonly key: MessageKey }[] = [
  { href: '/', key: 'nav.overview' },
  { href: '/credit', key: 'nav.credit' },
  { href: '/explore', key: 'nav.explore' },
  { href: '/customers', key: 'nav.customers' },
  { href: '/collections', key: 'nav.collections' },
  { href: '/collections/dunning', key: 'nav.dunning' },
  { href: '/risk', key: 'nav.risk' },
  { href: '/cash', key: 'nav.cash' },
  { href: '/alerts', key: 'nav.alerts' },
  { href: '/data', key: 'nav.data' },
  { href: '/admin/users', key: 'nav.users' },
];

/** The pages `role` may open, in menu order. */
export function pagesFor(role: Role): typeof PAGES {
  return PAGES.filter((p) => mayOpen(role, p.href));
}
