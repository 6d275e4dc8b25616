/**
 * Evaluate every active subscription against the facts (facts.ts) and the operational store's broken
 * promises, each within its user's row-level security as the user is now (a disabled user, or a
 * role that sees no receivables, gets nothing), and raise an alert where a condition starts to hold.
 *
 * Edge-triggered: `alert_conditions` keeps, per subscription and subject, whether the condition held
 * at the last evaluation; an alert is raised on the change from not holding to holding, so a customer
 * 70 days past due is reported once, not at every build — and again if it recovers and slips back.
 * A risk band is compared with the band the subscription saw last (the first sight records it). A
 * broken promise is one subject, reported once (promises broken before the subscription are not).
 *
 * Each subscription is one BEGIN IMMEDIATE transaction that reads the previous state inside it, so
 * two evaluations at once (the server after a worklist write and `arlens build`) raise an alert once.
 */
import { getUser, type User } from '../auth/users.ts';
import type { OpsStore } from '../ops/store.ts';
import type { CustomerFacts, Facts } from './facts.ts';
import { scopeOf, type AlertKind, type AlertScope, type Delivery } from './rules.ts';

export type Trigger = 'build' | 'worklist' | 'manual' | 'score';

export interface EvaluationResult {
  readonly subscriptions: number;
  readonly raised: number;
  readonly cleared: number;
  /** Subjects whose condition could not be judged (an amount in an unconverted currency). */
  readonly unknown: number;
  /** Subscriptions not evaluated, with the reason (the user is disabled, the role sees nothing). */
  readonly skipped: readonly { readonly subscriptionId: number; readonly reason: string }[];
}

interface SubscriptionRow {
  id: number;
  user_id: number;
  kind: AlertKind;
  threshold: string | null;
  customer_id: string | null;
  region: string | null;
  delivery: Delivery;
  created_at: string;
}

/** What an alert says, stored as JSON and worded per language at display (text.ts). */
export interface AlertFacts {
  readonly customerName?: string;
  readonly region?: string | null;
  readonly value?: number | null;
  readonly threshold?: string | null;
  readonly band?: string;
  readonly previousBand?: string;
  readonly promisedDate?: string;
  readonly amount?: string;
  readonly currency?: string;
  readonly month?: string;
  readonly overdueAr?: string | null;
  readonly openAr?: string | null;
  readonly asOfDate?: string | null;
}

interface Observation {
  readonly subject: string;
  /** null: unknown (leaves the stored state as it is). */
  readonly holds: boolean | null;
  /** Kept for the next evaluation (a risk band). */
  readonly state: string | null;
  readonly customerId: string | null;
  readonly region: string | null;
  readonly facts: AlertFacts;
}

function inScope(scope: AlertScope, c: { region: string | null; creditController: string | null }): boolean {
  if (scope.rows === 'all') return true;
  if (scope.rows === 'regions') return c.region !== null && scope.regions.includes(c.region);
  return c.creditController === scope.portfolio;
}

const exceeds = (value: number | null, threshold: string | null): boolean | null =>
  value === null ? null : value > Number(threshold);

