/**
 * The profile keys that say what a row is before it is loaded: `exclude` (quarantined once per file
 * with the first matching rule's reason, taken by no mapping), `otherwise` (an unlisted value loads as
 * the fallback and is noted per value), `fill_down`, `fallback_column`, `where` empty/negative.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { parseProfile } from '../../ingest/profile.ts';
import { CUSTOMERS_HEADER, customerRow, published, tempDir, writeText } from '../helpers.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir('arlens-profile-rules-');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const PROFILE = `
name: rules
title: rules
description: the profile keys under test
format: { date_format: '%Y-%m-%d' }
exclude:
  - files: 'docs*'
    when: [{ column: State, in: [void] }]
    reason: first rule
  - files: 'docs*'
    when: [{ column: Kind, in: [X] }]
    reason: second rule
  - files: 'docs*'
    when: [{ column: Amount, negative: true }, { column: Note, empty: true }]
    reason: a negative amount without a note
mappings:
  - entity: invoices
    files: 'docs*'
    format: { fill_down: [Doc, Customer, Date, Due, Amount, Rounded, Line] }
    where: [{ column: Kind, in: [INV] }]
    distinct: true
    columns:
      invoice_id: Doc
      customer_id: Customer
      issue_date: Date
      due_date: { column: Due, fallback_column: Date }
      amount: { column: Rounded, fallback_column: Amount }
      currency: { constant: EUR }
      product_line: { column: Line, map: { A: Alpha, B: Beta }, otherwise: Other }
`;

describe('profile rules', () => {
  it('excludes with the first matching reason, fills down, falls back, and notes unlisted values', async () => {
    const dir = join(root, 'exports');
    await fs.mkdir(dir);
    await writeText(dir, 'customers.csv', [CUSTOMERS_HEADER, customerRow('C1')].join('\n'));
    const profile = await writeText(root, 'rules.yaml', PROFILE);
    await writeText(
      dir,
      'docs.csv',
      [
        'Doc,Customer,Date,Due,Amount,Rounded,Line,Kind,State,Note',
        'I1,C1,2024-01-10,2024-02-09,100.40,100.00,A,INV,ok,',
        ',,,,,,,INV,ok,',
        'I2,C1,2024-01-11,,50.00,0.0,Z,INV,ok,',
        'I3,C1,2024-01-12,,70.00,,Q,INV,ok,',
        'I4,C1,2024-01-13,,-5.00,,A,INV,ok,',
        'I5,C1,2024-01-14,,-5.00,,A,INV,ok,why',
        'I6,C1,2024-01-15,,9.00,,A,X,void,',
        'I7,C1,2024-01-16,,9.00,,A,X,ok,',
        'P1,C1,2024-01-17,,9.00,,A,PAY,ok,',
      ].join('\n'),
    );
    await ingest([{ path: join(dir, 'customers.csv'), profile: 'canonical' }], {
      warehouseDir: join(root, 'wh'),
    });
    const report = await ingest([{ path: join(dir, 'docs.csv'), profile }], {
      warehouseDir: join(root, 'wh'),
    });
    expect(
      await published(
        join(root, 'wh'),
        'SELECT invoice_id, due_date, amount, product_line FROM raw.invoices ORDER BY 1',
      ),
    ).toEqual([
      { invoice_id: 'I1', due_date: '2024-02-09', amount: '100.00', product_line: 'Alpha' },
      { invoice_id: 'I2', due_date: '2024-01-11', amount: '50.00', product_line: 'Other' },
      { invoice_id: 'I3', due_date: '2024-01-12', amount: '70.00', product_line: 'Other' },
    ]);
    const q = await published(
      join(root, 'wh'),
      `SELECT row_number, reason_code, reason, value FROM meta.quarantine ORDER BY row_number, reason_code`,
    );
    expect(q.map((r) => [Number(r['row_number']), r['reason_code'], r['reason'], r['value']])).toEqual([
      [6, 'excluded_by_profile', 'a negative amount without a note', 'Amount = -5.00, Note = '],
      [7, 'below_minimum', 'negative amount', '-5.00'],
      [8, 'excluded_by_profile', 'first rule', 'State = void'],
      [9, 'excluded_by_profile', 'second rule', 'Kind = X'],
      [10, 'unmapped_row', 'no mapping of profile "rules" takes this row; it was not loaded', 'Kind = PAY'],
    ]);
    expect(report.notes.map((n) => [n.column, n.value, n.rows, n.firstRow])).toEqual([
      ['Line', 'Z', 1, 4],
      ['Line', 'Q', 1, 5],
    ]);
  });

  it('otherwise needs a map', () => {
    expect(() =>
      parseProfile(
        {
          name: 'x',
          title: 'x',
          description: 'x',
          mappings: [
            { entity: 'payments', files: '*', columns: { method: { column: 'M', otherwise: 'other' } } },
          ],
        },
        'x.yaml',
      ),
    ).toThrow('"method" has "otherwise" but no "map"');
  });
});
