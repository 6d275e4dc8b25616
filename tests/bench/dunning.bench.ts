/**
 * npm run bench:dunning — collections execution (docs/collections.md).
 *
 * - proposal_1m_invoices_s: a dunning proposal over 1,000,000 open invoices of 20,000 customers, end
 *   to end as `arlens dunning run` does it (collections/service.ts proposeRun): read the open items
 *   from the warehouse (marts.fct_open_items with the customers and the ERP's dispute state), review
 *   due promises, decide levels and exclusions, and write the run with every proposed item and every
 *   skipped one to the operational store in one transaction. The marts are synthetic (the shape the
 *   build writes, made by SQL: the build itself is benchmarked by bench:models); 1 % of the invoices
 *   are disputed, 2 % of the customers on hold, a share of the items not yet in the reminder window,
 *   and unapplied cash on 10 % of the customers. Target: ≤ 10 s.
 * - letters_per_s: rendering 1,000 reminder letters to PDF (collections/letter.pdf.ts: pdfkit with an
 *   embedded Noto Sans JP subset), 8 items each, one in ten Japanese (bilingual, two pages).
 * Knobs: BENCH_DUNNING_INVOICES (1000000), BENCH_DUNNING_LETTERS (1000).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { systemWho } from '../../collections/access.ts';
import { renderLetter } from '../../collections/letter.pdf.ts';
import { loadPolicy } from '../../collections/policy.ts';
import { proposeRun } from '../../collections/service.ts';
import { defaultTemplate } from '../../collections/templates.ts';
import { openOpsStore } from '../../ops/store.ts';
import { connQuery } from '../../warehouse/convert.ts';
import { metric, writeResults } from './report.ts';

const INVOICES = Number(process.env['BENCH_DUNNING_INVOICES'] ?? 1_000_000);
const LETTERS = Number(process.env['BENCH_DUNNING_LETTERS'] ?? 1000);
const CUSTOMERS = 20_000;

const dir = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-dunning-'));
try {
  const instance = await DuckDBInstance.create(join(dir, 'wh.duckdb'));
  const conn = await instance.connect();
  const t0 = performance.now();
  await conn.run(`
    CREATE SCHEMA marts; CREATE SCHEMA intermediate;
    CREATE TABLE intermediate.int_as_of AS SELECT DATE '2026-06-30' AS as_of_date, 'set' AS as_of_source;
    CREATE TABLE marts.dim_customers AS
      SELECT printf('C%07d', i) AS customer_id, 'Customer ' || i AS customer_name,
             ['EMEA', 'NA', 'APAC', 'LATAM'][1 + i % 4] AS region,
             CASE WHEN i % 10 = 0 THEN 'JP' ELSE 'DE' END AS country_code,
             'Controller ' || (i % 25) AS credit_controller,
             CASE WHEN i % 200 = 0 THEN 'blacklisted' ELSE 'active' END AS customer_status
      FROM range(${CUSTOMERS}) t(i);
    CREATE TABLE marts.fct_invoices AS
      SELECT printf('I%09d', i) AS invoice_id, printf('C%07d', i % ${CUSTOMERS}) AS customer_id,
             printf('SO%09d', i) AS sales_order_id, printf('B%06d', i % 9973) AS shipment_batch,
             (i % 100 = 7) AS has_open_dispute,
             DATE '2026-06-30' - CAST(i % 150 AS INTEGER) + 20 AS due_date,
             (100 + (i * 7919) % 500000 / 100.0)::DECIMAL(18, 2) AS open_amount
      FROM range(${INVOICES}) t(i);
    CREATE TABLE marts.fct_open_items AS
      SELECT f.invoice_id AS item_id, 'invoice' AS item_type, f.customer_id,
             CASE WHEN c.country_code = 'JP' THEN 'JPY' ELSE 'EUR' END AS currency_code,
             f.due_date - 30 AS document_date, f.due_date, f.open_amount,
             CAST(DATE '2026-06-30' - f.due_date AS INTEGER) AS days_past_due
      FROM marts.fct_invoices f JOIN marts.dim_customers c USING (customer_id)
      UNION ALL
      SELECT printf('R%07d', i), 'unapplied_payment', printf('C%07d', i),
             CASE WHEN i % 10 = 0 THEN 'JPY' ELSE 'EUR' END, DATE '2026-06-01', NULL,
             (-50.00)::DECIMAL(18, 2), NULL
      FROM range(0, ${CUSTOMERS}, 10) t(i);
    CHECKPOINT;`);
  console.log(`synthetic marts: ${INVOICES} invoices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const store = openOpsStore(join(dir, 'ops.sqlite'));
  const who = systemWho({ id: null, name: 'bench', address: 'bench' });
  // 2 % of customers on hold.
  store.db.exec('BEGIN');
  const hold = store.db.prepare(
    "INSERT INTO dunning_holds (customer_id, item_id, reason, set_by, set_at) VALUES (?, '', 'bench', 'bench', 'x')",
  );
  for (let i = 0; i < CUSTOMERS; i += 50) hold.run(`C${String(i).padStart(7, '0')}`);
  store.db.exec('COMMIT');
  const policy = loadPolicy();
  const t1 = performance.now();
  const { proposal, run } = await proposeRun(store, who, connQuery(conn), policy, '2026-07-01');
  const proposalSeconds = (performance.now() - t1) / 1000;
  const items = (
    store.db
      .prepare('SELECT sum(json_array_length(items)) AS n FROM dunning_run_customers WHERE run_id = ?')
      .get(run.id) as { n: number }
  ).n;
  console.log(
    `proposal: ${proposal.customers.length} customer groups, ${items} items, ${proposal.skipped.length} skipped, ${proposalSeconds.toFixed(2)} s`,
  );
  store.close();
  conn.closeSync();
  instance.closeSync();

  // Letters: 8 lines each, one in ten Japanese.
  const lines = Array.from({ length: 8 }, (_, k) => ({
    itemId: `INV-${1000 + k}`,
    itemType: 'invoice',
    documentDate: '2026-04-01',
    dueDate: `2026-05-${String(10 + k).padStart(2, '0')}`,
    openAmount: `${1000 + k * 37}.50`,
  }));
  await renderLetter({
    kind: 'reminder',
    template: 'reminder_mild',
    language: 'ja',
    company: 'warm-up',
    customerId: 'W',
    customerName: 'W',
    date: '2026-07-01',
    level: 2,
    currencyCode: 'JPY',
    lines,
    feeAmount: '0.00',
    interestAmount: '0.00',
    templates: { en: defaultTemplate('reminder_mild', 'en'), ja: defaultTemplate('reminder_mild', 'ja') },
  });
  let bytes = 0;
  const t2 = performance.now();
  for (let n = 0; n < LETTERS; n++) {
    const ja = n % 10 === 0;
    const pdf = await renderLetter({
      kind: 'reminder',
      template: 'reminder_mild',
      language: ja ? 'ja' : 'en',
      company: 'ARLens Bench Co.',
      customerId: `C${n}`,
      customerName: ja ? `株式会社ベンチ${n}` : `Bench Customer ${n}`,
      date: '2026-07-01',
      level: 2,
      currencyCode: ja ? 'JPY' : 'EUR',
      lines,
      feeAmount: '0.00',
      interestAmount: '0.00',
      templates: { en: defaultTemplate('reminder_mild', 'en'), ja: defaultTemplate('reminder_mild', 'ja') },
    });
    bytes += pdf.length;
  }
  const letterSeconds = (performance.now() - t2) / 1000;
  const perSecond = LETTERS / letterSeconds;
  console.log(
    `letters: ${LETTERS} in ${letterSeconds.toFixed(2)} s, ${Math.round(bytes / LETTERS / 1024)} KiB each`,
  );

  await writeResults('dunning', [
    metric(
      'proposal_1m_invoices_s',
      proposalSeconds,
      's',
      null,
      10,
      `${INVOICES.toLocaleString('en-US')} open invoices, ${CUSTOMERS.toLocaleString('en-US')} customers; ${items.toLocaleString('en-US')} items proposed, ${proposal.skipped.length.toLocaleString('en-US')} skipped`,
    ),
    metric(
      'letters_per_s',
      perSecond,
      'letters/s',
      null,
      null,
      `${LETTERS} letters, 8 items each, 10 % bilingual ja+en; ${Math.round(bytes / LETTERS / 1024)} KiB per PDF`,
    ),
  ]);
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
