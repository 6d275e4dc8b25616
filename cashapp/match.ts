/**
 * The matching engine: for one incoming bank line, proposals of which open items it pays, each with
 * a confidence and the reasons behind it, from transparent rules (docs/cash-application.md):
 *
 *   reference_exact        invoice numbers in the remittance, amounts add up (within the short-payment
 *                          tolerance for bank fees or an early-payment discount)
 *   reference_partial      one referenced invoice, less than its open amount arrived
 *   reference_overpaid     the referenced invoices and cash left over (unapplied, on the customer)
 *   reference_subset       several invoices referenced, the amount equals some of them
 *   reference_typo         a number one typo away from an open invoice, and the amount equals it
 *   customer_amount        payer known (IBAN or name), exactly one of its items has the amount
 *   customer_combination   payer known, a unique set of its items adds up to the amount
 *   amount_only            no payer, no reference: the only open item anywhere with that amount
 *   customer_unapplied     payer known, nothing fits: the cash goes on the customer unapplied
 *
 * A rule's base confidence is raised or lowered by what confirms or contradicts it (the payer's
 * account or name pointing at the same or another customer) and then by what people decided before:
 * the learned part (`Memory`): which customers a payer IBAN and a payer name paid for, and how often
 * each rule's proposals for a customer were accepted or rejected (a Beta-smoothed acceptance rate).
 * Above `autoThreshold` the best proposal is applied without review. Pure: plain data in and out.
 */
import {
  bigrams,
  dice,
  normaliseName,
  oneTypoAway,
  refKey,
  remittanceRefs,
  type RefKey,
} from './normalise.ts';
import type { StatementLine } from './statement.ts';

export interface OpenItem {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly openCents: number;
  readonly currency: string;
  readonly documentDate: string;
  readonly dueDate: string;
  readonly salesOrderId?: string | null;
}

export interface CustomerInfo {
  readonly customerId: string;
  readonly name: string;
}

export type Rule =
  | 'reference_exact'
  | 'reference_partial'
  | 'reference_overpaid'
  | 'reference_subset'
  | 'reference_typo'
  | 'customer_amount'
  | 'customer_combination'
  | 'amount_only'
  | 'customer_unapplied';

export const RULES: readonly Rule[] = [
  'reference_exact',
  'reference_partial',
  'reference_overpaid',
  'reference_subset',
  'reference_typo',
  'customer_amount',
  'customer_combination',
  'amount_only',
  'customer_unapplied',
];

export interface Application {
  readonly invoiceId: string;
  /** In the invoice's currency. */
  readonly cents: number;
}

export interface Proposal {
  readonly customerId: string;
  readonly rule: Rule;
  readonly applications: readonly Application[];
  /** Cash left on the customer as unapplied, in the line's currency. */
  readonly unappliedCents: number;
  readonly confidence: number;
  readonly reasons: readonly string[];
  /** What identified the customer: reference, iban, name (learned), master (the customer master's name), none. */
  readonly evidence: Evidence;
}

export type Evidence = 'reference' | 'iban' | 'name' | 'master' | 'none';

/** The key decisions are learned under: the rule and what identified the customer. */
export const ruleKey = (p: Pick<Proposal, 'rule' | 'evidence'>) => `${p.rule}/${p.evidence}`;

export interface MatchConfig {
  /** Proposals at or above this confidence are applied without review. */
  readonly autoThreshold: number;
  /** A shortfall up to this share of the amount is a bank fee or early-payment discount (percent). */
  readonly shortTolerancePct: number;
  /** A line in another currency than the invoice matches when it is within this share at the given rate. */
  readonly fxTolerancePct: number;
  /** Combinations are searched among at most this many of a customer's oldest items ... */
  readonly maxCombinationItems: number;
  /** ... with at most this many items in one combination. */
  readonly maxCombinationSize: number;
  /** Weight of a rule's base confidence against the learned acceptance rate (pseudo-decisions). */
  readonly priorWeight: number;
  /** How many acceptances one rejection outweighs in the learned confidence. */
  readonly rejectionWeight: number;
}

export const DEFAULT_MATCH_CONFIG: MatchConfig = {
  autoThreshold: 0.95,
  shortTolerancePct: 2,
  fxTolerancePct: 2,
  maxCombinationItems: 24,
  maxCombinationSize: 5,
  priorWeight: 5,
  rejectionWeight: 5,
};

