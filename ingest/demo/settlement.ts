/**
 * How each invoice is settled: credit memos (after a dispute or for returns, rebates, price
 * adjustments), payment by the customer's habits (lateness profile, the story's LATAM drift, direct
 * debit, weekly or month-end payment runs, ~10% in two partial payments), or, for non-payers, an
 * occasional partial payment and a write-off 181–270 days past due. Also the payment method and the
 * bank reference of each receipt.
 */
import { firstOfMonth, lastOfMonth, weekday, weekdayOnOrAfter } from '../../core/calendar.ts';
import type { SeededRandom, Weights } from '../../core/random.ts';
import { maybeDispute } from './disputes.ts';
import { roundTo } from './invoices.ts';
import type { Customer, Invoice, PaymentEvent, PaymentMethod, Run, Settlement } from './model.ts';
import { LATAM_DRIFT_DAYS, LATAM_DRIFT_MAX, SUBSCRIPTIONS } from './world.ts';

const MEMO_REASONS: Weights<string> = {
  'price adjustment': 35,
  'returned goods': 25,
  'volume rebate': 20,
  'damaged in transit': 20,
};

/** Decide and queue everything that settles `inv` by asOf. */
export function settle(run: Run, inv: Invoice): Settlement {
  const { rng, asOf } = run;
  const { c, amount, issue } = inv;
  const nonPay =
    c.cohort && inv.due >= c.distressDay
      ? rng.chance(0.92)
      : rng.chance(c.nonPayRate > 0 ? c.nonPayRate : 0.0004);

  const dispute = maybeDispute(run, inv);
  let memo = dispute?.memo ?? 0;
  let memoDay = dispute?.memoDay ?? 0;
  let memoReason = 'dispute settlement';
  if (dispute === undefined && rng.chance(0.018)) {
    memo = roundTo(amount * rng.uniform(0.02, 0.25), c);
    memoDay = issue + rng.intBetween(5, 45);
    memoReason = rng.weighted(MEMO_REASONS);
  }
  if (memo > 0 && memoDay <= asOf) {
    run.push({ k: 1, c, day: memoDay, invoice: inv.id, amount: memo, reason: memoReason });
    c.open -= memo;
  }
  const s: Settlement = {
    payDay: Infinity,
    woDay: Infinity,
    memo,
    memoDay,
    partial: 0,
    partialDay: 0,
    payable: amount - memo,
    disputeOpened: dispute?.opened ?? 0,
  };
  if (nonPay) writeOff(run, inv, s);
  else if (s.payable > 0) pay(run, inv, s, dispute?.holdUntil ?? 0);
  return s;
}

/** A non-payer: perhaps a partial payment after the due date, then a write-off 181–270 days past due. */
function writeOff(run: Run, inv: Invoice, s: Settlement): void {
  const { rng, asOf, tally } = run;
  const { c, due } = inv;
  if (s.payable > 0 && rng.chance(0.15)) {
    s.partial = roundTo(s.payable * rng.uniform(0.1, 0.4), c);
    s.partialDay = weekdayOnOrAfter(due + rng.intBetween(0, 30));
    if (s.partial <= 0 || s.partial >= s.payable) s.partial = 0;
  }
  s.woDay = weekdayOnOrAfter(due + rng.intBetween(181, 270));
  if (s.partial > 0 && s.partialDay <= asOf && s.partialDay < s.woDay) {
    pushPayment(run, c, s.partialDay, paymentMethod(rng, c, inv.amount), inv.id, s.partial);
    c.open -= s.partial;
    tally.partialPayments++;
  }
  if (s.woDay <= asOf) {
    const rest = s.payable - s.partial;
    if (rest > 0) {
      const reason = c.cohort ? (rng.chance(0.6) ? 'insolvency' : 'uncollectible') : 'uncollectible';
      run.push({ k: 2, c, day: s.woDay, invoice: inv.id, amount: rest, reason });
      c.open -= rest;
      if (c.cohort) tally.cohortWriteOffs++;
      else tally.otherWriteOffs++;
    }
  }
}

