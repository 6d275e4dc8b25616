/**
 * Cash application in the operational store: statements imported, their lines (deduplicated across
 * overlapping statements by `lineKey`), the proposals the matcher made, and every decision — applied
 * by a rule above the confidence threshold, or by a person in the review queue. Each write is one
 * function that authorises (the role's actions in auth/policy.ts; the CLI is trusted as the server's
 * shell, like `arlens users`), writes and appends its audit entry in one `BEGIN IMMEDIATE`
 * transaction. A person's decision names the line's version they saw, so two people deciding the
 * same line at once cannot both win: the second is told it changed. Applications are checked against
 * what is still open at that moment (the open-item snapshot less every application not yet in the
 * warehouse), so two lines cannot over-apply one invoice either.
 */
import { createHash } from 'node:crypto';
import { mayDo, type Role } from '../auth/policy.ts';
import { appendAudit, type Actor } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import {
  consume,
  DEFAULT_MATCH_CONFIG,
  emptyMemory,
  learnPayer,
  MatchIndex,
  proposeMatches,
  RULES,
  ruleKey,
  type CustomerInfo,
  type MatchConfig,
  type Memory,
  type OpenItem,
  type Proposal,
} from './match.ts';
import { errorText, type CashAppErrorCode, type ErrorParams } from './errors.ts';
import { normaliseName } from './normalise.ts';
import { fromCents, lineKey, type ParsedStatement, type StatementLine } from './statement.ts';

export class CashAppError extends Error {
  override readonly name = 'CashAppError';
  constructor(
    readonly code: CashAppErrorCode,
    readonly params: ErrorParams = {},
    readonly status: 400 | 403 | 404 | 409 = 400,
  ) {
    super(errorText(code, params));
  }
}

/** Who acts: a signed-in user with a role, or the server's shell (the CLI). */
export type Authority = Role | 'cli';

function authorise(authority: Authority, action: 'cashapp.import' | 'cashapp.decide'): void {
  if (authority !== 'cli' && !mayDo(authority, action)) {
    throw new CashAppError(action === 'cashapp.import' ? 'forbiddenImport' : 'forbiddenDecide', {}, 403);
  }
}

export type LineStatus = 'new' | 'review' | 'applied' | 'unapplied' | 'rejected' | 'outgoing';

export interface BankLine extends StatementLine {
  readonly id: number;
  readonly statementId: number;
  readonly status: LineStatus;
  readonly customerId: string | null;
  readonly proposals: readonly Proposal[];
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionRule: string | null;
  readonly confidence: number | null;
  readonly version: number;
  readonly publishedAt: string | null;
  readonly applications: readonly { invoiceId: string; cents: number; currency: string; source: string }[];
}

export interface ImportResult {
  readonly statementId: number;
  readonly format: string;
  readonly read: number;
  readonly added: number;
  readonly duplicates: number;
  readonly quarantined: number;
}

