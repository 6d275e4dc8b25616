/**
 * Password hashes: scrypt (memory-hard, node:crypto; no dependency) with a random 16-byte salt, stored
 * as `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` so the cost can rise later: a sign-in with a hash weaker
 * than today's setting re-hashes the password. Default cost is OWASP's scrypt minimum (N = 2^17,
 * r = 8, p = 1: 128 MiB, about a third of a second here). ARLENS_SCRYPT_LOG_N lowers or raises N on a
 * small machine (14 to 20); the tests use 14.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_BYTES = 32;
const DEFAULT_LOG_N = 17;
export const SCRYPT_ENV = 'ARLENS_SCRYPT_LOG_N';

interface Cost {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

export function currentCost(): Cost {
  const raw = process.env[SCRYPT_ENV];
  const logN = raw === undefined || raw === '' ? DEFAULT_LOG_N : Number(raw);
  if (!Number.isInteger(logN) || logN < 14 || logN > 20) {
    throw new Error(`${SCRYPT_ENV} must be a whole number from 14 to 20, not "${raw}".`);
  }
  return { logN, r: 8, p: 1 };
}

function derive(password: string, salt: Buffer, cost: Cost): Promise<Buffer> {
  const N = 2 ** cost.logN;
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_BYTES,
      { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r },
      (e, key) => (e ? reject(e) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const cost = currentCost();
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.logN, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

const FORMAT = /^scrypt\$(\d{2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export interface Verified {
  readonly ok: boolean;
  /** The hash is weaker than today's cost: store a new one. */
  readonly rehash: boolean;
}

/** Whether `password` matches `stored` (in constant time); a missing or unreadable hash never matches. */
export async function verifyPassword(password: string, stored: string | null): Promise<Verified> {
  const m = stored ? FORMAT.exec(stored) : null;
  if (!m) {
    // Same work as a real check, so a missing account or password cannot be told apart by timing.
    await derive(password, DUMMY_SALT, currentCost());
    return { ok: false, rehash: false };
  }
  const cost = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (cost.logN < 10 || cost.logN > 22 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) {
    return { ok: false, rehash: false };
  }
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await derive(password, Buffer.from(m[4]!, 'base64'), cost);
  const ok = key.length === expected.length && timingSafeEqual(key, expected);
  return { ok, rehash: ok && cost.logN < currentCost().logN };
}

const DUMMY_SALT = randomBytes(16);

/** A random password for a new account or a reset: 20 characters, about 119 bits. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url').slice(0, 20);
}

/** Why a chosen password is refused, or null. Long passphrases welcome; no composition rules (NIST 800-63B). */
export function passwordProblem(password: string): string | null {
  if ([...password].length < 12) return 'A password needs at least 12 characters.';
  if (password.length > 1024) return 'A password may have at most 1,024 characters.';
  return null;
}
