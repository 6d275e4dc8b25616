/**
 * Dunning: the collection contacts on an invoice while it is unpaid, up a ladder (reminder before
 * due, call at ~7, letter at ~30, visit or call at ~60, letter at ~90, then monthly calls), with
 * outcomes by step, promises to pay (kept when payment follows soon, else broken) and notes.
 */
import { weekdayOnOrAfter } from '../../core/calendar.ts';
import type { SeededRandom } from '../../core/random.ts';
import type { ActivityOutcome, ActivityType, Customer, Invoice, Run, Settlement } from './model.ts';
import { note } from './names.ts';

/** A planned contact: day, channel and step (0 reminder … 5 monthly call, 6 dispute call). */
type Step = [number, ActivityType, number];

/** Queue the contacts on `inv` from its issue until it is settled, written off or asOf. */
export function dun(run: Run, inv: Invoice, s: Settlement): void {
  const { rng } = run;
  const { c } = inv;
  let end = Math.min(run.asOf, s.payDay - 1, s.woDay - 1);
  if (s.payable <= 0) end = Math.min(end, s.memoDay - 1);
  if (end <= inv.issue) return;
  const openAt = (t: number): number =>
    inv.amount -
    (s.memoDay > 0 && s.memoDay <= t ? s.memo : 0) -
    (s.partialDay > 0 && s.partialDay <= t ? s.partial : 0);

  let last = 0;
  for (const [planned, type, stage] of ladder(rng, c, inv.due, s.disputeOpened)) {
    const day = weekdayOnOrAfter(planned);
    if (day <= inv.issue || day <= last || day > end) continue;
    last = day;
    const open = openAt(day);
    if (open <= 0) continue;
    const toPay = s.payDay - day;
    const outcome = outcomeOf(rng, stage, type, toPay);
    let promised = 0;
    let promisedAmount = 0;
    if (outcome === 'promise_to_pay') {
      if (toPay >= 3 && toPay <= 22 && rng.chance(0.7))
        promised = Math.min(day + 20, s.payDay + rng.intBetween(0, 3));
      else promised = day + rng.intBetween(5, 20);
      promisedAmount = open;
    }
    run.push({
      k: 4,
      c,
      day,
      invoice: inv.id,
      type,
      outcome,
      promised,
      promisedAmount,
      note: note(rng, c, outcome),
    });
  }
}

/** The planned contacts, in date order. */
function ladder(rng: SeededRandom, c: Customer, due: number, disputeOpened: number): Step[] {
  const steps: Step[] = [];
  if (c.reminders) steps.push([due - 3, 'email', 0]);
  steps.push([due + 7 + rng.intBetween(0, 3), 'call', 1]);
  steps.push([due + 30 + rng.intBetween(0, 5), 'letter', 2]);
  steps.push([due + 60 + rng.intBetween(0, 7), c.segment === 'SMB' ? 'call' : 'visit', 3]);
  steps.push([due + 90 + rng.intBetween(0, 7), 'letter', 4]);
  for (let k = 0; k < 5; k++) steps.push([due + 120 + 30 * k + rng.intBetween(0, 7), 'call', 5]);
  if (disputeOpened > due) steps.push([disputeOpened, 'call', 6]);
  return steps.sort((a, b) => a[0] - b[0]);
}

/** The outcome of a contact at a step, `toPay` days before the payment (negative after). */
function outcomeOf(rng: SeededRandom, stage: number, type: ActivityType, toPay: number): ActivityOutcome {
  if (stage === 6) return 'dispute_raised';
  if (toPay <= 3 && stage > 0) return 'paid';
  switch (stage) {
    case 0:
      return rng.weighted<ActivityOutcome>({ no_answer: 55, contacted: 35, promise_to_pay: 10 });
    case 1:
      return rng.weighted<ActivityOutcome>({
        no_answer: 25,
        left_message: 20,
        contacted: 20,
        promise_to_pay: 35,
      });
    case 2:
      return rng.weighted<ActivityOutcome>({ no_answer: 50, contacted: 30, promise_to_pay: 20 });
    case 3:
      return type === 'visit'
        ? rng.weighted<ActivityOutcome>({ promise_to_pay: 50, contacted: 30, escalated: 20 })
        : 'escalated';
    case 4:
      return 'escalated';
    default:
      return rng.weighted<ActivityOutcome>({
        no_answer: 40,
        left_message: 30,
        promise_to_pay: 20,
        escalated: 10,
      });
  }
}