/** Store a parsed statement: new lines added, lines seen before (any statement) skipped, bad ones quarantined. */
export function importStatement(
  store: OpsStore,
  actor: Actor,
  authority: Authority,
  file: { name: string; bytes: Uint8Array },
  parsed: ParsedStatement,
): ImportResult {
  authorise(authority, 'cashapp.import');
  return store.write(() => {
    const now = new Date().toISOString();
    const sha = createHash('sha256').update(file.bytes).digest('hex');
    const st = store.db
      .prepare(
        `INSERT INTO bank_statements (statement_ref, format, account, file_name, sha256, lines_read, lines_new,
           lines_duplicate, lines_quarantined, imported_by, imported_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
      )
      .run(
        parsed.statementId.slice(0, 200),
        parsed.format,
        parsed.account,
        file.name.slice(0, 200),
        sha,
        parsed.lines.length,
        parsed.quarantined.length,
        actor.name,
        now,
      );
    const statementId = Number(st.lastInsertRowid);
    const insert = store.db.prepare(
      `INSERT INTO bank_lines (line_key, statement_id, position, account, booking_date, value_date, amount_cents, currency,
         instructed_cents, instructed_currency, charges_cents, counterparty_name, counterparty_iban, remittance,
         end_to_end_id, bank_reference, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (line_key) DO NOTHING`,
    );
    let added = 0;
    for (const l of parsed.lines) {
      const r = insert.run(
        lineKey(l),
        statementId,
        l.position,
        l.account,
        l.bookingDate,
        l.valueDate,
        l.amountCents,
        l.currency,
        l.instructedCents,
        l.instructedCurrency,
        l.chargesCents,
        l.counterpartyName,
        l.counterpartyIban,
        l.remittance,
        l.endToEndId,
        l.bankReference,
        l.amountCents > 0 ? 'new' : 'outgoing',
      );
      added += Number(r.changes);
    }
    const q = store.db.prepare(
      'INSERT INTO bank_quarantine (statement_id, position, reason, raw) VALUES (?, ?, ?, ?)',
    );
    for (const b of parsed.quarantined) q.run(statementId, b.position, b.reason, b.raw);
    const duplicates = parsed.lines.length - added;
    store.db
      .prepare('UPDATE bank_statements SET lines_new = ?, lines_duplicate = ? WHERE id = ?')
      .run(added, duplicates, statementId);
    const result: ImportResult = {
      statementId,
      format: parsed.format,
      read: parsed.lines.length,
      added,
      duplicates,
      quarantined: parsed.quarantined.length,
    };
    appendAudit(store, actor, {
      action: 'cashapp.import',
      target: `statement:${statementId}`,
      after: {
        file: file.name,
        statement: parsed.statementId,
        account: parsed.account,
        sha256: sha,
        ...result,
      },
    });
    return result;
  });
}

/**
 * Replace the open-item snapshot the matcher works from (read from the warehouse by the caller), with
 * the bank lines whose receipts that warehouse already holds (`inWarehouse`): the applications of
 * every other line are taken off the snapshot's open amounts, whatever the order of publish, build
 * and refresh.
 */
export function refreshOpenItems(
  store: OpsStore,
  items: readonly (OpenItem & { customerName: string })[],
  inWarehouse: readonly number[],
): void {
  store.write(() => {
    const now = new Date().toISOString();
    store.db.exec('DELETE FROM cashapp_open_items; DELETE FROM cashapp_snapshot_lines;');
    const ins = store.db.prepare(
      `INSERT INTO cashapp_open_items (invoice_id, customer_id, customer_name, open_cents, currency, document_date, due_date, refreshed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const it of items) {
      ins.run(
        it.invoiceId,
        it.customerId,
        it.customerName,
        it.openCents,
        it.currency,
        it.documentDate,
        it.dueDate,
        now,
      );
    }
    const line = store.db.prepare('INSERT OR IGNORE INTO cashapp_snapshot_lines (line_id) VALUES (?)');
    for (const id of inWarehouse) line.run(id);
  });
}

interface OpenRow {
  invoice_id: string;
  customer_id: string;
  customer_name: string;
  open_cents: number;
  currency: string;
  document_date: string;
  due_date: string;
}

/** What is still open: the snapshot less every application the warehouse has not seen yet. */
function currentIndex(store: OpsStore): MatchIndex {
  const rows = store.db
    .prepare(
      `SELECT o.invoice_id, o.customer_id, o.customer_name, o.currency, o.document_date, o.due_date,
              o.open_cents - COALESCE((
                SELECT SUM(a.amount_cents) FROM cash_applications a
                WHERE a.invoice_id = o.invoice_id AND a.line_id NOT IN (SELECT line_id FROM cashapp_snapshot_lines)
              ), 0) AS open_cents
       FROM cashapp_open_items o`,
    )
    .all() as unknown as OpenRow[];
  const customers = new Map<string, CustomerInfo>();
  const items: OpenItem[] = rows.map((r) => {
    customers.set(r.customer_id, { customerId: r.customer_id, name: r.customer_name });
    return {
      invoiceId: r.invoice_id,
      customerId: r.customer_id,
      openCents: r.open_cents,
      currency: r.currency,
      documentDate: r.document_date,
      dueDate: r.due_date,
    };
  });
  return new MatchIndex(items, [...customers.values()]);
}

/** What decisions taught: payer accounts and names of settled lines, and each rule's record per customer. */
export function loadMemory(store: OpsStore): Memory {
  const memory = emptyMemory();
  const rows = store.db
    .prepare(
      `SELECT counterparty_iban, counterparty_name, customer_id FROM bank_lines
       WHERE status IN ('applied', 'unapplied') AND customer_id IS NOT NULL`,
    )
    .all() as { counterparty_iban: string; counterparty_name: string; customer_id: string }[];
  for (const r of rows)
    learnPayer(
      memory,
      { counterpartyIban: r.counterparty_iban, counterpartyName: r.counterparty_name },
      r.customer_id,
    );
  for (const r of store.db
    .prepare('SELECT customer_id, rule, accepted, rejected FROM cashapp_rule_stats')
    .all() as {
    customer_id: string;
    rule: string;
    accepted: number;
    rejected: number;
  }[]) {
    memory.rules.set(`${r.customer_id}|${r.rule}`, { accepted: r.accepted, rejected: r.rejected });
  }
  return memory;
}

interface LineRow {
  id: number;
  statement_id: number;
  position: number;
  account: string;
  booking_date: string;
  value_date: string;
  amount_cents: number;
  currency: string;
  instructed_cents: number | null;
  instructed_currency: string | null;
  charges_cents: number | null;
  counterparty_name: string;
  counterparty_iban: string;
  remittance: string;
  end_to_end_id: string;
  bank_reference: string;
  status: LineStatus;
  customer_id: string | null;
  proposals: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_rule: string | null;
  confidence: number | null;
  version: number;
  published_at: string | null;
}

function toLine(store: OpsStore, r: LineRow): BankLine {
  const apps = store.db
    .prepare(
      'SELECT invoice_id, amount_cents, currency, source FROM cash_applications WHERE line_id = ? ORDER BY invoice_id',
    )
    .all(r.id) as { invoice_id: string; amount_cents: number; currency: string; source: string }[];
  return {
    id: r.id,
    statementId: r.statement_id,
    position: r.position,
    account: r.account,
    bookingDate: r.booking_date,
    valueDate: r.value_date,
    amountCents: r.amount_cents,
    currency: r.currency,
    instructedCents: r.instructed_cents,
    instructedCurrency: r.instructed_currency,
    chargesCents: r.charges_cents,
    counterpartyName: r.counterparty_name,
    counterpartyIban: r.counterparty_iban,
    remittance: r.remittance,
    endToEndId: r.end_to_end_id,
    bankReference: r.bank_reference,
    status: r.status,
    customerId: r.customer_id,
    proposals: JSON.parse(r.proposals) as Proposal[],
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionRule: r.decision_rule,
    confidence: r.confidence,
    version: r.version,
    publishedAt: r.published_at,
    applications: apps.map((a) => ({
      invoiceId: a.invoice_id,
      cents: a.amount_cents,
      currency: a.currency,
      source: a.source,
    })),
  };
}

export function getLine(store: OpsStore, id: number): BankLine | null {
  const r = store.db.prepare('SELECT * FROM bank_lines WHERE id = ?').get(id) as LineRow | undefined;
  return r ? toLine(store, r) : null;
}

export function listLines(store: OpsStore, o: { status?: LineStatus; limit?: number } = {}): BankLine[] {
  const rows = (o.status
    ? store.db
        .prepare('SELECT * FROM bank_lines WHERE status = ? ORDER BY booking_date, id LIMIT ?')
        .all(o.status, o.limit ?? 500)
    : store.db
        .prepare('SELECT * FROM bank_lines ORDER BY booking_date, id LIMIT ?')
        .all(o.limit ?? 500)) as unknown as LineRow[];
  return rows.map((r) => toLine(store, r));
}

export function lineCounts(store: OpsStore): Record<LineStatus, number> {
  const out: Record<LineStatus, number> = {
    new: 0,
    review: 0,
    applied: 0,
    unapplied: 0,
    rejected: 0,
    outgoing: 0,
  };
  for (const r of store.db.prepare('SELECT status, COUNT(*) AS n FROM bank_lines GROUP BY status').all() as {
    status: LineStatus;
    n: number;
  }[]) {
    out[r.status] = r.n;
  }
  return out;
}

function writeApplications(
  store: OpsStore,
  lineId: number,
  customerId: string,
  apps: readonly { invoiceId: string; cents: number }[],
  source: 'rule' | 'person',
  rule: string | null,
): void {
  const ins = store.db.prepare(
    `INSERT INTO cash_applications (line_id, invoice_id, customer_id, amount_cents, currency, source, rule)
     VALUES (?, ?, ?, ?, (SELECT currency FROM cashapp_open_items WHERE invoice_id = ?), ?, ?)`,
  );
  for (const a of apps) ins.run(lineId, a.invoiceId, customerId, a.cents, a.invoiceId, source, rule);
}

export interface MatchRunResult {
  readonly matched: number;
  readonly autoApplied: number;
  readonly review: number;
}

/**
 * Match every new line: the best proposal at or above the threshold is applied (audited as the
 * rule), the others wait in the review queue with their proposals.
 */
export function runMatching(
  store: OpsStore,
  actor: Actor,
  authority: Authority,
  cfg: MatchConfig = DEFAULT_MATCH_CONFIG,
): MatchRunResult {
  authorise(authority, 'cashapp.import');
  return store.write(() => {
    const index = currentIndex(store);
    const memory = loadMemory(store);
    const rows = store.db
      .prepare("SELECT * FROM bank_lines WHERE status = 'new' ORDER BY booking_date, id")
      .all() as unknown as LineRow[];
    let autoApplied = 0;
    let review = 0;
    const now = new Date().toISOString();
    for (const r of rows) {
      const line = toLine(store, r);
      const proposals = proposeMatches(line, index, memory, cfg);
      const top = proposals[0];
      if (top && top.confidence >= cfg.autoThreshold) {
        consume(index, top);
        learnPayer(memory, line, top.customerId);
        writeApplications(store, line.id, top.customerId, top.applications, 'rule', top.rule);
        const status: LineStatus = top.applications.length > 0 ? 'applied' : 'unapplied';
        store.db
          .prepare(
            `UPDATE bank_lines SET status = ?, customer_id = ?, proposals = ?, decided_by = ?, decided_at = ?,
               decision_rule = ?, confidence = ?, version = version + 1 WHERE id = ?`,
          )
          .run(
            status,
            top.customerId,
            JSON.stringify(proposals),
            `rule:${top.rule}`,
            now,
            top.rule,
            top.confidence,
            line.id,
          );
        appendAudit(store, actor, {
          action: 'cashapp.auto_apply',
          target: `bank_line:${line.id}`,
          before: { status: 'new' },
          after: {
            status,
            customer: top.customerId,
            rule: top.rule,
            confidence: top.confidence,
            applications: top.applications.map((a) => ({ invoice: a.invoiceId, amount: fromCents(a.cents) })),
            unapplied: fromCents(top.unappliedCents),
            threshold: cfg.autoThreshold,
          },
        });
        autoApplied++;
      } else {
        store.db
          .prepare(
            "UPDATE bank_lines SET status = 'review', proposals = ?, confidence = ?, version = version + 1 WHERE id = ?",
          )
          .run(JSON.stringify(proposals), top?.confidence ?? null, line.id);
        review++;
      }
    }
    if (rows.length > 0) {
      appendAudit(store, actor, {
        action: 'cashapp.match',
        target: null,
        after: { lines: rows.length, autoApplied, review, threshold: cfg.autoThreshold },
      });
    }
    return { matched: rows.length, autoApplied, review };
  });
}

export type Decision =
  | { readonly kind: 'accept'; readonly proposal: number }
  | {
      readonly kind: 'split';
      readonly customerId: string;
      readonly applications: readonly { invoiceId: string; cents: number }[];
    }
  | { readonly kind: 'unapplied'; readonly customerId: string }
  | { readonly kind: 'reject'; readonly reason: string };

const MAX_SPLIT = 50;

/** A person's decision on a line in the review queue. `version`: the line's version they saw. */
export function decideLine(
  store: OpsStore,
  actor: Actor,
  authority: Authority,
  lineId: number,
  version: number,
  decision: Decision,
): BankLine {
  authorise(authority, 'cashapp.decide');
  if (!Number.isSafeInteger(lineId) || lineId <= 0) throw new CashAppError('noLine', { id: '?' }, 404);
  if (!Number.isSafeInteger(version) || version < 0) throw new CashAppError('noVersion');
  return store.write(() => {
    const line = getLine(store, lineId);
    if (!line) throw new CashAppError('noLine', { id: lineId }, 404);
    if (line.version !== version) {
      throw new CashAppError(
        'stale',
        { id: lineId, status: line.status, by: line.decidedBy ? `, by ${line.decidedBy}` : '' },
        409,
      );
    }
    if (line.status !== 'review' && line.status !== 'new') {
      throw new CashAppError('notWaiting', { id: lineId, status: line.status }, 409);
    }
    const index = currentIndex(store);
    let customerId: string;
    let apps: { invoiceId: string; cents: number }[] = [];
    let rule: string;
    let status: LineStatus;
    const top = line.proposals[0];
    switch (decision.kind) {
      case 'accept': {
        const p = line.proposals[decision.proposal];
        if (!Number.isInteger(decision.proposal) || !p) throw new CashAppError('noProposal');
        customerId = p.customerId;
        apps = p.applications.map((a) => ({ ...a }));
        rule = p.rule;
        status = apps.length > 0 ? 'applied' : 'unapplied';
        break;
      }
      case 'split': {
        if (decision.applications.length === 0) throw new CashAppError('splitEmpty');
        if (decision.applications.length > MAX_SPLIT) throw new CashAppError('splitMax', { max: MAX_SPLIT });
        const seen = new Set<string>();
        for (const a of decision.applications) {
          if (!Number.isSafeInteger(a.cents) || a.cents <= 0) throw new CashAppError('splitAmount');
          if (seen.has(a.invoiceId))
            throw new CashAppError('splitTwice', { invoice: a.invoiceId.slice(0, 40) });
          seen.add(a.invoiceId);
        }
        customerId = decision.customerId;
        apps = decision.applications.map((a) => ({ ...a }));
        rule = 'person_split';
        status = 'applied';
        break;
      }
      case 'unapplied':
        customerId = decision.customerId;
        rule = 'person_unapplied';
        status = 'unapplied';
        break;
      case 'reject': {
        const reason = decision.reason.trim();
        if (!reason) throw new CashAppError('noReason');
        customerId = '';
        rule = 'person_reject';
        status = 'rejected';
        break;
      }
    }
    if (status !== 'rejected') {
      const known =
        store.db.prepare('SELECT 1 FROM cashapp_open_items WHERE customer_id = ? LIMIT 1').get(customerId) ??
        store.db.prepare('SELECT 1 FROM bank_lines WHERE customer_id = ? LIMIT 1').get(customerId);
      if (!customerId || !known)
        throw new CashAppError('unknownCustomer', { customer: JSON.stringify(customerId.slice(0, 40)) });
    }
    let appliedSameCurrency = 0;
    for (const a of apps) {
      const item = index.items.get(a.invoiceId);
      if (!item) throw new CashAppError('notOpen', { invoice: JSON.stringify(a.invoiceId.slice(0, 40)) });
      if (item.customerId !== customerId) {
        throw new CashAppError('otherCustomer', {
          invoice: a.invoiceId,
          owner: item.customerId,
          customer: customerId.slice(0, 40),
        });
      }
      const open = index.open(a.invoiceId);
      if (a.cents > open) {
        throw new CashAppError(
          'overOpen',
          {
            invoice: a.invoiceId,
            open: fromCents(Math.max(open, 0)),
            currency: item.currency,
            amount: fromCents(a.cents),
          },
          409,
        );
      }
      if (item.currency === line.currency) appliedSameCurrency += a.cents;
      else if (line.instructedCurrency !== item.currency) {
        throw new CashAppError('currency', {
          invoice: a.invoiceId,
          currency: item.currency,
          lineCurrency: line.currency,
        });
      }
    }
    if (appliedSameCurrency > line.amountCents) {
      throw new CashAppError('overLine', {
        applied: fromCents(appliedSameCurrency),
        amount: fromCents(line.amountCents),
      });
    }
    const now = new Date().toISOString();
    writeApplications(store, line.id, customerId, apps, 'person', rule);
    store.db
      .prepare(
        `UPDATE bank_lines SET status = ?, customer_id = ?, decided_by = ?, decided_at = ?, decision_rule = ?,
           version = version + 1 WHERE id = ?`,
      )
      .run(status, customerId || null, actor.name, now, rule, line.id);
    // Learning: the top proposal's rule was right for this customer, or it was not.
    if (top && (RULES as readonly string[]).includes(top.rule)) {
      // Accepting the best proposal, or doing by hand exactly what it proposed, confirms it.
      const accepted = decision.kind === 'accept' ? decision.proposal === 0 : samePlan(top, customerId, apps);
      recordRule(store, top, accepted);
      if (decision.kind === 'accept' && decision.proposal > 0)
        recordRule(store, line.proposals[decision.proposal]!, true);
    }
    appendAudit(store, actor, {
      action: `cashapp.${decision.kind}`,
      target: `bank_line:${line.id}`,
      before: {
        status: line.status,
        version: line.version,
        top: top ? { customer: top.customerId, rule: top.rule, confidence: top.confidence } : null,
      },
      after: {
        status,
        customer: customerId || null,
        rule,
        applications: apps.map((a) => ({ invoice: a.invoiceId, amount: fromCents(a.cents) })),
        ...(decision.kind === 'reject' ? { reason: decision.reason.trim().slice(0, 500) } : {}),
      },
    });
    return getLine(store, line.id)!;
  });
}

function samePlan(
  p: Proposal,
  customerId: string,
  apps: readonly { invoiceId: string; cents: number }[],
): boolean {
  if (p.customerId !== customerId) return false;
  const a = new Set(p.applications.map((x) => x.invoiceId));
  return apps.length === a.size && apps.every((x) => a.has(x.invoiceId));
}

/** A decision on a proposal, for its customer and over all customers (`*`), as learnDecision keeps it. */
function recordRule(store: OpsStore, p: Proposal, accepted: boolean): void {
  const up = store.db.prepare(
    `INSERT INTO cashapp_rule_stats (customer_id, rule, accepted, rejected) VALUES (?, ?, ?, ?)
     ON CONFLICT (customer_id, rule) DO UPDATE SET accepted = accepted + excluded.accepted, rejected = rejected + excluded.rejected`,
  );
  for (const who of [p.customerId, '*']) up.run(who, ruleKey(p), accepted ? 1 : 0, accepted ? 0 : 1);
}

export interface PublishRows {
  readonly payments: {
    receipt_id: string;
    customer_id: string;
    payment_date: string;
    amount: string;
    currency: string;
    method: string;
    bank_reference: string;
  }[];
  readonly applications: {
    receipt_id: string;
    invoice_id: string;
    applied_date: string;
    applied_amount: string;
  }[];
  readonly lineIds: number[];
}

/** Receipt id of a bank line: stable, so re-publishing replaces rather than duplicates. */
export const receiptId = (lineId: number) => `BANK-${String(lineId).padStart(8, '0')}`;

/** The bank line of a receipt id, or null for any other receipt. */
export function lineOfReceipt(receipt: string): number | null {
  const m = /^BANK-(\d{8,})$/.exec(receipt);
  return m ? Number(m[1]) : null;
}

/** Decided lines the warehouse does not have yet, as the ERP contract's payments and applications. */
export function publishable(store: OpsStore): PublishRows {
  const rows = store.db
    .prepare(
      "SELECT * FROM bank_lines WHERE status IN ('applied', 'unapplied') AND published_at IS NULL ORDER BY id",
    )
    .all() as unknown as LineRow[];
  const payments: PublishRows['payments'] = [];
  const applications: PublishRows['applications'] = [];
  for (const r of rows) {
    const l = toLine(store, r);
    const statement = store.db
      .prepare('SELECT statement_ref FROM bank_statements WHERE id = ?')
      .get(l.statementId) as {
      statement_ref: string;
    };
    // A payment in another currency than the invoices it settles (the bank converted it) is recorded
    // in the invoices' currency: the payer's instructed amount, else what was applied. The booked
    // amount stays in the bank reference; the FX difference is the ERP's to post.
    const currencies = new Set(l.applications.map((a) => a.currency));
    const foreign = currencies.size === 1 && !currencies.has(l.currency) ? [...currencies][0]! : null;
    const amountCents = !foreign
      ? l.amountCents
      : l.instructedCurrency === foreign && l.instructedCents !== null
        ? l.instructedCents
        : l.applications.reduce((sum, a) => sum + a.cents, 0);
    const booked = foreign ? ` booked ${fromCents(l.amountCents)} ${l.currency}` : '';
    payments.push({
      receipt_id: receiptId(l.id),
      customer_id: l.customerId!,
      payment_date: l.valueDate,
      amount: fromCents(amountCents),
      currency: foreign ?? l.currency,
      method: 'bank_transfer',
      bank_reference:
        `${statement.statement_ref} #${l.position} ${l.bankReference}${booked} (${l.decidedBy})`.slice(
          0,
          200,
        ),
    });
    for (const a of l.applications) {
      applications.push({
        receipt_id: receiptId(l.id),
        invoice_id: a.invoiceId,
        applied_date: l.valueDate,
        applied_amount: fromCents(a.cents),
      });
    }
  }
  return { payments, applications, lineIds: rows.map((r) => r.id) };
}

/**
 * Invoice id → the minor units applied to it by decided bank lines the warehouse does not hold yet:
 * dunning leaves that money out at once instead of waiting for `arlens bank publish` and a build.
 */
export function appliedNotPublished(store: OpsStore): Map<string, number> {
  const rows = store.db
    .prepare(
      `SELECT a.invoice_id, SUM(a.amount_cents) AS cents FROM cash_applications AS a
       JOIN bank_lines AS l ON l.id = a.line_id
       WHERE l.status = 'applied' AND l.published_at IS NULL
       GROUP BY a.invoice_id`,
    )
    .all() as { invoice_id: string; cents: number }[];
  return new Map(rows.map((r) => [r.invoice_id, r.cents]));
}

/** Mark lines as in the warehouse (after the ingest published them), audited. */
export function markPublished(
  store: OpsStore,
  actor: Actor,
  lineIds: readonly number[],
  loadRun: string,
): void {
  store.write(() => {
    const now = new Date().toISOString();
    const up = store.db.prepare(
      'UPDATE bank_lines SET published_at = ? WHERE id = ? AND published_at IS NULL',
    );
    for (const id of lineIds) up.run(now, id);
    appendAudit(store, actor, {
      action: 'cashapp.publish',
      target: `ingest:${loadRun}`,
      after: { lines: lineIds.length },
    });
  });
}

/** Customers by normalised name, for the page's "assign to customer" field. */
export function customersLike(
  store: OpsStore,
  text: string,
  limit = 10,
): { customerId: string; name: string }[] {
  const norm = normaliseName(text);
  const rows = store.db
    .prepare('SELECT DISTINCT customer_id, customer_name FROM cashapp_open_items ORDER BY customer_id')
    .all() as { customer_id: string; customer_name: string }[];
  return rows
    .filter((r) => r.customer_id === text || (norm && normaliseName(r.customer_name).includes(norm)))
    .slice(0, limit)
    .map((r) => ({ customerId: r.customer_id, name: r.customer_name }));
}
