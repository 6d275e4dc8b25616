/** Shared test helpers: temporary directories, files, and reading the published warehouse. */
import { createHash } from 'node:crypto';
import { createSession } from '../auth/sessions.ts';
import { addUser, findUser } from '../auth/users.ts';
import type { OpsStore } from '../ops/store.ts';
import type { SecurityContext } from '../auth/tokens.ts';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT, type EntityName } from '../ingest/contract.ts';
import { withPublished } from '../warehouse/store.ts';
import { queryRows, type Row } from '../warehouse/convert.ts';
import type { SqlParam } from '../warehouse/duckdb.ts';

export const ROOT = join(import.meta.dirname, '..');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');

export async function tempDir(prefix = 'arlens-test-'): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), prefix));
}

export async function writeText(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await fs.writeFile(path, text, 'utf8');
  return path;
}

/** Rows from the published warehouse (read-only). */
export async function published(warehouseDir: string, sql: string, params: SqlParam[] = []): Promise<Row[]> {
  return withPublished(warehouseDir, (conn) => queryRows(conn, sql, params));
}

/** The canonical layout's header line of an entity: its contract fields, in order. */
export function canonicalHeader(entity: EntityName): string {
  return CONTRACT[entity].fields.map((f) => f.name).join(',');
}

export const CUSTOMERS_HEADER = canonicalHeader('customers');
export const INVOICES_HEADER = canonicalHeader('invoices');

/** A customer row in the canonical layout. */
export function customerRow(id: string, name = `Customer ${id}`, currency = 'EUR'): string {
  return `${id},${name},EMEA,DE,SMB,Retail,Anna,Bob,1000.00,30,${currency},active`;
}

/** `node --import <this>` runs TypeScript in a child process (resolved here, so any cwd works). */
export const TSX_IMPORT = import.meta.resolve('tsx');

/** Arguments to run the arlens CLI in a child Node process (the real process: killable, no wrapper). */
export function cliArgs(...args: string[]): string[] {
  return ['--import', TSX_IMPORT, join(ROOT, 'cli', 'main.ts'), ...args];
}

/** The API secret test servers sign and verify tokens with (tests only; never a real secret). */
export const TEST_SECRET = 'arlens-test-secret-not-for-production-0123456789';

/**
 * Request headers of a browser signed in as `context` on `server`: a user with that role and scope in
 * the server's operational store (made once, no password) and a real session of theirs.
 */
export async function sessionCookie(
  server: { readonly ops: OpsStore },
  context: SecurityContext,
): Promise<{ cookie: string }> {
  return { cookie: (await signedIn(server, context)).cookie };
}

/** As sessionCookie, with the session's CSRF token that a state-changing request must send. */
export async function signedIn(
  server: { readonly ops: OpsStore },
  context: SecurityContext,
): Promise<{ cookie: string; csrf: string }> {
  const scope =
    context.role === 'sales_lead'
      ? context.regions.join('|')
      : context.role === 'collector'
        ? context.portfolio
        : '';
  const username = `t-${context.role}-${createHash('sha256').update(scope).digest('hex').slice(0, 8)}`;
  const user =
    findUser(server.ops, username) ??
    addUser(
      server.ops,
      { id: null, name: 'test', address: null },
      {
        username,
        role: context.role,
        regions: context.role === 'sales_lead' ? context.regions : [],
        portfolio: context.role === 'collector' ? context.portfolio : null,
        passwordHash: null,
      },
    );
  const s = createSession(server.ops, user, 'password', { address: '127.0.0.1' });
  return { cookie: `arlens_session=${s.token}`, csrf: s.csrf };
}
