/**
 * Who may do what in collections: the role's actions (auth/policy.ts) and, for a collector, only
 * customers of their own portfolio (the customer's credit controller as the warehouse has it — the
 * caller looks the customer up in the warehouse, never takes it from the client). The shell (`arlens
 * dunning …`, `system`) runs as the operator of the installation and may do everything; it is
 * audited as `cli:<os user>`.
 */
import { mayDo, type Action, type Role } from '../auth/policy.ts';
import type { Actor } from '../ops/audit.ts';

export interface Who {
  readonly actor: Actor;
  /** The user's role, or `system` for the shell. */
  readonly role: Role | 'system';
  /** A collector's portfolio (their credit-controller name). */
  readonly portfolio: string | null;
}

/** A customer as the warehouse has it. */
export interface CustomerRef {
  readonly customerId: string;
  readonly creditController: string | null;
}

export class CollectionsError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

export function systemWho(actor: Actor): Who {
  return { actor, role: 'system', portfolio: null };
}

export function authorise(who: Who, action: Action, customer?: CustomerRef): void {
  if (who.role === 'system') return;
  if (!mayDo(who.role, action)) throw new CollectionsError(`Your role may not do this (${action}).`, 403);
  if (customer && who.role === 'collector' && customer.creditController !== who.portfolio) {
    throw new CollectionsError(
      `Customer ${customer.customerId} is not in your portfolio (${who.portfolio ?? 'none'}).`,
      403,
    );
  }
}

/** Dunning runs and letters are read by whoever proposes, approves, or oversees them (a CFO). */
export function authoriseRead(who: Who): void {
  if (who.role === 'system' || who.role === 'cfo') return;
  if (!mayDo(who.role, 'dunning.propose') && !mayDo(who.role, 'dunning.approve')) {
    throw new CollectionsError('Your role may not see dunning runs.', 403);
  }
}

/** What a collector's reads are narrowed to (null: everything). */
export function portfolioOf(who: Who): string | null {
  return who.role === 'collector' ? (who.portfolio ?? '\u0000none') : null;
}

const ID = /^[\p{L}\p{N}][\p{L}\p{N} ._/#-]{0,63}$/u;

/** A customer or document id from a client: printable, bounded. */
export function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new CollectionsError(`${what} must be 1 to 64 letters, digits, spaces or . _ / # -.`);
  }
  return value;
}

/** A bounded free text (a note, a reason); control characters other than line breaks are refused. */
export function checkText(value: unknown, what: string, max = 2000, required = false): string {
  if (value === undefined || value === null) value = '';
  if (typeof value !== 'string') throw new CollectionsError(`${what} must be text.`);
  const v = value.trim();
  if (required && v === '') throw new CollectionsError(`${what} is required.`);
  if (v.length > max) throw new CollectionsError(`${what} is longer than ${max} characters.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v)) {
    throw new CollectionsError(`${what} holds control characters.`);
  }
  return v;
}

export function checkDate(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new CollectionsError(`${what} must be a date as YYYY-MM-DD.`);
  }
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new CollectionsError(`${what} (${value}) is not a calendar date.`);
  }
  if (value < '1990-01-01' || value > '2100-12-31') {
    throw new CollectionsError(`${what} (${value}) is outside 1990-01-01 to 2100-12-31.`);
  }
  return value;
}

/** A positive amount as decimal text with at most 2 decimals. */
export function checkAmount(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^\d{1,13}(\.\d{1,2})?$/.test(value.trim())) {
    throw new CollectionsError(`${what} must be an amount such as 1200.50.`);
  }
  const v = value.trim();
  if (/^0+(\.0+)?$/.test(v)) throw new CollectionsError(`${what} must be more than zero.`);
  return v;
}

export function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new CollectionsError(`${what} must be one of: ${allowed.join(', ')}.`);
  }
  return value as T;
}
