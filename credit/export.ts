/**
 * Files for the ERP to load back: limits in ARLens's canonical CSV and in SAP's credit-management
 * layout (the columns of an FSCM credit-segment upload: partner, segment, limit, currency, valid
 * from, blocked flag), and credit decisions (so the ERP can release or reject its blocked orders).
 * Blacklisted customers are flagged in every file.
 */
import { csvField } from '../core/csv.ts';
import { centsText } from './money.ts';
import type { StoredDecision } from './checks.store.ts';
import type { OwnLimit } from './requests.store.ts';

export interface LimitExportRow {
  readonly customerId: string;
  readonly limit: OwnLimit | null;
  /** The ERP's own limit (when ARLens holds none) in cents. */
  readonly erpLimitCents: number | null;
  readonly currency: string;
  readonly blacklisted: boolean;
}

export const LIMIT_LAYOUTS = ['canonical', 'sap'] as const;
export type LimitLayout = (typeof LIMIT_LAYOUTS)[number];

const FORMULA_START = /^[=+\-@\t\r]/;

/** Free text (a reason, a name) a spreadsheet will not run as a formula. Ids and amounts stay as they are. */
export function neutralise(text: string | null): string | null {
  return text !== null && FORMULA_START.test(text) ? `'${text}` : text;
}

const line = (fields: readonly (string | number | null)[]) =>
  fields.map((f) => csvField(f === null ? '' : String(f))).join(',') + '\r\n';

export function limitsCsv(rows: readonly LimitExportRow[], layout: LimitLayout): string {
  if (layout === 'sap') {
    // SAP FSCM (UKM) credit-segment data: one row per partner, segment 0000 (main segment).
    let out = line(['PARTNER', 'CREDIT_SGMNT', 'CREDIT_LIMIT', 'CURRENCY', 'LIMIT_VALID_DATE', 'XBLOCKED']);
    for (const r of rows) {
      const cents = r.limit?.limitCents ?? r.erpLimitCents;
      if (cents === null) continue;
      out += line([
        r.customerId,
        '0000',
        centsText(cents),
        r.limit?.currency ?? r.currency,
        (r.limit?.updatedAt ?? '').slice(0, 10).replaceAll('-', ''),
        r.blacklisted ? 'X' : '',
      ]);
    }
    return out;
  }
  let out = line([
    'customer_id',
    'credit_limit',
    'currency',
    'payment_terms_days',
    'prepayment_required',
    'key_focus',
    'blacklisted',
    'source',
    'request_id',
    'updated_at',
  ]);
  for (const r of rows) {
    const cents = r.limit?.limitCents ?? r.erpLimitCents;
    out += line([
      r.customerId,
      cents === null ? null : centsText(cents),
      r.limit?.currency ?? r.currency,
      r.limit?.paymentTermsDays ?? null,
      r.limit?.prepaymentRequired ? 'true' : 'false',
      r.limit?.keyFocus ? 'true' : 'false',
      r.blacklisted ? 'true' : 'false',
      r.limit ? 'arlens' : 'erp',
      r.limit?.requestId ?? null,
      r.limit?.updatedAt ?? null,
    ]);
  }
  return out;
}

export function decisionsCsv(rows: readonly StoredDecision[], blacklisted: (id: string) => boolean): string {
  let out = line([
    'decision_id',
    'order_id',
    'customer_id',
    'decision',
    'status',
    'amount',
    'currency',
    'reasons',
    'checked_at',
    'resolved_by',
    'resolved_at',
    'resolution_reason',
    'blacklisted',
  ]);
  for (const d of rows) {
    out += line([
      d.id,
      d.orderId,
      d.customerId,
      d.outcome,
      d.status,
      d.amount,
      d.currency,
      d.reasons.map((r) => r.code).join('|'),
      d.checkedAt,
      neutralise(d.resolvedBy),
      d.resolvedAt,
      neutralise(d.resolutionReason),
      blacklisted(d.customerId) ? 'true' : 'false',
    ]);
  }
  return out;
}
