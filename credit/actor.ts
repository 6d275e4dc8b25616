/** Who acts in credit management: the audit's actor plus the role (and regions) the rules look at. */
import type { Role } from '../auth/policy.ts';
import type { Actor } from '../ops/audit.ts';

export interface CreditActor extends Actor {
  readonly role: Role;
  /** A sales lead's regions (the customers they may request for). */
  readonly regions?: readonly string[];
}

/** A rule broken: a stable code (for the API and tests) and a sentence for people. */
export class CreditError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
