/**
 * The customer page's credit standing (limit history, blacklist flag) and its collection work: the history (calls, emails, letters, visits, promises,
 * disputes, tasks) from the operational store, and the forms a collector (their own portfolio) or a
 * credit manager uses to record one. The customer is looked up in the warehouse by the URL's id —
 * never taken from the form — so the portfolio rule is checked against what the warehouse says.
 */
import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { mayDo } from '../../../../../auth/policy.ts';
import { CollectionsError } from '../../../../../collections/access.ts';
import type { Actor } from '../../../../../ops/audit.ts';
import { readCustomer } from '../../../../../collections/ledger.ts';
import {
  addPromise,
  completeTask,
  createTask,
  customerTimeline,
  logActivity,
  openDispute,
  resolveDispute,
  setKeyFocus,
  taskTitle,
  titleParams,
  worklistOverlay,
} from '../../../../../collections/worklist.store.ts';
import { creditHistory } from '$lib/credit/desk/history.server';
import { translator } from '$lib/i18n/messages';
import { alertsAfterWrite } from '$lib/server/alerts';
import { whoOf } from '$lib/server/collections';
import { auth } from '$lib/server/session';
import { servingWarehouse } from '$lib/server/warehouse';
import type { Actions, PageServerLoad } from './$types';

async function customerOf(id: string) {
  const wh = servingWarehouse();
  if (wh.generation === 0) return null;
  return readCustomer(wh.query.bind(wh), id);
}

export const load: PageServerLoad = async (event) => {
  await event.parent();
  const user = event.locals.user;
  const credit = user ? await creditHistory(user, event.params.id ?? '') : null;
  const customer = await customerOf(event.params.id ?? '');
  if (!user || !customer || (user.role === 'collector' && customer.creditController !== user.portfolio)) {
    return { work: null, credit };
  }
  const ops = auth().ops;
  const disputes = ops.db
    .prepare(
      "SELECT id, invoice_ids, reason, amount, currency_code FROM collection_disputes WHERE customer_id = ? AND status = 'open' ORDER BY id",
    )
    .all(customer.customerId) as {
    id: number;
    invoice_ids: string;
    reason: string;
    amount: string;
    currency_code: string;
  }[];
  const tasks = ops.db
    .prepare(
      "SELECT id, title, title_params, due_date, assignee FROM collection_tasks WHERE customer_id = ? AND status = 'open' ORDER BY due_date",
    )
    .all(customer.customerId) as {
    id: number;
    title: string;
    title_params: string | null;
    due_date: string;
    assignee: string;
  }[];
  return {
    credit,
    work: {
      customerId: customer.customerId,
      state: worklistOverlay(ops, [customer.customerId]).get(customer.customerId)!,
      timeline: customerTimeline(ops, customer.customerId),
      disputes,
      tasks: tasks.map(({ title_params, ...t }) => ({
        ...t,
        title: taskTitle({ title: t.title, titleParams: titleParams(title_params) }, event.locals.lang),
      })),
      mayWork: mayDo(user.role, 'collections.work'),
      today: new Date().toISOString().slice(0, 10),
    },
  };
};

async function form(event: RequestEvent) {
  const data = await event.request.formData();
  const field = (name: string) => {
    const v = data.get(name);
    return typeof v === 'string' ? v : '';
  };
  const customer = await customerOf(event.params['id'] ?? '');
  if (!customer) error(404, 'There is no such customer.');
  return { field, customer, who: whoOf(event), t: translator(event.locals.lang), ops: auth().ops };
}

async function attempt(
  fn: () => Promise<void> | void,
  message: string,
  after: { customer: { customerId: string }; who: { actor: Actor } },
) {
  try {
    await fn();
    // Early-warning alerts see the write at once (alerts/): this customer's conditions.
    await alertsAfterWrite(after.customer.customerId, after.who.actor);
    return { message };
  } catch (e) {
    if (e instanceof CollectionsError) return fail(e.status, { message: e.message, error: true });
    throw e;
  }
}

const int = (v: string) => {
  if (!/^\d{1,9}$/.test(v)) throw new CollectionsError('Not a valid number.');
  return Number(v);
};

export const actions: Actions = {
  activity: async (event) => {
    const { field, customer, who, t, ops } = await form(event);
    return attempt(
      () =>
        void logActivity(ops, who, customer, {
          kind: field('kind'),
          outcome: field('outcome'),
          note: field('note'),
          date: field('date'),
          invoiceId: field('invoice'),
        }),
      t('dunning.done'),
      { customer, who },
    );
  },
  promise: async (event) => {
    const { field, customer, who, t, ops } = await form(event);
    return attempt(
      () =>
        void addPromise(ops, who, customer, {
          date: field('date'),
          amount: field('amount'),
          invoiceIds: field('invoices'),
          note: field('note'),
          today: new Date().toISOString().slice(0, 10),
        }),
      t('dunning.done'),
      { customer, who },
    );
  },
  dispute: async (event) => {
    const { field, customer, who, t, ops } = await form(event);
    return attempt(
      () =>
        void openDispute(ops, who, customer, {
          invoiceIds: field('invoices'),
          reason: field('reason'),
          amount: field('amount'),
        }),
      t('dunning.done'),
      { customer, who },
    );
  },
  resolve: async (event) => {
    const { field, customer, who, t, ops } = await form(event);
    return attempt(
      () =>
        resolveDispute(ops, who, customer, {
          disputeId: int(field('dispute')),
          resolution: field('resolution'),
        }),
      t('dunning.done'),
      { customer, who },
    );
  },
  task: async (event) => {
    const { field, customer, who, t, ops } = await form(event);
    return attempt(
      () => void createTask(ops, who, customer, { title: field('title'), dueDate: field('due') }),
      t('dunning.done'),
      { customer, who },
    );
  },
  done: async (event) => {
    const { field, customer, who, t, ops } = await form(event);
    return attempt(() => completeTask(ops, who, customer, int(field('task'))), t('dunning.done'), {
      customer,
      who,
    });
  },
  focus: async (event) => {
    const { field, customer, who, t, ops } = await form(event);
    return attempt(
      () => setKeyFocus(ops, who, customer, field('on') === '1', field('reason')),
      t('dunning.done'),
      { customer, who },
    );
  },
};
