/**
 * A CSV of open orders for a batch check: a header with customer_id, amount, currency and
 * optionally order_id (any order; other columns are ignored). Read by DuckDB as text (so amounts stay
 * exact), restricted to that one file; every row is checked like an API body, and a bad row is named
 * by its line number.
 */
import { resolve } from 'node:path';
import { queryRows } from '../warehouse/convert.ts';
import { restrictFileAccess, sqlString, withInstance } from '../warehouse/duckdb.ts';
import { CreditError } from './actor.ts';
import { parseOrder, type OrderInput } from './checks.store.ts';

export async function readOrdersCsv(path: string): Promise<OrderInput[]> {
  const file = resolve(path);
  return withInstance(':memory:', {}, async (conn) => {
    await restrictFileAccess(conn, { files: [file] });
    const rows = await queryRows(
      conn,
      `SELECT * FROM read_csv(${sqlString(file)}, header = true, all_varchar = true, auto_detect = true)`,
    );
    const first = rows[0];
    if (first) {
      for (const col of ['customer_id', 'amount', 'currency']) {
        if (!(col in first)) throw new CreditError('bad_file', `${path} has no column ${col}.`);
      }
    }
    return rows.map((r, i) => {
      try {
        return parseOrder({
          customer_id: r['customer_id'],
          amount: r['amount'],
          currency: r['currency'],
          order_id: r['order_id'] ?? null,
        });
      } catch (e) {
        throw new CreditError('bad_file', `${path} line ${i + 2}: ${(e as Error).message}`);
      }
    });
  });
}
