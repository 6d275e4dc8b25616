/**
 * The door for BI tools on the PostgreSQL engine (issue 21, Deliver 5): a read-only database role per
 * ARLens role, and row-level security policies on the tables behind Cube's views, so Metabase,
 * Tableau, Power BI or Excel connected as a person see what that person sees in ARLens — no more.
 *
 * Generated from the one declaration of roles (auth/policy.ts ROLE_POLICY: views and row scope) and
 * the Cube model (cube/model: which tables each view reads), so the BI door and the REST API cannot
 * drift apart. docs/bi.md explains it; docs/plans/postgres-engine.md §8 records what was verified.
 *
 *   - group roles `arlens_bi_<role>` (NOLOGIN); a person is a LOGIN role in one group;
 *   - `bi.grants` (login → ARLens role, regions, portfolio) outside the rebuilt schemas, readable by
 *     the owner only; policies call SECURITY DEFINER functions keyed on `session_user`, which a BI
 *     session cannot change (a settings variable could be SET by anyone, so none is used);
 *   - a table a group may read gets SELECT and a policy for that group; every table has RLS on, so a
 *     group without a policy sees no rows even if a grant slipped in; no role reads raw, meta,
 *     staging, intermediate or bi.
 *
 * Fail closed: a table a scoped role must read without a column to scope it by is an error here,
 * not an unfiltered grant.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROLE_POLICY, ROLES, type Role } from '../auth/policy.ts';
import { ident } from '../warehouse/duckdb.ts';

export const CUBE_MODEL = join(import.meta.dirname, '..', 'cube', 'model');

/** The ARLens roles that have a BI group: every role that sees receivables. */
export const BI_ROLES: readonly Role[] = ROLES.filter((r) => ROLE_POLICY[r].rows !== 'none');

export const groupRole = (role: Role): string => `arlens_bi_${role}`;

export interface Table {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly string[];
}

const rel = (t: { schema: string; name: string }) => `${ident(t.schema)}.${ident(t.name)}`;

function yamlFiles(dir: string): unknown[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => parseYaml(readFileSync(join(dir, f), 'utf8')) as unknown);
}

/** Cube → the table it reads (`schema.table`); cubes defined by SQL instead of a table are left out. */
export function cubeTables(modelDir = CUBE_MODEL): Map<string, string> {
  const out = new Map<string, string>();
  for (const doc of yamlFiles(join(modelDir, 'cubes'))) {
    for (const c of (doc as { cubes?: { name: string; sql_table?: string }[] }).cubes ?? []) {
      if (c.sql_table) out.set(c.name, c.sql_table);
    }
  }
  return out;
}

/** View → the cubes on its join paths. */
export function viewCubes(modelDir = CUBE_MODEL): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const doc of yamlFiles(join(modelDir, 'views'))) {
    for (const v of (doc as { views?: { name: string; cubes?: { join_path: string }[] }[] }).views ?? []) {
      out.set(v.name, [...new Set((v.cubes ?? []).flatMap((c) => c.join_path.split('.')))]);
    }
  }
  return out;
}

/** The tables a role's BI group may read: the tables behind the role's Cube views. */
export function tablesFor(role: Role, modelDir = CUBE_MODEL): string[] {
  const views = viewCubes(modelDir);
  const tables = cubeTables(modelDir);
  const allowed = ROLE_POLICY[role].views;
  const names = allowed === 'all' ? [...views.keys()] : allowed;
  const out = new Set<string>();
  for (const v of names) for (const c of views.get(v) ?? []) if (tables.has(c)) out.add(tables.get(c)!);
  return [...out].sort();
}