/** What earlier decisions taught (built from the store by the caller). */
export interface Memory {
  /** Payer IBAN → customer → confirmed matches. */
  readonly ibans: Map<string, Map<string, number>>;
  /** Normalised payer name → customer → confirmed matches. */
  readonly names: Map<string, Map<string, number>>;
  /** `customer|rule/evidence` (and `*|rule/evidence` over all customers) → decisions on such proposals. */
  readonly rules: Map<string, { accepted: number; rejected: number }>;
}

export function emptyMemory(): Memory {
  return { ibans: new Map(), names: new Map(), rules: new Map() };
}

function bump(m: Map<string, Map<string, number>>, key: string, customerId: string): void {
  if (!key) return;
  let inner = m.get(key);
  if (!inner) m.set(key, (inner = new Map()));
  inner.set(customerId, (inner.get(customerId) ?? 0) + 1);
}

/** Learn from a confirmed match: the payer's account and name belong to `customerId`. */
export function learnPayer(
  memory: Memory,
  line: Pick<StatementLine, 'counterpartyIban' | 'counterpartyName'>,
  customerId: string,
): void {
  bump(memory.ibans, line.counterpartyIban, customerId);
  bump(memory.names, normaliseName(line.counterpartyName), customerId);
}

/** Learn from a person's decision on a proposal: for its customer, and over all customers. */
export function learnDecision(
  memory: Memory,
  p: Pick<Proposal, 'customerId' | 'rule' | 'evidence'>,
  accepted: boolean,
): void {
  for (const key of [`${p.customerId}|${ruleKey(p)}`, `*|${ruleKey(p)}`]) {
    const s = memory.rules.get(key) ?? { accepted: 0, rejected: 0 };
    memory.rules.set(key, accepted ? { ...s, accepted: s.accepted + 1 } : { ...s, rejected: s.rejected + 1 });
  }
}

/** Open items and customers, indexed for matching; `remaining` tracks what applied lines consumed. */
export class MatchIndex {
  readonly items = new Map<string, OpenItem>();
  readonly remaining = new Map<string, number>();
  private readonly byRef = new Map<string, OpenItem[]>();
  private readonly byDigits = new Map<string, OpenItem[]>();
  private readonly byRaw = new Map<string, OpenItem[]>();
  private readonly byCustomer = new Map<string, OpenItem[]>();
  private readonly byAmount = new Map<string, OpenItem[]>();
  private readonly customerNames = new Map<string, { norm: string; grams: string[] }>();
  private readonly gramIndex = new Map<string, Set<string>>();
  /** Payers repeat: their name lookups are kept (the master does not change during a run). */
  private readonly nameCache = new Map<string, { customerId: string; score: number }[]>();

  constructor(items: readonly OpenItem[], customers: readonly CustomerInfo[]) {
    const push = (m: Map<string, OpenItem[]>, k: string, it: OpenItem) => {
      const l = m.get(k);
      if (l) l.push(it);
      else m.set(k, [it]);
    };
    const sorted = [...items].sort((a, b) =>
      a.dueDate === b.dueDate ? (a.invoiceId < b.invoiceId ? -1 : 1) : a.dueDate < b.dueDate ? -1 : 1,
    );
    for (const it of sorted) {
      if (it.openCents <= 0) continue;
      this.items.set(it.invoiceId, it);
      this.remaining.set(it.invoiceId, it.openCents);
      for (const ref of [it.invoiceId, it.salesOrderId ?? '']) {
        const k = ref ? refKey(ref) : null;
        if (!k) continue;
        push(this.byRef, `${k.prefix}#${k.digits}`, it);
        if (k.digits.length >= 4) push(this.byDigits, k.digits, it);
        if (k.raw.length >= 5 && k.raw !== k.digits) push(this.byRaw, k.raw, it);
      }
      push(this.byCustomer, it.customerId, it);
      push(this.byAmount, `${it.currency}|${it.openCents}`, it);
    }
    for (const c of customers) {
      const norm = normaliseName(c.name);
      const grams = bigrams(norm);
      this.customerNames.set(c.customerId, { norm, grams });
      for (const g of new Set(grams)) {
        let s = this.gramIndex.get(g);
        if (!s) this.gramIndex.set(g, (s = new Set()));
        s.add(c.customerId);
      }
    }
  }

