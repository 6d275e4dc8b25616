/**
 * API tokens: HS256 JWTs whose claims name a role (and the role's regions or portfolio). Used by the
 * Cube API (cube/security.ts) and the dashboard's sign-in (web/lib/server/session.ts). No Cube imports
 * here, so the dashboard bundle stays small.
 */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export const ROLES = ['cfo', 'sales_lead', 'analyst', 'collector'] as const;
export type Role = (typeof ROLES)[number];

const Claims = z.discriminatedUnion('role', [
  z.object({ role: z.literal('cfo'), name: z.string().optional() }),
  z.object({ role: z.literal('analyst'), name: z.string().optional() }),
  z.object({
    role: z.literal('sales_lead'),
    name: z.string().optional(),
    regions: z.array(z.string().min(1)).min(1),
  }),
  z.object({ role: z.literal('collector'), name: z.string().optional(), portfolio: z.string().min(1) }),
]);
export type SecurityContext = z.infer<typeof Claims>;

const encoder = new TextEncoder();

export async function signToken(
  secret: string,
  context: SecurityContext,
  expiresIn: string | number = '8h',
): Promise<string> {
  return new SignJWT({ ...context })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(encoder.encode(secret));
}

export type TokenResult = { ok: true; context: SecurityContext } | { ok: false; reason: string };

/** Check a token (with or without "Bearer "): signature, HS256 only, expiry required, claims. */
export async function readToken(secret: string, authorization: string | undefined): Promise<TokenResult> {
  const token = authorization?.replace(/^Bearer\s+/i, '').trim();
  if (!token) return { ok: false, reason: 'Sign in: this API needs a token (Authorization: Bearer <JWT>).' };
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
    }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired)
      return { ok: false, reason: 'The token has expired: sign in again.' };
    return { ok: false, reason: 'The token is not valid for this server: sign in again.' };
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success)
    return { ok: false, reason: 'The token names no known role with what the role needs.' };
  return { ok: true, context: claims.data };
}
