/**
 * The Cash application page: import a statement (matched at once against the served warehouse's open
 * invoices), the review queue with each line's proposals and reasons, and the decisions (accept,
 * split, unapplied on a customer, reject). The rules, the authorisation, the audit and the
 * two-users check are cashapp/decisions.store.ts's; this file reads the form and says what happened.
 */
import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { mayDo } from '../../../../auth/policy.ts';
import {
  CashAppError,
  decideLine,
  importStatement,
  lineCounts,
  listLines,
  refreshOpenItems,
  runMatching,
  type Decision,
} from '../../../../cashapp/decisions.store.ts';
import { BANK_RECEIPTS_SQL, OPEN_ITEMS_SQL, toLineIds, toOpenItems } from '../../../../cashapp/ledger.ts';
import { DEFAULT_MATCH_CONFIG } from '../../../../cashapp/match.ts';
import { CSV_PROFILES } from '../../../../cashapp/csv.ts';
import { csvProfile, MAX_STATEMENT_BYTES, readStatement } from '../../../../cashapp/read.ts';
import { StatementError, toCents } from '../../../../cashapp/statement.ts';
import { translator, type MessageKey, type Translate } from '$lib/i18n/messages';
import { actorOf } from '$lib/server/actor';
import { auth } from '$lib/server/session';
import { servingWarehouse } from '$lib/server/warehouse';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent, locals }) => {
  await parent();
  const ops = auth().ops;
  return {
    counts: lineCounts(ops),
    review: listLines(ops, { status: 'review', limit: 200 }),
    applied: listLines(ops, { status: 'applied', limit: 1000 }).slice(-20).reverse(),
    profiles: Object.keys(CSV_PROFILES),
    threshold: DEFAULT_MATCH_CONFIG.autoThreshold,
    mayDecide: !!locals.user && mayDo(locals.user.role, 'cashapp.decide'),
  };
};

function role(event: RequestEvent, action: 'cashapp.import' | 'cashapp.decide') {
  const user = event.locals.user;
  if (!user || !mayDo(user.role, action)) error(403, 'Your role may not do this.');
  return user.role;
}

/** A rule the request breaks is the form's message, in the reader's language; anything else a server error. */
async function attempt<T>(t: Translate, fn: () => Promise<T> | T) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CashAppError) {
      return fail(e.status, { message: t(`cash.err.${e.code}` as MessageKey, e.params), error: true });
    }
    if (e instanceof StatementError) return fail(400, { message: e.message, error: true });
    throw e;
  }
}

const text = (data: FormData, name: string, max = 2000) => {
  const v = data.get(name);
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
};

export const actions: Actions = {
  upload: async (event) => {
    const authority = role(event, 'cashapp.import');
    const t = translator(event.locals.lang);
    const data = await event.request.formData();
    const file = data.get('statement');
    if (!(file instanceof File) || file.size === 0)
      return fail(400, { message: t('cash.noFile'), error: true });
    if (file.size > MAX_STATEMENT_BYTES) return fail(400, { message: 'The file is too large.', error: true });
    return attempt(t, async () => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const parsed = readStatement(bytes, {
        fileName: file.name,
        csvProfile: csvProfile(text(data, 'profile', 60) || 'arlens'),
      });
      const ops = auth().ops;
      const actor = actorOf(event);
      const r = importStatement(ops, actor, authority, { name: file.name.slice(0, 200), bytes }, parsed);
      const wh = servingWarehouse();
      refreshOpenItems(
        ops,
        toOpenItems(await wh.query(OPEN_ITEMS_SQL)),
        toLineIds(await wh.query(BANK_RECEIPTS_SQL)),
      );
      const m = runMatching(ops, actor, authority);
      return {
        message: t('cash.imported', {
          file: file.name.slice(0, 200),
          format: r.format,
          read: r.read,
          added: r.added,
          duplicates: r.duplicates,
          quarantined: r.quarantined,
          matched: m.matched,
          auto: m.autoApplied,
          review: m.review,
        }),
        quarantine: parsed.quarantined.slice(0, 20).map((q) => q.reason),
      };
    });
  },
  decide: async (event) => {
    const authority = role(event, 'cashapp.decide');
    const t = translator(event.locals.lang);
    const data = await event.request.formData();
    const id = Number(text(data, 'line', 20));
    const version = Number(text(data, 'version', 20));
    const kind = text(data, 'kind', 20);
    let decision: Decision;
    switch (kind) {
      case 'accept':
        decision = { kind, proposal: Number(text(data, 'proposal', 3)) };
        break;
      case 'unapplied':
        decision = { kind, customerId: text(data, 'customer', 100) };
        break;
      case 'reject':
        decision = { kind, reason: text(data, 'reason', 500) };
        break;
      case 'split': {
        const apps: { invoiceId: string; cents: number }[] = [];
        for (const row of text(data, 'splits', 5000)
          .split(/\r?\n/)
          .filter((r) => r.trim())) {
          const m = /^\s*([^=\s]{1,60})\s*=\s*([0-9]{1,13}(?:\.[0-9]{1,2})?)\s*$/.exec(row);
          if (!m) return fail(400, { message: t('cash.badSplit'), error: true, line: id });
          apps.push({ invoiceId: m[1]!, cents: toCents(m[2]!) });
        }
        decision = { kind, customerId: text(data, 'customer', 100), applications: apps };
        break;
      }
      default:
        return fail(400, { message: 'Unknown decision.', error: true, line: id });
    }
    return attempt(t, () => {
      const l = decideLine(auth().ops, actorOf(event), authority, id, version, decision);
      return {
        message: t('cash.decided', { id: l.id, status: t(`cash.status.${l.status}` as MessageKey) }),
        line: id,
      };
    });
  },
};