/** A payer: pays by its habits, sometimes in two parts; a payment run may settle several invoices. */
function pay(run: Run, inv: Invoice, s: Settlement, holdUntil: number): void {
  const { rng, asOf, tally } = run;
  const { c, issue } = inv;
  const dd = c.directDebit && (inv.line === SUBSCRIPTIONS || rng.chance(0.5));
  s.payDay = payDay(run, inv, dd, holdUntil);
  if (!dd && c.paymentRun === 0 && rng.chance(0.1) && s.payDay - issue >= 8) {
    s.partialDay = weekdayOnOrAfter(s.payDay - rng.intBetween(7, Math.min(40, s.payDay - issue - 1)));
    if (s.partialDay < s.payDay) {
      s.partial = roundTo(s.payable * rng.uniform(0.3, 0.7), c);
      if (s.partial <= 0 || s.partial >= s.payable) s.partial = 0;
    }
  }
  const method = dd ? 'direct_debit' : paymentMethod(rng, c, inv.amount);
  if (s.partial > 0 && s.partialDay <= asOf) {
    pushPayment(run, c, s.partialDay, method, inv.id, s.partial);
    c.open -= s.partial;
    tally.partialPayments++;
  }
  if (s.payDay > asOf) return;
  const rest = s.payable - s.partial;
  const inRun = c.paymentRun > 0 && !dd;
  const open = inRun ? c.batch?.get(s.payDay) : undefined;
  if (open !== undefined) {
    open.invoices.push(inv.id);
    open.amounts.push(rest);
    open.total += rest;
    if (open.invoices.length === 2) tally.mergedPayments++;
  } else {
    const e = pushPayment(run, c, s.payDay, method, inv.id, rest);
    if (inRun) (c.batch ??= new Map()).set(s.payDay, e);
  }
  c.open -= rest;
}

/** The day the rest is paid: due date plus the customer's lateness, after any dispute, on its run. */
function payDay(run: Run, inv: Invoice, dd: boolean, holdUntil: number): number {
  const { rng, asOf } = run;
  const { c, due } = inv;
  let late: number;
  if (dd) {
    late = rng.chance(0.02) ? rng.intBetween(7, 20) : 0;
  } else {
    late = c.baseLateness + inv.info.lateness + c.latenessSd * rng.normal();
    const driftStart = asOf - LATAM_DRIFT_DAYS;
    if (c.region === 'LATAM' && due > driftStart) {
      const f = Math.min(1, (due - driftStart) / LATAM_DRIFT_DAYS);
      late += f * LATAM_DRIFT_MAX * rng.uniform(0.6, 1.4);
    }
  }
  let p = due + Math.round(late);
  if (holdUntil > p) p = holdUntil;
  if (!dd && c.paymentRun > 0) p = snapToRun(p, c.paymentRun);
  if (p <= inv.issue) p = inv.issue + 1;
  return weekdayOnOrAfter(p);
}

function pushPayment(
  run: Run,
  c: Customer,
  day: number,
  method: PaymentMethod,
  invoice: string,
  amount: number,
): PaymentEvent {
  const e: PaymentEvent = { k: 0, c, day, method, invoices: [invoice], amounts: [amount], total: amount };
  run.push(e);
  return e;
}

/** The payment run a day falls in: the next run weekday (1–5), or the nearer month end (7). */
function snapToRun(day: number, run: number): number {
  if (run === 7) {
    const end = lastOfMonth(day);
    const previousEnd = firstOfMonth(day) - 1;
    return day - previousEnd < end - day ? previousEnd : end;
  }
  return day + ((run - weekday(day) + 7) % 7);
}

function paymentMethod(rng: SeededRandom, c: Customer, amount: number): PaymentMethod {
  if (rng.chance(0.9)) {
    if (c.method === 'card' && amount > 2500 * 100 * c.perUsd) return 'bank_transfer';
    return c.method;
  }
  if (c.country === 'US') return rng.weighted<PaymentMethod>({ bank_transfer: 60, check: 30, card: 10 });
  return rng.weighted<PaymentMethod>({ bank_transfer: 85, card: 10, other: 5 });
}

/** The reference a bank statement shows for a receipt (drawn when the receipt is written). */
export function bankReference(rng: SeededRandom, e: PaymentEvent, receipt: string): string {
  const c = e.c;
  const invoices = e.invoices.join(' ');
  const r = rng.next();
  if (r < 0.08) return '';
  // Hostile names stay in customer_name only.
  const name = c.hostile ? invoices : c.name;
  switch (e.method) {
    case 'direct_debit':
      return `DD MNDT-${c.id} ${invoices}`;
    case 'check':
      return `CHK ${String(rng.intBetween(1000, 999999)).padStart(6, '0')}`;
    case 'card':
      return `CARD ****${String(rng.intBetween(0, 9999)).padStart(4, '0')} ${invoices}`;
    default:
      if (c.country === 'JP') return r < 0.6 ? `振込 ${invoices}` : `フリコミ ${c.id}`;
      if (c.currency === 'EUR') return r < 0.6 ? `SEPA CT ${invoices}` : `${name} ${invoices}`;
      if (r < 0.5) return invoices;
      if (r < 0.75) return `${name} PAYMENT`;
      return `TRF ${receipt.slice(5)}/${String(rng.intBetween(0, 99999)).padStart(5, '0')}`;
  }
}
