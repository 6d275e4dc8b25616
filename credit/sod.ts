/**
 * Segregation of duties for limit requests, as a pure function: who may take the next step on a
 * request. The rules:
 *   - a sales lead may request (for customers of their regions) but never approves;
 *   - the requester never approves or rejects their own request (they may withdraw it);
 *   - a credit manager approves a limit up to `approval.credit_manager_max` (reporting currency);
 *   - above it, a credit manager AND a CFO must both approve — two different people, neither the
 *     requester; a CFO alone approves up to the amount;
 *   - nobody else (admin, analyst, collector) takes part.
 */
import type { Role } from '../auth/policy.ts';

export interface RequestState {
  readonly status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  readonly requestedById: number | null;
  readonly needsCfo: boolean;
  readonly managerById: number | null;
  readonly cfoById: number | null;
}

export type ApprovalStep = 'manager' | 'cfo';

export type Refusal =
  | 'not_pending'
  | 'role_cannot_approve'
  | 'sales_lead_cannot_approve'
  | 'own_request'
  | 'above_credit_manager_amount'
  | 'already_approved_by_you'
  | 'needs_credit_manager'
  | 'no_account';

/** The step `role`/`userId` would sign, or why they may not. */
export function approvalStep(
  r: RequestState,
  role: Role,
  userId: number | null,
): { ok: true; step: ApprovalStep; final: boolean } | { ok: false; refusal: Refusal } {
  if (r.status !== 'pending') return { ok: false, refusal: 'not_pending' };
  if (role === 'sales_lead') return { ok: false, refusal: 'sales_lead_cannot_approve' };
  if (role !== 'credit_manager' && role !== 'cfo') return { ok: false, refusal: 'role_cannot_approve' };
  // An approval must name a person: a role-only token or the CLI's system user cannot sign.
  if (userId === null) return { ok: false, refusal: 'no_account' };
  if (r.requestedById === userId) return { ok: false, refusal: 'own_request' };
  if (r.managerById === userId || r.cfoById === userId)
    return { ok: false, refusal: 'already_approved_by_you' };
  if (role === 'credit_manager') {
    if (r.needsCfo && r.managerById !== null) return { ok: false, refusal: 'above_credit_manager_amount' };
    if (r.needsCfo) return { ok: true, step: 'manager', final: r.cfoById !== null };
    return { ok: true, step: 'manager', final: true };
  }
  // cfo
  if (!r.needsCfo) return { ok: true, step: 'manager', final: true };
  if (r.cfoById !== null) return { ok: false, refusal: 'needs_credit_manager' };
  return { ok: true, step: 'cfo', final: r.managerById !== null };
}

/** Who may reject: an approver (credit manager or CFO) who is not the requester. */
export function mayReject(r: RequestState, role: Role, userId: number | null): Refusal | null {
  if (r.status !== 'pending') return 'not_pending';
  if (role === 'sales_lead') return 'sales_lead_cannot_approve';
  if (role !== 'credit_manager' && role !== 'cfo') return 'role_cannot_approve';
  if (userId === null) return 'no_account';
  if (r.requestedById === userId) return 'own_request';
  return null;
}

export const REFUSAL_TEXT: Readonly<Record<Refusal, string>> = {
  not_pending: 'This request is no longer pending.',
  role_cannot_approve: 'Only a credit manager or a CFO approves credit requests.',
  sales_lead_cannot_approve: 'A sales lead may request a limit but never approve one.',
  own_request: 'You made this request: someone else must decide it (segregation of duties).',
  above_credit_manager_amount:
    'This limit is above what a credit manager approves alone: a CFO must also approve it.',
  already_approved_by_you: 'You have already approved this request: a second person must.',
  needs_credit_manager: 'A CFO has approved: the other approval must come from a credit manager.',
  no_account: 'An approval must be signed by a named user, not a role token or the system.',
};
