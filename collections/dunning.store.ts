/**
 * Dunning runs in the operational store: a proposal (customers, items, levels, what was left out
 * and why) that a controller edits (exclude an item, hold a customer) and a credit manager approves.
 * Approval writes one letter per customer, currency, level and date — the UNIQUE key makes a second
 * run the same day write (and so send) nothing — creates the tasks and key-focus flags the policy
 * asks for, and keeps the highest level reached per customer. Every write is one transaction with its
 * audit entry (BEGIN IMMEDIATE: two users never interleave), and re-checks the run's state inside it.
 */
import { addDays } from '../core/calendar.ts';
import { appendAudit } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import { appliedNotPublished } from '../cashapp/decisions.store.ts';
import {
  authorise,
  authoriseRead,
  checkId,
  checkText,
  CollectionsError,
  portfolioOf,
  type Who,
} from './access.ts';
import { fromMinor, levelPolicy, toMinor, type DunningPolicy } from './policy.ts';
import {
  key,
  propose,
  type OpenItem,
  type OpsState,
  type Proposal,
  type ProposedItem,
  type SkipReason,
} from './proposal.ts';

const now = () => new Date().toISOString();

/**
 * Holds, disputes, promises and last letters, as the proposal needs them. Items a controller excluded
 * from an approved run of the same date count as held for that date: a second run the same day sends
 * nothing the first one did not.
 */
export function readOpsState(store: OpsStore, runDate: string | null = null): OpsState {
  const db = store.db;
  const heldCustomers = new Set<string>();
  const heldItems = new Set<string>();
  for (const r of db
    .prepare(
      `SELECT g.customer_id, json_extract(j.value, '$.itemId') AS item_id
       FROM dunning_run_customers AS g JOIN dunning_runs AS r ON r.id = g.run_id, json_each(g.items) AS j
       WHERE r.status = 'approved' AND r.run_date = ? AND json_extract(j.value, '$.excluded') IS NOT NULL`,
    )
    .all(runDate) as { customer_id: string; item_id: string }[]) {
    heldItems.add(key(r.customer_id, r.item_id));
  }
  for (const r of db
    .prepare('SELECT customer_id, item_id FROM dunning_holds WHERE released_at IS NULL')
    .all() as { customer_id: string; item_id: string }[]) {
    if (r.item_id === '') heldCustomers.add(r.customer_id);
    else heldItems.add(key(r.customer_id, r.item_id));
  }
  const disputedItems = new Set<string>();
  for (const r of db.prepare("SELECT invoice_ids FROM collection_disputes WHERE status = 'open'").all() as {
    invoice_ids: string;
  }[]) {
    for (const id of JSON.parse(r.invoice_ids) as string[]) disputedItems.add(id);
  }
  const pendingPromises = new Map<string, string>();
  for (const r of db
    .prepare(
      "SELECT customer_id, max(promised_date) AS d FROM payment_promises WHERE status = 'pending' GROUP BY customer_id",
    )
    .all() as { customer_id: string; d: string }[]) {
    pendingPromises.set(r.customer_id, r.d);
  }
  const lastLetters = new Map<string, { level: number; date: string }>();
  for (const r of db
    .prepare('SELECT customer_id, last_level, last_letter_date FROM customer_dunning')
    .all() as { customer_id: string; last_level: number; last_letter_date: string }[]) {
    lastLetters.set(r.customer_id, { level: r.last_level, date: r.last_letter_date });
  }
  const cashApplied = new Map<string, bigint>();
  for (const [invoiceId, cents] of appliedNotPublished(store)) cashApplied.set(invoiceId, BigInt(cents));
  return { heldCustomers, heldItems, disputedItems, pendingPromises, lastLetters, cashApplied };
}

export interface RunSummary {
  readonly id: number;
  readonly runDate: string;
  readonly asOfDate: string;
  readonly status: 'proposed' | 'approved' | 'cancelled';
  readonly scope: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  readonly editedBy: readonly string[];
  readonly version: number;
}

interface RunRow {
  id: number;
  run_date: string;
  as_of_date: string;
  status: RunSummary['status'];
  scope: string | null;
  created_by: string;
  created_at: string;
  approved_by: string | null;
  approved_at: string | null;
  edited_by: string;
  version: number;
}

