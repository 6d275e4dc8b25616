/**
 * A promise to pay that one build found broken is kept when the payment applied inside its window is
 * loaded later: the incremental build re-merges it (fct_collection_activities' promise-window scope)
 * and agrees with a full refresh. The randomized differential test reaches this path only rarely; a
 * mutation that dropped the window scope went unnoticed there, so this case pins it.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import {
  canonicalHeader,
  CUSTOMERS_HEADER,
  INVOICES_HEADER,
  published,
  ROOT,
  tempDir,
  writeText,
} from '../helpers.ts';

const PROJECT = join(ROOT, 'models');
const vars = { as_of_date: '2026-05-31' };
let root: string;
let wh: string;

async function status(dir: string): Promise<unknown[]> {
  return published(
    dir,
    `SELECT activity_id, promise_status, paid_by_promised_date FROM marts.fct_collection_activities ORDER BY 1`,
  );
}

beforeAll(async () => {
  root = await tempDir('arlens-late-promise-');
  wh = join(root, 'wh');
  const first = join(root, 'first');
  await fs.mkdir(first);
  await writeText(
    first,
    'customers.csv',
    [CUSTOMERS_HEADER, 'C1,Acme,EMEA,DE,,,,,,30,USD,active'].join('\n'),
  );
  await writeText(
    first,
    'invoices.csv',
    [
      INVOICES_HEADER,
      'I1,C1,2026-03-01,2026-03-31,500.00,USD,Services,,,',
      'I2,C1,2026-03-02,2026-04-01,80.00,USD,,,,',
    ].join('\n'),
  );
  await writeText(
    first,
    'collection_activities.csv',
    [
      canonicalHeader('collection_activities'),
      'A1,C1,I1,2026-04-05,call,Kim,promise_to_pay,2026-04-20,500.00,USD,',
      // An account-level promise: every application to the customer's invoices in its window counts.
      'A2,C1,,2026-04-06,email,Kim,promise_to_pay,2026-04-25,80.00,USD,',
    ].join('\n'),
  );
  await ingest([{ path: first, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: PROJECT, warehouseDir: wh, vars });
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('a payment loaded after its promise was judged broken', () => {
  it('turns the promise kept on the next incremental build, as a full refresh does', async () => {
    expect(await status(wh)).toEqual([
      { activity_id: 'A1', promise_status: 'broken', paid_by_promised_date: '0.00' },
      { activity_id: 'A2', promise_status: 'broken', paid_by_promised_date: '0.00' },
    ]);
    const later = join(root, 'later');
    await fs.mkdir(later);
    await writeText(
      later,
      'payments.csv',
      [
        canonicalHeader('payments'),
        'R1,C1,2026-04-18,500.00,USD,bank_transfer,',
        'R2,C1,2026-04-22,80.00,USD,,',
      ].join('\n'),
    );
    await writeText(
      later,
      'payment_applications.csv',
      [canonicalHeader('payment_applications'), 'R1,I1,2026-04-18,500.00', 'R2,I2,2026-04-22,80.00'].join(
        '\n',
      ),
    );
    await ingest([{ path: later, profile: 'canonical' }], { warehouseDir: wh });
    const run = await build({ projectDir: PROJECT, warehouseDir: wh, vars });
    const node = run.results.find((r) => r.name === 'fct_collection_activities');
    expect(node?.message).toMatch(/^incremental, 2 rows merged/);
    const incremental = await status(wh);
    expect(incremental).toEqual([
      { activity_id: 'A1', promise_status: 'kept', paid_by_promised_date: '500.00' },
      { activity_id: 'A2', promise_status: 'kept', paid_by_promised_date: '580.00' },
    ]);
    await build({ projectDir: PROJECT, warehouseDir: wh, vars, fullRefresh: true });
    expect(await status(wh)).toEqual(incremental);
  });
});
