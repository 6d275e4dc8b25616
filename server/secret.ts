/**
 * The secret that signs and verifies API tokens (JWT, HS256). Taken from ARLENS_API_SECRET when set
 * (production: put it in your secret store, at least 32 characters); otherwise a random demo secret
 * is generated on first start into `arlens.secret` beside the warehouse folder (mode 0600,
 * git-ignored) and reused after. Never committed, never logged.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';

export const SECRET_ENV = 'ARLENS_API_SECRET';
const MIN_LENGTH = 32;

export interface ApiSecret {
  readonly secret: string;
  /** Where it came from, for one line at start ("generated …" the first time). */
  readonly source: string;
}

export async function resolveApiSecret(warehouseDir: string): Promise<ApiSecret> {
  const fromEnv = process.env[SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_LENGTH) {
      throw new Error(`${SECRET_ENV} is too short: use at least ${MIN_LENGTH} random characters.`);
    }
    return { secret: fromEnv, source: `from ${SECRET_ENV}` };
  }
  const file = join(dirname(warehouseDir), 'arlens.secret');
  try {
    const secret = (await fs.readFile(file, 'utf8')).trim();
    if (secret.length >= MIN_LENGTH) return { secret, source: `from ${file}` };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const secret = randomBytes(32).toString('base64url');
  await fs.mkdir(dirname(file), { recursive: true });
  await fs.writeFile(file, `${secret}\n`, { mode: 0o600 });
  return { secret, source: `generated a demo secret in ${file} (set ${SECRET_ENV} in production)` };
}
