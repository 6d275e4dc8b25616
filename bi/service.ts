/**
 * The BI door's operations on a PostgreSQL warehouse (docs/bi.md): set up the groups and policies of
 * the published tables, grant a person a login, revoke it, list the logins. Each change is one
 * transaction in PostgreSQL and one entry in ARLens's audit log.
 */
import { generatePassword } from '../auth/passwords.ts';
import { appendAudit, type Actor } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import { ident } from '../warehouse/duckdb.ts';
import type { PgSession } from '../warehouse/session.ts';
import {
  BiError,
  grantSql,
  policySql,
  revokeSql,
  scramVerifier,
  setupSql,
  type Grant,
  type Table,
} from './policy.ts';

/** The schemas whose tables BI groups may read (the rest are never granted). */
const READABLE = ['marts', 'ml', 'credit'];

async function publishedTables(session: PgSession, schemaOf: (s: string) => string): Promise<Table[]> {
  const rows = await session.rows(
    `SELECT c.table_schema, c.table_name, c.column_name
     FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE t.table_type = 'BASE TABLE' AND c.table_schema = ANY (string_to_array($1, ','))
     ORDER BY 1, 2, c.ordinal_position`,
    [READABLE.map(schemaOf).join(',')],
  );
  const byName = new Map<string, { schema: string; name: string; columns: string[] }>();
  const back = new Map(READABLE.map((s) => [schemaOf(s), s]));
  for (const r of rows) {
    const schema = back.get(String(r['table_schema']))!;
    const key = `${schema}.${String(r['table_name'])}`;
    let t = byName.get(key);
    if (!t) byName.set(key, (t = { schema, name: String(r['table_name']), columns: [] }));
    t.columns.push(String(r['column_name']));
  }
  return [...byName.values()];
}

/**
 * Groups, the grants table and its functions (idempotent), and the policies of the tables in
 * `schemaOf`'s schemas — the published ones, or a build's `__next` ones before its swap.
 */
export async function applyBiPolicies(
  session: PgSession,
  schemaOf: (schema: string) => string = (s) => s,
): Promise<number> {
  const [db] = await session.rows('SELECT current_database() AS d');
  await session.run(setupSql(String(db!['d'])));
  const tables = await publishedTables(session, schemaOf);
  if (tables.length > 0) {
    // Policies of a rebuilt table start fresh; of a published one, replace the old ones.
    for (const t of tables) {
      const policies = await session.rows(
        "SELECT policyname FROM pg_policies WHERE schemaname = $1 AND tablename = $2 AND policyname LIKE 'bi\\_%'",
        [schemaOf(t.schema), t.name],
      );
      for (const p of policies) {
        await session.run(
          `DROP POLICY ${ident(String(p['policyname']))} ON ${ident(schemaOf(t.schema))}.${ident(t.name)}`,
        );
      }
    }
    await session.run(policySql(tables, { schemaOf }));
  }
  return tables.length;
}

export interface GrantResult {
  readonly login: string;
  /** Printed once when ARLens generated it. */
  readonly password: string | null;
}

export async function grantLogin(
  session: PgSession,
  store: OpsStore,
  actor: Actor,
  g: Omit<Grant, 'createdBy'>,
  password: { generate: true } | { given: string } | { keep: true },
): Promise<GrantResult> {
  const pw = 'generate' in password ? generatePassword() : 'given' in password ? password.given : null;
  const verifier = pw === null ? null : scramVerifier(pw);
  const exists = (await session.rows('SELECT 1 AS x FROM pg_roles WHERE rolname = $1', [g.login])).length > 0;
  if (!exists && pw === null)
    throw new BiError(`${g.login} is a new login: give it a password (--generate or --password-stdin).`);
  await session.run(grantSql({ ...g, createdBy: actor.name }, verifier));
  appendAudit(store, actor, {
    action: 'bi.grant',
    target: `login:${g.login}`,
    after: {
      role: g.role,
      regions: g.regions,
      portfolio: g.portfolio,
      arlensUser: g.arlensUser,
      passwordChanged: pw !== null,
    },
  });
  return { login: g.login, password: 'generate' in password ? pw : null };
}

export async function revokeLogin(
  session: PgSession,
  store: OpsStore,
  actor: Actor,
  login: string,
): Promise<boolean> {
  const had = (await session.rows('SELECT 1 AS x FROM bi.grants WHERE login = $1', [login])).length > 0;
  await session.run(revokeSql(login));
  appendAudit(store, actor, { action: 'bi.revoke', target: `login:${login}`, after: { existed: had } });
  return had;
}

export async function listLogins(session: PgSession) {
  return session.rows(
    `SELECT login, arlens_role, array_to_string(regions, ', ') AS regions, portfolio, arlens_user, created_by,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS created_at
     FROM bi.grants ORDER BY login`,
  );
}
