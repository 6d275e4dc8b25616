import { describe, expect, it } from 'vitest';
import type { Query, Row } from '../../../warehouse/convert.ts';
import { readAsOf } from './as-of.ts';

/** A query function over canned answers: the table check, then the row. */
function fake(exists: boolean, rows: Row[]): Query {
  return async (sql) => (sql.includes('information_schema') ? [{ n: exists ? '1' : '0' }] : rows);
}

describe('reading the as-of date', () => {
  it('reads int_as_of’s one row; nothing before a build wrote it', async () => {
    await expect(
      readAsOf(fake(true, [{ as_of_date: '2026-06-30', as_of_source: 'last document date' }])),
    ).resolves.toEqual({ date: '2026-06-30', source: 'last document date' });
    await expect(readAsOf(fake(false, []))).resolves.toBeNull();
    await expect(readAsOf(fake(true, []))).resolves.toBeNull();
  });
});
