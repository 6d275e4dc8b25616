/**
 * The Credit page's desk (requests awaiting me, my requests, the holds queue, the blacklist, the
 * re-rating list), read from the operational store and the warehouse snapshot, and its form actions.
 * The rules and the audit are credit/'s; this file reads forms and URL parameters, scopes rows to
 * what the role sees (a sales lead: customers of their regions) and says what happened.
 */
import { fail, type RequestEvent } from '@sveltejs/kit';
import { mayDo } from '../../../../auth/policy.ts';
import type { SecurityContext } from '../../../../auth/tokens.ts';
import { CreditError, type CreditActor } from '../../../../credit/actor.ts';
import {
  blacklist,
  blacklistRequests,
  BLACKLIST_CATEGORIES,
  decideBlacklist,
  proposeBlacklist,
} from '../../../../credit/blacklist.store.ts';
import {
  DECISION_SORTS,
  listDecisions,
  recheckHold,
  resolveHold,
  type DecisionSort,
  type DecisionStatus,
} from '../../../../credit/checks.store.ts';
import type { WarehouseSnapshot } from '../../../../credit/facts.ts';
import { centsText, fromRcCents, parseCents } from '../../../../credit/money.ts';
import { rerateList } from '../../../../credit/rerate.ts';
import {
  approveRequest,
  createRequest,
  listRequests,
  ownLimits,
  rejectRequest,
  withdrawRequest,
  type CreditRequest,
} from '../../../../credit/requests.store.ts';
import { actorOf } from '$lib/server/actor';
import { creditService } from '$lib/server/credit';
import { translator } from '$lib/i18n/messages';

export const DESK_PAGE_SIZE = 25;

export function deskActor(event: RequestEvent): CreditActor {
  const user = event.locals.user!;
  return { ...actorOf(event), role: user.role, regions: user.role === 'sales_lead' ? user.regions : [] };
}

/** The customers a role sees (null: all). */
function visible(user: SecurityContext, snapshot: WarehouseSnapshot): Set<string> | null {
  if (user.role !== 'sales_lead') return null;
  return new Set(
    [...snapshot.customers.values()]
      .filter((c) => user.regions.includes(c.region ?? ''))
      .map((c) => c.customerId),
  );
}

const pageOf = (v: string | null) => {
  const n = Number(v ?? 1);
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
};

export interface DeskRequest extends CreditRequest {
  readonly customerName: string;
}