/** Once per database: the group roles, the bi schema with its grants table and scope functions. */
export function setupSql(database: string): string {
  const groups = BI_ROLES.map(
    (r) => `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${groupRole(r)}') THEN CREATE ROLE ${groupRole(r)} NOLOGIN; END IF;
END $$;`,
  );
  return [
    ...groups,
    `REVOKE ALL ON DATABASE ${ident(database)} FROM PUBLIC;`,
    `REVOKE ALL ON SCHEMA public FROM PUBLIC;`,
    ...BI_ROLES.map((r) => `GRANT CONNECT ON DATABASE ${ident(database)} TO ${groupRole(r)};`),
    `CREATE SCHEMA IF NOT EXISTS bi;`,
    `REVOKE ALL ON SCHEMA bi FROM PUBLIC;`,
    `CREATE TABLE IF NOT EXISTS bi.grants (
  login text PRIMARY KEY,
  arlens_role text NOT NULL CHECK (arlens_role IN (${BI_ROLES.map((r) => `'${r}'`).join(', ')})),
  regions text[] NOT NULL DEFAULT '{}',
  portfolio text,
  arlens_user text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL
);`,
    `CREATE OR REPLACE FUNCTION bi.my_regions() RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, bi AS $$ SELECT coalesce((SELECT regions FROM bi.grants WHERE login = session_user), '{}') $$;`,
    `CREATE OR REPLACE FUNCTION bi.my_portfolio() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, bi AS $$ SELECT portfolio FROM bi.grants WHERE login = session_user $$;`,
    // The functions are the only way into bi: the groups may call them, not read the table.
    `REVOKE ALL ON FUNCTION bi.my_regions(), bi.my_portfolio() FROM PUBLIC;`,
    `GRANT USAGE ON SCHEMA bi TO ${BI_ROLES.map(groupRole).join(', ')};`,
    `GRANT EXECUTE ON FUNCTION bi.my_regions(), bi.my_portfolio() TO ${BI_ROLES.map(groupRole).join(', ')};`,
    '',
  ].join('\n');
}

/** The condition a scoped group's rows must meet in `t`, or an error when the table cannot be scoped. */
function scopeCondition(role: Role, t: Table, customers: string): string {
  const rows = ROLE_POLICY[role].rows;
  if (rows === 'all') return 'true';
  const [col, fn] =
    rows === 'regions'
      ? ['region', 'region = ANY (bi.my_regions())']
      : ['credit_controller', 'credit_controller = bi.my_portfolio()'];
  if (t.columns.includes(col)) return fn;
  if (t.columns.includes('customer_id')) {
    return `customer_id IN (SELECT customer_id FROM ${customers} WHERE ${fn})`;
  }
  throw new Error(
    `${t.schema}.${t.name} has neither ${col} nor customer_id: the ${role} group cannot be given its rows. ` +
      "Leave it out of the role's Cube views or add the column.",
  );
}

/**
 * Grants and row-level security for the tables of one build. `schemaOf` maps a table's schema to the
 * schema it sits in now (a build's `marts__next` before the swap); `tables` are the tables as they
 * exist there (with their columns). Tables no group may read get RLS on and no grant at all.
 */
