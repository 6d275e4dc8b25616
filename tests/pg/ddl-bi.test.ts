/**
 * On the test PostgreSQL (issue 21, Deliver 5 and 6): the DDL `arlens warehouse ddl` prints from a real
 * demo build runs on PostgreSQL, and the Citus DDL runs against stand-ins of Citus's functions that
 * check what Citus would (the distribution column exists; co-located tables share its type). Then the
 * BI door: group roles, row-level security from ROLE_POLICY and the Cube model, and per-person logins —
 * a sales lead's login sees exactly its region's rows, a controller's its portfolio's, neither reads
 * raw, the grants table or another group, and a changed or revoked grant takes effect at once.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { grantSql, revokeSql, tablesFor } from '../../bi/policy.ts';
import { applyBiPolicies, grantLogin } from '../../bi/service.ts';
import { listAudit } from '../../ops/audit.ts';
import { openOpsStore } from '../../ops/store.ts';
import { PgSession } from '../../warehouse/session.ts';
import { connQuery, type Row } from '../../warehouse/convert.ts';
import { readShapes, renderDdl, type TableShape } from '../../warehouse/pg-ddl.ts';
import { withPublished } from '../../warehouse/store.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { cliArgs, tempDir } from '../helpers.ts';
import { PG_URL, pgDatabase } from './database.ts';

const CITUS_STANDINS = `
CREATE FUNCTION create_distributed_table(t regclass, col text, colocate_with text DEFAULT 'default') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE ty oid; aty oid;
BEGIN
  SELECT atttypid INTO ty FROM pg_attribute WHERE attrelid = t AND attname = col AND NOT attisdropped;
  IF ty IS NULL THEN RAISE EXCEPTION 'column % of % does not exist', col, t; END IF;
  IF colocate_with NOT IN ('default', 'none') THEN
    SELECT atttypid INTO aty FROM pg_attribute WHERE attrelid = colocate_with::regclass AND attname = col;
    IF aty IS DISTINCT FROM ty THEN RAISE EXCEPTION 'cannot colocate % with %: types differ', t, colocate_with; END IF;
  END IF;
END $$;
CREATE FUNCTION create_reference_table(t regclass) RETURNS void LANGUAGE sql AS $$ SELECT $$;
`;

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('the warehouse on PostgreSQL: DDL, Citus layout and the BI door', () => {
  const db = pgDatabase();
  let root: string;
  let shapes: TableShape[];
  let rows: Record<string, Row[]>;
  let owner: pg.Client;
  const suffix = `${process.pid}_${Date.now().toString(36)}`;
  const lead = `bi_lead_${suffix}`;
  const collector = `bi_ctl_${suffix}`;
  const ACTOR = { id: null, name: 'cli:test', address: 'cli' };

  beforeAll(async () => {
    root = await tempDir('arlens-pg-bi-');
    const wh = await demoWarehouse(root, 600);
    ({ shapes, rows } = await withPublished(wh, async (conn) => {
      const q = connQuery(conn);
      const data: Record<string, Row[]> = {};
      for (const t of ['dim_customers', 'fct_invoices', 'fct_ar_snapshots']) {
        data[t] = await q(`SELECT * FROM marts.${t}`);
      }
      return { shapes: await readShapes(q), rows: data };
    }));
    owner = new pg.Client({ connectionString: db.url });
    await owner.connect();
  }, 240_000);

  afterAll(async () => {
    if (owner) {
      for (const login of [lead, collector]) await owner.query(revokeSql(login)).catch(() => undefined);
      await owner.end();
    }
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  /** The database's URL as `login` (a connection string's user wins over a `user` option in pg). */
  const urlAs = (login: string) => {
    const u = new URL(db.url);
    u.username = login;
    return u.href;
  };
  const as = async <T>(login: string, sql: string): Promise<T[]> => {
    const c = new pg.Client({ connectionString: urlAs(login) });
    await c.connect();
    try {
      return (await c.query(sql)).rows as T[];
    } finally {
      await c.end();
    }
  };
  const refused = async (login: string, sql: string) => {
    await expect(as(login, sql)).rejects.toThrow(/permission denied/);
  };

  it('runs the DDL of every table, and the Citus layout against stand-ins that check it', async () => {
    // Citus first, in a transaction rolled back (DDL is transactional in PostgreSQL).
    await owner.query('BEGIN');
    await owner.query(CITUS_STANDINS);
    await owner.query(renderDdl(shapes, { citus: true }));
    const distributed = await owner.query(
      "SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'create_distributed_table'",
    );
    expect(distributed.rows[0].n).toBe(1);
    await owner.query('ROLLBACK');
    // A column the stand-in cannot find fails, so the check above could fail too.
    await owner.query('BEGIN');
    await owner.query(CITUS_STANDINS);
    await owner.query('CREATE TABLE t_probe (id int)');
    await expect(owner.query("SELECT create_distributed_table('t_probe', 'customer_id')")).rejects.toThrow(
      /column customer_id of t_probe does not exist/,
    );
    await owner.query('ROLLBACK');

    await owner.query(renderDdl(shapes, { citus: false }));
    const tables = await owner.query(
      `SELECT count(*)::int AS n FROM information_schema.tables
       WHERE table_schema IN ('raw', 'worklist', 'staging', 'intermediate', 'marts', 'ml', 'meta') AND table_type = 'BASE TABLE'`,
    );
    expect(tables.rows[0].n).toBe(shapes.length);
  });

  it('lets a BI login see exactly its rows and nothing else', async () => {
    // Load three marts (the owner is not subject to row-level security).
    for (const [table, data] of Object.entries(rows)) {
      const cols = Object.keys(data[0]!);
      for (let i = 0; i < data.length; i += 200) {
        const chunk = data.slice(i, i + 200);
        const params: unknown[] = [];
        const values = chunk.map(
          (r) => `(${cols.map((c) => (params.push(r[c]), `$${params.length}`)).join(', ')})`,
        );
        await owner.query(
          `INSERT INTO marts.${table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')}`,
          params,
        );
      }
    }
    // As `arlens bi setup` and `arlens bi grant` do it.
    const region = String(rows['dim_customers']![0]!['region']);
    const portfolio = String(
      rows['dim_customers']!.find((c) => c['credit_controller'])!['credit_controller'],
    );
    const session = await PgSession.connect(db.url);
    const storeDir = await tempDir('arlens-pg-bi-ops-');
    const store = openOpsStore(join(storeDir, 'ops.sqlite'));
    try {
      expect(await applyBiPolicies(session)).toBeGreaterThan(10);
      // Twice is the same: the policies are replaced, not added again.
      await applyBiPolicies(session);
      const policies = await owner.query(
        `SELECT schemaname || '.' || tablename AS t, array_agg(roles::text ORDER BY policyname) AS roles
         FROM pg_policies GROUP BY 1`,
      );
      const byTable = new Map(
        policies.rows.map((r: { t: string; roles: string[] }) => [r.t, r.roles.join(' ')]),
      );
      // Every table a group may read has row-level security and one policy for that group.
      for (const t of tablesFor('collector')) {
        if (shapes.some((x) => `${x.schema}.${x.name}` === t)) {
          expect(byTable.get(t)?.match(/arlens_bi_collector/g), t).toHaveLength(1);
        }
      }
      const generated = await grantLogin(
        session,
        store,
        ACTOR,
        { login: lead, role: 'sales_lead', regions: [region], portfolio: null, arlensUser: null },
        { generate: true },
      );
      expect(generated.password).toMatch(/^\S{12,}$/);
      await grantLogin(
        session,
        store,
        ACTOR,
        { login: collector, role: 'collector', regions: [], portfolio, arlensUser: null },
        { given: 'a-long-enough-password' },
      );
      await expect(
        grantLogin(
          session,
          store,
          ACTOR,
          { login: "x'; DROP ROLE arlens; --", role: 'cfo', regions: [], portfolio: null, arlensUser: null },
          { generate: true },
        ),
      ).rejects.toThrow(/cannot be a login/);
      expect(listAudit(store).map((e) => e.action)).toEqual(['bi.grant', 'bi.grant']);
    } finally {
      store.close();
      await session.close();
      await fs.rm(storeDir, { recursive: true, force: true });
    }
    const count = (t: string, where: (r: Row) => boolean) => rows[t]!.filter(where).length;
    const seen = await as<{ region: string; n: string }>(
      lead,
      'SELECT region, count(*) AS n FROM marts.fct_invoices GROUP BY 1',
    );
    expect(seen).toEqual([{ region, n: String(count('fct_invoices', (r) => r['region'] === region)) }]);
    const own = await as<{ n: string }>(collector, 'SELECT count(*) AS n FROM marts.fct_invoices');
    expect(Number(own[0]!.n)).toBe(count('fct_invoices', (r) => r['credit_controller'] === portfolio));
    // A table without the scope column is scoped through the customer.
    const mine = new Set(
      rows['dim_customers']!.filter((c) => c['credit_controller'] === portfolio).map((c) => c['customer_id']),
    );
    const snaps = await as<{ n: string }>(collector, 'SELECT count(*) AS n FROM marts.fct_ar_snapshots');
    expect(Number(snaps[0]!.n)).toBe(count('fct_ar_snapshots', (r) => mine.has(r['customer_id'] ?? null)));
    expect(Number(snaps[0]!.n)).toBeGreaterThan(0);
    // Out of reach: the raw data, the grants, other groups, a mart outside the collector's views.
    await refused(lead, 'SELECT count(*) FROM raw.invoices');
    await refused(lead, 'SELECT * FROM bi.grants');
    await refused(lead, 'SET ROLE arlens_bi_cfo');
    await refused(collector, 'SELECT count(*) FROM marts.mart_ar_kpis_monthly');
    // A session setting cannot widen the scope.
    const c = new pg.Client({ connectionString: urlAs(lead) });
    await c.connect();
    await c.query("SET application_name = 'x'; SELECT set_config('arlens.regions', 'ALL', false)");
    const still = await c.query('SELECT count(DISTINCT region)::int AS n FROM marts.fct_invoices');
    expect(still.rows[0].n).toBe(1);
    await c.end();

    // Re-pointed to another role: the old group is left; revoked: gone.
    await owner.query(
      grantSql(
        { login: lead, role: 'cfo', regions: [], portfolio: null, arlensUser: null, createdBy: 'test' },
        null,
      ),
    );
    const all = await as<{ n: string }>(lead, 'SELECT count(*) AS n FROM marts.fct_invoices');
    expect(Number(all[0]!.n)).toBe(rows['fct_invoices']!.length);
    const groups = await owner.query(
      `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1`,
      [lead],
    );
    expect(groups.rows.map((r: { rolname: string }) => r.rolname)).toEqual(['arlens_bi_cfo']);
    await owner.query(revokeSql(lead));
    await expect(as(lead, 'SELECT 1')).rejects.toThrow(/does not exist/);
  });

  it('works from the shell: arlens bi list, revoke, and a clear error without a server', async () => {
    const dir = await tempDir('arlens-pg-bi-cli-');
    const config = join(dir, 'arlens.config.yaml');
    await fs.writeFile(config, `warehouse: ${JSON.stringify(join(dir, 'wh'))}\n`);
    const arlens = (...args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve, reject) => {
        const env = { ...process.env };
        delete env['ARLENS_PG_URL'];
        const p = spawn(process.execPath, cliArgs('-c', config, ...args), { env });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        p.on('error', reject);
        p.on('exit', (code) => resolve({ code: code ?? -1, out }));
      });
    try {
      const list = await arlens('bi', 'list', '--url', db.url);
      expect(list.out).toContain(`${collector}  collector portfolio `);
      const revoke = await arlens('bi', 'revoke', collector, '--url', db.url);
      expect(revoke).toMatchObject({ code: 0 });
      expect(revoke.out).toContain(`${collector} was removed.`);
      const none = await arlens('bi', 'grant', 'someone', '--role', 'cfo', '--generate');
      expect(none.code).toBe(1);
      expect(none.out).toContain('pass --url postgres://… or set ARLENS_PG_URL');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