  open(invoiceId: string): number {
    return this.remaining.get(invoiceId) ?? 0;
  }

  /**
   * Open items an exact reference names: prefix and number; else the number as written with its
   * leading zeros (5+ digits); else the number alone (4+ digits).
   */
  byReference(k: RefKey): OpenItem[] {
    const found =
      (k.prefix ? this.byRef.get(`${k.prefix}#${k.digits}`) : undefined) ??
      this.byRaw.get(k.raw) ??
      this.byDigits.get(k.digits) ??
      [];
    return found.filter((it) => this.open(it.invoiceId) > 0);
  }

  /** Open items a reference one typo away names (numbers of at least 5 digits only). */
  byTypo(k: RefKey): OpenItem[] {
    if (k.raw.length < 5) return [];
    const out = new Set<OpenItem>();
    for (const d of oneTypoAway(k.raw)) {
      for (const it of [
        ...(this.byRaw.get(d) ?? []),
        ...(this.byDigits.get(d.replace(/^0+(?=\d)/, '')) ?? []),
      ]) {
        if (this.open(it.invoiceId) > 0) out.add(it);
      }
    }
    return [...out];
  }

  customerItems(customerId: string, currency?: string): OpenItem[] {
    return (this.byCustomer.get(customerId) ?? []).filter(
      (it) => this.open(it.invoiceId) > 0 && (currency === undefined || it.currency === currency),
    );
  }

  withAmount(currency: string, cents: number): OpenItem[] {
    return (this.byAmount.get(`${currency}|${cents}`) ?? []).filter(
      (it) => this.open(it.invoiceId) === cents,
    );
  }

  /** Customers whose master name resembles `name` (Dice on bigrams), best first. */
  similarNames(name: string, min = 0.75): { customerId: string; score: number }[] {
    const key = `${min}|${name}`;
    let hit = this.nameCache.get(key);
    if (!hit) {
      if (this.nameCache.size > 50_000) this.nameCache.clear();
      this.nameCache.set(key, (hit = this.computeSimilarNames(name, min)));
    }
    return hit;
  }

  private computeSimilarNames(name: string, min: number): { customerId: string; score: number }[] {
    const norm = normaliseName(name);
    if (!norm) return [];
    const grams = bigrams(norm);
    const votes = new Map<string, number>();
    for (const g of new Set(grams))
      for (const c of this.gramIndex.get(g) ?? []) votes.set(c, (votes.get(c) ?? 0) + 1);
    const need = Math.max(1, Math.floor(new Set(grams).size * 0.5));
    const out: { customerId: string; score: number }[] = [];
    for (const [c, v] of votes) {
      if (v < need) continue;
      const score = dice(grams, this.customerNames.get(c)!.grams);
      if (score >= min) out.push({ customerId: c, score });
    }
    return out.sort((a, b) => b.score - a.score || (a.customerId < b.customerId ? -1 : 1));
  }
}

interface PayerEvidence {
  customerId: string;
  kind: 'iban' | 'name' | 'master';
  /** 0..1: how sure the payer is this customer. */
  strength: number;
  reason: string;
}

/** Who the payer is, by learned IBAN, learned name and the customer master's names. */
export function identifyPayer(line: StatementLine, index: MatchIndex, memory: Memory): PayerEvidence[] {
  const out = new Map<string, PayerEvidence>();
  const add = (e: PayerEvidence) => {
    const prev = out.get(e.customerId);
    if (!prev || prev.strength < e.strength) out.set(e.customerId, e);
  };
  const ib = line.counterpartyIban ? memory.ibans.get(line.counterpartyIban) : undefined;
  if (ib) {
    const total = [...ib.values()].reduce((a, b) => a + b, 0);
    for (const [c, n] of ib) {
      const share = n / total;
      add({
        customerId: c,
        kind: 'iban',
        strength: Math.min(0.99, share * (n >= 2 ? 0.99 : 0.93)),
        reason: `payer account ${line.counterpartyIban} paid for this customer ${n} time(s)${ib.size > 1 ? ` (it pays for ${ib.size} customers)` : ''}`,
      });
    }
  }
  const norm = normaliseName(line.counterpartyName);
  const nm = norm ? memory.names.get(norm) : undefined;
  if (nm) {
    const total = [...nm.values()].reduce((a, b) => a + b, 0);
    for (const [c, n] of nm) {
      add({
        customerId: c,
        kind: 'name',
        strength: Math.min(0.97, (n / total) * (n >= 2 ? 0.97 : 0.9)),
        reason: `payer name "${line.counterpartyName}" paid for this customer ${n} time(s)`,
      });
    }
  }
  if (line.counterpartyName) {
    for (const s of index.similarNames(line.counterpartyName).slice(0, 3)) {
      add({
        customerId: s.customerId,
        kind: 'master',
        strength: s.score >= 0.95 ? 0.92 : s.score * 0.85,
        reason: `payer name "${line.counterpartyName}" resembles the customer's name (${Math.round(s.score * 100)} %)`,
      });
    }
  }
  return [...out.values()].sort((a, b) => b.strength - a.strength);
}

