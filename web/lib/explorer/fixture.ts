/**
 * Test data for the Explorer's unit tests: the analyst view and part of cfo_overview as Cube's
 * /v1/meta lists them (members trimmed to the fields ARLens reads), and rows as /v1/load returns
 * them (measures as strings, time values without a zone).
 */
import type { Cube } from '@cubejs-client/core';
import { viewsFromMeta, type ViewMeta } from './meta.ts';

type Spec = readonly [name: string, title: string, type: string, extra?: Record<string, string>];

function cube(name: string, title: string, measures: Spec[], dimensions: Spec[]): Cube {
  const member = ([n, t, type, extra]: Spec) => ({
    name: `${name}.${n}`,
    title: `${title} ${t}`,
    shortTitle: t,
    description: `About ${t.toLowerCase()}.`,
    type,
    ...extra,
  });
  return {
    name,
    title,
    description: `The ${title} view.`,
    type: 'view',
    public: true,
    measures: measures.map(member),
    dimensions: dimensions.map(member),
  } as unknown as Cube;
}

const money = { aggType: 'sum', format: 'currency' };

export const META_CUBES: Cube[] = [
  cube(
    'analyst',
    'Analyst',
    [
      ['count', 'Invoices', 'number', { aggType: 'count' }],
      ['invoiced', 'Invoiced', 'number', money],
      ['open_amount', 'Open amount', 'number', money],
      ['overdue_amount', 'Overdue amount', 'number', money],
      ['open_count', 'Open invoices', 'number', { aggType: 'count' }],
      ['average_days_late', 'Average days late', 'number', { aggType: 'avg' }],
    ],
    [
      ['invoice_id', 'Invoice', 'string'],
      ['customer_id', 'Customer number', 'string'],
      ['region', 'Region', 'string'],
      ['product_line', 'Product line', 'string'],
      ['currency', 'Currency', 'string'],
      ['issue_date', 'Invoice date', 'time'],
      ['due_date', 'Due date', 'time'],
      ['invoice_amount', 'Invoice amount (document currency)', 'number'],
      ['open_amount_document', 'Open amount (document currency)', 'number'],
      ['days_past_due', 'Days past due', 'number'],
      ['aging_bucket', 'Aging bucket', 'string'],
      ['dunning_level', 'Dunning level', 'number'],
      ['is_written_off', 'Written off', 'boolean'],
      ['customer_name', 'Customer', 'string'],
    ],
  ),
  cube(
    'cfo_overview',
    'CFO overview',
    [
      ['invoice_count', 'Invoices issued', 'number', { aggType: 'sum' }],
      ['total_ar', 'AR', 'number', { aggType: 'number', format: 'currency' }],
      ['overdue_ratio', 'Overdue share', 'number', { aggType: 'number', format: 'percent' }],
      ['dso', 'DSO', 'number', { aggType: 'number' }],
    ],
    [
      ['month', 'Month', 'time'],
      ['region', 'Region', 'string'],
      ['product_line', 'Product line', 'string'],
    ],
  ),
  { ...cube('hidden', 'Hidden', [], []), public: false },
  { ...cube('invoices', 'Invoices', [], []), type: 'cube' },
];

export const VIEWS: ViewMeta[] = viewsFromMeta(META_CUBES);
export const ANALYST: ViewMeta = VIEWS.find((v) => v.name === 'analyst')!;
export const CFO: ViewMeta = VIEWS.find((v) => v.name === 'cfo_overview')!;

/** Open amount and invoice count by region and issue month, as Cube returns them. */
export const REGION_MONTH_ROWS = [
  {
    'analyst.issue_date.month': '2026-05-01T00:00:00.000',
    'analyst.region': 'EMEA',
    'analyst.open_amount': '1000.10',
    'analyst.count': '10',
  },
  {
    'analyst.issue_date.month': '2026-05-01T00:00:00.000',
    'analyst.region': 'LATAM',
    'analyst.open_amount': '500.05',
    'analyst.count': '4',
  },
  {
    'analyst.issue_date.month': '2026-06-01T00:00:00.000',
    'analyst.region': 'EMEA',
    'analyst.open_amount': '0.20',
    'analyst.count': '2',
  },
  {
    'analyst.issue_date.month': '2026-06-01T00:00:00.000',
    'analyst.region': 'LATAM',
    'analyst.open_amount': '2000.00',
    'analyst.count': '7',
  },
  {
    'analyst.issue_date.month': '2026-06-01T00:00:00.000',
    'analyst.region': null,
    'analyst.open_amount': '-12.50',
    'analyst.count': '1',
  },
];