export async function loadDesk(user: SecurityContext, url: URL) {
  const credit = creditService();
  const snapshot = await credit.snapshot();
  const seen = visible(user, snapshot);
  const name = (id: string) => snapshot.customers.get(id)?.name ?? id;
  const named = (r: CreditRequest): DeskRequest => ({ ...r, customerName: name(r.customerId) });
  const mine = user.uid ?? null;
  const awaiting = listRequests(credit.ops, { awaiting: { role: user.role, id: mine }, limit: 200 }).rows.map(
    named,
  );
  const requests = listRequests(credit.ops, { status: 'pending', limit: 200 })
    .rows.filter((r) => seen === null || seen.has(r.customerId))
    .map(named);

  // The holds queue: ?hstatus=held|escalated, ?hq=<customer or order>, ?hsort=…, ?hdir=asc, ?hpage=n
  const p = url.searchParams;
  const hstatus = p.get('hstatus');
  const statuses: DecisionStatus[] =
    hstatus === 'held' || hstatus === 'escalated' ? [hstatus] : ['held', 'escalated'];
  const hsortRaw = p.get('hsort') ?? 'checked_at';
  const hsort: DecisionSort = (DECISION_SORTS as readonly string[]).includes(hsortRaw)
    ? (hsortRaw as DecisionSort)
    : 'checked_at';
  const hq = (p.get('hq') ?? '').slice(0, 64);
  const hpage = pageOf(p.get('hpage'));
  const holds = listDecisions(credit.ops, {
    status: statuses,
    ...(seen ? { customers: [...seen] } : {}),
    ...(hq ? { search: hq } : {}),
    sort: hsort,
    descending: p.get('hdir') !== 'asc',
    limit: DESK_PAGE_SIZE,
    offset: (hpage - 1) * DESK_PAGE_SIZE,
  });

  const listed = blacklist(credit.ops).filter((b) => seen === null || seen.has(b.customerId));
  const proposals = blacklistRequests(credit.ops).filter((b) => seen === null || seen.has(b.customerId));

  // The re-rating list: ?rq=<customer>, ?rpage=n
  const own = ownLimits(credit.ops);
  const rq = (p.get('rq') ?? '').slice(0, 64);
  const needle = rq.toLowerCase();
  const all = rerateList(snapshot, own, credit.policy, new Set(listed.map((b) => b.customerId))).filter(
    (r) =>
      (seen === null || seen.has(r.customer.customerId)) &&
      (needle === '' ||
        r.customer.customerId.toLowerCase().includes(needle) ||
        r.customer.name.toLowerCase().includes(needle)),
  );
  const rpage = pageOf(p.get('rpage'));
  const rerate = all.slice((rpage - 1) * DESK_PAGE_SIZE, rpage * DESK_PAGE_SIZE).map((r) => ({
    customerId: r.customer.customerId,
    name: r.customer.name,
    region: r.customer.region,
    currency: r.customer.currency,
    limit: r.limitCents === null ? null : centsText(r.limitCents),
    exposureRc: centsText(r.customer.exposureRcCents),
    maxDaysPastDue: r.customer.maxDaysPastDue,
    riskBand: r.customer.riskBand,
    reasons: r.reasons,
    prepaymentRequired: r.own?.prepaymentRequired ?? false,
    keyFocus: r.own?.keyFocus ?? false,
  }));

  return {
    can: {
      request: mayDo(user.role, 'credit.request'),
      approve: mayDo(user.role, 'credit.approve'),
      holds: mayDo(user.role, 'credit.holds'),
      propose: mayDo(user.role, 'credit.blacklist.propose'),
      confirm: mayDo(user.role, 'credit.blacklist.confirm'),
    },
    me: mine,
    awaiting,
    requests,
    holds: {
      rows: holds.rows.map((d) => ({ ...d, customerName: name(d.customerId) })),
      total: holds.total,
      page: hpage,
      sort: hsort,
      dir: p.get('hdir') === 'asc' ? 'asc' : 'desc',
      status: hstatus === 'held' || hstatus === 'escalated' ? hstatus : '',
      q: hq,
    },
    blacklist: listed.map((b) => ({ ...b, customerName: name(b.customerId) })),
    proposals: proposals.map((b) => ({ ...b, customerName: name(b.customerId) })),
    rerate: { rows: rerate, total: all.length, page: rpage, q: rq },
    categories: BLACKLIST_CATEGORIES,
    creditManagerMax: centsText(credit.policy.approval.credit_manager_max),
  };
}

export type Desk = Awaited<ReturnType<typeof loadDesk>>;