/** Up to two sets of items whose open amounts add up to `target` (depth-first, oldest first, bounded). */
export function combinations(
  items: readonly OpenItem[],
  open: (id: string) => number,
  target: number,
  maxSize: number,
  budget = 20_000,
): OpenItem[][] {
  const found: OpenItem[][] = [];
  const chosen: OpenItem[] = [];
  let steps = 0;
  const walk = (start: number, left: number) => {
    if (found.length >= 2 || steps++ > budget) return;
    if (left === 0 && chosen.length >= 2) {
      found.push([...chosen]);
      return;
    }
    if (chosen.length >= maxSize) return;
    for (let i = start; i < items.length; i++) {
      const a = open(items[i]!.invoiceId);
      if (a > left) continue;
      chosen.push(items[i]!);
      walk(i + 1, left - a);
      chosen.pop();
      if (found.length >= 2) return;
    }
  };
  walk(0, target);
  return found;
}

/** The line's amount in `currency`: itself, the instructed amount, or converted at `rates` (±tolerance). */
function amountIn(
  line: StatementLine,
  currency: string,
  rates: ReadonlyMap<string, number> | undefined,
): { cents: number; approx: boolean } | null {
  if (line.currency === currency) return { cents: line.amountCents, approx: false };
  if (line.instructedCurrency === currency && line.instructedCents !== null) {
    return { cents: line.instructedCents, approx: false };
  }
  const rate = rates?.get(`${line.currency}/${currency}`);
  if (rate) return { cents: Math.round(line.amountCents * rate), approx: true };
  return null;
}

/**
 * A rule's confidence after what people decided: the posterior mean of a Beta with the rule's base
 * confidence as prior (`priorWeight` pseudo-decisions), first over all customers, then for this
 * customer, with every rejection counted `rejectionWeight` times — a wrong automatic application
 * costs more than a line sent to review, so a rule earns automation by a long clean record.
 */
function learned(
  memory: Memory,
  customerId: string,
  key: string,
  base: number,
  cfg: MatchConfig,
): { p: number; note: string | null } {
  const w = cfg.priorWeight;
  const post = (prior: number, s: { accepted: number; rejected: number } | undefined) =>
    !s ? prior : (s.accepted + prior * w) / (s.accepted + cfg.rejectionWeight * s.rejected + w);
  const all = memory.rules.get(`*|${key}`);
  const mine = memory.rules.get(`${customerId}|${key}`);
  if (!all && !mine) return { p: base, note: null };
  const notes: string[] = [];
  if (all) notes.push(`people accepted ${all.accepted} of ${all.accepted + all.rejected} such proposals`);
  if (mine) notes.push(`${mine.accepted} of ${mine.accepted + mine.rejected} for this customer`);
  return { p: post(post(base, all), mine), note: notes.join(', ') };
}

const fmt = (cents: number) =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/**
 * Proposals for one incoming line, best first (at most five). A debit line (money out) gets none.
 * `rates`: optional conversion rates `FROM/TO` → factor, for lines in another currency than the items.
 */
