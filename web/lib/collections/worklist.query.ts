/**
 * Cube queries of the collections page (collections view: one row per invoice; Cube itself narrows
 * every answer to the signed-in collector's portfolio or sales lead's regions). Pure.
 */
import type { Filter, Query } from '@cubejs-client/core';
import type { CubeRow } from '../cube/values.ts';
import { viewFilters, type GlobalFilters } from '../filters/filters.ts';
import { ACTIVITY_DIMENSIONS } from '../activities/activity.ts';
import { isWorkLevel, type WorkLevel } from '../dunning/dunning.ts';

const V = 'collections';

/** Invoices per worklist page. */
export const WORKLIST_PAGE_SIZE = 50;

/** The worklist's own parameters (beside the global filters), as held in the URL. */
export interface WorklistParams {
  /** One dunning level, or every level 1–4 when null. */
  readonly level: WorkLevel | null;
  /** One credit controller's portfolio (managers); a collector's is fixed by Cube. */
  readonly owner: string | null;
  /** 1-based page. */
  readonly page: number;
}

/** The worklist parameters in a URL (`level`, `owner`, `page`); bad values fall back to defaults. */
export function worklistParams(params: URLSearchParams): WorklistParams {
  const level = Number(params.get('level'));
  const page = Number(params.get('page'));
  return {
    level: params.get('level') !== null && isWorkLevel(level) ? level : null,
    owner: params.get('owner') || null,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/**
 * `params` with the worklist's own parameters changed (null removes one; the defaults are left out),
 * global filters and anything else kept.
 */
export interface WorklistPatch {
  readonly level?: WorkLevel | null;
  readonly owner?: string | null;
  readonly page?: number;
}

export function withWorklistParams(params: URLSearchParams, patch: WorklistPatch): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (name: string, value: string | null) =>
    value === null ? next.delete(name) : next.set(name, value);
  if ('level' in patch)
    set('level', patch.level === null || patch.level === undefined ? null : String(patch.level));
  if ('owner' in patch) set('owner', patch.owner || null);
  if ('page' in patch) set('page', patch.page === undefined || patch.page === 1 ? null : String(patch.page));
  return next;
}

/** The link of a level tile: that level (all levels when null), first page. */
export function levelLink(params: URLSearchParams, level: WorkLevel | null): string {
  const qs = withWorklistParams(params, { level, page: 1 }).toString();
  return qs ? `?${qs}` : '';
}

/** Open invoices at a dunning level (all of 1–4 unless `level`), with the global and owner filters. */
export function worklistFilters(f: GlobalFilters, owner: string | null, level: WorkLevel | null): Filter[] {
  return [
    ...viewFilters(V, f, ['region', 'product_line', 'currency']),
    { member: `${V}.open_amount_document`, operator: 'gt', values: ['0'] },
    level === null
      ? { member: `${V}.dunning_level`, operator: 'gte', values: ['1'] }
      : { member: `${V}.dunning_level`, operator: 'equals', values: [String(level)] },
    ...(owner ? [{ member: `${V}.credit_controller`, operator: 'equals' as const, values: [owner] }] : []),
  ];
}

/** Count and open amount per dunning level (the summary tiles; every level, whatever tab is open). */
export function levelSummaryQuery(f: GlobalFilters, owner: string | null): Query {
  return {
    measures: [`${V}.count`, `${V}.open_amount`, `${V}.disputed_amount`],
    dimensions: [`${V}.dunning_level`],
    filters: worklistFilters(f, owner, null),
    order: { [`${V}.dunning_level`]: 'desc' },
  };
}

/** The dimensions of one worklist invoice. */
export const WORKLIST_DIMENSIONS = [
  `${V}.invoice_id`,
  `${V}.customer_id`,
  `${V}.customer_name`,
  `${V}.credit_controller`,
  `${V}.status`,
  `${V}.is_credit_blocked`,
  `${V}.due_date`,
  `${V}.days_past_due`,
  `${V}.dunning_level`,
  `${V}.has_open_dispute`,
  `${V}.currency`,
  `${V}.open_amount_document`,
  `${V}.risk_band`,
] as const;

/** One page of the worklist, by priority: dunning level (highest first), then open amount. */
export function worklistQuery(f: GlobalFilters, p: WorklistParams): Query {
  return {
    dimensions: [...WORKLIST_DIMENSIONS],
    measures: [`${V}.open_amount`],
    filters: worklistFilters(f, p.owner, p.level),
    order: [
      [`${V}.dunning_level`, 'desc'],
      [`${V}.open_amount`, 'desc'],
      [`${V}.invoice_id`, 'asc'],
    ],
    limit: WORKLIST_PAGE_SIZE,
    offset: (p.page - 1) * WORKLIST_PAGE_SIZE,
  };
}

/**
 * The collection activities behind the invoices on a page: each invoice's own, plus account-level
 * ones (no invoice number) of their customers. Null when the page is empty.
 */
export function worklistActivityQuery(
  invoiceIds: readonly string[],
  customerIds: readonly string[],
): Query | null {
  if (invoiceIds.length === 0) return null;
  return {
    dimensions: [...ACTIVITY_DIMENSIONS],
    filters: [
      {
        or: [
          { member: 'collection_log.invoice_id', operator: 'equals', values: [...invoiceIds] },
          {
            and: [
              { member: 'collection_log.customer_id', operator: 'equals', values: [...new Set(customerIds)] },
              { member: 'collection_log.invoice_id', operator: 'notSet' },
            ],
          },
        ],
      },
      // ARLens's own records come live from the operational store, not again from the warehouse.
      { member: 'collection_log.recorded_in', operator: 'equals', values: ['erp'] },
    ],
    order: [
      ['collection_log.activity_date', 'desc'],
      ['collection_log.activity_id', 'desc'],
    ],
    limit: 5000,
  };
}

/** The activities behind the worklist rows shown (collections rows); null while there are none. */
export function pageActivityQuery(rows: readonly CubeRow[]): Query | null {
  return worklistActivityQuery(
    rows.map((r) => String(r[`${V}.invoice_id`])),
    rows.map((r) => String(r[`${V}.customer_id`])),
  );
}
