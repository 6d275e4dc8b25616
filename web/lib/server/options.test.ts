import { describe, expect, it } from 'vitest';
import type { Query, Row } from '../../../warehouse/convert.ts';
import { readAging } from './options.ts';

function fake(exists: boolean, rows: Row[]): Query {
  return async (sql) => (sql.includes('information_schema') ? [{ n: exists ? '1' : '0' }] : rows);
}

describe('reading the configured aging buckets', () => {
  it('reads int_aging_buckets in order with its basis; none before a build wrote it', async () => {
    const rows = [
      { aging_bucket_order: '0', aging_bucket: '0-30', aging_basis: 'document_date' },
      { aging_bucket_order: '1', aging_bucket: '30+', aging_basis: 'document_date' },
    ];
    await expect(readAging(fake(true, rows))).resolves.toEqual({
      basis: 'document_date',
      buckets: [
        { order: 0, bucket: '0-30' },
        { order: 1, bucket: '30+' },
      ],
    });
    await expect(readAging(fake(false, []))).resolves.toEqual({ basis: 'due_date', buckets: [] });
  });
});
