/**
 * The small ledger the cash-application tests match statements against (tests/cashapp/fixtures name
 * its invoices), in the canonical layout, and a warehouse built from it as of 2026-06-30.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { CUSTOMERS_HEADER, INVOICES_HEADER, ROOT, writeText } from '../helpers.ts';

export const LEDGER_CUSTOMERS = [
  'C1,Müller Maschinenbau GmbH,EMEA,DE,,,,,,30,EUR,active',
  'C2,Straits Trading Pte. Ltd.,APAC,SG,,,,,,30,USD,active',
  'C3,Hansa Antriebstechnik AG,EMEA,DE,,,,,,30,EUR,active',
  'C4,Schneider Elektrotechnik GmbH,EMEA,DE,,,,,,30,EUR,active',
  'C5,山田製作所株式会社,APAC,JP,,,,,,30,JPY,active',
  'C6,Weber KG,EMEA,DE,,,,,,30,EUR,active',
];
export const LEDGER_INVOICES = [
  'INV-0000101,C1,2026-03-01,2026-03-31,1190.00,EUR,Services,,,',
  'INV-0000102,C1,2026-03-02,2026-04-01,500.00,EUR,Services,,,',
  'INV-0000103,C2,2026-03-01,2026-03-31,1000.00,USD,Services,,,',
  'INV-0000104,C3,2026-03-01,2026-03-31,1000.00,EUR,Services,,,',
  'INV-0000105,C4,2026-03-01,2026-03-31,1000.00,EUR,Services,,,',
  'INV-0000106,C4,2026-03-05,2026-04-04,750.00,EUR,Services,,,',
  'INV-0000108,C5,2026-03-01,2026-03-31,330000,JPY,Services,,,',
  'INV-0000109,C6,2026-03-01,2026-03-31,300.00,EUR,Services,,,',
];

/** Build the ledger into `<root>/wh` (for startBrowserHarness). */
export async function ledgerWarehouse(root: string): Promise<string> {
  const wh = join(root, 'wh');
  const exports = join(root, 'exports');
  await fs.mkdir(exports, { recursive: true });
  await writeText(exports, 'customers.csv', [CUSTOMERS_HEADER, ...LEDGER_CUSTOMERS].join('\n'));
  await writeText(exports, 'invoices.csv', [INVOICES_HEADER, ...LEDGER_INVOICES].join('\n'));
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh, vars: { as_of_date: '2026-06-30' } });
  return wh;
}
