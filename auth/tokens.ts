/**
 * API tokens: HS256 JWTs whose claims name a role (and the role's regions or portfolio). Used by the
 * Cube API (cube/security.ts) and the dashboard's sign-in (web/lib/server/session.ts). No Cube imports
 * here, so the dashboard bundle stays small.
 *
 * Every token carries `iat` and `exp`, and lives at most a maximum: 30 days for API tokens (set
 * ARLENS_TOKEN_MAX_DAYS to change it), 8 hours for dashboard sessions. A token that claims a longer
 * life is refused when read, and none is signed.
 */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export { ROLES, type Role } from './policy.ts';

/** Who: the user's id in the operational store (absent on a token signed for a role only) and name. */
const who = { uid: z.number().int().positive().optional(), name: z.string().optional() };

const Claims = z.discriminatedUnion('role', [
  z.object({ role: z.literal('admin'), ...who }),
  z.object({ role: z.literal('cfo'), ...who }),
  z.object({ role: z.literal('analyst'), ...who }),
  z.object({ role: z.literal('credit_manager'), ...who }),
  z.object({ role: z.literal('sales_lead'), ...who, regions: z.array(z.string().min(1)).min(1) }),
  z.object({ role: z.literal('collector'), ...who, portfolio: z.string().min(1) }),
]);
export type SecurityContext = z.infer<typeof Claims>;

const encoder = new TextEncoder();

const DAY = 86400;
export const MAX_TOKEN_DAYS_ENV = 'ARLENS_TOKEN_MAX_DAYS';
const DEFAULT_MAX_TOKEN_DAYS = 30;
/** A dashboard session's lifetime, and the longest a session token may claim. */
export const SESSION_SECONDS = 8 * 3600;
/** Clocks of the machines that sign and check may differ this much. */
const CLOCK_TOLERANCE = 60;

/** The longest lifetime (exp - iat) of an API token, in seconds: ARLENS_TOKEN_MAX_DAYS or 30 days. */
export function maxTokenSeconds(): number {
  const raw = process.env[MAX_TOKEN_DAYS_ENV];
  if (raw === undefined || raw === '') return DEFAULT_MAX_TOKEN_DAYS * DAY;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > 366) {
    throw new Error(`${MAX_TOKEN_DAYS_ENV} must be a whole number of days from 1 to 366, not "${raw}".`);
  }
  return days * DAY;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: DAY, w: 7 * DAY };
const SPAN = /^(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)$/i;

/**
 * Seconds a token signed now with `expiresIn` lives: a span as jose reads it ('8h', '30d',
 * '2 weeks') or an absolute expiry in seconds since the epoch (negative when already past).
 */
export function lifetimeSeconds(expiresIn: string | number, now = Math.floor(Date.now() / 1000)): number {
  if (typeof expiresIn === 'number') return expiresIn - now;
  const m = SPAN.exec(expiresIn.trim());
  if (!m) throw new Error(`Cannot read the lifetime "${expiresIn}": write it like 8h, 30d or 2 weeks.`);
  return Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()[0]!]!);
}

const days = (seconds: number) => {
  const d = seconds / DAY;
  return d >= 1 ? `${+d.toFixed(2)} day${d === 1 ? '' : 's'}` : `${+(seconds / 3600).toFixed(2)} hours`;
};

export interface LifetimeOptions {
  /** The longest lifetime allowed, in seconds (default: maxTokenSeconds(), the API tokens' maximum). */
  readonly maxLifetime?: number;
}

/** Sign a token for `context` that expires after `expiresIn`; refuses a lifetime over the maximum. */
export async function signToken(
  secret: string,
  context: SecurityContext,
  expiresIn: string | number = '8h',
  options: LifetimeOptions = {},
): Promise<string> {
  const max = options.maxLifetime ?? maxTokenSeconds();
  const iat = Math.floor(Date.now() / 1000);
  const lifetime = lifetimeSeconds(expiresIn, iat);
  if (lifetime > max) {
    const env = options.maxLifetime === undefined ? ` (${MAX_TOKEN_DAYS_ENV})` : '';
    throw new Error(
      `A token may live at most ${days(max)}${env}; "${expiresIn}" is longer. ` +
        `Ask for a shorter lifetime, e.g. ${max % DAY === 0 ? `${max / DAY}d` : `${Math.floor(max / 3600)}h`}.`,
    );
  }
  return new SignJWT({ ...context })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetime)
    .sign(encoder.encode(secret));
}

export type TokenResult =
  { ok: true; context: SecurityContext; issuedAt: number; expiresAt: number } | { ok: false; reason: string };

/**
 * Check a token (with or without "Bearer "): signature, HS256 only, `iat` and `exp` required, not
 * issued in the future, not expired, living no longer than the maximum, claims of a known role.
 */
export async function readToken(
  secret: string,
  authorization: string | undefined,
  options: LifetimeOptions = {},
): Promise<TokenResult> {
  const token = authorization?.replace(/^Bearer\s+/i, '').trim();
  if (!token) return { ok: false, reason: 'Sign in: this API needs a token (Authorization: Bearer <JWT>).' };
  let payload: { iat?: number; exp?: number };
  try {
    ({ payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired)
      return { ok: false, reason: 'The token has expired: sign in again.' };
    return { ok: false, reason: 'The token is not valid for this server: sign in again.' };
  }
  const { iat, exp } = payload as { iat: number; exp: number };
  if (iat > Date.now() / 1000 + CLOCK_TOLERANCE) {
    return { ok: false, reason: 'The token is not valid for this server: sign in again.' };
  }
  const max = options.maxLifetime ?? maxTokenSeconds();
  if (exp - iat > max) {
    return {
      ok: false,
      reason: `The token lives longer than this server allows (${days(max)}): ask for a shorter one.`,
    };
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success)
    return { ok: false, reason: 'The token names no known role with what the role needs.' };
  return { ok: true, context: claims.data, issuedAt: iat, expiresAt: exp };
}