/** A form post: the field reader, the actor and the service; a broken rule becomes the form's message. */
async function form(event: RequestEvent) {
  const data = await event.request.formData();
  const field = (name: string) => {
    const v = data.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const id = (name = 'id') => {
    const n = Number(field(name));
    if (!Number.isInteger(n) || n < 1) throw new CreditError('bad_field', 'No such item.');
    return n;
  };
  return { field, id, actor: deskActor(event), credit: creditService(), t: translator(event.locals.lang) };
}

async function attempt(
  event: RequestEvent,
  fn: (f: Awaited<ReturnType<typeof form>>) => Promise<string> | string,
) {
  if (!event.locals.user) return fail(403, { message: 'Sign in.', error: true });
  try {
    const f = await form(event);
    return { message: await fn(f), error: false };
  } catch (e) {
    if (e instanceof CreditError) return fail(e.status, { message: e.message, error: true, code: e.code });
    throw e;
  }
}

export const deskActions = {
  request: (event: RequestEvent) =>
    attempt(event, async ({ field, actor, credit, t }) => {
      const snapshot = await credit.snapshot();
      const customerId = field('customer_id');
      let newLimit: unknown = field('new_limit');
      // A suggestion's one-click request: the suggested limit is in the reporting currency.
      if (field('suggested_rc') !== '') {
        const c = snapshot.customers.get(customerId);
        const rate = c ? snapshot.rates.get(c.currency) : undefined;
        if (!c || rate === undefined)
          throw new CreditError('unknown_customer', `No customer ${customerId}.`, 404);
        let rc: number;
        try {
          rc = parseCents(field('suggested_rc'), 'suggested limit');
        } catch (e) {
          throw new CreditError('bad_field', (e as Error).message);
        }
        newLimit = centsText(fromRcCents(rc, rate));
      }
      const r = createRequest(credit.ops, actor, credit.policy, snapshot, {
        customerId,
        newLimit,
        reason: field('reason'),
        evidence: {
          ...(field('suggestion') ? { suggestion: field('suggestion').slice(0, 40) } : {}),
          ...(field('why') ? { why: field('why').slice(0, 400) } : {}),
          ...(field('risk_band') ? { risk_band: field('risk_band').slice(0, 40) } : {}),
        },
      });
      return t('credit.desk.requested', { id: r.id, customer: customerId });
    }),
  rerate: (event: RequestEvent) =>
    attempt(event, async ({ field, actor, credit, t }) => {
      const terms = field('payment_terms_days');
      const r = createRequest(credit.ops, actor, credit.policy, await credit.snapshot(), {
        customerId: field('customer_id'),
        kind: 'rerate',
        newLimit: field('new_limit'),
        reason: field('reason'),
        paymentTermsDays: terms === '' ? null : Number(terms),
        prepaymentRequired: field('prepayment') === 'on',
        keyFocus: field('key_focus') === 'on',
      });
      return t('credit.desk.requested', { id: r.id, customer: r.customerId });
    }),
  approve: (event: RequestEvent) =>
    attempt(event, ({ field, id, actor, credit, t }) => {
      const r = approveRequest(credit.ops, actor, id(), field('note'));
      return t(r.status === 'approved' ? 'credit.desk.approved' : 'credit.desk.approvedOnce', { id: r.id });
    }),
  reject: (event: RequestEvent) =>
    attempt(event, ({ field, id, actor, credit, t }) => {
      const r = rejectRequest(credit.ops, actor, id(), field('note'));
      return t('credit.desk.rejected', { id: r.id });
    }),
  withdraw: (event: RequestEvent) =>
    attempt(event, ({ id, actor, credit, t }) => {
      const r = withdrawRequest(credit.ops, actor, id());
      return t('credit.desk.withdrawn', { id: r.id });
    }),
  release: (event: RequestEvent) =>
    attempt(event, ({ field, id, actor, credit, t }) => {
      const d = resolveHold(credit.ops, actor, id(), 'release', field('reason'));
      return t('credit.desk.released', { order: d.orderId ?? `#${d.id}` });
    }),
  rejectHold: (event: RequestEvent) =>
    attempt(event, ({ field, id, actor, credit, t }) => {
      const d = resolveHold(credit.ops, actor, id(), 'reject', field('reason'));
      return t('credit.desk.holdRejected', { order: d.orderId ?? `#${d.id}` });
    }),
  recheck: (event: RequestEvent) =>
    attempt(event, async ({ id, actor, credit, t }) => {
      const d = recheckHold(credit.ops, actor, credit.policy, await credit.snapshot(), id());
      return t('credit.desk.rechecked', { outcome: t(`credit.outcome.${d.outcome}`) });
    }),
  propose: (event: RequestEvent) =>
    attempt(event, ({ field, actor, credit, t }) => {
      const r = proposeBlacklist(credit.ops, actor, {
        customerId: field('customer_id'),
        action: field('action') === 'remove' ? 'remove' : 'add',
        category: field('category'),
        reason: field('reason'),
      });
      return t('credit.desk.proposed', { customer: r.customerId });
    }),
  confirm: (event: RequestEvent) =>
    attempt(event, ({ field, id, actor, credit, t }) => {
      const r = decideBlacklist(credit.ops, actor, id(), 'confirm', field('note'));
      return t('credit.desk.confirmed', { customer: r.customerId });
    }),
  refuse: (event: RequestEvent) =>
    attempt(event, ({ field, id, actor, credit, t }) => {
      const r = decideBlacklist(credit.ops, actor, id(), 'refuse', field('note'));
      return t('credit.desk.refused', { customer: r.customerId });
    }),
};