export function policySql(
  tables: readonly Table[],
  o: { schemaOf?: (schema: string) => string; modelDir?: string } = {},
): string {
  const schemaOf = o.schemaOf ?? ((s: string) => s);
  const byName = new Map(tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const customers = rel({ schema: schemaOf('marts'), name: 'dim_customers' });
  const out: string[] = [];
  const readers = new Map<string, Role[]>();
  for (const role of BI_ROLES) {
    for (const name of tablesFor(role, o.modelDir)) {
      if (!byName.has(name)) continue; // a table this build does not have (the credit mirror lives elsewhere)
      readers.set(name, [...(readers.get(name) ?? []), role]);
    }
  }
  const schemas = new Set<string>();
  for (const t of tables) {
    const here = { schema: schemaOf(t.schema), name: t.name };
    out.push(`ALTER TABLE ${rel(here)} ENABLE ROW LEVEL SECURITY;`);
    out.push(`REVOKE ALL ON ${rel(here)} FROM PUBLIC;`);
    for (const role of readers.get(`${t.schema}.${t.name}`) ?? []) {
      schemas.add(here.schema);
      out.push(`GRANT SELECT ON ${rel(here)} TO ${groupRole(role)};`);
      out.push(
        `CREATE POLICY ${ident(`bi_${role}`)} ON ${rel(here)} FOR SELECT TO ${groupRole(role)} USING (${scopeCondition(role, t, customers)});`,
      );
    }
  }
  const groupsBySchema = [...schemas]
    .sort()
    .map((s) => `GRANT USAGE ON SCHEMA ${ident(s)} TO ${BI_ROLES.map(groupRole).join(', ')};`);
  return `${[...groupsBySchema, ...out].join('\n')}\n`;
}

/** A login name a BI tool signs in with: letters, digits and . _ @ -, at most 63 (PostgreSQL's limit). */
const LOGIN = /^[A-Za-z_][A-Za-z0-9_.@-]{0,62}$/;

export class BiError extends Error {}

export function checkLogin(login: string): string {
  if (!LOGIN.test(login)) {
    throw new BiError(
      `"${login.slice(0, 70)}" cannot be a login: use 1 to 63 letters, digits, . _ @ or -, starting with a letter.`,
    );
  }
  if (/^(pg_|arlens_)/i.test(login))
    throw new BiError(`A login may not start with pg_ or arlens_ (reserved): ${login}.`);
  return login;
}

/**
 * A SCRAM-SHA-256 verifier of `password`, as PostgreSQL stores it (RFC 5802/7677, 4096 iterations):
 * the server never sees the password, and no statement log holds it. Printable ASCII only (what
 * PostgreSQL's SASLprep would leave unchanged).
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  if (!/^[\x21-\x7e]{12,200}$/.test(password)) {
    throw new BiError('A BI password is 12 to 200 printable ASCII characters without spaces.');
  }
  const salted = pbkdf2Sync(password, salt, 4096, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$4096:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

export interface Grant {
  readonly login: string;
  readonly role: Role;
  readonly regions: readonly string[];
  readonly portfolio: string | null;
  readonly arlensUser: string | null;
  readonly createdBy: string;
}

/** Create (or re-point) one person's login in one transaction: the role, its group, its scope row. */
export function grantSql(g: Grant, verifier: string | null): string {
  const login = checkLogin(g.login);
  if (!BI_ROLES.includes(g.role))
    throw new BiError(`The ${g.role} role has no BI access (it sees no receivables).`);
  const rows = ROLE_POLICY[g.role].rows;
  if (rows === 'regions' && g.regions.length === 0)
    throw new BiError('A sales lead needs at least one region (--regions).');
  if (rows === 'portfolio' && !g.portfolio)
    throw new BiError('A credit controller needs a portfolio (--portfolio).');
  const password = verifier === null ? '' : ` PASSWORD ${literal(verifier)}`;
  const regions = rows === 'regions' ? g.regions : [];
  const portfolio = rows === 'portfolio' ? g.portfolio : null;
  return [
    'BEGIN;',
    `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(login)}) THEN
    CREATE ROLE ${ident(login)} LOGIN NOINHERIT CONNECTION LIMIT 5;
  END IF;
END $$;`,
    `ALTER ROLE ${ident(login)} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5${password};`,
    // One group at a time: leave any other the login was in (a changed role).
    `DO $$ DECLARE g text; BEGIN
  FOR g IN SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
           WHERE u.rolname = ${literal(login)} AND r.rolname LIKE 'arlens\\_bi\\_%' AND r.rolname <> ${literal(groupRole(g.role))} LOOP
    EXECUTE format('REVOKE %I FROM %I', g, ${literal(login)});
  END LOOP;
END $$;`,
    `GRANT ${groupRole(g.role)} TO ${ident(login)};`,
    `INSERT INTO bi.grants (login, arlens_role, regions, portfolio, arlens_user, created_by) VALUES (${literal(login)}, ${literal(g.role)}, ARRAY[${regions.map(literal).join(', ')}]::text[], ${portfolio === null ? 'NULL' : literal(portfolio)}, ${g.arlensUser === null ? 'NULL' : literal(g.arlensUser)}, ${literal(g.createdBy)})
  ON CONFLICT (login) DO UPDATE SET arlens_role = excluded.arlens_role, regions = excluded.regions, portfolio = excluded.portfolio, arlens_user = excluded.arlens_user, created_by = excluded.created_by, created_at = now();`,
    'COMMIT;',
    '',
  ].join('\n');
}

/** Remove one person's login (their scope row first: a half-removed login sees nothing). */
export function revokeSql(login: string): string {
  checkLogin(login);
  return [
    'BEGIN;',
    `DELETE FROM bi.grants WHERE login = ${literal(login)};`,
    `DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(login)}) THEN DROP ROLE ${ident(login)}; END IF;
END $$;`,
    'COMMIT;',
    '',
  ].join('\n');
}
