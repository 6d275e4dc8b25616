import { mayDo } from '../../../../auth/policy.ts';
import { listAudit, verifyAudit } from '../../../../ops/audit.ts';
import { dataStatus } from '$lib/server/data-status';
import { auth } from '$lib/server/session';
import { servingWarehouse } from '$lib/server/warehouse';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent, locals }) => {
  // The layout checks the role first: nothing is read for a role that may not see it.
  await parent();
  const wh = servingWarehouse();
  // The audit log, for the roles that may read it (auth/policy.ts: audit.read), with the chain checked.
  const audit =
    locals.user && mayDo(locals.user.role, 'audit.read')
      ? { entries: listAudit(auth().ops, { limit: 200 }), verification: verifyAudit(auth().ops) }
      : null;
  return { status: await dataStatus(wh.query.bind(wh)), audit };
};
