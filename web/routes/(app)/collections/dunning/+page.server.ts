/**
 * The Dunning page: propose a run, edit it (exclude an item, hold a customer), approve and send it;
 * the letters with their state; my tasks and overdue tasks; completion rates for management. The
 * rules, the checks and the audit are collections/'s; this file reads the form, asks who is acting
 * (the session, never the form) and says what happened. Every action carries the CSRF token (hooks).
 */
import { fail, type RequestEvent } from '@sveltejs/kit';
import { mayDo } from '../../../../../auth/policy.ts';
import { CollectionsError } from '../../../../../collections/access.ts';
import {
  cancelRun,
  excludeItem,
  holdCustomerInRun,
  listLetters,
  listRuns,
  runDetail,
} from '../../../../../collections/dunning.store.ts';
import { effectiveness, readSentLetters, readSettled } from '../../../../../collections/effectiveness.ts';
import { readCustomer } from '../../../../../collections/ledger.ts';
import { approveAndSend, proposeRun } from '../../../../../collections/service.ts';
import {
  completeTask,
  listTasks,
  taskCompletion,
  taskTitle,
} from '../../../../../collections/worklist.store.ts';
import { translator } from '$lib/i18n/messages';
import { company, dunningPolicy, smtp, whoOf } from '$lib/server/collections';
import { auth } from '$lib/server/session';
import { servingWarehouse } from '$lib/server/warehouse';
import type { Actions, PageServerLoad } from './$types';

const today = () => new Date().toISOString().slice(0, 10);

export const load: PageServerLoad = async (event) => {
  const { parent, url } = event;
  const { asOf } = await parent();
  const who = whoOf(event);
  const ops = auth().ops;
  const runs = listRuns(ops, who);
  const wanted = Number.parseInt(url.searchParams.get('run') ?? '', 10);
  const selected = runs.find((r) => r.id === wanted) ?? runs[0] ?? null;
  const detail = selected ? runDetail(ops, who, selected.id) : null;
  const letters = selected ? listLetters(ops, who, { runId: selected.id }) : [];
  const tasks = listTasks(ops, who.role === 'collector' ? who.portfolio : null);
  const now = today();
  // Is dunning working: settlement is known up to the warehouse's as-of date.
  const by = url.searchParams.get('by');
  const split: 'all' | 'region' | 'controller' = by === 'region' || by === 'controller' ? by : 'all';
  const sent = readSentLetters(ops, who);
  const wh = servingWarehouse();
  const settled =
    asOf && wh.generation > 0
      ? await readSettled(wh.query.bind(wh), [...new Set(sent.flatMap((l) => l.items.map((i) => i.itemId)))])
      : new Map<string, string | null>();
  const effect = asOf ? effectiveness(sent, settled, asOf.date, split) : [];
  return {
    effect,
    effectBy: split,
    runs,
    detail,
    letters,
    tasks: tasks.map((t) => ({ ...t, title: taskTitle(t, event.locals.lang) })),
    overdueTasks: tasks.filter((t) => t.dueDate < now).length,
    completion: who.role === 'collector' ? [] : taskCompletion(ops, now),
    defaultDate: asOf?.date && asOf.date > now ? asOf.date : now,
    mayPropose: who.role !== 'system' && mayDo(who.role, 'dunning.propose'),
    mayApprove: who.role !== 'system' && mayDo(who.role, 'dunning.approve'),
    mayWork: who.role !== 'system' && mayDo(who.role, 'collections.work'),
  };
};

async function form(event: RequestEvent) {
  const data = await event.request.formData();
  const field = (name: string) => {
    const v = data.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const int = (name: string) => {
    const v = field(name);
    if (!/^\d{1,9}$/.test(v)) throw new CollectionsError(`${name} must be a number.`);
    return Number(v);
  };
  return { field, int, who: whoOf(event), t: translator(event.locals.lang) };
}

/** Run a step; a rule it breaks is the form's message (with its status), anything else a server error. */
async function attempt<T extends { message: string }>(fn: () => Promise<T> | T) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CollectionsError) return fail(e.status, { message: e.message, error: true });
    throw e;
  }
}

export const actions: Actions = {
  propose: async (event) => {
    const { field, who, t } = await form(event);
    return attempt(async () => {
      const date = field('date');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new CollectionsError('The run date must be YYYY-MM-DD.');
      const wh = servingWarehouse();
      const r = await proposeRun(auth().ops, who, wh.query.bind(wh), dunningPolicy(), date);
      return {
        message: [
          t('dunning.proposed', { id: String(r.run.id), customers: String(r.proposal.customers.length) }),
          ...r.warnings,
        ].join(' '),
        runId: r.run.id,
      };
    });
  },
  exclude: async (event) => {
    const { field, int, who, t } = await form(event);
    return attempt(() => {
      excludeItem(auth().ops, who, {
        runId: int('run'),
        customerId: field('customer'),
        itemId: field('item'),
        reason: field('reason'),
        version: int('version'),
      });
      return { message: t('dunning.done') };
    });
  },
  hold: async (event) => {
    const { field, int, who, t } = await form(event);
    return attempt(() => {
      holdCustomerInRun(auth().ops, who, {
        runId: int('run'),
        customerId: field('customer'),
        reason: field('reason'),
        version: int('version'),
      });
      return { message: t('dunning.done') };
    });
  },
  approve: async (event) => {
    const { int, who, t } = await form(event);
    return attempt(async () => {
      const r = await approveAndSend(
        auth().ops,
        who,
        dunningPolicy(),
        { runId: int('run'), version: int('version') },
        company(),
        smtp(),
      );
      return {
        message: t('dunning.approved', {
          id: String(r.run.id),
          letters: String(r.letters.length),
          sent: String(r.mail?.sent ?? 0),
          already: String(r.alreadySent),
        }),
      };
    });
  },
  cancel: async (event) => {
    const { int, who, t } = await form(event);
    return attempt(() => {
      cancelRun(auth().ops, who, int('run'));
      return { message: t('dunning.done') };
    });
  },
  completeTask: async (event) => {
    const { field, int, who, t } = await form(event);
    return attempt(async () => {
      const wh = servingWarehouse();
      const customer = await readCustomer(wh.query.bind(wh), field('customer'));
      if (!customer) throw new CollectionsError('There is no such customer.', 404);
      completeTask(auth().ops, who, customer, int('task'));
      return { message: t('dunning.done') };
    });
  },
};
