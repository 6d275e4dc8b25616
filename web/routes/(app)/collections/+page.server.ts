/**
 * The worklist's store state: key focus, pending promises, open disputes, open tasks and the highest
 * dunning level, read from the operational store on every load, so a promise logged a moment ago shows
 * at once (not after the next build). A collector gets their portfolio's customers only. And the
 * orders on credit hold, for the customers the user sees.
 */
import { blacklistedFor, holdsFor } from '$lib/credit/desk/holds-for.server';
import { portfolioCustomers } from '../../../../collections/ledger.ts';
import {
  customersWithWork,
  worklistOverlay,
  type CustomerWork,
} from '../../../../collections/worklist.store.ts';
import { auth } from '$lib/server/session';
import { servingWarehouse } from '$lib/server/warehouse';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
  await parent();
  const user = locals.user;
  if (!user) return { work: {}, creditHolds: { total: 0, rows: [] }, arlensBlacklist: [] };
  const creditHolds = await holdsFor(user);
  const arlensBlacklist = await blacklistedFor(user);
  const ops = auth().ops;
  let ids = customersWithWork(ops);
  if (user.role === 'collector') {
    const wh = servingWarehouse();
    const mine = await portfolioCustomers(wh.query.bind(wh), user.portfolio);
    ids = ids.filter((id) => mine.has(id));
  }
  const work: Record<string, CustomerWork> = Object.fromEntries(worklistOverlay(ops, ids));
  return { work, creditHolds, arlensBlacklist };
};
