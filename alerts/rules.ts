/**
 * Early-warning alerts as data: the conditions a user can subscribe to, how a threshold is written,
 * and which rows a subscription may look at (the user's row-level security, never more).
 *
 *   overdue_share   a customer's overdue AR above `threshold` percent of its open AR
 *   days_past_due   a customer's oldest open invoice more than `threshold` days past due
 *   utilisation     a customer's credit exposure above `threshold` percent of its limit (100 = over the limit)
 *   risk_band       a customer's risk band worse than at the previous evaluation
 *   broken_promise  a promise to pay found broken (its date passed with the invoices still open)
 *   region_dso      a region's DSO of the latest month above `threshold` days (the region's target)
 *
 * A subscription may narrow itself to one customer or one region (a sales lead: one of their own).
 */
import { ROLE_POLICY, type Role } from '../auth/policy.ts';

export const ALERT_KINDS = [
  'overdue_share',
  'days_past_due',
  'utilisation',
  'risk_band',
  'broken_promise',
  'region_dso',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** In the app only; by email at once; by email in one message a day. */
export const DELIVERIES = ['app', 'immediate', 'digest'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export class AlertError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

/** What a threshold means for each kind: its unit and allowed range (null: the kind takes none). */
export const THRESHOLDS: Readonly<
  Record<AlertKind, { unit: 'percent' | 'days'; min: number; max: number; default: string } | null>
> = {
  overdue_share: { unit: 'percent', min: 0, max: 100, default: '50' },
  days_past_due: { unit: 'days', min: 0, max: 3650, default: '60' },
  utilisation: { unit: 'percent', min: 1, max: 1000, default: '100' },
  risk_band: null,
  broken_promise: null,
  region_dso: { unit: 'days', min: 1, max: 3650, default: '45' },
};

/** The rows a user's alerts look at: their role's row-level security. */
export type AlertScope =
  | { readonly rows: 'all' }
  | { readonly rows: 'regions'; readonly regions: readonly string[] }
  | { readonly rows: 'portfolio'; readonly portfolio: string };

export interface ScopedUser {
  readonly role: Role;
  readonly regions: readonly string[];
  readonly portfolio: string | null;
  readonly disabled?: boolean;
}

/** The user's scope, or null when the role sees no receivables (an administrator) or lacks its key. */
export function scopeOf(user: ScopedUser): AlertScope | null {
  if (user.disabled) return null;
  const rows = ROLE_POLICY[user.role].rows;
  if (rows === 'all') return { rows: 'all' };
  if (rows === 'regions') return user.regions.length > 0 ? { rows: 'regions', regions: user.regions } : null;
  if (rows === 'portfolio') return user.portfolio ? { rows: 'portfolio', portfolio: user.portfolio } : null;
  return null;
}

export interface SubscriptionInput {
  readonly kind: AlertKind;
  readonly threshold: string | null;
  readonly customerId: string | null;
  readonly region: string | null;
  readonly delivery: Delivery;
}

const ID = /^[\p{L}\p{N}][\p{L}\p{N} ._/#&()'-]{0,63}$/u;

function optionalName(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new AlertError(`${what} must be text.`);
  const v = value.trim();
  if (v === '') return null;
  if (!ID.test(v))
    throw new AlertError(`${what} must be 1 to 64 letters, digits, spaces or . _ / # & ( ) ' -.`);
  return v;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new AlertError(`${what} must be one of: ${allowed.join(', ')}.`);
  }
  return value as T;
}

/** A threshold as the form sends it: a plain decimal number within the kind's range. */
export function checkThreshold(kind: AlertKind, value: unknown): string | null {
  const rule = THRESHOLDS[kind];
  if (rule === null) return null;
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (text === '') return rule.default;
  const pattern = rule.unit === 'days' ? /^\d{1,4}$/ : /^\d{1,4}(\.\d{1,2})?$/;
  if (!pattern.test(text)) {
    throw new AlertError(
      rule.unit === 'days'
        ? `The threshold must be a whole number of days from ${rule.min} to ${rule.max}.`
        : `The threshold must be a percentage from ${rule.min} to ${rule.max}, such as 75 or 62.5.`,
    );
  }
  const n = Number(text);
  if (n < rule.min || n > rule.max) {
    throw new AlertError(`The threshold ${text} is outside ${rule.min} to ${rule.max}.`);
  }
  return String(n);
}

/**
 * A subscription as a client asked for it, checked against the user's row-level security: a sales
 * lead's region must be one of theirs; a region's DSO is not something a portfolio sees.
 */
export function checkSubscription(
  user: ScopedUser,
  input: {
    kind?: unknown;
    threshold?: unknown;
    customerId?: unknown;
    region?: unknown;
    delivery?: unknown;
  },
): SubscriptionInput {
  const scope = scopeOf(user);
  if (scope === null) throw new AlertError('Your role sees no receivables, so it has no alerts.', 403);
  const kind = oneOf(input.kind, ALERT_KINDS, 'The condition');
  const delivery = oneOf(
    input.delivery === undefined || input.delivery === '' ? 'app' : input.delivery,
    DELIVERIES,
    'The delivery',
  );
  const threshold = checkThreshold(kind, input.threshold);
  const customerId = optionalName(input.customerId, 'The customer');
  const region = optionalName(input.region, 'The region');
  if (kind === 'region_dso') {
    if (customerId !== null)
      throw new AlertError("A region's DSO is not about one customer: leave the customer empty.");
    if (scope.rows === 'portfolio') {
      throw new AlertError(
        "A region's DSO covers customers outside your portfolio: it is not offered to your role.",
        403,
      );
    }
  }
  if (region !== null && scope.rows === 'regions' && !scope.regions.includes(region)) {
    throw new AlertError(`The region ${region} is not one of yours (${scope.regions.join(', ')}).`, 403);
  }
  return { kind, threshold, customerId, region, delivery };
}
