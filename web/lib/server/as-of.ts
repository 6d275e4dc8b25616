/**
 * The warehouse's as-of date and its source (intermediate.int_as_of, one row written by the build
 * that published it), read once per published warehouse generation, as the filter options are.
 */
import { tableExists, type Query } from '../../../warehouse/convert.ts';
import type { Serving } from '../../../warehouse/serving.ts';
import type { AsOf } from '../ledger/as-of.ts';
import { servingWarehouse } from './warehouse';

let cached: { wh: Serving; generation: number; asOf: Promise<AsOf | null> } | undefined;

export async function asOfDate(): Promise<AsOf | null> {
  const wh = servingWarehouse();
  if (wh.generation === 0) return null;
  if (cached?.wh !== wh || cached.generation !== wh.generation) {
    const asOf = readAsOf(wh.query.bind(wh));
    cached = { wh, generation: wh.generation, asOf };
    asOf.catch(() => {
      if (cached?.asOf === asOf) cached = undefined;
    });
  }
  return cached.asOf;
}

/** The one row of int_as_of, or null before a build has written it. */
export async function readAsOf(query: Query): Promise<AsOf | null> {
  if (!(await tableExists(query, 'intermediate', 'int_as_of'))) return null;
  const [row] = await query('SELECT as_of_date, as_of_source FROM intermediate.int_as_of LIMIT 1');
  if (!row || row['as_of_date'] === null) return null;
  return { date: String(row['as_of_date']), source: String(row['as_of_source'] ?? '') };
}