const runFromRow = (r: RunRow): RunSummary => ({
  id: r.id,
  runDate: r.run_date,
  asOfDate: r.as_of_date,
  status: r.status,
  scope: r.scope,
  createdBy: r.created_by,
  createdAt: r.created_at,
  approvedBy: r.approved_by,
  approvedAt: r.approved_at,
  editedBy: JSON.parse(r.edited_by) as string[],
  version: r.version,
});

export interface CreateRunInput {
  readonly policy: DunningPolicy;
  readonly runDate: string;
  readonly asOfDate: string;
  readonly items: readonly OpenItem[];
}

/**
 * Propose a run for `runDate` over the open items (a collector's own portfolio only). The open items
 * are as of the warehouse's as-of date: a run dated before it would dun items paid since, so it is
 * refused.
 */
export function createRun(
  store: OpsStore,
  who: Who,
  input: CreateRunInput,
): { run: RunSummary; proposal: Proposal } {
  authorise(who, 'dunning.propose');
  if (input.runDate < input.asOfDate) {
    throw new CollectionsError(
      `The open items are as of ${input.asOfDate}; a run dated ${input.runDate} would dun items paid since. ` +
        'Use a date on or after the as-of date.',
    );
  }
  const scope = portfolioOf(who);
  const items = scope === null ? input.items : input.items.filter((i) => i.creditController === scope);
  return store.write(() => {
    const proposal = propose(input.policy, input.runDate, items, readOpsState(store, input.runDate));
    const at = now();
    const { lastInsertRowid } = store.db
      .prepare(
        `INSERT INTO dunning_runs (run_date, as_of_date, status, scope, policy_hash, created_by_id, created_by, created_at)
         VALUES (?, ?, 'proposed', ?, ?, ?, ?, ?)`,
      )
      .run(input.runDate, input.asOfDate, scope, input.policy.hash, who.actor.id, who.actor.name, at);
    const runId = Number(lastInsertRowid);
    const insGroup = store.db.prepare(
      `INSERT INTO dunning_run_customers (run_id, customer_id, currency_code, customer_name, credit_controller, region,
         country_code, level, items)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const c of proposal.customers) {
      const items: StoredItem[] = c.items.map((i) => ({ ...i, excluded: null }));
      insGroup.run(
        runId,
        c.customerId,
        c.currencyCode,
        c.customerName,
        c.creditController,
        c.region,
        c.countryCode,
        c.level,
        JSON.stringify(items),
      );
    }
    const insSkip = store.db.prepare(
      'INSERT INTO dunning_run_skipped (run_id, customer_id, item_id, reason) VALUES (?, ?, ?, ?)',
    );
    for (const s of proposal.skipped) insSkip.run(runId, s.customerId, s.itemId, s.reason);
    appendAudit(store, who.actor, {
      action: 'dunning.propose',
      target: `dunning_run:${runId}`,
      after: {
        runDate: input.runDate,
        asOfDate: input.asOfDate,
        scope,
        policy: input.policy.hash,
        customers: proposal.customers.length,
        skipped: proposal.skipped.length,
      },
    });
    return { run: getRun(store, runId), proposal };
  });
}

export function getRun(store: OpsStore, runId: number): RunSummary {
  const r = store.db.prepare('SELECT * FROM dunning_runs WHERE id = ?').get(runId) as RunRow | undefined;
  if (!r) throw new CollectionsError(`There is no dunning run ${runId}.`, 404);
  return runFromRow(r);
}

export function listRuns(store: OpsStore, who: Who, limit = 50): RunSummary[] {
  authoriseRead(who);
  const scope = portfolioOf(who);
  return (
    store.db
      .prepare('SELECT * FROM dunning_runs WHERE (? IS NULL OR scope = ?) ORDER BY id DESC LIMIT ?')
      .all(scope, scope, limit) as unknown as RunRow[]
  ).map(runFromRow);
}

export interface RunItem extends ProposedItem {
  readonly customerId: string;
  readonly customerName: string;
  readonly creditController: string | null;
  readonly region: string | null;
  readonly countryCode: string | null;
  readonly currencyCode: string;
  readonly excluded: string | null;
}

export interface RunDetail {
  readonly run: RunSummary;
  readonly items: readonly RunItem[];
  readonly skipped: readonly { customerId: string; itemId: string | null; reason: SkipReason }[];
}

/** A run with its items, as a collector may see it (their portfolio's items only). */
export function runDetail(store: OpsStore, who: Who, runId: number): RunDetail {
  authoriseRead(who);
  const run = getRun(store, runId);
  const scope = portfolioOf(who);
  if (scope !== null && run.scope !== scope)
    throw new CollectionsError(`There is no dunning run ${runId}.`, 404);
  const items: RunItem[] = [];
  for (const g of groupsOf(store, runId)) {
    for (const i of g.items) {
      items.push({
        ...i,
        customerId: g.customer_id,
        customerName: g.customer_name,
        creditController: g.credit_controller,
        region: g.region,
        countryCode: g.country_code,
        currencyCode: g.currency_code,
      });
    }
  }
  const skipped = (
    store.db
      .prepare(
        'SELECT customer_id, item_id, reason FROM dunning_run_skipped WHERE run_id = ? ORDER BY customer_id, item_id',
      )
      .all(runId) as { customer_id: string; item_id: string | null; reason: SkipReason }[]
  ).map((s) => ({ customerId: s.customer_id, itemId: s.item_id, reason: s.reason }));
  return { run, items, skipped };
}

/** A run item as stored in its customer's JSON, with its exclusion (null: included). */
interface StoredItem extends ProposedItem {
  readonly excluded: string | null;
}

interface GroupRow {
  customer_id: string;
  currency_code: string;
  customer_name: string;
  credit_controller: string | null;
  region: string | null;
  country_code: string | null;
  level: number;
  items: StoredItem[];
}

/** A run's customers (per currency), most urgent first, with their items. */
function groupsOf(store: OpsStore, runId: number, customerId: string | null = null): GroupRow[] {
  return (
    store.db
      .prepare(
        `SELECT * FROM dunning_run_customers WHERE run_id = ? AND (? IS NULL OR customer_id = ?)
         ORDER BY level DESC, customer_id, currency_code`,
      )
      .all(runId, customerId, customerId) as (Omit<GroupRow, 'items'> & { items: string })[]
  ).map((g) => ({ ...g, items: JSON.parse(g.items) as StoredItem[] }));
}

/** Set the exclusion of the customer's items that `which` picks (not yet excluded); how many changed. */
function markExcluded(
  store: OpsStore,
  runId: number,
  customerId: string,
  which: (i: StoredItem) => boolean,
  reason: string,
): number {
  let changed = 0;
  const update = store.db.prepare(
    'UPDATE dunning_run_customers SET items = ? WHERE run_id = ? AND customer_id = ? AND currency_code = ?',
  );
  for (const g of groupsOf(store, runId, customerId)) {
    let n = 0;
    const items = g.items.map((i) =>
      i.excluded === null && which(i) ? (n++, { ...i, excluded: reason }) : i,
    );
    if (n > 0) update.run(JSON.stringify(items), runId, customerId, g.currency_code);
    changed += n;
  }
  return changed;
}

/** Inside a write: the run, still a proposal the caller may edit (the version guards a stale page). */
function editableRun(store: OpsStore, who: Who, runId: number, version: number | null): RunSummary {
  const run = getRun(store, runId);
  const scope = portfolioOf(who);
  if (scope !== null && run.scope !== scope)
    throw new CollectionsError(`There is no dunning run ${runId}.`, 404);
  if (run.status !== 'proposed') {
    throw new CollectionsError(`Dunning run ${runId} is ${run.status}; it can no longer be changed.`, 409);
  }
  if (version !== null && version !== run.version) {
    throw new CollectionsError(
      `Dunning run ${runId} was changed by someone else since you opened it (by ${run.editedBy.at(-1) ?? run.createdBy}). Reload and try again.`,
      409,
    );
  }
  return run;
}

function touch(store: OpsStore, who: Who, run: RunSummary): void {
  const edited = [...new Set([...run.editedBy, who.actor.name])];
  store.db
    .prepare('UPDATE dunning_runs SET edited_by = ?, version = version + 1 WHERE id = ?')
    .run(JSON.stringify(edited), run.id);
}

function runCustomer(store: OpsStore, runId: number, customerId: string) {
  const r = store.db
    .prepare(
      'SELECT customer_id, credit_controller FROM dunning_run_customers WHERE run_id = ? AND customer_id = ? LIMIT 1',
    )
    .get(runId, customerId) as { customer_id: string; credit_controller: string | null } | undefined;
  if (!r) throw new CollectionsError(`Customer ${customerId} is not in dunning run ${runId}.`, 404);
  return { customerId: r.customer_id, creditController: r.credit_controller };
}

/** Leave one item out of this run (it stays open and is proposed again next time). */
export function excludeItem(
  store: OpsStore,
  who: Who,
  input: { runId: number; customerId: string; itemId: string; reason: string; version?: number | null },
): RunSummary {
  const customerId = checkId(input.customerId, 'Customer');
  const itemId = checkId(input.itemId, 'Item');
  const reason = checkText(input.reason, 'Reason', 500, true);
  return store.write(() => {
    authorise(who, 'dunning.propose', runCustomer(store, input.runId, customerId));
    const run = editableRun(store, who, input.runId, input.version ?? null);
    const changed = markExcluded(
      store,
      run.id,
      customerId,
      (i) => i.itemType === 'invoice' && i.itemId === itemId,
      reason,
    );
    if (changed === 0) throw new CollectionsError(`Invoice ${itemId} is not in this run.`, 404);
    touch(store, who, run);
    appendAudit(store, who.actor, {
      action: 'dunning.exclude_item',
      target: `dunning_run:${run.id}`,
      after: { customerId, itemId, reason },
    });
    return getRun(store, run.id);
  });
}

/**
 * Hold a customer: left out of this run, and of every run until the hold is released (a hold is the
 * customer's, not the run's: a controller who holds a customer means "do not dun them for now").
 */
export function holdCustomerInRun(
  store: OpsStore,
  who: Who,
  input: { runId: number; customerId: string; reason: string; version?: number | null },
): RunSummary {
  const customerId = checkId(input.customerId, 'Customer');
  const reason = checkText(input.reason, 'Reason', 500, true);
  return store.write(() => {
    const customer = runCustomer(store, input.runId, customerId);
    authorise(who, 'dunning.propose', customer);
    const run = editableRun(store, who, input.runId, input.version ?? null);
    markExcluded(store, run.id, customerId, () => true, `hold: ${reason}`);
    store.db
      .prepare(
        `INSERT INTO dunning_holds (customer_id, item_id, reason, set_by, set_at) VALUES (?, '', ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      )
      .run(customerId, reason, who.actor.name, now());
    touch(store, who, run);
    appendAudit(store, who.actor, {
      action: 'dunning.hold_customer',
      target: `customer:${customerId}`,
      after: { runId: run.id, reason },
    });
    return getRun(store, run.id);
  });
}

export interface LetterRow {
  readonly id: number;
  readonly runId: number;
  readonly customerId: string;
  readonly level: number;
  readonly runDate: string;
  readonly kind: 'reminder' | 'statement';
  readonly channel: 'email' | 'letter';
  readonly language: 'en' | 'ja';
  readonly recipient: string | null;
  readonly subject: string;
  readonly currencyCode: string;
  readonly totalAmount: string;
  readonly feeAmount: string;
  readonly interestAmount: string;
  readonly items: readonly LetterItem[];
  readonly customerName: string;
  readonly hasPdf: boolean;
  readonly pdfSha256: string | null;
  readonly status: 'queued' | 'sending' | 'sent' | 'failed' | 'to_print' | 'printed';
  readonly attempts: number;
  readonly lastError: string | null;
  readonly messageId: string | null;
  readonly sentAt: string | null;
}

export interface LetterItem {
  readonly itemId: string;
  readonly itemType: string;
  readonly documentDate: string | null;
  readonly dueDate: string | null;
  readonly daysPastDue: number | null;
  readonly openAmount: string;
}

interface LetterDbRow {
  id: number;
  run_id: number;
  customer_id: string;
  level: number;
  run_date: string;
  kind: LetterRow['kind'];
  channel: LetterRow['channel'];
  language: LetterRow['language'];
  recipient: string | null;
  subject: string;
  currency_code: string;
  total_amount: string;
  fee_amount: string;
  interest_amount: string;
  items: string;
  has_pdf: number;
  pdf_sha256: string | null;
  status: LetterRow['status'];
  attempts: number;
  last_error: string | null;
  message_id: string | null;
  sent_at: string | null;
}

const LETTER_COLUMNS = `id, run_id, customer_id, level, run_date, kind, channel, language, recipient, subject,
  currency_code, total_amount, fee_amount, interest_amount, items, pdf IS NOT NULL AS has_pdf, pdf_sha256, status,
  attempts, last_error, message_id, sent_at`;

export function letterFromRow(r: LetterDbRow): LetterRow {
  const payload = JSON.parse(r.items) as { customerName: string; items: LetterItem[] };
  return {
    id: r.id,
    runId: r.run_id,
    customerId: r.customer_id,
    level: r.level,
    runDate: r.run_date,
    kind: r.kind,
    channel: r.channel,
    language: r.language,
    recipient: r.recipient,
    subject: r.subject,
    currencyCode: r.currency_code,
    totalAmount: r.total_amount,
    feeAmount: r.fee_amount,
    interestAmount: r.interest_amount,
    items: payload.items,
    customerName: payload.customerName,
    hasPdf: r.has_pdf === 1,
    pdfSha256: r.pdf_sha256,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    messageId: r.message_id,
    sentAt: r.sent_at,
  };
}

export function listLetters(
  store: OpsStore,
  who: Who,
  filter: { runId?: number; customerId?: string; status?: LetterRow['status'] } = {},
): LetterRow[] {
  authoriseRead(who);
  const scope = portfolioOf(who);
  const rows = store.db
    .prepare(
      `SELECT ${LETTER_COLUMNS} FROM dunning_letters AS l
       WHERE (? IS NULL OR run_id = ?) AND (? IS NULL OR customer_id = ?) AND (? IS NULL OR status = ?)
         AND (? IS NULL OR run_id IN (SELECT id FROM dunning_runs WHERE scope = ?)
              OR customer_id IN (SELECT customer_id FROM dunning_run_customers AS g
                                 WHERE g.run_id = l.run_id AND g.credit_controller = ?))
       ORDER BY id`,
    )
    .all(
      filter.runId ?? null,
      filter.runId ?? null,
      filter.customerId ?? null,
      filter.customerId ?? null,
      filter.status ?? null,
      filter.status ?? null,
      scope,
      scope,
      scope,
    ) as unknown as LetterDbRow[];
  return rows.map(letterFromRow);
}

/** One letter's PDF, for whoever may see the letter. */
export function letterPdf(
  store: OpsStore,
  who: Who,
  letterId: number,
): { letter: LetterRow; pdf: Uint8Array } {
  const letter = listLetters(store, who).find((l) => l.id === letterId);
  const row = letter
    ? (store.db.prepare('SELECT pdf FROM dunning_letters WHERE id = ?').get(letterId) as {
        pdf: Uint8Array | null;
      })
    : undefined;
  if (!letter || !row?.pdf) throw new CollectionsError(`There is no letter ${letterId}.`, 404);
  return { letter, pdf: row.pdf };
}

export interface Contact {
  readonly email: string | null;
  readonly language: 'en' | 'ja' | null;
}

export function readContacts(store: OpsStore): Map<string, Contact> {
  const out = new Map<string, Contact>();
  for (const r of store.db.prepare('SELECT customer_id, email, language FROM customer_contacts').all() as {
    customer_id: string;
    email: string | null;
    language: 'en' | 'ja' | null;
  }[]) {
    out.set(r.customer_id, { email: r.email, language: r.language });
  }
  return out;
}

/** Japanese for customers in Japan (or whose contact says so); English otherwise. */
export function letterLanguage(countryCode: string | null, contact: Contact | undefined): 'en' | 'ja' {
  return contact?.language ?? (countryCode === 'JP' ? 'ja' : 'en');
}

/** Yearly simple interest on `amount` (minor units) for `days` days at `ratePercent`, rounded half up. */
export function interestMinor(amount: bigint, ratePercent: string, days: number): bigint {
  if (days <= 0) return 0n;
  const [i, f = ''] = ratePercent.split('.');
  const rate = BigInt(i!) * 10_000n + BigInt(f.padEnd(4, '0') || '0'); // percent × 10^4
  const num = amount * rate * BigInt(days);
  const den = 100n * 10_000n * 365n;
  return (num * 2n + den) / (2n * den);
}

export interface ApproveResult {
  readonly run: RunSummary;
  /** Letters written by this approval (already-sent ones are not written again). */
  readonly letters: readonly number[];
  readonly alreadySent: number;
  readonly tasks: number;
}

/**
 * Approve a proposal: write its letters (queued for email, or to print), tasks, key-focus flags and
 * the customers' levels. Four eyes: whoever proposed or edited the run may not approve it (the shell
 * may). The run's state is re-read inside the transaction: of two approvers at once, one approves and
 * the other is told it already was.
 */
export function approveRun(
  store: OpsStore,
  who: Who,
  policy: DunningPolicy,
  input: { runId: number; version?: number | null },
): ApproveResult {
  authorise(who, 'dunning.approve');
  return store.write(() => {
    const run = editableRun(store, who, input.runId, input.version ?? null);
    if (who.role !== 'system') {
      if (run.createdBy === who.actor.name || run.editedBy.includes(who.actor.name)) {
        throw new CollectionsError(
          'You proposed or edited this run: someone else must approve it (segregation of duties).',
          403,
        );
      }
    }
    if (
      policy.hash !==
      (
        store.db.prepare('SELECT policy_hash FROM dunning_runs WHERE id = ?').get(run.id) as {
          policy_hash: string;
        }
      ).policy_hash
    ) {
      throw new CollectionsError(
        'The dunning policy changed since this run was proposed: cancel it and propose a new run.',
        409,
      );
    }
    const detail = runDetail(store, { ...who, role: 'system' }, run.id);
    const contacts = readContacts(store);
    const at = now();
    const groups = new Map<string, RunItem[]>();
    for (const i of detail.items) {
      if (i.excluded !== null) continue;
      const k = `${i.customerId}\u0000${i.currencyCode}`;
      const list = groups.get(k) ?? [];
      list.push(i);
      groups.set(k, list);
    }
    const letters: number[] = [];
    let alreadySent = 0;
    let tasks = 0;
    const insLetter = store.db.prepare(
      `INSERT INTO dunning_letters (run_id, customer_id, level, run_date, kind, channel, language, recipient, subject,
         currency_code, total_amount, fee_amount, interest_amount, items, status, created_at)
       VALUES (?, ?, ?, ?, 'reminder', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    for (const items of groups.values()) {
      const invoices = items.filter((i) => i.itemType === 'invoice');
      if (invoices.length === 0) continue;
      const first = items[0]!;
      const level = Math.max(...invoices.map((i) => i.level));
      const lp = levelPolicy(policy, level);
      const dunned = invoices.reduce((s, i) => s + toMinor(i.openAmount), 0n);
      const credits = items
        .filter((i) => i.itemType !== 'invoice')
        .reduce((s, i) => s + toMinor(i.openAmount), 0n);
      const interest = invoices.reduce(
        (s, i) =>
          s + interestMinor(toMinor(i.openAmount), lp.interest_rate_percent, Math.max(i.daysPastDue ?? 0, 0)),
        0n,
      );
      const total = dunned + credits + lp.fee + interest;
      if (dunned + credits <= 0n) continue;
      const contact = contacts.get(first.customerId);
      const language = letterLanguage(first.countryCode, contact);
      const channel = lp.channel;
      const recipient = contact?.email ?? null;
      const status = channel === 'email' && recipient ? 'queued' : 'to_print';
      const subject =
        language === 'ja'
          ? `お支払いのお願い / Payment reminder — ${first.customerName} (${run.runDate})`
          : `Payment reminder — ${first.customerName} (${run.runDate})`;
      const res = insLetter.run(
        run.id,
        first.customerId,
        level,
        run.runDate,
        channel,
        language,
        recipient,
        subject,
        first.currencyCode,
        fromMinor(total),
        fromMinor(lp.fee),
        fromMinor(interest),
        JSON.stringify({
          customerName: first.customerName,
          items: items.map((i) => ({
            itemId: i.itemId,
            itemType: i.itemType,
            documentDate: i.documentDate,
            dueDate: i.dueDate,
            daysPastDue: i.daysPastDue,
            openAmount: i.openAmount,
          })),
        }),
        status,
        at,
      );
      if (Number(res.changes) === 0) {
        alreadySent++;
        continue;
      }
      const letterId = Number(res.lastInsertRowid);
      letters.push(letterId);
      store.db
        .prepare(
          `INSERT INTO collection_activities (customer_id, invoice_id, kind, outcome, note, activity_date, ref_id, user_id, user_name, created_at)
           VALUES (?, NULL, ?, 'dunning_level_' || ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          first.customerId,
          channel,
          level,
          subject,
          run.runDate,
          letterId,
          who.actor.id,
          who.actor.name,
          at,
        );
      store.db
        .prepare(
          `INSERT INTO customer_dunning (customer_id, highest_level, highest_level_date, last_level, last_letter_date, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (customer_id) DO UPDATE SET
             highest_level_date = CASE WHEN excluded.highest_level > highest_level THEN excluded.highest_level_date ELSE highest_level_date END,
             highest_level = max(highest_level, excluded.highest_level),
             last_level = excluded.last_level, last_letter_date = excluded.last_letter_date, updated_at = excluded.updated_at`,
        )
        .run(first.customerId, level, run.runDate, level, run.runDate, at);
      if (lp.task) {
        const t = store.db
          .prepare(
            `INSERT INTO collection_tasks (customer_id, title, title_params, assignee, due_date, status, source, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?) ON CONFLICT DO NOTHING`,
          )
          .run(
            first.customerId,
            `Dunning level ${level} (${lp.name}): call ${first.customerName}`,
            JSON.stringify({ kind: 'dunning', level, levelName: lp.name, customerName: first.customerName }),
            first.creditController ?? '(unassigned)',
            addDays(run.runDate, lp.task.due_in_days),
            `dunning:${run.runDate}:L${level}`,
            who.actor.name,
            at,
          );
        tasks += Number(t.changes);
      }
      if (lp.key_focus) {
        store.db
          .prepare(
            'INSERT INTO key_focus (customer_id, reason, set_by, set_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
          )
          .run(first.customerId, `dunning level ${level}`, who.actor.name, at);
      }
      appendAudit(store, who.actor, {
        action: 'dunning.letter',
        target: `letter:${letterId}`,
        after: {
          runId: run.id,
          customerId: first.customerId,
          level,
          channel,
          recipient,
          currency: first.currencyCode,
          total: fromMinor(total),
          items: invoices.map((i) => i.itemId),
        },
      });
    }
    store.db
      .prepare(
        "UPDATE dunning_runs SET status = 'approved', approved_by = ?, approved_at = ?, version = version + 1 WHERE id = ?",
      )
      .run(who.actor.name, at, run.id);
    appendAudit(store, who.actor, {
      action: 'dunning.approve',
      target: `dunning_run:${run.id}`,
      before: { status: 'proposed' },
      after: { status: 'approved', letters: letters.length, alreadySent, tasks },
    });
    return { run: getRun(store, run.id), letters, alreadySent, tasks };
  });
}

export function cancelRun(store: OpsStore, who: Who, runId: number): RunSummary {
  authorise(who, 'dunning.propose');
  return store.write(() => {
    const run = editableRun(store, who, runId, null);
    store.db
      .prepare("UPDATE dunning_runs SET status = 'cancelled', version = version + 1 WHERE id = ?")
      .run(run.id);
    appendAudit(store, who.actor, {
      action: 'dunning.cancel',
      target: `dunning_run:${run.id}`,
      before: { status: 'proposed' },
      after: { status: 'cancelled' },
    });
    return getRun(store, run.id);
  });
}

/** The highest dunning level reached per customer (for credit management). */
export function customerLevels(store: OpsStore): Map<string, { highest: number; date: string }> {
  const out = new Map<string, { highest: number; date: string }>();
  for (const r of store.db
    .prepare('SELECT customer_id, highest_level, highest_level_date FROM customer_dunning')
    .all() as { customer_id: string; highest_level: number; highest_level_date: string }[]) {
    out.set(r.customer_id, { highest: r.highest_level, date: r.highest_level_date });
  }
  return out;
}
