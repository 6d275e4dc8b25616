/**
 * The first start on a user's own data: with no account in the store, an `admin` is created so
 * someone can sign in and add the others. Its password comes from ARLENS_ADMIN_PASSWORD (at least
 * 12 characters), or is generated and returned to be printed once. Audited as `system`.
 */
import type { OpsStore } from '../ops/store.ts';
import { generatePassword, hashPassword, passwordProblem } from './passwords.ts';
import { addUser, hasRealUsers } from './users.ts';

export const ADMIN_PASSWORD_ENV = 'ARLENS_ADMIN_PASSWORD';

export type FirstRun =
  | { readonly created: false }
  | { readonly created: true; readonly username: string; readonly password: string | null };

export async function ensureAdmin(store: OpsStore): Promise<FirstRun> {
  if (hasRealUsers(store)) return { created: false };
  const fromEnv = process.env[ADMIN_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const problem = passwordProblem(fromEnv);
    if (problem) throw new Error(`${ADMIN_PASSWORD_ENV}: ${problem}`);
  }
  const password = fromEnv || generatePassword();
  const hash = await hashPassword(password);
  try {
    addUser(
      store,
      { id: null, name: 'system', address: null },
      {
        username: 'admin',
        displayName: 'Administrator',
        role: 'admin',
        passwordHash: hash,
      },
    );
  } catch (e) {
    // Another process created the first account meanwhile.
    if (hasRealUsers(store)) return { created: false };
    throw e;
  }
  return { created: true, username: 'admin', password: fromEnv ? null : password };
}