export function proposeMatches(
  line: StatementLine,
  index: MatchIndex,
  memory: Memory,
  cfg: MatchConfig = DEFAULT_MATCH_CONFIG,
  rates?: ReadonlyMap<string, number>,
): Proposal[] {
  if (line.amountCents <= 0) return [];
  const proposals: Proposal[] = [];
  const payers = identifyPayer(line, index, memory);
  const payerOf = new Map(payers.map((p) => [p.customerId, p]));
  const topPayer = payers[0];
  const corroboration = (customerId: string): { factor: number; reason: string | null } => {
    const p = payerOf.get(customerId);
    if (p && p.strength >= 0.8) return { factor: 1, reason: p.reason };
    if (topPayer && topPayer.strength >= 0.9 && topPayer.customerId !== customerId) {
      return {
        factor: 0.9,
        reason: `but the payer looks like another customer (${topPayer.customerId}: ${topPayer.reason})`,
      };
    }
    return {
      factor: 0.985,
      reason:
        line.counterpartyName || line.counterpartyIban
          ? 'the payer is not known yet'
          : 'no payer name or account on the line',
    };
  };
  const push = (p: Omit<Proposal, 'confidence' | 'evidence'> & { base: number; evidence?: Evidence }) => {
    const evidence: Evidence = p.evidence ?? (p.rule.startsWith('reference') ? 'reference' : 'none');
    const c = corroboration(p.customerId);
    let base = p.base * c.factor;
    if (c.factor === 1 && p.rule.startsWith('reference')) base = Math.min(0.999, base + 0.005);
    const l = learned(memory, p.customerId, ruleKey({ rule: p.rule, evidence }), base, cfg);
    const reasons = [...p.reasons, ...(c.reason ? [c.reason] : []), ...(l.note ? [l.note] : [])];
    proposals.push({
      customerId: p.customerId,
      rule: p.rule,
      applications: p.applications,
      unappliedCents: p.unappliedCents,
      confidence: Math.round(l.p * 1000) / 1000,
      reasons,
      evidence,
    });
  };

  // 1. References in the remittance text (and the end-to-end id, which payers often fill with one).
  const refs = remittanceRefs(`${line.remittance} ${line.endToEndId}`);
  const referenced = new Map<string, OpenItem>();
  for (const k of refs) for (const it of index.byReference(k)) referenced.set(it.invoiceId, it);
  const byCustomer = new Map<string, OpenItem[]>();
  for (const it of referenced.values()) {
    const l = byCustomer.get(it.customerId) ?? [];
    l.push(it);
    byCustomer.set(it.customerId, l);
  }
  for (const [customerId, its] of byCustomer) {
    const currency = its[0]!.currency;
    const same = its.filter((it) => it.currency === currency);
    const amt = amountIn(line, currency, rates);
    const ids = same.map((it) => it.invoiceId).join(', ');
    if (!amt) {
      push({
        customerId,
        rule: 'customer_unapplied',
        applications: [],
        unappliedCents: line.amountCents,
        base: 0.5,
        reasons: [
          `the remittance names ${ids} (${currency}), but the line is in ${line.currency} and no rate is known`,
        ],
      });
      continue;
    }
    const total = same.reduce((s, it) => s + index.open(it.invoiceId), 0);
    const fxNote = amt.approx
      ? ` (converted from ${line.currency} at the day's rate)`
      : line.currency !== currency
        ? ` (the payer's instructed ${currency} amount)`
        : '';
    const tolerance = Math.max(
      Math.floor((total * cfg.shortTolerancePct) / 100),
      line.chargesCents ?? 0,
      amt.approx ? Math.floor((total * cfg.fxTolerancePct) / 100) : 0,
    );
    const short = total - amt.cents;
    // Another open invoice of this customer for exactly the amount: the reference may be wrong.
    const rivals =
      short === 0
        ? []
        : index
            .customerItems(customerId, currency)
            .filter((it) => !same.includes(it) && index.open(it.invoiceId) === amt.cents);
    const doubt = rivals.length > 0 ? 0.85 : 1;
    const doubtReason = rivals.length
      ? [
          `but ${rivals[0]!.invoiceId} of the same customer is open for exactly this amount: the reference may be wrong`,
        ]
      : [];
    for (const r of rivals.slice(0, 2)) {
      push({
        customerId,
        rule: 'customer_amount',
        evidence: 'reference',
        applications: [{ invoiceId: r.invoiceId, cents: amt.cents }],
        unappliedCents: 0,
        base: 0.8,
        reasons: [
          `the remittance names ${ids}, but ${r.invoiceId} of the same customer is open for exactly ${fmt(amt.cents)}`,
        ],
      });
    }
    if (short === 0 || (short > 0 && short <= tolerance) || (amt.approx && Math.abs(short) <= tolerance)) {
      // Everything referenced is paid; a small shortfall (fee, discount, FX) is applied as paid short.
      let left = Math.min(amt.cents, total);
      const apps = same
        .map((it) => {
          const a = Math.min(index.open(it.invoiceId), left);
          left -= a;
          return { invoiceId: it.invoiceId, cents: a };
        })
        .filter((a) => a.cents > 0);
      push({
        customerId,
        rule: 'reference_exact',
        applications: apps,
        unappliedCents: 0,
        base: short === 0 ? 0.985 : 0.96 * doubt,
        reasons: [
          `the remittance names ${ids}${fxNote}`,
          short === 0
            ? `the amount equals the open total ${fmt(total)}`
            : `${fmt(short)} short of the open total ${fmt(total)}: within the ${cfg.shortTolerancePct} % tolerance for bank fees or an early-payment discount (left open)`,
        ],
      });
      continue;
    }
    if (short < 0) {
      const over = -short;
      push({
        customerId,
        rule: 'reference_overpaid',
        applications: same.map((it) => ({ invoiceId: it.invoiceId, cents: index.open(it.invoiceId) })),
        unappliedCents: line.currency === currency ? over : 0,
        base: 0.95 * doubt,
        reasons: [
          ...doubtReason,
          `the remittance names ${ids}${fxNote}`,
          `${fmt(over)} more than the open total ${fmt(total)}: the rest stays on the customer as unapplied cash`,
        ],
      });
      continue;
    }
    // Less than the total: a subset that adds up, else a partial payment.
    if (same.length > 1) {
      const combos = combinations(same, (id) => index.open(id), amt.cents, cfg.maxCombinationSize);
      const single = same.filter((it) => index.open(it.invoiceId) === amt.cents);
      const exactSets = [...single.map((it) => [it]), ...combos];
      if (exactSets.length >= 1) {
        push({
          customerId,
          rule: 'reference_subset',
          applications: exactSets[0]!.map((it) => ({
            invoiceId: it.invoiceId,
            cents: index.open(it.invoiceId),
          })),
          unappliedCents: 0,
          base: exactSets.length === 1 ? 0.93 : 0.7,
          reasons: [
            `the remittance names ${ids}`,
            `the amount equals ${exactSets[0]!.map((i) => i.invoiceId).join(' + ')}${exactSets.length > 1 ? ' (other combinations also fit)' : ''}`,
          ],
        });
        continue;
      }
    }
    let left = amt.cents;
    const apps: Application[] = [];
    for (const it of same) {
      if (left <= 0) break;
      const a = Math.min(index.open(it.invoiceId), left);
      apps.push({ invoiceId: it.invoiceId, cents: a });
      left -= a;
    }
    push({
      customerId,
      rule: 'reference_partial',
      applications: apps,
      unappliedCents: 0,
      base: (same.length === 1 ? 0.965 : 0.85) * doubt,
      reasons: [
        ...doubtReason,
        `the remittance names ${ids}${fxNote}`,
        `a partial payment: ${fmt(amt.cents)} of the open ${fmt(total)}${same.length > 1 ? ', applied oldest first' : ''}`,
      ],
    });
  }

  // 2. A number one typo away from an open invoice, confirmed by the amount.
  if (referenced.size === 0) {
    const seen = new Set<string>();
    for (const k of refs) {
      for (const it of index.byTypo(k)) {
        if (seen.has(it.invoiceId)) continue;
        seen.add(it.invoiceId);
        const amt = amountIn(line, it.currency, rates);
        if (!amt) continue;
        const open = index.open(it.invoiceId);
        const short = open - amt.cents;
        if (
          short >= 0 &&
          short <= Math.max(line.chargesCents ?? 0, Math.floor((open * cfg.shortTolerancePct) / 100))
        ) {
          push({
            customerId: it.customerId,
            rule: 'reference_typo',
            applications: [{ invoiceId: it.invoiceId, cents: amt.cents }],
            unappliedCents: 0,
            base: short === 0 ? 0.965 : 0.9,
            reasons: [
              `the remittance has ${k.prefix}${k.digits}, one typo away from ${it.invoiceId}`,
              short === 0
                ? `the amount equals its open ${fmt(open)}`
                : `${fmt(short)} short of its open ${fmt(open)}`,
            ],
          });
        }
      }
    }
  }

  // 3. The payer is known: an item or a combination of its items with the amount.
  if (proposals.length === 0 || proposals.every((p) => p.confidence < cfg.autoThreshold)) {
    for (const payer of payers.slice(0, 3)) {
      if (payer.strength < 0.6) continue;
      const currency = index.customerItems(payer.customerId)[0]?.currency ?? line.currency;
      const amt = amountIn(line, currency, rates);
      if (!amt) continue;
      const items = index.customerItems(payer.customerId, currency);
      const exact = items.filter((it) => index.open(it.invoiceId) === amt.cents);
      const payerBase = 0.5 + 0.45 * payer.strength;
      if (exact.length >= 1) {
        push({
          customerId: payer.customerId,
          rule: 'customer_amount',
          evidence: payer.kind,
          applications: [{ invoiceId: exact[0]!.invoiceId, cents: amt.cents }],
          unappliedCents: 0,
          base: exact.length === 1 ? payerBase : payerBase * 0.75,
          reasons: [
            payer.reason,
            `${exact[0]!.invoiceId} is open for exactly ${fmt(amt.cents)}${exact.length > 1 ? ` (as are ${exact.length - 1} other item(s); the oldest is proposed)` : ''}`,
          ],
        });
        continue;
      }
      const combos = combinations(
        items.slice(0, cfg.maxCombinationItems),
        (id) => index.open(id),
        amt.cents,
        cfg.maxCombinationSize,
      );
      if (combos.length > 0) {
        push({
          customerId: payer.customerId,
          rule: 'customer_combination',
          evidence: payer.kind,
          applications: combos[0]!.map((it) => ({
            invoiceId: it.invoiceId,
            cents: index.open(it.invoiceId),
          })),
          unappliedCents: 0,
          base: combos.length === 1 ? payerBase * 0.97 : payerBase * 0.7,
          reasons: [
            payer.reason,
            `${combos[0]!.map((i) => i.invoiceId).join(' + ')} add up to ${fmt(amt.cents)}${combos.length > 1 ? ' (other combinations also fit)' : ''}`,
          ],
        });
        continue;
      }
      push({
        customerId: payer.customerId,
        rule: 'customer_unapplied',
        evidence: payer.kind,
        applications: [],
        unappliedCents: line.amountCents,
        base: 0.4 + 0.3 * payer.strength,
        reasons: [
          payer.reason,
          'no open item or combination fits the amount: unapplied cash on the customer',
        ],
      });
    }
  }

  // 4. Nothing else: the only open item anywhere with exactly that amount.
  if (proposals.length === 0) {
    const same = index.withAmount(line.currency, line.amountCents);
    if (same.length >= 1 && same.length <= 3) {
      for (const it of same) {
        push({
          customerId: it.customerId,
          rule: 'amount_only',
          applications: [{ invoiceId: it.invoiceId, cents: line.amountCents }],
          unappliedCents: 0,
          base: same.length === 1 ? 0.6 : 0.35,
          reasons: [
            `no reference and no known payer; ${it.invoiceId} is ${same.length === 1 ? 'the only' : 'one of ' + same.length} open item(s) for exactly ${fmt(line.amountCents)}`,
          ],
        });
      }
    }
  }

  return proposals
    .sort((a, b) => b.confidence - a.confidence || (a.customerId < b.customerId ? -1 : 1))
    .slice(0, 5);
}

/** Apply a proposal to the index (what it paid is no longer open). */
export function consume(index: MatchIndex, p: Pick<Proposal, 'applications'>): void {
  for (const a of p.applications) index.remaining.set(a.invoiceId, index.open(a.invoiceId) - a.cents);
}

/** The baseline most tools start with: an exact reference and the exact open amount, nothing else. */
export function baselineMatch(line: StatementLine, index: MatchIndex): Proposal | null {
  if (line.amountCents <= 0) return null;
  for (const k of remittanceRefs(line.remittance)) {
    const exact = k.prefix
      ? index.byReference(k).filter((it) => refKey(it.invoiceId)?.prefix === k.prefix)
      : [];
    for (const it of exact) {
      if (it.currency === line.currency && index.open(it.invoiceId) === line.amountCents) {
        return {
          customerId: it.customerId,
          rule: 'reference_exact',
          applications: [{ invoiceId: it.invoiceId, cents: line.amountCents }],
          unappliedCents: 0,
          confidence: 1,
          reasons: ['exact reference and amount'],
          evidence: 'reference',
        };
      }
    }
  }
  return null;
}
