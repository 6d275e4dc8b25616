/**
 * The Alerts page: the signed-in user's own alerts (newest first, worded in the page's language) and
 * subscriptions, and the forms to subscribe, cancel and mark read. Who is acting comes from the
 * session, never from the form; the store checks the user's row-level security.
 */
import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { AlertError, ALERT_KINDS, DELIVERIES, THRESHOLDS } from '../../../../alerts/rules.ts';
import {
  cancelSubscription,
  listAlerts,
  listSubscriptions,
  markRead,
  subscribe,
} from '../../../../alerts/store.ts';
import { alertText, deliveryText, subscriptionText } from '../../../../alerts/text.ts';
import { getUser } from '../../../../auth/users.ts';
import { translator } from '$lib/i18n/messages';
import { actorOf } from '$lib/server/actor';
import { filterOptions } from '$lib/server/options';
import { auth } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

const PAGE = 100;

/** The signed-in user's id (a page session always has one; a bare API token does not). */
function uidOf(locals: App.Locals): number {
  const uid = locals.user?.uid;
  if (uid === undefined) error(403, 'Sign in as a user to see alerts.');
  return uid;
}

export const load: PageServerLoad = async ({ locals, parent, url }) => {
  await parent();
  const user = locals.user!;
  const uid = uidOf(locals);
  const lang = locals.lang;
  const ops = auth().ops;
  const page = Math.max(0, Math.min(10_000, Number.parseInt(url.searchParams.get('page') ?? '0', 10) || 0));
  const { total, alerts } = listAlerts(ops, uid, { limit: PAGE, offset: page * PAGE });
  const account = getUser(ops, uid);
  const options = await filterOptions(user);
  return {
    total,
    page,
    pageSize: PAGE,
    alerts: alerts.map((a) => ({
      id: a.id,
      text: alertText(a.kind, a.facts, lang),
      customerId: a.customerId,
      raisedAt: a.raisedAt,
      read: a.readAt !== null,
      mail: a.mailStatus,
      mailError: a.lastError,
    })),
    subscriptions: listSubscriptions(ops, uid).map((s) => ({
      id: s.id,
      text: subscriptionText(s, lang),
      delivery: deliveryText(s.delivery, lang),
    })),
    kinds: ALERT_KINDS.filter((k) => !(k === 'region_dso' && user.role === 'collector')).map((k) => ({
      kind: k,
      placeholder: THRESHOLDS[k]?.default ?? '',
      takesThreshold: THRESHOLDS[k] !== null,
    })),
    deliveries: DELIVERIES.map((d) => ({ value: d, text: deliveryText(d, lang) })),
    regions: user.role === 'collector' ? [] : options.regions,
    hasEmail: !!account?.email,
  };
};

async function attempt(event: RequestEvent, fn: (field: (n: string) => string) => string) {
  const data = await event.request.formData();
  const field = (name: string) => {
    const v = data.get(name);
    return typeof v === 'string' ? v : '';
  };
  try {
    return { message: fn(field) };
  } catch (e) {
    if (e instanceof AlertError) return fail(e.status, { message: e.message, error: true });
    throw e;
  }
}

const id = (v: string) => {
  if (!/^\d{1,9}$/.test(v)) throw new AlertError('Not a valid number.');
  return Number(v);
};

export const actions: Actions = {
  subscribe: (event) =>
    attempt(event, (field) => {
      const t = translator(event.locals.lang);
      const s = subscribe(auth().ops, actorOf(event), uidOf(event.locals), {
        kind: field('kind'),
        threshold: field('threshold'),
        customerId: field('customer'),
        region: field('region'),
        delivery: field('delivery'),
      });
      return t('alerts.subscribed', { what: subscriptionText(s, event.locals.lang) });
    }),
  cancel: (event) =>
    attempt(event, (field) => {
      cancelSubscription(auth().ops, actorOf(event), uidOf(event.locals), id(field('subscription')));
      return translator(event.locals.lang)('alerts.cancelled');
    }),
  read: (event) =>
    attempt(event, (field) => {
      const ids = field('all') === '1' ? 'all' : [id(field('alert'))];
      const n = markRead(auth().ops, actorOf(event), uidOf(event.locals), ids);
      return translator(event.locals.lang)('alerts.marked', { n });
    }),
};