function customerObservations(
  sub: SubscriptionRow,
  customers: readonly CustomerFacts[],
  bandOrder: readonly string[],
  previous: Map<string, { holds: number; state: string | null }>,
  asOfDate: string | null,
): Observation[] {
  const out: Observation[] = [];
  for (const c of customers) {
    const base = {
      subject: `customer:${c.customerId}`,
      customerId: c.customerId,
      region: c.region,
    };
    const facts = { customerName: c.customerName, region: c.region, threshold: sub.threshold, asOfDate };
    switch (sub.kind) {
      case 'overdue_share': {
        // No open AR at all: nothing can be overdue (known); open AR unknown: unknown.
        const holds =
          c.openAr === null ? null : c.overdueShare === null ? false : exceeds(c.overdueShare, sub.threshold);
        out.push({
          ...base,
          holds,
          state: null,
          facts: { ...facts, value: c.overdueShare, overdueAr: c.overdueAr, openAr: c.openAr },
        });
        break;
      }
      case 'days_past_due':
        out.push({
          ...base,
          holds: exceeds(c.maxDaysPastDue ?? 0, sub.threshold),
          state: null,
          facts: { ...facts, value: c.maxDaysPastDue ?? 0 },
        });
        break;
      case 'utilisation':
        // Without a credit limit there is nothing to exceed.
        out.push({
          ...base,
          holds: c.utilisation === null ? false : exceeds(c.utilisation, sub.threshold),
          state: null,
          facts: { ...facts, value: c.utilisation },
        });
        break;
      case 'risk_band': {
        if (c.riskBand === null) break;
        const before = previous.get(base.subject)?.state ?? null;
        const rank = (b: string | null) => (b === null ? -1 : bandOrder.indexOf(b));
        const worse = before !== null && rank(before) >= 0 && rank(c.riskBand) > rank(before);
        out.push({
          ...base,
          holds: worse,
          state: c.riskBand,
          facts: { ...facts, band: c.riskBand, ...(before === null ? {} : { previousBand: before }) },
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function evaluateOne(
  store: OpsStore,
  sub: SubscriptionRow,
  user: User,
  scope: AlertScope,
  facts: Facts,
  customerId: string | null,
  trigger: Trigger,
  nowIso: string,
): { raised: number; cleared: number; unknown: number } {
  const customers = facts.customers.filter(
    (c) =>
      inScope(scope, c) &&
      (sub.customer_id === null || c.customerId === sub.customer_id) &&
      (sub.region === null || c.region === sub.region),
  );
  return store.write(() => {
    const previous = new Map(
      (
        store.db
          .prepare('SELECT subject, holds, state FROM alert_conditions WHERE subscription_id = ?')
          .all(sub.id) as { subject: string; holds: number; state: string | null }[]
      ).map((r) => [r.subject, r]),
    );
    let observations: Observation[];
    if (sub.kind === 'region_dso') {
      observations = facts.regions
        .filter(
          (r) =>
            (scope.rows === 'all' || (scope.rows === 'regions' && scope.regions.includes(r.region))) &&
            (sub.region === null || r.region === sub.region),
        )
        .map((r) => ({
          subject: `region:${r.region}`,
          holds: exceeds(r.dso, sub.threshold),
          state: null,
          customerId: null,
          region: r.region,
          facts: {
            region: r.region,
            value: r.dso,
            month: r.month,
            threshold: sub.threshold,
            asOfDate: facts.asOfDate,
          },
        }));
    } else if (sub.kind === 'broken_promise') {
      const byId = new Map(customers.map((c) => [c.customerId, c]));
      const broken = store.db
        .prepare(
          `SELECT id, customer_id, promised_date, amount, currency_code FROM payment_promises
           WHERE status = 'broken' AND settled_at >= ? AND (? IS NULL OR customer_id = ?)`,
        )
        .all(sub.created_at, customerId, customerId) as {
        id: number;
        customer_id: string;
        promised_date: string;
        amount: string;
        currency_code: string;
      }[];
      observations = broken.flatMap((p) => {
        const c = byId.get(p.customer_id);
        if (!c) return [];
        return [
          {
            subject: `promise:${p.id}`,
            holds: true,
            state: null,
            customerId: c.customerId,
            region: c.region,
            facts: {
              customerName: c.customerName,
              region: c.region,
              promisedDate: p.promised_date,
              amount: p.amount,
              currency: p.currency_code,
            },
          },
        ];
      });
    } else {
      observations = customerObservations(sub, customers, facts.bandOrder, previous, facts.asOfDate);
    }

    const upsert = store.db.prepare(
      `INSERT INTO alert_conditions (subscription_id, subject, holds, state, since) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (subscription_id, subject) DO UPDATE SET
         since = CASE WHEN holds <> excluded.holds THEN excluded.since ELSE since END,
         holds = excluded.holds, state = excluded.state`,
    );
    const insertAlert = store.db.prepare(
      `INSERT INTO alerts (subscription_id, user_id, kind, subject, customer_id, region, facts, raised_at, trigger,
         mail_status, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const mail =
      sub.delivery === 'app'
        ? 'none'
        : user.email === null
          ? 'none'
          : sub.delivery === 'immediate'
            ? 'queued'
            : 'digest';
    const mailNote =
      sub.delivery !== 'app' && user.email === null ? 'No email address on the account.' : null;
    let raised = 0;
    let unknown = 0;
    const seen = new Map<string, boolean | null>();
    for (const o of observations) {
      seen.set(o.subject, o.holds);
      if (o.holds === null) {
        unknown++;
        continue;
      }
      const before = previous.get(o.subject);
      const raise =
        sub.kind === 'risk_band' ? o.holds : o.holds && (before === undefined || before.holds === 0);
      if (raise) {
        insertAlert.run(
          sub.id,
          user.id,
          sub.kind,
          o.subject,
          o.customerId,
          o.region,
          JSON.stringify(o.facts),
          nowIso,
          trigger,
          mail,
          mailNote,
        );
        raised++;
      }
      upsert.run(sub.id, o.subject, o.holds ? 1 : 0, o.state, nowIso);
    }
    // Subjects that no longer hold because they left the data or the scope (a full evaluation only;
    // a worklist write looks at one customer).
    let cleared = 0;
    for (const [subject, p] of previous) {
      if (seen.has(subject)) {
        if (p.holds === 1 && seen.get(subject) === false) cleared++;
        continue;
      }
      if (customerId !== null || p.holds === 0 || subject.startsWith('promise:')) continue;
      store.db
        .prepare('UPDATE alert_conditions SET holds = 0, since = ? WHERE subscription_id = ? AND subject = ?')
        .run(nowIso, sub.id, subject);
      cleared++;
    }
    return { raised, cleared, unknown };
  });
}

/**
 * Evaluate the active subscriptions (after a build: all of them over all facts; after a worklist
 * write: `customerId`'s conditions only, region DSO left for the next build).
 */
export function evaluateAlerts(
  store: OpsStore,
  facts: Facts,
  options: { trigger: Trigger; customerId?: string | null; now?: Date },
): EvaluationResult {
  const customerId = options.customerId ?? null;
  const nowIso = (options.now ?? new Date()).toISOString();
  const subs = store.db
    .prepare(
      `SELECT id, user_id, kind, threshold, customer_id, region, delivery, created_at FROM alert_subscriptions
       WHERE cancelled_at IS NULL AND (? IS NULL OR ((customer_id IS NULL OR customer_id = ?) AND kind <> 'region_dso'))
       ORDER BY id`,
    )
    .all(customerId, customerId) as unknown as SubscriptionRow[];
  let raised = 0;
  let cleared = 0;
  let unknown = 0;
  const skipped: { subscriptionId: number; reason: string }[] = [];
  const users = new Map<number, User | null>();
  for (const sub of subs) {
    if (!users.has(sub.user_id)) users.set(sub.user_id, getUser(store, sub.user_id));
    const user = users.get(sub.user_id) ?? null;
    const scope = user ? scopeOf(user) : null;
    if (!user || !scope) {
      skipped.push({
        subscriptionId: sub.id,
        reason: !user
          ? 'the user no longer exists'
          : user.disabled
            ? 'the user is disabled'
            : 'the role sees no receivables',
      });
      continue;
    }
    const r = evaluateOne(store, sub, user, scope, facts, customerId, options.trigger, nowIso);
    raised += r.raised;
    cleared += r.cleared;
    unknown += r.unknown;
  }
  return { subscriptions: subs.length, raised, cleared, unknown, skipped };
}
