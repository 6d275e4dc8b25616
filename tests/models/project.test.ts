import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { latestBuild, modelLineage } from '../../models/runner/run-log.ts';
import { published, ROOT, tempDir } from '../helpers.ts';

/** The real project on demo data: every model builds, every data test and unit test passes. */
describe('the ARLens dbt project on demo data', () => {
  let root: string;
  let wh: string;
  beforeAll(async () => {
    root = await tempDir();
    wh = join(root, 'wh');
    const exports = join(root, 'exports');
    await fs.mkdir(exports);
    await generateDemo({ seed: 5, invoices: 3000, asOf: '2026-06-30', outDir: exports });
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
  }, 180_000);
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('records a successful run of every model, data test and unit test', async () => {
    const runs = await published(
      wh,
      `SELECT kind, status, count(*) AS n FROM meta.model_runs GROUP BY ALL ORDER BY ALL`,
    );
    expect(runs.filter((r) => r['status'] !== 'success')).toEqual([]);
    const kinds = new Set(runs.map((r) => r['kind']));
    expect(kinds).toEqual(new Set(['model', 'test', 'unit_test']));
    // What the Data page shows: the latest build, every model in it.
    const last = await latestBuild((sql, params = []) => published(wh, sql, [...params]));
    const models = last?.nodes.filter((n) => n['kind'] === 'model') ?? [];
    expect(models.map((m) => String(m['node_id']).split('.').pop())).toEqual(
      expect.arrayContaining(['fct_invoices', 'fct_ar_snapshots', 'mart_ar_kpis_monthly']),
    );
    expect(models.every((m) => m['status'] === 'success')).toBe(true);
    // ... and the lineage it shows: sources first, what each model is built from and feeds.
    const lineage = await modelLineage((sql, params = []) => published(wh, sql, [...params]));
    expect(lineage[0]?.kind).toBe('source');
    const invoices = lineage.find((n) => n.name === 'fct_invoices');
    expect(invoices?.dependsOn).toEqual(
      expect.arrayContaining(['stg_erp__invoices', 'int_invoice_reductions']),
    );
    expect(invoices?.usedBy).toEqual(
      expect.arrayContaining(['int_ar_monthly_components', 'fct_credit_exposure']),
    );
    expect(lineage.find((n) => n.name === 'erp.invoices')?.usedBy).toEqual(['stg_erp__invoices']);
  });

  it('reconciles: aging snapshot at the as-of date = open AR of fct_invoices = customer exposure AR', async () => {
    const rows = await published(
      wh,
      `SELECT
         (SELECT sum(open_amount_rc) FROM marts.fct_ar_snapshots WHERE snapshot_date = (SELECT as_of_date FROM intermediate.int_as_of)) AS snapshot_ar,
         (SELECT sum(open_amount_rc) FROM marts.fct_invoices WHERE open_amount > 0) AS invoice_ar,
         (SELECT sum(open_ar_rc) FROM marts.fct_credit_exposure) AS exposure_ar,
         (SELECT sum(ending_ar_rc) FROM marts.mart_ar_kpis_monthly WHERE period_end_date = (SELECT as_of_date FROM intermediate.int_as_of)) AS kpi_ar`,
    );
    const r = rows[0]!;
    expect(r['snapshot_ar']).toBe(r['invoice_ar']);
    expect(r['exposure_ar']).toBe(r['invoice_ar']);
    expect(r['kpi_ar']).toBe(r['invoice_ar']);
  });

  it("shows the demo's story: LATAM pays later in the last two quarters than in its first year", async () => {
    const rows = await published(
      wh,
      `SELECT
         avg(days_late) FILTER (WHERE settled_date < DATE '2024-07-01') AS first_year,
         avg(days_late) FILTER (WHERE settled_date >= DATE '2026-01-01') AS last_two_quarters
       FROM marts.fct_invoices WHERE region = 'LATAM' AND is_settled`,
    );
    const r = rows[0]!;
    expect(Number(r['last_two_quarters'])).toBeGreaterThan(Number(r['first_year']) + 10);
  });

  it('rejects a build whose unit test fails, leaving the published warehouse as it was', async () => {
    const before = await fs.readFile(join(wh, 'current.duckdb'));
    const project = join(root, 'broken-project');
    await fs.cp(join(ROOT, 'models'), project, { recursive: true, filter: (src) => !src.includes('runner') });
    const kpis = join(project, 'models', 'marts', 'mart_ar_kpis_monthly.sql');
    // A wrong countback: forget the pro-rata part of the last month.
    const original = await fs.readFile(kpis, 'utf8');
    const sql = original.replace(
      "+ ' ~ float_div('(ending_ar_rc - (cumulative_sales - back_sales))', 'back_sales') ~ ' * back_days'",
      "+ 0'",
    );
    expect(sql).not.toBe(original);
    await fs.writeFile(kpis, sql);
    await expect(build({ projectDir: project, warehouseDir: wh })).rejects.toThrow(
      /kpi_vectors_dso_countback_best_possible/,
    );
    expect(Buffer.compare(await fs.readFile(join(wh, 'current.duckdb')), before)).toBe(0);
  });
});
